package rules_test

import (
	"encoding/xml"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/embargo-watch/embargo/rules"
)

// repoRoot is the directory holding go.mod, found by walking up from the
// package directory.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the package directory")
		}
		dir = parent
	}
}

// sharedDir is ../shared beside the repository; tests that need it skip
// where it is absent.
func sharedDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(filepath.Dir(repoRoot(t)), "shared")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared data directory %s is absent: %v", dir, err)
	}
	return dir
}

func loadDefaultPack(t testing.TB, opts ...rules.Option) *rules.Set {
	t.Helper()
	set, err := rules.LoadFile(filepath.Join(repoRoot(t), "rules.yaml"), opts...)
	if err != nil {
		t.Fatalf("load rules.yaml: %v", err)
	}
	return set
}

func TestDefaultPackLoads(t *testing.T) {
	set := loadDefaultPack(t)
	report := set.RunTests()
	if len(report.Results) == 0 {
		t.Fatal("rules.yaml has no tests")
	}
	for _, r := range report.Results {
		if !r.Pass {
			t.Errorf("rules.yaml:%d: rule %s, %s (want %s): %s", r.Pos.Line, r.Rule, r.Name, r.Want, r.Reason)
		}
	}
	t.Logf("%d rule tests, %d failed", len(report.Results), report.Failed())
}

// TestDefaultPackShape holds the pack to its own standard: every rule cites
// its legal basis and carries at least three texts that must fire it and
// three hard negatives.
func TestDefaultPackShape(t *testing.T) {
	set := loadDefaultPack(t)
	for _, r := range set.Rules() {
		fire, ok := 0, 0
		for _, test := range r.Tests {
			if test.Fire {
				fire++
			} else {
				ok++
			}
		}
		if fire < 3 || ok < 3 {
			t.Errorf("rule %s has %d fire and %d ok tests; want at least 3 of each", r.ID, fire, ok)
		}
		if len(r.References) == 0 || r.Description == "" {
			t.Errorf("rule %s lacks references or a description", r.ID)
		}
	}
	if n := len(set.Sources()); n < 6 || n > 12 {
		t.Errorf("%d sources; want 6 to 12", n)
	}
	var lists []string
	for _, l := range set.Lists() {
		lists = append(lists, l.Name+":"+l.Format)
	}
	slices.Sort(lists)
	if want := []string{"ofac:ofac", "un:un"}; !slices.Equal(lists, want) {
		t.Errorf("lists %v; want %v", lists, want)
	}
}

// TestDefaultPackTermsPrefixOnlyAtEnd guards an easy mistake: "*" makes a
// prefix only at the end of a term, so "ядерн* программ*" would look for a
// literal asterisk and never match.
func TestDefaultPackTermsPrefixOnlyAtEnd(t *testing.T) {
	set := loadDefaultPack(t)
	check := func(where, term string) {
		if i := strings.Index(term, "*"); i >= 0 && i != len(term)-1 {
			t.Errorf("%s: term %q has \"*\" before its end; spell out the inflections", where, term)
		}
	}
	for name, terms := range set.Lexicons() {
		for _, term := range terms {
			check("lexicon "+name, term)
		}
	}
	for _, r := range set.Rules() {
		for _, g := range r.Groups {
			for _, term := range g.Terms {
				check("rule "+r.ID+" group "+g.Name, term)
			}
		}
	}
}

// TestDefaultPackSeedStory checks the story that started the project: North
// Korea sending 6,000 workers, 1,000 of them sappers, to Russia's Kursk region.
func TestDefaultPackSeedStory(t *testing.T) {
	text, err := os.ReadFile(filepath.Join(sharedDir(t), "seed", "000_2afe39b202ba405e.txt"))
	if err != nil {
		t.Fatal(err)
	}
	set := loadDefaultPack(t)
	res, ok := findResult(set.Match(string(text)), "dprk-labor-abroad")
	if !ok {
		e, _ := set.Explain(string(text), "dprk-labor-abroad")
		t.Fatalf("dprk-labor-abroad did not fire on the seed story: %s", e.Describe(string(text)))
	}
	for _, want := range []float64{6000, 5000, 1000} {
		if !slices.ContainsFunc(res.Quantities, func(q rules.Quantity) bool { return q.Value == want }) {
			t.Errorf("quantity %v not reported; got %v", want, quantityTexts(res.Quantities))
		}
	}
}

// TestDefaultPackWatchlist loads the DPRK entities of the real UN list as the
// watchlist and checks that the designation rule names one that the pack's
// own lexicon does not know.
func TestDefaultPackWatchlist(t *testing.T) {
	terms := unDPRKEntities(t, filepath.Join(sharedDir(t), "data", "un", "consolidated-2026-02-27.xml"))
	set := loadDefaultPack(t, rules.WithWatchlist(terms))
	tests := []struct {
		text string
		ref  string // "" when the rule must not fire
	}{
		{"Korea Kumsan Trading Corporation shipped coal through a front company in Dalian.", "KPe.044"},
		{"Korea Kumsan Trading Corporation was established in the 1990s.", ""},
		{"A trading company from Dalian shipped coal to Japan.", ""},
	}
	for _, tc := range tests {
		res, fired := findResult(set.Match(tc.text), "dprk-designated-entity")
		switch {
		case tc.ref == "" && fired:
			t.Errorf("%q: designation rule fired; want no alert", tc.text)
		case tc.ref == "":
		case !fired:
			t.Errorf("%q: designation rule did not fire", tc.text)
		case !slices.ContainsFunc(res.Entities, func(e rules.Entity) bool { return e.Ref == tc.ref }):
			t.Errorf("%q: entities %+v; want ref %s", tc.text, res.Entities, tc.ref)
		}
	}
}

// TestDefaultPackWatchlistNeedsDPRK checks that a listed name that is also
// an ordinary phrase (OFAC's aliases of the Lazarus Group) or a common Korean
// personal name fires the designation rule only with the DPRK named nearby,
// and that a well-known name fires alone and still reports the entries of
// every list that holds it. The watch terms are written out by hand as the
// sanctions package builds them from the shared UN and OFAC lists.
func TestDefaultPackWatchlistNeedsDPRK(t *testing.T) {
	lazarus := func(alias string) rules.WatchTerm {
		return rules.WatchTerm{Text: alias, List: "ofac", Ref: "27307", Name: "LAZARUS GROUP", Program: "DPRK3"}
	}
	terms := []rules.WatchTerm{
		lazarus("GROUP 77"),
		lazarus("HIDDEN COBRA"),
		lazarus("OFFICE 91"),
		{Text: "Ri Song Chol", List: "ofac", Ref: "20121", Name: "RI, Song Chol", Program: "DPRK3"},
		{Text: "Korea Kumsan Trading Corporation", List: "un", Ref: "KPe.044", Name: "KOREA KUMSAN TRADING CORPORATION", Program: "DPRK"},
		{Text: "Chon Ma San", List: "ofac", Ref: "23729", Name: "CHON MA SAN", Program: "DPRK4"},
		{Text: "Ocean Maritime Management", List: "un", Ref: "KPe.020", Name: "OCEAN MARITIME MANAGEMENT COMPANY, LIMITED (OMM)", Program: "DPRK"},
		{Text: "Ocean Maritime Management", List: "ofac", Ref: "17068", Name: "OCEAN MARITIME MANAGEMENT COMPANY, LIMITED", Program: "DPRK"},
	}
	set := loadDefaultPack(t, rules.WithWatchlist(terms))
	tests := []struct {
		text string
		refs []string // nil when the rule must not fire
	}{
		{"The Group 77 developing nations called for trade finance.", nil},
		{"A hidden cobra was found in a cargo container at the port of Mumbai.", nil},
		{"A coworking space called Office 91 opened near the port.", nil},
		{"Ri Song Chol, a South Korean shipping executive, said cargo volumes rose.", nil},
		{"Korean shipbuilders hired Ri Song Chol to run a new cargo terminal in Busan.", nil},
		{"Korea Kumsan Trading Corporation shipped coal through a front company in Dalian.", []string{"KPe.044"}},
		{"Office 91, a unit of North Korea's military intelligence, laundered funds through exchanges in Hong Kong.", []string{"27307"}},
		{"Hidden Cobra, the hacking group that works for Pyongyang, moved stolen funds to accounts in Cambodia.", []string{"27307"}},
		{"Ri Song Chol, a North Korean security official, arranged the sale of coal to a Chinese buyer.", []string{"20121"}},
		{"The Chon Ma San docked at a Chinese port and loaded fuel.", []string{"23729"}},
		{"Ocean Maritime Management chartered a ship to carry arms to Cuba.", []string{"KPe.020", "17068"}},
	}
	for _, tc := range tests {
		res, fired := findResult(set.Match(tc.text), "dprk-designated-entity")
		switch {
		case tc.refs == nil && fired:
			t.Errorf("%q: designation rule fired on %+v; want no alert", tc.text, res.Entities)
		case tc.refs == nil:
		case !fired:
			e, _ := set.Explain(tc.text, "dprk-designated-entity")
			t.Errorf("%q: designation rule did not fire: %s", tc.text, e.Describe(tc.text))
		default:
			for _, ref := range tc.refs {
				if !slices.ContainsFunc(res.Entities, func(e rules.Entity) bool { return e.Ref == ref }) {
					t.Errorf("%q: entities %+v; want ref %s", tc.text, res.Entities, ref)
				}
			}
		}
	}
}

// unDPRKEntities reads the primary names of the DPRK entities of a UN
// consolidated list file.
func unDPRKEntities(t testing.TB, path string) []rules.WatchTerm {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Entities []struct {
			Name    string `xml:"FIRST_NAME"`
			Regime  string `xml:"UN_LIST_TYPE"`
			Ref     string `xml:"REFERENCE_NUMBER"`
			Aliases []struct {
				Name string `xml:"ALIAS_NAME"`
			} `xml:"ENTITY_ALIAS"`
		} `xml:"ENTITIES>ENTITY"`
	}
	if err := xml.Unmarshal(data, &list); err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	var terms []rules.WatchTerm
	for _, e := range list.Entities {
		if strings.TrimSpace(e.Regime) != "DPRK" {
			continue
		}
		name, ref := strings.TrimSpace(e.Name), strings.TrimSpace(e.Ref)
		terms = append(terms, rules.WatchTerm{Text: name, List: "un", Ref: ref, Name: name, Program: "DPRK"})
	}
	if len(terms) < 50 {
		t.Fatalf("%s: only %d DPRK entities parsed", path, len(terms))
	}
	return terms
}

// TestDefaultPackHeldOut runs the pack on news texts that none of its rules
// was written from (testdata/news). Each file starts with a line
// "# expect: rule-a, rule-b" or "# expect: none"; the rules that fire must
// be exactly those. Precision and recall over all files are logged.
func TestDefaultPackHeldOut(t *testing.T) {
	set := loadDefaultPack(t)
	paths, err := filepath.Glob(filepath.Join("testdata", "news", "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) < 30 {
		t.Fatalf("%d held-out texts; want at least 30", len(paths))
	}
	var tp, fp, fn int
	for _, path := range paths {
		want, text, err := readHeldOut(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range want {
			if _, ok := set.Rule(id); !ok {
				t.Fatalf("%s: expects unknown rule %q", path, id)
			}
		}
		got := firedIDs(set.Match(text))
		missing, extra := difference(want, got), difference(got, want)
		tp += len(want) - len(missing)
		fn += len(missing)
		fp += len(extra)
		for _, id := range missing {
			e, _ := set.Explain(text, id)
			t.Errorf("%s: %s did not fire: %s", filepath.Base(path), id, e.Describe(text))
		}
		for _, id := range extra {
			e, _ := set.Explain(text, id)
			t.Errorf("%s: %s fired unexpectedly: %s", filepath.Base(path), id, e.Describe(text))
		}
	}
	t.Logf("held-out: %d texts, precision %.2f, recall %.2f (tp %d, fp %d, fn %d)",
		len(paths), ratio(tp, tp+fp), ratio(tp, tp+fn), tp, fp, fn)
}

// BenchmarkDefaultPackMatch measures the default pack on the held-out news
// texts, one document at a time, as the monitor runs it.
func BenchmarkDefaultPackMatch(b *testing.B) {
	set := loadDefaultPack(b)
	paths, err := filepath.Glob(filepath.Join("testdata", "news", "*.txt"))
	if err != nil || len(paths) == 0 {
		b.Fatalf("no held-out texts: %v", err)
	}
	var docs []string
	size := 0
	for _, path := range paths {
		_, text, err := readHeldOut(path)
		if err != nil {
			b.Fatal(err)
		}
		docs = append(docs, text)
		size += len(text)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	fired := 0
	for b.Loop() {
		for _, doc := range docs {
			fired += len(set.Match(doc))
		}
	}
	b.ReportMetric(float64(fired)/float64(b.N*len(docs)), "alerts/doc")
}

// readHeldOut splits a held-out file into its expected rule ids and its text.
func readHeldOut(path string) (want []string, text string, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, "", err
	}
	header, body, _ := strings.Cut(string(data), "\n")
	spec, ok := strings.CutPrefix(strings.TrimSpace(header), "# expect:")
	if !ok {
		return nil, "", &fs.PathError{Op: "read held-out", Path: path, Err: errors.New(`first line must be "# expect: rule-id, ..." or "# expect: none"`)}
	}
	for id := range strings.SplitSeq(spec, ",") {
		if id = strings.TrimSpace(id); id != "" && id != "none" {
			want = append(want, id)
		}
	}
	return want, body, nil
}

func findResult(results []rules.Result, id string) (rules.Result, bool) {
	for _, r := range results {
		if r.Rule.ID == id {
			return r, true
		}
	}
	return rules.Result{}, false
}

func firedIDs(results []rules.Result) []string {
	ids := make([]string, 0, len(results))
	for _, r := range results {
		ids = append(ids, r.Rule.ID)
	}
	sort.Strings(ids)
	return ids
}

// difference is the elements of a not in b.
func difference(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

func quantityTexts(qs []rules.Quantity) []string {
	out := make([]string, len(qs))
	for i, q := range qs {
		out[i] = q.Text
	}
	return out
}
