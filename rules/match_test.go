package rules

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
)

// matchedTexts runs one group's terms over text and returns the original
// text of every hit.
func matchedTexts(t *testing.T, terms []string, text string) []string {
	t.Helper()
	s := mustParse(t, groupRule(terms...))
	var got []string
	for _, res := range s.Match(text) {
		for _, m := range res.Matches {
			got = append(got, text[m.Start:m.End])
		}
	}
	return got
}

func TestMatchTerms(t *testing.T) {
	tests := []struct {
		name  string
		terms []string
		text  string
		want  []string
	}{
		{"whole word", []string{"workers"}, "coworkers and workers, workers.", []string{"workers", "workers"}},
		{"no partial word", []string{"workers"}, "coworkers workersX", nil},
		{"case folded", []string{"north korea"}, "NORTH KOREA and North Korea", []string{"NORTH KOREA", "North Korea"}},
		{"multi-word across line break", []string{"North Korea"}, "North\n  Korea", []string{"North\n  Korea"}},
		{"multi-word across hyphen", []string{"Kim Jong Un"}, "Kim Jong-un said", []string{"Kim Jong-un"}},
		{"hyphen in term", []string{"ship-to-ship"}, "a ship to ship transfer", []string{"ship to ship"}},
		{"prefix", []string{"repatriat*"}, "repatriated, repatriation, expatriate", []string{"repatriated", "repatriation"}},
		{"cyrillic word", []string{"КНДР"}, "в КНДР, из кндр; КНДРовский", []string{"КНДР", "кндр"}},
		{"cyrillic prefix", []string{"северокорейск*"}, "Северокорейские рабочие", []string{"Северокорейские"}},
		{"cyrillic e with diaeresis folds to itself", []string{"Пхеньян"}, "ПХЕНЬЯН", []string{"ПХЕНЬЯН"}},
		{"hangul with particles", []string{"북한"}, "북한의 노동자, 북한이, 남북한", []string{"북한의", "북한이"}},
		{"hangul multi-word", []string{"북한 노동자"}, "북한 노동자들이 파견됐다", []string{"북한 노동자들이"}},
		{"han anywhere", []string{"朝鲜"}, "朝鲜劳工在俄罗斯", []string{"朝鲜"}},
		{"latin next to han", []string{"DPRK"}, "朝鲜DPRK劳工", []string{"DPRK"}},
		{"full-width letters", []string{"dprk"}, "ＤＰＲＫ workers", []string{"ＤＰＲＫ"}},
		{"ligature", []string{"financial"}, "ﬁnancial services", []string{"ﬁnancial"}},
		{"combining mark composes", []string{"café"}, "cafe\u0301 owner", []string{"cafe\u0301"}},
		{"precomposed term, decomposed text", []string{"Türkiye"}, "Tu\u0308rkiye", []string{"Tu\u0308rkiye"}},
		{"sharp s folds to ss", []string{"strasse"}, "STRAẞE und Straße", []string{"STRAẞE", "Straße"}},
		{"soft hyphen ignored", []string{"workers"}, "wor\u00adkers", []string{"wor\u00adkers"}},
		{"non-breaking space", []string{"north korea"}, "North\u00a0Korea", []string{"North\u00a0Korea"}},
		{"em dash separates", []string{"sappers"}, "1,000 sappers—military", []string{"sappers"}},
		{"invalid utf-8 is a boundary", []string{"workers"}, "\xffworkers\xfe", []string{"workers"}},
		{"overlapping terms both hit", []string{"North Korea", "Korea"}, "North Korea", []string{"North Korea", "Korea"}},
		{"digits", []string{"2397"}, "resolution 2397 and 23970", []string{"2397"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := matchedTexts(t, quoteAll(tt.terms), tt.text)
			if !slices.Equal(got, tt.want) {
				t.Errorf("terms %q in %q:\n got %q\nwant %q", tt.terms, tt.text, got, tt.want)
			}
		})
	}
}

func quoteAll(terms []string) []string {
	out := make([]string, len(terms))
	for i, t := range terms {
		out[i] = fmt.Sprintf("%q", t)
	}
	return out
}

func TestCaseSensitiveTerm(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"the DPRK said", []string{"DPRK"}},
		{"the dprk said", nil},
		{"the Dprk said", nil},
		{"ＤＰＲＫ (full width)", []string{"ＤＰＲＫ"}},
		{"The IRGC and Irgc", []string{"IRGC"}},
	}
	for _, tt := range tests {
		got := matchedTexts(t, []string{"{term: DPRK, case: true}", "{term: IRGC, case: true}"}, tt.text)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%q: got %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestPrefixOption(t *testing.T) {
	got := matchedTexts(t, []string{"{term: sapper, prefix: true}"}, "sappers and sapper and asapper")
	if want := []string{"sappers", "sapper"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestOffsetsIntoOriginal(t *testing.T) {
	// Every hit's offsets must slice the original text, whatever the
	// normalization did before it.
	text := "ﬁrst\u00a0\u00a0Ｎｏｒｔｈ  Ｋｏｒｅａ,\xff then ｓ\u0301 north\n\nkorea"
	s := mustParse(t, groupRule(`"north korea"`))
	res := s.Match(text)
	if len(res) != 1 || len(res[0].Matches) != 2 {
		t.Fatalf("got %+v", res)
	}
	want := []string{"Ｎｏｒｔｈ  Ｋｏｒｅａ", "north\n\nkorea"}
	for i, m := range res[0].Matches {
		if got := text[m.Start:m.End]; got != want[i] {
			t.Errorf("match %d: got %q, want %q", i, got, want[i])
		}
	}
}

const nearRules = `
version: 1
lexicons:
  dprk: [North Korea, North Korean]
  workers: [workers, laborers]
  repatriation: [sent back, repatriat*, returned home]
rules:
  - id: near
    title: t
    category: labor
    severity: high
    references: [x]
    groups:
      dprk: {lexicon: dprk}
      workers: {lexicon: workers}
    condition: dprk near/5 workers
    tests: [{fire: "North Korea workers"}]
  - id: unless
    title: t
    category: labor
    severity: high
    references: [x]
    groups:
      dprk: {lexicon: dprk}
      workers:
        lexicon: workers
        unless: {lexicon: repatriation, within: 3}
    tests: [{fire: "North Korea workers"}]
  - id: count
    title: t
    category: labor
    severity: high
    references: [x]
    groups:
      workers: {lexicon: workers}
    condition: workers >= 2
    tests: [{fire: "workers workers"}]
  - id: atleast
    title: t
    category: labor
    severity: high
    references: [x]
    groups:
      a: [alpha]
      b: [beta]
      c: [gamma]
    condition: 2 of (a, b, c) and not (dprk and repatriation)
    tests: [{fire: "alpha beta"}]
`

func TestConditions(t *testing.T) {
	s := mustParse(t, nearRules)
	tests := []struct {
		text string
		want string
	}{
		{"North Korea sent workers", "near,unless"},
		{"North Korea sent one two three four workers", "near,unless"},
		{"North Korea sent one two three four five workers", "unless"},
		{"workers, later: one two three North Korea", "near,unless"},
		{"North Korean workers were sent back", "near"},
		{"North Korean workers were sent home", "near,unless"},
		{"North Korean workers, the report said, and much later the North Korean officials were sent back", "near,unless"},
		{"workers workers", "count"},
		{"alpha gamma", "atleast"},
		{"alpha gamma North Korea sent back", ""},
		{"alpha", ""},
		{"North\nKorea\n\nworkers", "near,unless"},
	}
	for _, tt := range tests {
		if got := ruleIDs(s.Match(tt.text)); got != tt.want {
			t.Errorf("%q: fired %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestResultMatchesExplainFiring(t *testing.T) {
	s := mustParse(t, nearRules)
	text := "North Korea is far from here: one two three four five six seven. North Korea sent workers."
	res := s.Match(text)
	if len(res) != 2 {
		t.Fatalf("fired %q", ruleIDs(res))
	}
	var got []string
	for _, m := range res[0].Matches {
		got = append(got, fmt.Sprintf("%s:%s@%d", m.Group, text[m.Start:m.End], m.Start))
	}
	// Only the pair within five words counts for near, not the first mention.
	want := []string{
		fmt.Sprintf("dprk:North Korea@%d", strings.LastIndex(text, "North Korea")),
		fmt.Sprintf("workers:workers@%d", strings.LastIndex(text, "workers")),
	}
	if !slices.Equal(got, want) {
		t.Errorf("matches: got %q, want %q", got, want)
	}
}

func TestMatchConcurrent(t *testing.T) {
	s := mustParse(t, nearRules)
	texts := map[string]string{
		"North Korea sent workers":            "near,unless",
		"North Korean workers were sent back": "near",
		"alpha beta":                          "atleast",
		"nothing at all":                      "",
	}
	var wg sync.WaitGroup
	errs := make(chan string, 100)
	for range 8 {
		wg.Go(func() {
			for range 200 {
				for text, want := range texts {
					if got := ruleIDs(s.Match(text)); got != want {
						errs <- fmt.Sprintf("%q: got %q, want %q", text, got, want)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestLexiconNameAsGroup(t *testing.T) {
	s := mustParse(t, nearRules)
	r, _ := s.Rule("atleast")
	if !strings.Contains(r.Condition, "repatriation") {
		t.Fatal("fixture changed")
	}
	if got := len(r.groups); got != 5 {
		t.Errorf("groups: got %d, want a, b, c and the lexicons dprk and repatriation", got)
	}
}

func TestMatchLongTextIsCut(t *testing.T) {
	s := mustParse(t, groupRule("workers", "Пхеньян"))
	s.maxText = 20
	text := "workers; Пхеньян and more workers"
	res := s.Match(text)
	if len(res) != 1 {
		t.Fatalf("fired %d rules", len(res))
	}
	var got []string
	for _, m := range res[0].Matches {
		got = append(got, text[m.Start:m.End])
	}
	// The cut falls inside "Пхеньян" and backs off to a character start.
	if want := []string{"workers"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestNearWithLongHitBefore(t *testing.T) {
	// A long hit that starts early but ends next to the other group's hit
	// must be found, though a shorter hit of its group starts after it.
	s := mustParse(t, `
version: 1
rules:
  - id: r
    title: t
    category: other
    severity: low
    references: [x]
    groups:
      a: ["alpha beta gamma delta epsilon", beta]
      b: [omega]
    condition: b near/0 a
    tests: [{fire: "alpha beta gamma delta epsilon omega"}]
`)
	if got := ruleIDs(s.Match("alpha beta gamma delta epsilon omega")); got != "r" {
		t.Errorf("fired %q, want r", got)
	}
	if got := ruleIDs(s.Match("alpha beta gamma delta epsilon x omega")); got != "" {
		t.Errorf("fired %q with a word between, want none", got)
	}
}

func TestResultCaps(t *testing.T) {
	const repeats = 300
	text := strings.Repeat("Pyongyang will send 6,000 workers. ", repeats)
	res := mustParse(t, quantityRules).Match(text)
	if len(res) != 1 {
		t.Fatalf("fired %d rules", len(res))
	}
	r := res[0]
	if len(r.Matches) != MaxResultMatches || r.MatchCount != repeats {
		t.Errorf("kept %d of %d matches, want %d of %d", len(r.Matches), r.MatchCount, MaxResultMatches, repeats)
	}
	if !slices.IsSortedFunc(r.Matches, func(a, b Match) int { return a.Start - b.Start }) || r.Matches[0].Start != strings.Index(text, "workers") {
		t.Errorf("matches are not the first ones in text order: %+v…", r.Matches[:2])
	}
	if len(r.Quantities) != MaxResultQuantities || r.Quantities[0].Start != strings.Index(text, "6,000") {
		t.Errorf("kept %d quantities starting at %d, want the first %d", len(r.Quantities), r.Quantities[0].Start, MaxResultQuantities)
	}

	terms := []WatchTerm{{Text: "Korea Ryonbong General Corporation", List: "un", Ref: "KPe.005", Name: "KOREA RYONBONG GENERAL CORPORATION", Program: "DPRK"}}
	named := strings.Repeat("Korea Ryonbong General Corporation exported coal. ", repeats)
	res = mustParse(t, watchRules, WithWatchlist(terms)).Match(named)
	if len(res) == 0 || len(res[0].Entities) != MaxResultEntities || res[0].MatchCount != repeats {
		t.Errorf("watchlist result: %d rules fired, want entities capped at %d of %d", len(res), MaxResultEntities, repeats)
	}
}
