package sanctions

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func openTestdata(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func byRef(entries []Entry) map[string]Entry {
	m := make(map[string]Entry, len(entries))
	for _, e := range entries {
		m[e.Ref] = e
	}
	return m
}

func TestParseUNFixture(t *testing.T) {
	entries, err := ParseUN(openTestdata(t, "un_small.xml"), "un")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 3 {
		t.Fatalf("got %d entries, want 3", len(entries))
	}
	got := byRef(entries)
	kim := got["KPi.901"]
	if kim.Name != "KIM CHOL NAM" || kim.Type != TypeIndividual || kim.ListedOn != "2024-03-01" || kim.List != "un" {
		t.Errorf("KPi.901 = %+v", kim)
	}
	wantAliases := []Alias{
		{Name: "Kim Chol-nam", Quality: QualityGood, Kind: KindAKA},
		{Name: "Jin Zhenan", Quality: QualityGood, Kind: KindAKA},
		{Name: "Chol", Quality: QualityLow, Kind: KindAKA},
	}
	if !slices.Equal(kim.Aliases, wantAliases) {
		t.Errorf("aliases = %+v, want %+v", kim.Aliases, wantAliases)
	}
	checks := []struct{ field, got, want string }{
		{"original script", strings.Join(kim.OriginalScript, "|"), "김철남"},
		{"programs", kim.Program(), "DPRK"},
		{"dates of birth", strings.Join(kim.DatesOfBirth, "|"), "1970-05-04|circa 1971"},
		{"addresses", strings.Join(kim.Addresses, "|"), "Dandong, China (as of 2023)"},
		{"comments", kim.Comments, "Works for a front company in Dandong."},
		{"title", kim.Title, "Trade representative"},
		{"nationality", strings.Join(kim.Nationality, "|"), "Democratic People's Republic of Korea"},
		{"QDi dob", strings.Join(got["QDi.999"].DatesOfBirth, "|"), "1970–1971"},
		{"QDi name", got["QDi.999"].Name, "ABU BAKR AL-SAMARRAI"},
		{"entity type", got["KPe.901"].Type, TypeEntity},
		{"entity IMO", got["KPe.901"].IMO, "1790999"},
		{"entity fka", got["KPe.901"].Aliases[1].Kind, KindFKA},
		{"entity address", strings.Join(got["KPe.901"].Addresses, "|"), "Haeun Street, Pyongyang, Democratic People's Republic of Korea"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
		}
	}
}

func TestParseUNRejectsBadFiles(t *testing.T) {
	for _, name := range []string{"un_truncated.xml", "un_malformed.xml", "un_empty.xml"} {
		t.Run(name, func(t *testing.T) {
			entries, err := ParseUN(openTestdata(t, name), "un")
			if err == nil {
				t.Fatalf("ParseUN accepted %s with %d entries", name, len(entries))
			}
			if entries != nil {
				t.Errorf("partial result of %d entries returned with the error", len(entries))
			}
		})
	}
	if _, err := ParseUN(openTestdata(t, "un_empty.xml"), "un"); !errors.Is(err, ErrEmptyList) {
		t.Errorf("empty list error = %v, want ErrEmptyList", err)
	}
	if _, err := ParseUN(strings.NewReader("<OTHER><INDIVIDUAL/></OTHER>"), "un"); err == nil {
		t.Error("a document with another root was accepted")
	}
}

func TestParseUNTruncatedRealFile(t *testing.T) {
	data, err := os.ReadFile(sharedFile(t, "un/consolidated-2026-02-27.xml").Name())
	if err != nil {
		t.Fatal(err)
	}
	// Cut at a record boundary, where the XML so far is well formed: only the
	// missing root end tag shows the file is incomplete.
	cut := strings.LastIndex(string(data[:len(data)/2]), "</INDIVIDUAL>") + len("</INDIVIDUAL>")
	if _, err := ParseUN(strings.NewReader(string(data[:cut])), "un"); err == nil {
		t.Fatal("half of the UN list was accepted")
	}
}

func TestParseUNReal(t *testing.T) {
	tests := []struct {
		file                  string
		individuals, entities int
	}{
		{"un/consolidated-2026-02-27.xml", 730, 273},
		{"un/consolidated-2017-07-03.xml", 650, 371},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			entries := parseUNFile(t, tt.file)
			counts := map[string]int{}
			refs := map[string]bool{}
			for _, e := range entries {
				counts[e.Type]++
				if refs[e.Ref] {
					t.Errorf("duplicate ref %q", e.Ref)
				}
				refs[e.Ref] = true
				if e.Name == "" || strings.TrimSpace(e.Ref) != e.Ref {
					t.Errorf("bad entry %+v", e)
				}
			}
			if counts[TypeIndividual] != tt.individuals || counts[TypeEntity] != tt.entities {
				t.Errorf("counts = %v, want %d individuals, %d entities", counts, tt.individuals, tt.entities)
			}
		})
	}
}

func TestParseOFACFixture(t *testing.T) {
	entries, err := ParseOFAC(openTestdata(t, "ofac_sdn.csv"), openTestdata(t, "ofac_add.csv"), openTestdata(t, "ofac_alt.csv"), "ofac")
	if err != nil {
		t.Fatal(err)
	}
	got := byRef(entries)
	if len(entries) != 4 {
		t.Fatalf("got %d entries, want 4", len(entries))
	}
	kim, komid, ship, bank := got["20157"], got["9345"], got["15036"], got["306"]
	checks := []struct{ field, got, want string }{
		{"kim name", kim.Name, "KIM, Jong Un"},
		{"kim type", kim.Type, TypeIndividual},
		{"kim dob", strings.Join(kim.DatesOfBirth, "|"), "08 Jan 1984"},
		{"kim nationality", strings.Join(kim.Nationality, "|"), "Korea, North"},
		{"kim title", kim.Title, "Chairman of the Workers' Party of Korea"},
		{"kim address", strings.Join(kim.Addresses, "|"), "Korea, North"},
		{"komid type", komid.Type, TypeEntity},
		{"komid programs", strings.Join(komid.Programs, "|"), "NPWMD|DPRK2"},
		{"komid aliases", strings.Join(komid.AliasNames(), "|"), "KOMID|CHANGGWANG SINYONG CORPORATION"},
		{"komid fka", komid.Aliases[1].Kind, KindFKA},
		{"ship IMO", ship.IMO, "9187629"},
		{"ship MMSI", ship.Vessel.MMSI, "572469210"},
		{"ship flag", ship.Vessel.Flag, "Iran"},
		{"ship call sign", ship.Vessel.CallSign, "T2EU4"},
		{"ship tonnage", ship.Vessel.Tonnage, "99,144"},
		{"ship aliases", strings.Join(ship.AliasNames(), "|"), "ALPHA|O'BRIEN STAR|ABADAN|SHONA"},
		{"ship low alias", ship.Aliases[3].Quality, QualityLow},
		{"bank aliases", strings.Join(bank.AliasNames(), "|"), "BNC|NATIONAL BANK OF CUBA"},
		{"bank address", strings.Join(bank.Addresses, "|"), "Zweierstrasse 35, Zurich CH-8022, Switzerland"},
		{"bank vessel", func() string {
			if bank.Vessel != nil {
				return "set"
			}
			return ""
		}(), ""},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
		}
	}
}

func TestParseOFACWithoutAddAlt(t *testing.T) {
	entries, err := ParseOFAC(openTestdata(t, "ofac_sdn.csv"), nil, nil, "ofac")
	if err != nil {
		t.Fatal(err)
	}
	bank := byRef(entries)["306"]
	if got := bank.AliasNames(); !slices.Equal(got, []string{"BNC"}) {
		t.Errorf("aliases from remarks only = %q", got)
	}
}

func TestParseOFACRejectsBadFiles(t *testing.T) {
	tests := []struct{ sdn, add, alt string }{
		{sdn: "ofac_sdn_truncated.csv"},
		{sdn: "ofac_sdn_malformed.csv"},
		{sdn: "ofac_sdn_badquote.csv"},
		{sdn: "ofac_sdn.csv", alt: "ofac_sdn.csv"}, // alt.csv with 12 columns
		{sdn: "ofac_sdn.csv", add: "ofac_sdn_malformed.csv"},
	}
	for _, tt := range tests {
		t.Run(tt.sdn+"+"+tt.add+"+"+tt.alt, func(t *testing.T) {
			open := func(name string) io.Reader {
				if name == "" {
					return nil
				}
				return openTestdata(t, name)
			}
			entries, err := ParseOFAC(open(tt.sdn), open(tt.add), open(tt.alt), "ofac")
			if err == nil || entries != nil {
				t.Fatalf("ParseOFAC = %d entries, %v; want an error and nothing", len(entries), err)
			}
		})
	}
	if _, err := ParseOFAC(strings.NewReader(""), nil, nil, "ofac"); !errors.Is(err, ErrEmptyList) {
		t.Errorf("empty sdn.csv error = %v, want ErrEmptyList", err)
	}
	if _, err := ParseOFAC(strings.NewReader(`x1,"A",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- `), nil, nil, "ofac"); err == nil {
		t.Error("a non-numeric ent_num was accepted")
	}
}

func TestParseOFACReal(t *testing.T) {
	entries := parseOFACFiles(t)
	if len(entries) != 8976 {
		t.Errorf("got %d entries, want 8976", len(entries))
	}
	var imo, aliases, vessels int
	for _, e := range entries {
		if e.IMO != "" {
			imo++
		}
		if e.Type == TypeVessel {
			vessels++
		}
		aliases += len(e.Aliases)
	}
	if vessels != 406 || imo < 300 || aliases < 11000 {
		t.Errorf("vessels %d (want 406), with IMO %d, aliases %d", vessels, imo, aliases)
	}
	kim := byRef(entries)["20157"]
	if kim.Name != "KIM, Jong Un" || kim.Program() != "DPRK3" {
		t.Errorf("20157 = %+v", kim)
	}
}

// TestParseUNAliasesInParentheses: the UN writes spellings of one alias in
// parentheses separated by "; ", and some aliases in quotes.
func TestParseUNAliasesInParentheses(t *testing.T) {
	const doc = `<CONSOLIDATED_LIST><ENTITIES><ENTITY>
<FIRST_NAME>AL-NUSRAH FRONT FOR THE PEOPLE OF THE LEVANT</FIRST_NAME><UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE>
<REFERENCE_NUMBER>QDe.137</REFERENCE_NUMBER>
<ENTITY_ALIAS><QUALITY>a.k.a.</QUALITY><ALIAS_NAME>جبهة النصرة (the Victory Front; Jabhat al-Nusrah; Al-Nusra Front); Support Front</ALIAS_NAME></ENTITY_ALIAS>
<ENTITY_ALIAS><QUALITY>a.k.a.</QUALITY><ALIAS_NAME>Hay’at Tahrir al-Sham (HTS) (هيئة تحرير الشام (original script); Hayat Tahrir al-Sham; Tahrir al-Sham Hay’at)</ALIAS_NAME></ENTITY_ALIAS>
<ENTITY_ALIAS><QUALITY>a.k.a.</QUALITY><ALIAS_NAME>"KOMID"</ALIAS_NAME></ENTITY_ALIAS>
</ENTITY></ENTITIES></CONSOLIDATED_LIST>`
	entries, err := ParseUN(strings.NewReader(doc), "un")
	if err != nil {
		t.Fatal(err)
	}
	got := entries[0].AliasNames()
	want := []string{
		"جبهة النصرة (the Victory Front; Jabhat al-Nusrah; Al-Nusra Front)",
		"Support Front",
		"Hay’at Tahrir al-Sham (HTS) (هيئة تحرير الشام (original script); Hayat Tahrir al-Sham; Tahrir al-Sham Hay’at)",
		"KOMID",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("aliases =\n%q\nwant\n%q", got, want)
	}
	ix := NewIndex(entries)
	for _, q := range []string{"Al-Nusra Front", "Jabhat al-Nusrah", "Hayat Tahrir al-Sham", "Tahrir al-Sham Hay’at", "جبهة النصرة", "KOMID"} {
		hits := ix.Search(q, SearchOptions{})
		if len(hits) != 1 || hits[0].Score < 0.99 {
			t.Fatalf("Search(%q) = %+v, want the entry as an exact match", q, hits)
		}
		if m := hits[0].Matched; strings.Contains(m, ";") {
			t.Errorf("Search(%q) matched %q, want the one spelling", q, m)
		}
	}
}

func TestSplitNamesAndUnquote(t *testing.T) {
	split := []struct{ in, want string }{
		{"a; b", "a|b"},
		{"x (a; b); c", "x (a; b)|c"},
		{"x [a; (b; c)]; d", "x [a; (b; c)]|d"},
		{"unbalanced); e", "unbalanced)|e"},
	}
	for _, tt := range split {
		if got := strings.Join(splitNames(tt.in), "|"); got != tt.want {
			t.Errorf("splitNames(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	quoted := []struct{ in, want string }{
		{`"KOMID"`, "KOMID"},
		{"“The Base”", "The Base"},
		{"'Abd al-Aziz'", "'Abd al-Aziz'"}, // quotes inside: not a quoted name
		{`"HASSAN, Sheikh"`, "HASSAN, Sheikh"},
		{`""`, `""`},
		{"O'Brien", "O'Brien"},
	}
	for _, tt := range quoted {
		if got := unquote(tt.in); got != tt.want {
			t.Errorf("unquote(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestParseUNRealAliasesBalanced: the aliases of the real list that hold
// spellings in parentheses stay whole, and quoted aliases lose their quotes.
func TestParseUNRealAliasesBalanced(t *testing.T) {
	entries := byRef(parseUNFile(t, "un/consolidated-2026-02-27.xml"))
	for _, ref := range []string{"QDe.137", "KPe.001"} {
		e := entries[ref]
		for _, a := range e.AliasNames() {
			if strings.Count(a, "(") != strings.Count(a, ")") || strings.ContainsAny(a, `"“”`) {
				t.Errorf("%s alias %q", ref, a)
			}
		}
	}
	if komid := entries["KPe.001"]; !slices.Contains(komid.AliasNames(), "KOMID") {
		t.Errorf("KPe.001 aliases %q lack KOMID", komid.AliasNames())
	}
}
