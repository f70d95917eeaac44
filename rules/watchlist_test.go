package rules

import (
	"encoding/xml"
	"strings"
	"testing"
)

const watchRules = `
version: 1
lists:
  - {name: un, format: un, url: https://example.org/un.xml}
  - {name: ofac, format: ofac, url: https://example.org/sdn.csv}
rules:
  - id: dprk-names
    title: t
    category: designation
    severity: medium
    references: [x]
    groups:
      named:
        watchlist: {program: DPRK}
    tests: [{ok: nothing}]
  - id: un-only
    title: t
    category: designation
    severity: medium
    references: [x]
    groups:
      named:
        watchlist: {list: un}
    tests: [{ok: nothing}]
`

func TestWatchlistGroups(t *testing.T) {
	terms := []WatchTerm{
		{Text: "Korea Ryonbong General Corporation", List: "un", Ref: "KPe.005", Name: "KOREA RYONBONG GENERAL CORPORATION", Program: "DPRK"},
		{Text: "Ocean Maritime Management", List: "ofac", Ref: "13579", Name: "OCEAN MARITIME MANAGEMENT COMPANY", Program: "DPRK3"},
		{Text: "Tidewater", List: "ofac", Ref: "1", Name: "TIDEWATER MIDDLE EAST CO.", Program: "IRAN"},
		{Text: "KP", List: "un", Ref: "x", Name: "too short", Program: "DPRK"},
	}
	s := mustParse(t, watchRules, WithWatchlist(terms))
	tests := []struct {
		text string
		want string // rule:ref:matched, …
	}{
		{"Exports by KOREA RYONBONG GENERAL CORPORATION continued.", "dprk-names:KPe.005:KOREA RYONBONG GENERAL CORPORATION,un-only:KPe.005:KOREA RYONBONG GENERAL CORPORATION"},
		{"A ship of Ocean Maritime Management was seized.", "dprk-names:13579:Ocean Maritime Management"},
		{"Tidewater ran the port.", ""},
		{"The KP ministry.", ""},
		{"Korea Ryonbong Generalized stuff", ""},
	}
	for _, tt := range tests {
		var got []string
		for _, res := range s.Match(tt.text) {
			for _, e := range res.Entities {
				if tt.text[e.Start:e.End] != e.Matched {
					t.Errorf("entity offsets %d:%d do not slice %q", e.Start, e.End, e.Matched)
				}
				got = append(got, res.Rule.ID+":"+e.Ref+":"+e.Matched)
			}
		}
		if strings.Join(got, ",") != tt.want {
			t.Errorf("%q:\n got %q\nwant %q", tt.text, strings.Join(got, ","), tt.want)
		}
	}
}

func TestWatchlistWithoutTermsNeverHits(t *testing.T) {
	s := mustParse(t, watchRules)
	if res := s.Match("Korea Ryonbong General Corporation"); len(res) != 0 {
		t.Errorf("fired %q without a watchlist", ruleIDs(res))
	}
}

// unEntities reads the entities of the UN consolidated list: primary name
// and aliases as watch terms.
func unEntities(t testing.TB) []WatchTerm {
	data := readShared(t, "data/un/consolidated-2026-02-27.xml")
	var list struct {
		Entities []struct {
			Name    string   `xml:"FIRST_NAME"`
			Program string   `xml:"UN_LIST_TYPE"`
			Ref     string   `xml:"REFERENCE_NUMBER"`
			Aliases []string `xml:"ENTITY_ALIAS>ALIAS_NAME"`
		} `xml:"ENTITIES>ENTITY"`
	}
	if err := xml.Unmarshal([]byte(data), &list); err != nil {
		t.Fatalf("UN list: %v", err)
	}
	var terms []WatchTerm
	for _, e := range list.Entities {
		for _, name := range append([]string{e.Name}, e.Aliases...) {
			for _, n := range strings.Split(name, "; ") {
				terms = append(terms, WatchTerm{Text: n, List: "un", Ref: e.Ref, Name: e.Name, Program: e.Program})
			}
		}
	}
	return terms
}

func TestWatchlistRealUNList(t *testing.T) {
	terms := unEntities(t)
	if len(terms) < 273 {
		t.Fatalf("read %d entity names, want at least the 273 entities", len(terms))
	}
	s := mustParse(t, watchRules, WithWatchlist(terms))
	text := "Officials said Korea Mining Development Trading Corporation had moved funds, while the Allied Democratic Forces attacked villages."
	var refs []string
	for _, res := range s.Match(text) {
		if res.Rule.ID != "dprk-names" {
			continue
		}
		for _, e := range res.Entities {
			refs = append(refs, e.Ref+" "+e.Program)
		}
	}
	if strings.Join(refs, ",") != "KPe.001 DPRK" {
		t.Errorf("DPRK entities found: %q, want only KOMID (KPe.001)", refs)
	}
}
