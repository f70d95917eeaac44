package rules

import (
	"fmt"
	"testing"
)

const quantityRules = `
version: 1
rules:
  - id: q
    title: t
    category: labor
    severity: high
    references: [x]
    groups:
      workers:
        terms: [workers, laborers, sapper*, shells, missiles, oil, military personnel, рабоч*, снаряд*,
                노동자, 북한 노동자, 공병, 포탄, 탄도미사일*, 자주포, 劳工]
        quantity: true
    tests: [{fire: "6,000 workers", quantities: ["6,000"]}]
`

func TestQuantities(t *testing.T) {
	s := mustParse(t, quantityRules)
	tests := []struct {
		text   string
		want   string // Text|Number|Value of each quantity, or "" for none
		reason string
	}{
		{"North Korea will send 6,000 workers to Kursk.", "6,000 workers|6,000|6000", "digits with a thousands comma"},
		{"agreed to send 5,000 construction workers", "5,000 construction workers|5,000|5000", "one word between"},
		{"an additional 1,000 sappers—military personnel", "1,000 sappers|1,000|1000", "prefix term, dash after"},
		{"approximately 15,000 North Korean laborers", "15,000 North Korean laborers|15,000|15000", "two words between"},
		{"1 million artillery shells", "1 million artillery shells|1 million|1e+06", "multiplier word"},
		{"1.5 million shells", "1.5 million shells|1.5 million|1.5e+06", "decimal with multiplier"},
		{"six thousand workers", "six thousand workers|six thousand|6000", "number words"},
		{"КНДР направит 6 000 рабочих", "6 000 рабочих|6 000|6000", "space as thousands separator"},
		{"КНДР направит 6\u00a0000 рабочих", "6\u00a0000 рабочих|6\u00a0000|6000", "no-break space as thousands separator"},
		{"КНДР направит 6 тысяч рабочих", "6 тысяч рабочих|6 тысяч|6000", "Russian multiplier"},
		{"북한 노동자 5천 명이 파견됐다", "노동자 5천 명|5천|5000", "Korean number after the term, particle trimmed"},
		{"5천여 명의 노동자가", "5천여 명의 노동자가|5천여|5000", "Korean number before the term"},
		{"노동자 1만 명", "노동자 1만 명|1만|10000", "Korean ten thousand"},
		{"노동자 1만5천 명", "노동자 1만5천 명|1만5천|15000", "Korean compound number"},
		{"朝鲜劳工5000名", "劳工5000名|5000|5000", "Chinese number after the term"},
		{"６，０００ workers", "６，０００ workers|６，０００|6000", "full-width digits"},
		{"in 2017 workers were sent", "", "a year is not a quantity"},
		{"In 2017. Workers", "", "a sentence end stops the search"},
		{"50% of workers", "", "percentages are not headcounts"},
		{"$5 million for workers", "", "money is not a headcount"},
		{"6,000 of the many North Korean workers", "", "too many words between"},
		{"workers", "", "no number"},
		{"6,000 workers and 1,000 sappers", "6,000 workers|6,000|6000; 1,000 sappers|1,000|1000", "one per hit"},
		{"5k workers", "5k workers|5k|5000", "thousands written onto the number"},
		{"1m shells", "1m shells|1m|1e+06", "millions written onto the number"},
		{"1.5bn shells", "1.5bn shells|1.5bn|1.5e+09", "billions written onto the number"},
		{"a million shells", "a million shells|a million|1e+06", "a million"},
		{"миллион снарядов", "миллион снарядов|миллион|1e+06", "Russian million without a number"},
		{"КНДР отправит в Россию 1 млн снарядов.", "1 млн снарядов|1 млн|1e+06", "Russian abbreviated million after a capitalized word"},
		{"15 тыс. рабочих", "15 тыс. рабочих|15 тыс|15000", "full stop after an abbreviated multiplier"},
		{"KN-23 missiles", "", "model number"},
		{"fired Hwasong-11 missiles", "", "model number after a longer name"},
		{"three KN-23 missiles", "three KN-23 missiles|three|3", "a count before a model name"},
		{"launched Hwasong 15 missiles", "", "model number without a hyphen"},
		{"the tanker Yu Jong 2 was spotted delivering oil", "", "ship name"},
		{"About 20 workers", "20 workers|20|20", "a capitalized word that starts the text is not a name"},
		{"Russia Gets 20 Workers", "20 Workers|20|20", "a title capitalizes every word"},
		{"2 ships later carried oil", "", "a number more than two words away"},
		{"1,000 sappers—military personnel", "1,000 sappers|1,000|1000", "a dash ends the search"},
		{"5,000 - military personnel", "", "a spaced hyphen ends the search"},
		{"5,000—military personnel", "", "a dash ends the search, for the hit after it"},
		{"6,000 Russian-speaking workers", "6,000 Russian-speaking workers|6,000|6000", "a hyphen inside a word does not"},
		{"152mm shells", "", "calibre written onto the number"},
		{"152 mm shells", "", "calibre"},
		{"152-mm shells", "", "hyphenated calibre"},
		{"170mm 자주포", "", "calibre before a Korean term"},
		{"bans exports for 24 months, and caps oil", "", "a comma ends the search"},
		{"for 24 months oil", "", "a duration"},
		{"50 percent of workers", "", "percent in words"},
		{"1990s workers", "", "a decade"},
		{"노동자 5천 명과 군 공병 1천 명", "노동자 5천 명|5천|5000; 공병 1천 명|1천|1000", "each Korean number goes with the term before it"},
		{"노동자와 공병 1천 명", "공병 1천 명|1천|1000", "a number counts once, for the nearest term"},
		{"북한 노동자 1만5천여 명이 일하고", "노동자 1만5천여 명|1만5천여|15000", "two terms before one number"},
		{"노동자 5천 여 명", "노동자 5천 여 명|5천|5000", "about, written apart"},
		{"5천명의 노동자", "5천명의 노동자|5천|5000", "counter written onto the number"},
		{"8월 초부터 포탄", "", "a month"},
		{"포탄 300만 발을 넘겼다", "포탄 300만 발|300만|3e+06", "rounds counted"},
		{"노동자 5천 명령", "노동자 5천|5천|5000", "a word that starts like a counter is not one"},
		{"노동자 5천 명과 공병 1천 명을 보낸다", "노동자 5천 명|5천|5000; 공병 1천 명|1천|1000", "particles 과 and 을 trimmed"},
		{"노동자 5천 명와", "노동자 5천 명|5천|5000", "particle 와 trimmed"},
		{"노동자 5천 명를", "노동자 5천 명|5천|5000", "particle 를 trimmed"},
		{"노동자 5천 명가", "노동자 5천 명|5천|5000", "particle 가 trimmed"},
		{"노동자 5천 명은", "노동자 5천 명|5천|5000", "particle 은 trimmed"},
		{"노동자 5천 명는", "노동자 5천 명|5천|5000", "particle 는 trimmed"},
		{"노동자 5천 명의 임금", "노동자 5천 명|5천|5000", "particle 의 trimmed"},
		{"노동자 5천 명에", "노동자 5천 명|5천|5000", "particle 에 trimmed"},
		{"노동자 5천 명도", "노동자 5천 명|5천|5000", "particle 도 trimmed"},
		{"노동자 5천 명만", "노동자 5천 명|5천|5000", "particle 만 trimmed"},
		{"노동자 5천 명으로", "노동자 5천 명|5천|5000", "particle 으로 trimmed"},
		{"포탄 300만 발로", "포탄 300만 발|300만|3e+06", "particle 로 trimmed"},
		{"노동자 5천명과 공병", "노동자 5천명|5천|5000", "particle trimmed from a counter written onto the number"},
		{"노동자 5천 명씩", "노동자 5천 명|5천|5000", "particle 씩 trimmed"},
		{"2017년 노동자", "", "a Korean year"},
		{"KN-23 탄도미사일로", "", "model number before a Korean term"},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			res := s.Match(tt.text)
			if len(res) != 1 {
				t.Fatalf("%q: fired %d rules", tt.text, len(res))
			}
			got := ""
			for i, q := range res[0].Quantities {
				if i > 0 {
					got += "; "
				}
				got += fmt.Sprintf("%s|%s|%g", q.Text, q.Number, q.Value)
				if tt.text[q.Start:q.End] != q.Text {
					t.Errorf("offsets %d:%d do not slice %q", q.Start, q.End, q.Text)
				}
			}
			if got != tt.want {
				t.Errorf("%q:\n got %q\nwant %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestSeedStoryQuantities(t *testing.T) {
	seed := readShared(t, "seed/000_2afe39b202ba405e.txt")
	s := mustParse(t, quantityRules)
	res := s.Match(seed)
	if len(res) != 1 {
		t.Fatalf("fired %d rules", len(res))
	}
	found := map[float64]bool{}
	for _, q := range res[0].Quantities {
		found[q.Value] = true
	}
	for _, v := range []float64{6000, 5000, 1000, 15000} {
		if !found[v] {
			t.Errorf("quantity %g not found in %+v", v, res[0].Quantities)
		}
	}
}
