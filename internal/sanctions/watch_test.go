package sanctions

import (
	"slices"
	"strings"
	"testing"

	"github.com/embargo-watch/embargo/rules"
)

func TestWatchTerms(t *testing.T) {
	entries := []Entry{
		{List: "un", Ref: "KPi.901", Type: TypeIndividual, Name: "KIM CHOL NAM", Programs: []string{"DPRK"},
			Aliases:        []Alias{{Name: "Kim Chol", Quality: QualityGood}, {Name: "Chol Nam Kim Senior", Quality: QualityLow}},
			OriginalScript: []string{"김철남"}},
		{List: "ofac", Ref: "20157", Type: TypeIndividual, Name: "KIM, Jong Un", Programs: []string{"DPRK3"}},
		{List: "ofac", Ref: "9345", Type: TypeEntity, Name: "KOREA MINING DEVELOPMENT TRADING CORPORATION",
			Programs: []string{"NPWMD", "DPRK2"}, Aliases: []Alias{{Name: "KOMID", Quality: QualityGood}, {Name: "BNC", Quality: QualityGood}}},
		{List: "un", Ref: "KPe.020", Type: TypeEntity, Name: "OCEAN MARITIME MANAGEMENT COMPANY, LIMITED (OMM)", Programs: []string{"DPRK"}},
		{List: "ofac", Ref: "15036", Type: TypeVessel, Name: "ARTAVIL", IMO: "9187629", Programs: []string{"IRAN"},
			Aliases: []Alias{{Name: "CHONG CHON GANG", Quality: QualityGood}}},
		{List: "ofac", Ref: "4697", Type: TypeEntity, Name: "HIZBALLAH", Programs: []string{"SDGT"}, Aliases: []Alias{{Name: "Party of God", Quality: QualityGood}}},
		{List: "un", Ref: "QDe.004", Type: TypeEntity, Name: "AL-QAIDA", Programs: []string{"Al-Qaida"}},
		{List: "un", Ref: "KPe.054", Type: TypeEntity, Name: "MINISTRY OF PEOPLE'S ARMED FORCES", Programs: []string{"DPRK"},
			Aliases: []Alias{{Name: "Ministry of Defense", Quality: QualityGood}, {Name: "Strategic Forces", Quality: QualityGood}}},
	}
	var got []string
	for _, term := range WatchTerms(entries) {
		got = append(got, term.Ref+"/"+term.Program+": "+term.Text)
	}
	want := []string{
		"KPi.901/DPRK: KIM CHOL NAM",
		"KPi.901/DPRK: 김철남",
		"20157/DPRK3: KIM Jong Un",
		"20157/DPRK3: Jong Un KIM",
		"9345/NPWMD: KOREA MINING DEVELOPMENT TRADING",
		"9345/DPRK2: KOREA MINING DEVELOPMENT TRADING",
		"9345/NPWMD: KOMID",
		"9345/DPRK2: KOMID",
		"KPe.020/DPRK: OCEAN MARITIME MANAGEMENT",
		"15036/IRAN: CHONG CHON GANG",
		"15036/IRAN: IMO 9187629",
		"4697/SDGT: HIZBALLAH", // not "Party of God": common words
		"QDe.004/Al-Qaida: AL-QAIDA",
		"KPe.054/DPRK: MINISTRY OF PEOPLE'S ARMED FORCES",
	}
	if !slices.Equal(got, want) {
		t.Errorf("WatchTerms =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestWatchTermsReal(t *testing.T) {
	entries := realLists(t)
	terms := WatchTerms(entries)
	dprk := 0
	for _, term := range terms {
		if strings.HasPrefix(term.Program, "DPRK") {
			dprk++
		}
		if len(tokenize(term.Text)) == 1 && len([]rune(term.Text)) < minAcronymLetters && isASCII(term.Text) {
			t.Errorf("short single-word term %q of %s", term.Text, term.Ref)
		}
		if term.Ref == "27307" && term.Text != "LAZARUS GROUP" && term.Text != "WHOIS HACKING TEAM" &&
			term.Text != "THE NEW ROMANTIC CYBER ARMY TEAM" && term.Text != "TEMP.HERMIT" && term.Text != "APPLEWORM" {
			t.Errorf("Lazarus Group term %q", term.Text)
		}
	}
	t.Logf("%d watch terms from %d entries, %d under DPRK programs", len(terms), len(entries), dprk)
	if dprk < 300 {
		t.Errorf("only %d DPRK terms", dprk)
	}
}

const watchRuleFile = `
version: 1
lists:
  - {name: ofac, format: ofac, url: https://example.org/sdn.csv}
rules:
  - id: dprk-names
    title: DPRK designated names
    category: designation
    severity: medium
    references: [OFAC SDN list]
    groups:
      named:
        watchlist: {program: DPRK}
    tests: [{ok: nothing}]
`

// TestWatchTermsInText runs the terms through the rule engine: aliases of
// generic or common English words do not fire on ordinary text, distinctive
// names do.
func TestWatchTermsInText(t *testing.T) {
	lazarus := Entry{List: "ofac", Ref: "27307", Type: TypeEntity, Name: "LAZARUS GROUP", Programs: []string{"DPRK3"}}
	for _, a := range []string{"HIDDEN COBRA", "OFFICE 91", "GUARDIANS OF PEACE", "THE NEW ROMANTIC CYBER ARMY TEAM",
		"WHOIS HACKING TEAM", "RED DOT", "TEMP.HERMIT", "GROUP 77", "ZINC", "APT-C-26", "APPLEWORM"} {
		lazarus.Aliases = append(lazarus.Aliases, Alias{Name: a, Quality: QualityGood, Kind: KindAKA})
	}
	kumsan := Entry{List: "ofac", Ref: "20603", Type: TypeEntity, Name: "KOREA KUMSAN TRADING CORPORATION", Programs: []string{"NPWMD", "DPRK3"}}
	set, err := rules.Parse("watch.yaml", []byte(watchRuleFile), rules.WithWatchlist(WatchTerms([]Entry{lazarus, kumsan})))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ text, want string }{
		{"The Group 77 developing nations met in Havana.", ""},
		{"A hidden cobra was found in a cargo container.", ""},
		{"A coworking space called Office 91 opened downtown.", ""},
		{"The guardians of peace in the region met on Monday.", ""},
		{"The red dot on the map marks the port.", ""},
		{"Researchers tied the theft to the Lazarus Group.", "27307:Lazarus Group"},
		{"The Whois Hacking Team defaced the site.", "27307:Whois Hacking Team"},
		{"Appleworm malware spread.", "27307:Appleworm"},
		{"Korea Kumsan Trading Corporation shipped the parts.", "20603:Korea Kumsan Trading"},
	}
	for _, tt := range tests {
		var got []string
		for _, res := range set.Match(tt.text) {
			for _, e := range res.Entities {
				got = append(got, e.Ref+":"+e.Matched)
			}
		}
		if strings.Join(got, ",") != tt.want {
			t.Errorf("Match(%q) entities = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestFitForText(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{"GROUP 77", false},
		{"OFFICE 91", false},
		{"HIDDEN COBRA", false},
		{"Guardians of Peace", false},
		{"Party of God", false},
		{"Red Star", false},
		{"Whois Hacking Team", true},
		{"Korea Kumsan Trading", true},
		{"Holy Land Foundation", true}, // three common words: specific enough
		{"Kim Jong Un", true},
		{"Lazarus Group", true},
	}
	for _, tt := range tests {
		if got := fitForText(tt.text, TypeEntity); got != tt.want {
			t.Errorf("fitForText(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}
