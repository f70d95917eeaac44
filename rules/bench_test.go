package rules

import (
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// newsText is about 50 KB of news-like text: the seed story and the
// held-out news texts when present, else generated sentences.
func newsText(b *testing.B) string {
	var parts []string
	if data, err := os.ReadFile(filepath.Join(sharedDirOrEmpty(), "seed", "000_2afe39b202ba405e.txt")); err == nil {
		parts = append(parts, string(data))
	}
	files, _ := filepath.Glob("testdata/news/*.txt")
	sort.Strings(files)
	for _, f := range files {
		if data, err := os.ReadFile(f); err == nil {
			parts = append(parts, string(data))
		}
	}
	if len(parts) == 0 {
		parts = append(parts, generatedNews(rand.New(rand.NewPCG(1, 2)), 200))
	}
	var sb strings.Builder
	for i := 0; sb.Len() < 50_000; i++ {
		sb.WriteString(parts[i%len(parts)])
		sb.WriteString("\n\n")
	}
	return sb.String()
}

// sharedDirOrEmpty is ../shared beside the repository root, or "".
func sharedDirOrEmpty() string {
	dir, _ := os.Getwd()
	for dir != filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(filepath.Dir(dir), "shared")
		}
		dir = filepath.Dir(dir)
	}
	return ""
}

// generalNews is about 50 KB of news of which little concerns sanctions:
// the seed story once, then generated sentences.
func generalNews(b *testing.B) string {
	var sb strings.Builder
	if data, err := os.ReadFile(filepath.Join(sharedDirOrEmpty(), "seed", "000_2afe39b202ba405e.txt")); err == nil {
		sb.Write(data)
	}
	r := rand.New(rand.NewPCG(9, 10))
	for sb.Len() < 50_000 {
		sb.WriteString(generatedNews(r, 10))
		sb.WriteString("\n\n")
	}
	return sb.String()
}

var newsWords = strings.Fields(`the city council said on Monday that the new bridge over the river
would open next spring after delays caused by heavy rain while local farmers reported a strong harvest
of apples and the national team won its third match of the season in front of a record crowd and
analysts expect interest rates to remain unchanged as inflation slows and shoppers return to the high
street ahead of the holidays with retailers reporting higher sales of clothes toys and electronics`)

func generatedNews(r *rand.Rand, sentences int) string {
	var sb strings.Builder
	for range sentences {
		n := 12 + r.IntN(15)
		for i := range n {
			w := newsWords[r.IntN(len(newsWords))]
			if i == 0 {
				w = strings.ToUpper(w[:1]) + w[1:]
			}
			sb.WriteString(w)
			sb.WriteByte(' ')
		}
		sb.WriteString(". ")
	}
	return sb.String()
}

// benchPack is the default rules.yaml when it loads, else a synthetic pack
// of about 300 terms in 40 rules.
func benchPack(b *testing.B) (*Set, string) {
	if s, err := LoadFile(filepath.Join("..", "rules.yaml")); err == nil {
		return s, "default"
	}
	return mustParse(b, syntheticPack(40, 300)), "synthetic"
}

func syntheticPack(rules, terms int) string {
	r := rand.New(rand.NewPCG(3, 4))
	var sb strings.Builder
	sb.WriteString("version: 1\nlexicons:\n  dprk: [North Korea, North Korean, DPRK, Pyongyang, КНДР, 북한, северокорейск*]\nrules:\n")
	per := terms / rules
	for i := range rules {
		fmt.Fprintf(&sb, "  - id: rule-%d\n    title: t\n    category: other\n    severity: low\n    references: [x]\n    groups:\n      dprk: {lexicon: dprk}\n      g:\n", i)
		for range per {
			fmt.Fprintf(&sb, "        - %q\n", generatedName(r))
		}
		sb.WriteString("    condition: dprk near/20 g\n    tests: [{ok: nothing}]\n")
	}
	return sb.String()
}

var syllables = strings.Fields("kim ri pak choe jong chol song ryong hyok il nam su yong myong gwang hui ok sun chang dok ho jin u an")

func generatedName(r *rand.Rand) string {
	n := 2 + r.IntN(2)
	parts := make([]string, n)
	for i := range parts {
		parts[i] = syllables[r.IntN(len(syllables))] + syllables[r.IntN(len(syllables))]
	}
	return strings.Join(parts, " ")
}

// termPack is one rule whose group holds n generated names.
func termPack(n int) string {
	r := rand.New(rand.NewPCG(5, 6))
	var sb strings.Builder
	sb.WriteString("version: 1\nrules:\n  - id: names\n    title: t\n    category: designation\n    severity: low\n    references: [x]\n    groups:\n      names:\n")
	seen := map[string]bool{}
	for len(seen) < n {
		name := generatedName(r)
		if !seen[name] {
			seen[name] = true
			fmt.Fprintf(&sb, "        - %q\n", name)
		}
	}
	sb.WriteString("    tests: [{ok: nothing}]\n")
	return sb.String()
}

func BenchmarkMatch(b *testing.B) {
	text := newsText(b)
	s, name := benchPack(b)
	b.Run(name+"-pack/sanctions-news", func(b *testing.B) {
		benchMatch(b, s, text)
	})
	general := generalNews(b)
	b.Run(name+"-pack/general-news", func(b *testing.B) {
		benchMatch(b, s, general)
	})
	for _, n := range []int{100, 20_000} {
		s := mustParse(b, termPack(n))
		b.Run(fmt.Sprintf("%d-terms", n), func(b *testing.B) {
			benchMatch(b, s, text)
		})
	}
	b.Run("un-ofac-names", func(b *testing.B) {
		names := listNames(b)
		s := mustParse(b, everyNameRule, WithWatchlist(names))
		benchMatch(b, s, text)
	})
}

// everyNameRule fires on any name of any list.
const everyNameRule = `
version: 1
rules:
  - {id: named, title: t, category: designation, severity: low, references: [x],
     groups: {names: {watchlist: {}}}, tests: [{ok: nothing}]}
`

// listNames reads every name and alias of the UN list's entities and of
// OFAC's SDN list (sdn.csv and alt.csv), or skips.
func listNames(b *testing.B) []WatchTerm {
	names := unEntities(b)
	dir := filepath.Join(sharedDir(b), "data", "ofac-2021")
	for _, file := range []struct{ name, column string }{{"sdn.csv", "1"}, {"alt.csv", "3"}} {
		f, err := os.Open(filepath.Join(dir, file.name))
		if err != nil {
			b.Skipf("OFAC list: %v", err)
		}
		r := csv.NewReader(f)
		r.LazyQuotes, r.FieldsPerRecord = true, -1
		rows, err := r.ReadAll()
		f.Close()
		if err != nil {
			b.Fatalf("%s: %v", file.name, err)
		}
		col := int(file.column[0] - '0')
		for _, row := range rows {
			if len(row) > col {
				names = append(names, WatchTerm{Text: row[col], List: "ofac", Ref: row[0], Name: row[col]})
			}
		}
	}
	return names
}

func benchMatch(b *testing.B, s *Set, text string) {
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	fired := 0
	cpu0, ok := processCPU()
	for b.Loop() {
		fired += len(s.Match(text))
	}
	if cpu1, _ := processCPU(); ok && cpu1 > cpu0 {
		b.ReportMetric(float64(len(text))*float64(b.N)/(cpu1-cpu0).Seconds()/1e6, "MB/cpu-s")
	}
	b.ReportMetric(float64(fired)/float64(b.N), "rules/doc")
}

func BenchmarkCompile(b *testing.B) {
	yaml := []byte(termPack(20_000))
	b.Run("yaml-20000-terms", func(b *testing.B) {
		b.SetBytes(int64(len(yaml)))
		for b.Loop() {
			if _, err := Parse("bench.yaml", yaml); err != nil {
				b.Fatal(err)
			}
		}
	})
	r := rand.New(rand.NewPCG(7, 8))
	terms := make([]WatchTerm, 20_000)
	for i := range terms {
		terms[i] = WatchTerm{Text: generatedName(r), List: "un", Ref: fmt.Sprint(i), Program: "DPRK"}
	}
	rule := []byte(watchRules)
	b.Run("watchlist-20000-names", func(b *testing.B) {
		for b.Loop() {
			if _, err := Parse("bench.yaml", rule, WithWatchlist(terms)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("un-ofac-names", func(b *testing.B) {
		names := listNames(b)
		for b.Loop() {
			if _, err := Parse("bench.yaml", []byte(everyNameRule), WithWatchlist(names)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkMatchParallel matches documents from all cores at once.
func BenchmarkMatchParallel(b *testing.B) {
	text := newsText(b)
	s, _ := benchPack(b)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			s.Match(text)
		}
	})
}

// BenchmarkMatchRepeatedSentence matches an 8 MB text that repeats one
// firing sentence: every sentence hits, and the result must stay small.
func BenchmarkMatchRepeatedSentence(b *testing.B) {
	s, _ := benchPack(b)
	text := strings.Repeat("North Korea will send 6,000 workers to Kursk, Russia, to rebuild the region. ", 110_000)
	kept := 0
	benchMatch(b, s, text)
	for _, r := range s.Match(text) {
		kept += len(r.Matches) + len(r.Quantities) + len(r.Entities)
	}
	b.ReportMetric(float64(kept), "kept/doc")
}
