package sanctions

import (
	"bufio"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// The name-search evaluation. Three query sets over UN 2026 + OFAC 2021:
//   - alias: each entry's good aliases that normalize differently from its
//     primary name (a sample), expected to find the entry;
//   - generated: variants of primary names made with a fixed seed:
//     misspellings, transpositions, dropped middle names, reordered tokens,
//     case and diacritics, hyphenation and legal-form changes;
//   - hand: testdata/eval_variants.tsv, romanization and spelling variants
//     written by hand;
// and a false-positive set, testdata/eval_not_listed.txt: names on no list.
//
// A query's rank is 1 + the number of hits scoring strictly higher than its
// expected entry (ties are not held against it: two entries with the very
// same name cannot be told apart by name). Hits count only at or above
// DefaultMinScore, as /lookup shows them.

type evalQuery struct {
	text, kind string
	key        string // list/ref expected
}

// evalFloors are the figures the search achieves, minus a margin.
var evalFloors = map[string]struct{ recall1, recall5 float64 }{
	"alias":     {0.98, 0.98},
	"generated": {0.96, 0.97},
	"hand":      {0.92, 0.97},
}

const maxFalsePositiveRate = 0.02

func TestNameSearchEvaluation(t *testing.T) {
	entries := realLists(t)
	ix := NewIndex(entries)
	sets := map[string][]evalQuery{
		"alias":     aliasQueries(entries, 800),
		"generated": generatedQueries(entries, 700),
		"hand":      handQueries(t),
	}
	for _, kind := range []string{"alias", "generated", "hand"} {
		results := searchAll(ix, sets[kind])
		r1, r5, misses := recall(results, DefaultMinScore)
		t.Logf("%-9s n=%4d recall@1 %.3f recall@5 %.3f", kind, len(results), r1, r5)
		for _, m := range misses[:min(len(misses), 8)] {
			t.Logf("    missed: %s", m)
		}
		if f := evalFloors[kind]; r1 < f.recall1 || r5 < f.recall5 {
			t.Errorf("%s: recall@1 %.3f (floor %.2f), recall@5 %.3f (floor %.2f)", kind, r1, f.recall1, r5, f.recall5)
		}
		if kind == "generated" {
			logByVariantKind(t, results)
			logThresholdSweep(t, ix, results, notListedNames(t))
		}
	}

	names := notListedNames(t)
	var fp []string
	for _, name := range names {
		if hits := ix.Search(name, SearchOptions{Limit: 1}); len(hits) > 0 {
			fp = append(fp, name+" → "+hits[0].Matched)
		}
	}
	rate := float64(len(fp)) / float64(len(names))
	t.Logf("false positives at %.2f: %d of %d (%.3f) %q", DefaultMinScore, len(fp), len(names), rate, fp)
	if rate > maxFalsePositiveRate {
		t.Errorf("false-positive rate %.3f above %.2f", rate, maxFalsePositiveRate)
	}
}

// sweepFloor is the lowest threshold evaluated: each query is searched once
// at it, and higher thresholds filter those hits (the candidate pruning is
// exact, so a search at a higher threshold returns the same hits above it).
const sweepFloor = 0.70

type evalResult struct {
	query evalQuery
	hits  []Hit
}

func searchAll(ix *Index, queries []evalQuery) []evalResult {
	results := make([]evalResult, len(queries))
	for i, q := range queries {
		results[i] = evalResult{q, ix.Search(q.text, SearchOptions{Limit: 50, MinScore: sweepFloor})}
	}
	return results
}

// rank is the expected entry's rank among the hits at or above minScore,
// or 0 when it is not among them.
func (r evalResult) rank(minScore float64) int {
	for _, h := range r.hits {
		if h.Entry.Key() != r.query.key || h.Score < minScore {
			continue
		}
		better := 0
		for _, o := range r.hits {
			if o.Score > h.Score {
				better++
			}
		}
		return better + 1
	}
	return 0
}

func recall(results []evalResult, minScore float64) (r1, r5 float64, misses []string) {
	var at1, at5 int
	for _, r := range results {
		switch rank := r.rank(minScore); {
		case rank == 1:
			at1++
			at5++
		case rank > 0 && rank <= 5:
			at5++
		default:
			misses = append(misses, r.query.kind+" "+r.query.text+" → "+r.query.key)
		}
	}
	n := float64(len(results))
	return float64(at1) / n, float64(at5) / n, misses
}

func logByVariantKind(t *testing.T, results []evalResult) {
	byKind := map[string][]evalResult{}
	var kinds []string
	for _, r := range results {
		if byKind[r.query.kind] == nil {
			kinds = append(kinds, r.query.kind)
		}
		byKind[r.query.kind] = append(byKind[r.query.kind], r)
	}
	for _, kind := range kinds {
		r1, _, _ := recall(byKind[kind], DefaultMinScore)
		t.Logf("    generated %-14s recall@1 %.3f (n=%d)", kind, r1, len(byKind[kind]))
	}
}

// logThresholdSweep shows what other thresholds would give, the evidence
// behind DefaultMinScore.
func logThresholdSweep(t *testing.T, ix *Index, results []evalResult, names []string) {
	top := make([]float64, len(names))
	for i, name := range names {
		if hits := ix.Search(name, SearchOptions{Limit: 1, MinScore: sweepFloor}); len(hits) > 0 {
			top[i] = hits[0].Score
		}
	}
	for _, min := range []float64{sweepFloor, 0.75, 0.80, 0.85, 0.90} {
		r1, r5, _ := recall(results, min)
		fp := 0
		for _, score := range top {
			if score >= min {
				fp++
			}
		}
		t.Logf("    threshold %.2f: generated recall@1 %.3f recall@5 %.3f, false positives %.3f", min, r1, r5, float64(fp)/float64(len(names)))
	}
}

func aliasQueries(entries []Entry, n int) []evalQuery {
	var all []evalQuery
	for i := range entries {
		e := &entries[i]
		primary := strings.Join(normalizeName(e.Name), " ")
		for _, a := range e.Aliases {
			if a.Quality != QualityGood || strings.Join(normalizeName(a.Name), " ") == primary {
				continue
			}
			all = append(all, evalQuery{text: a.Name, kind: "alias", key: e.Key()})
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	return all[:min(n, len(all))]
}

// generatedQueries makes n variants of primary names, cycling through the
// kinds of variation.
func generatedQueries(entries []Entry, n int) []evalQuery {
	rng := rand.New(rand.NewPCG(3, 4))
	kinds := []struct {
		name string
		make func(rng *rand.Rand, words []string, e *Entry) (string, bool)
	}{
		{"misspelling", misspell},
		{"transposition", transpose},
		{"dropped-middle", dropMiddle},
		{"reordered", reorder},
		{"case-diacritic", caseAndDiacritics},
		{"hyphenation", hyphenate},
		{"legal-form", changeLegalForm},
		{"two-typos", twoTypos},
		{"typo+reorder", typoAndReorder},
		{"initial", initialOf},
	}
	var out []evalQuery
	for tries := 0; len(out) < n && tries < n*50; tries++ {
		e := &entries[rng.IntN(len(entries))]
		kind := kinds[len(out)%len(kinds)]
		words := strings.Fields(strings.ReplaceAll(e.Name, ",", ""))
		if text, ok := kind.make(rng, words, e); ok && text != e.Name {
			out = append(out, evalQuery{text: text, kind: kind.name, key: e.Key()})
		}
	}
	return out
}

// longestWord is the index of the longest word of at least min bytes.
func longestWord(words []string, min int) (int, bool) {
	best := -1
	for i, w := range words {
		if len(w) >= min && (best < 0 || len(w) > len(words[best])) {
			best = i
		}
	}
	return best, best >= 0
}

func misspell(rng *rand.Rand, words []string, _ *Entry) (string, bool) {
	i, ok := longestWord(words, 6)
	if !ok || len(words) < 2 || !isASCII(words[i]) {
		return "", false
	}
	w := []byte(words[i])
	pos := 1 + rng.IntN(len(w)-2)
	switch rng.IntN(3) {
	case 0: // substitution
		w[pos] = "aeioulnrst"[rng.IntN(10)]
	case 1: // deletion
		w = append(w[:pos], w[pos+1:]...)
	default: // doubled letter
		w = slices.Insert(w, pos, w[pos])
	}
	words[i] = string(w)
	return strings.Join(words, " "), true
}

// twoTypos misspells two different words of four letters or more.
func twoTypos(rng *rand.Rand, words []string, _ *Entry) (string, bool) {
	var long []int
	for i, w := range words {
		if len(w) >= 4 && isASCII(w) {
			long = append(long, i)
		}
	}
	if len(long) < 2 {
		return "", false
	}
	for _, i := range long[:2] {
		w := []byte(words[i])
		w[1+rng.IntN(len(w)-2)] = "aeiouy"[rng.IntN(6)]
		words[i] = string(w)
	}
	return strings.Join(words, " "), true
}

// initialOf abbreviates a given or middle name to its initial: "QADHAFI
// Muammar M.".
func initialOf(rng *rand.Rand, words []string, e *Entry) (string, bool) {
	if e.Type != TypeIndividual || len(words) < 3 {
		return "", false
	}
	i := 1 + rng.IntN(len(words)-1)
	if !isASCII(words[i]) || len(words[i]) < 3 {
		return "", false
	}
	words[i] = words[i][:1] + "."
	return strings.Join(words, " "), true
}

func typoAndReorder(rng *rand.Rand, words []string, e *Entry) (string, bool) {
	text, ok := misspell(rng, words, e)
	if !ok {
		return "", false
	}
	return reorder(rng, strings.Fields(text), e)
}

func transpose(rng *rand.Rand, words []string, _ *Entry) (string, bool) {
	i, ok := longestWord(words, 6)
	if !ok || len(words) < 2 || !isASCII(words[i]) {
		return "", false
	}
	w := []byte(words[i])
	pos := 1 + rng.IntN(len(w)-3)
	w[pos], w[pos+1] = w[pos+1], w[pos]
	words[i] = string(w)
	return strings.Join(words, " "), true
}

func dropMiddle(rng *rand.Rand, words []string, e *Entry) (string, bool) {
	if e.Type != TypeIndividual || len(words) < 4 {
		return "", false
	}
	i := 1 + rng.IntN(len(words)-2)
	return strings.Join(slices.Delete(words, i, i+1), " "), true
}

func reorder(_ *rand.Rand, words []string, e *Entry) (string, bool) {
	if e.Type != TypeIndividual || len(words) < 2 {
		return "", false
	}
	slices.Reverse(words)
	return strings.Join(words, " "), true
}

func caseAndDiacritics(rng *rand.Rand, words []string, _ *Entry) (string, bool) {
	accent := map[rune]rune{'a': 'á', 'e': 'é', 'i': 'í', 'o': 'ö', 'u': 'ü', 'c': 'ç', 'n': 'ñ'}
	var b strings.Builder
	for _, r := range strings.ToLower(strings.Join(words, " ")) {
		if a, ok := accent[r]; ok && rng.IntN(3) == 0 {
			r = a
		}
		b.WriteRune(r)
	}
	return b.String(), len(words) >= 2
}

func hyphenate(rng *rand.Rand, words []string, _ *Entry) (string, bool) {
	if len(words) < 3 {
		return "", false
	}
	i := 1 + rng.IntN(len(words)-2)
	sep := "-"
	if rng.IntN(2) == 0 {
		sep = ""
	}
	joined := words[i] + sep + strings.ToLower(words[i+1])
	return strings.Join(slices.Replace(words, i, i+2, joined), " "), true
}

func changeLegalForm(rng *rand.Rand, words []string, e *Entry) (string, bool) {
	if e.Type != TypeEntity || len(words) < 2 {
		return "", false
	}
	forms := []string{"LLC", "Ltd.", "Co., Ltd", "Corporation", "JSC", "Limited", "Inc."}
	if last := len(words) - 1; companySuffixes[strings.ToLower(strings.Trim(words[last], ".,"))] {
		words = words[:last]
	}
	return strings.Join(words, " ") + " " + forms[rng.IntN(len(forms))], true
}

func handQueries(t *testing.T) []evalQuery {
	var out []evalQuery
	for _, line := range testdataLines(t, "eval_variants.tsv") {
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			t.Fatalf("eval_variants.tsv: bad line %q", line)
		}
		out = append(out, evalQuery{text: f[0], kind: "hand", key: f[1] + "/" + f[2]})
	}
	return out
}

func notListedNames(t *testing.T) []string {
	names := testdataLines(t, "eval_not_listed.txt")
	if len(names) < 200 {
		t.Fatalf("only %d names in eval_not_listed.txt", len(names))
	}
	return names
}

// testdataLines reads the non-empty, non-comment lines of a testdata file.
func testdataLines(t *testing.T, name string) []string {
	t.Helper()
	lines, err := readLines(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return lines
}

func readLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") && utf8.ValidString(line) {
			lines = append(lines, line)
		}
	}
	return lines, sc.Err()
}
