package rules

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// naiveHits finds every occurrence of every pattern by brute force.
func naiveHits(patterns [][]byte, text []byte) []rawHit {
	var hits []rawHit
	for end := 1; end <= len(text); end++ {
		for id, p := range patterns {
			if end >= len(p) && bytes.Equal(text[end-len(p):end], p) {
				hits = append(hits, rawHit{pat: int32(id), end: int32(end)})
			}
		}
	}
	return hits
}

func sortHits(hits []rawHit) []rawHit {
	slices.SortFunc(hits, func(a, b rawHit) int {
		if a.end != b.end {
			return int(a.end - b.end)
		}
		return int(a.pat - b.pat)
	})
	return hits
}

// TestAutomatonAgreesWithBruteForce compares the automaton with a brute
// force search on random patterns over a small alphabet, where patterns
// overlap and nest, with all rows dense, none but the root's, and between.
func TestAutomatonAgreesWithBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	alphabet := []byte("abc é")
	random := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		return b
	}
	for round := range 30 {
		seen := map[string]bool{}
		var patterns [][]byte
		for len(patterns) < 1+r.IntN(60) {
			p := random(1 + r.IntN(6))
			if !seen[string(p)] {
				seen[string(p)] = true
				patterns = append(patterns, p)
			}
		}
		text := random(300)
		want := naiveHits(patterns, text)
		for _, budget := range []int{1, 64, 1 << 10, rowBudget} {
			a := buildAutomatonRows(patterns, budget)
			got := sortHits(a.scan(text, nil))
			if !slices.Equal(got, want) {
				t.Fatalf("round %d, budget %d: %d hits, want %d\npatterns %q\ntext %q", round, budget, len(got), len(want), patterns, text)
			}
		}
	}
}

func TestAutomatonManyPatterns(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	var patterns [][]byte
	for i := range 20_000 {
		patterns = append(patterns, []byte(fmt.Sprintf("%s %d", generatedName(r), i)))
	}
	a := buildAutomaton(patterns)
	text := []byte("before " + string(patterns[123]) + " and " + string(patterns[19_999]) + ".")
	got := a.scan(text, nil)
	if len(got) != 2 || got[0].pat != 123 || got[1].pat != 19_999 {
		t.Errorf("hits %+v, want patterns 123 and 19999", got)
	}
}
