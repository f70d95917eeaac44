package sanctions

import (
	"slices"
	"strings"
	"testing"
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
		"4697/SDGT: HIZBALLAH",
		"4697/SDGT: Party of God",
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
	}
	t.Logf("%d watch terms from %d entries, %d under DPRK programs", len(terms), len(entries), dprk)
	if dprk < 300 {
		t.Errorf("only %d DPRK terms", dprk)
	}
}
