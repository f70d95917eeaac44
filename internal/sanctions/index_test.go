package sanctions

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestNormalizeName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Kim Jong Un", "kim chong un"},
		{"KIM Jong-un", "kim chong un"},
		{"Kim Jŏng-ŭn", "kim chong un"},
		{"Kim Jeong-eun", "kim chong un"},
		{"RI U’N SO’NG", "ri un song"},
		{"Lee Song Hyok", "ri song hyok"},
		{"Park Il-kyu", "pak il kyu"},
		{"Choi Song-il", "choe song il"},
		{"Mr. John O'Brien", "john obrien"},
		{"Dr. Ayman AL-ZAWAHIRI", "ayman al zawahiri"},
		{"Sheikh Mohammed", "sheikh mohammed"}, // an honorific stays before a lone name
		{"Sheikh Mohammed Ali", "mohammed ali"},
		{"ANGLO-CARIBBEAN CO., LTD.", "anglo caribbean"},
		{"Ocean Maritime Management Company, Limited", "ocean maritime management"},
		{"Rosneft OOO", "rosneft"},
		{"Müller Straße", "muller strasse"},
		{"Korea Intl Trading Dev Corp", "korea international trading development"},
		{"ＫＯＭＩＤ", "komid"},                 // full-width forms
		{"김정은", "김정은"},                     // Hangul stays composed
		{"قصي صدام حسين", "قصي صدام حسين"}, // Arabic as written
		{"Ltd", "ltd"}, // never normalized to nothing
	}
	for _, tt := range tests {
		if got := strings.Join(normalizeName(tt.in), " "); got != tt.want {
			t.Errorf("normalizeName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestJaroWinkler(t *testing.T) {
	tests := []struct {
		a, b string
		want float64
	}{
		{"martha", "marhta", 0.961},
		{"dwayne", "duane", 0.840},
		{"dixon", "dicksonx", 0.813},
		{"abc", "abc", 1},
		{"abc", "xyz", 0},
		{"", "", 1},
		{"김정은", "김정일", 0.822},
	}
	for _, tt := range tests {
		got := jaroWinkler([]rune(tt.a), []rune(tt.b))
		if math.Abs(got-tt.want) > 0.001 {
			t.Errorf("jaroWinkler(%q, %q) = %.3f, want %.3f", tt.a, tt.b, got, tt.want)
		}
		if back := jaroWinkler([]rune(tt.b), []rune(tt.a)); math.Abs(back-got) > 1e-9 {
			t.Errorf("jaroWinkler is not symmetric on %q, %q", tt.a, tt.b)
		}
	}
}

func fixtureIndex(t *testing.T) *Index {
	t.Helper()
	un, err := ParseUN(openTestdata(t, "un_small.xml"), "un")
	if err != nil {
		t.Fatal(err)
	}
	ofac, err := ParseOFAC(openTestdata(t, "ofac_sdn.csv"), openTestdata(t, "ofac_add.csv"), openTestdata(t, "ofac_alt.csv"), "ofac")
	if err != nil {
		t.Fatal(err)
	}
	return NewIndex(append(un, ofac...))
}

func TestSearch(t *testing.T) {
	ix := fixtureIndex(t)
	if ix.Len() != 7 {
		t.Fatalf("Len = %d, want 7", ix.Len())
	}
	tests := []struct {
		query, wantKey, wantMatched string
	}{
		{"Kim Jong Un", "ofac/20157", "KIM, Jong Un"},
		{"kim jong-un", "ofac/20157", "KIM, Jong Un"},
		{"KIM Jongun", "ofac/20157", "KIM, Jong Un"},
		{"Jong Un Kim", "ofac/20157", "KIM, Jong Un"},
		{"Kim Jŏng-ŭn", "ofac/20157", "KIM, Jong Un"},
		{"김철남", "un/KPi.901", "김철남"},
		{"김정은", "ofac/20157", "KIM, Jong Un"}, // Hangul query, romanized entry
		{"Jin Zhenan", "un/KPi.901", "Jin Zhenan"},
		{"Kim Chol-nam", "un/KPi.901", "KIM CHOL NAM"},
		{"IMO 9187629", "ofac/15036", "ARTAVIL"},
		{"9187629", "ofac/15036", "ARTAVIL"},
		{"imo: 1790999", "un/KPe.901", "OCEAN STAR SHIPPING COMPANY, LIMITED"},
		{"IMO No. 1790999", "un/KPe.901", "OCEAN STAR SHIPPING COMPANY, LIMITED"}, // the UN's own wording
		{"IMO number 1790999", "un/KPe.901", "OCEAN STAR SHIPPING COMPANY, LIMITED"},
		{"IMO #9187629", "ofac/15036", "ARTAVIL"},
		{"KPi.901", "un/KPi.901", "KIM CHOL NAM"},
		{"Ocean Star Shipping Co", "un/KPe.901", "OCEAN STAR SHIPPING COMPANY, LIMITED"},
		{"Korea Mining Developmnet Trading Corp.", "ofac/9345", "KOREA MINING DEVELOPMENT TRADING CORPORATION"},
		{"Abu Bakr Al Samarrai", "un/QDi.999", "ABU BAKR AL-SAMARRAI"},
		{"O'Brien Star", "ofac/15036", "O'BRIEN STAR"},
		{"A. Bakr al-Samarrai", "un/QDi.999", "ABU BAKR AL-SAMARRAI"}, // an initial
	}
	for _, tt := range tests {
		hits := ix.Search(tt.query, SearchOptions{})
		if len(hits) == 0 {
			t.Errorf("Search(%q): no hits", tt.query)
			continue
		}
		if got := hits[0].Entry.Key(); got != tt.wantKey || hits[0].Matched != tt.wantMatched {
			t.Errorf("Search(%q) = %s via %q (%.3f), want %s via %q", tt.query, got, hits[0].Matched, hits[0].Score, tt.wantKey, tt.wantMatched)
		}
		if hits[0].Score < DefaultMinScore || hits[0].Score > 1 {
			t.Errorf("Search(%q) score %.3f out of range", tt.query, hits[0].Score)
		}
	}
}

func TestSearchOptions(t *testing.T) {
	ix := fixtureIndex(t)
	if hits := ix.Search("Kim Jong Un", SearchOptions{List: "un"}); len(hits) != 0 {
		t.Errorf("List filter: got %s", hits[0].Entry.Key())
	}
	if hits := ix.Search("Kim", SearchOptions{MinScore: 0.3}); len(hits) < 2 {
		t.Errorf("a low threshold finds %d hits for Kim, want both Kims", len(hits))
	}
	if hits := ix.Search("Kim", SearchOptions{MinScore: 0.3, Limit: 1}); len(hits) != 1 {
		t.Errorf("Limit 1 gave %d hits", len(hits))
	}
	if empty := NewIndex(nil); empty.Len() != 0 || len(empty.Search("Kim Jong Un", SearchOptions{})) != 0 {
		t.Error("an empty index found something")
	}
	for _, q := range []string{"", "   ", "---", "John Smith", "Ltd"} {
		if hits := ix.Search(q, SearchOptions{}); len(hits) != 0 {
			t.Errorf("Search(%q) = %s (%.3f), want nothing", q, hits[0].Entry.Key(), hits[0].Score)
		}
	}
}

func TestSearchRanksByRarityAndQuality(t *testing.T) {
	entries := []Entry{
		{List: "t", Ref: "1", Type: TypeIndividual, Name: "Kim Sok Chol"},
		{List: "t", Ref: "2", Type: TypeIndividual, Name: "Kim Song Chol"},
		{List: "t", Ref: "3", Type: TypeIndividual, Name: "Kim Yong Nam"},
		{List: "t", Ref: "4", Type: TypeIndividual, Name: "Pak Yong Nam"},
		{List: "t", Ref: "5", Type: TypeIndividual, Name: "Ri Hak Chol", Aliases: []Alias{{Name: "Ryom Hak", Quality: QualityLow}}},
		{List: "t", Ref: "6", Type: TypeIndividual, Name: "Ryom Hak"},
	}
	ix := NewIndex(entries)
	// "Kim" is on three names, "Nam" on two, "Pak" on one: missing the
	// common "Kim" costs less than missing the rare "Pak".
	hits := ix.Search("Kim Yong Nam", SearchOptions{MinScore: 0.1})
	if hits[0].Entry.Ref != "3" || hits[1].Entry.Ref != "4" {
		t.Errorf("ranking %v", refsOf(hits))
	}
	// Tokens pair one to one: a repeated query token does not match twice.
	hits = NewIndex([]Entry{{List: "t", Ref: "7", Name: "Kim Chol"}}).Search("Kim Kim Chol", SearchOptions{MinScore: 0.1})
	if len(hits) != 1 || hits[0].Score > 0.9 {
		t.Errorf("Kim Kim Chol against Kim Chol: %v", hits)
	}
	// A low-quality alias scores below the same name as a primary name.
	hits = ix.Search("Ryom Hak", SearchOptions{MinScore: 0.1})
	if hits[0].Entry.Ref != "6" || hits[1].Entry.Ref != "5" || hits[1].Score >= hits[0].Score {
		t.Errorf("low-quality alias ranking %v", hits)
	}
}

func refsOf(hits []Hit) []string {
	var refs []string
	for _, h := range hits {
		refs = append(refs, h.Entry.Ref)
	}
	return refs
}

func TestSearchConcurrent(t *testing.T) {
	ix := fixtureIndex(t)
	want := refsOf(ix.Search("Kim Jong Un", SearchOptions{MinScore: 0.2}))
	done := make(chan []string)
	for range 8 {
		go func() {
			var got []string
			for range 50 {
				got = refsOf(ix.Search("Kim Jong Un", SearchOptions{MinScore: 0.2}))
			}
			done <- got
		}()
	}
	for range 8 {
		if got := <-done; !slices.Equal(got, want) {
			t.Errorf("concurrent search = %v, want %v", got, want)
		}
	}
}

func TestHitResultJSON(t *testing.T) {
	ix := fixtureIndex(t)
	hits := ix.Search("Korea Mining Development Trading", SearchOptions{Limit: 1})
	if len(hits) != 1 {
		t.Fatalf("hits = %v", hits)
	}
	got, err := json.Marshal(hits[0].Result())
	if err != nil {
		t.Fatal(err)
	}
	want := `{"list":"ofac","ref":"9345","name":"KOREA MINING DEVELOPMENT TRADING CORPORATION",` +
		`"matched":"KOREA MINING DEVELOPMENT TRADING CORPORATION","type":"entity","score":1,` +
		`"program":"NPWMD, DPRK2","listed_on":"","aliases":["KOMID","CHANGGWANG SINYONG CORPORATION"]}`
	if string(got) != want {
		t.Errorf("JSON =\n%s\nwant\n%s", got, want)
	}
}

// TestPruningIsExact checks that skipping common query tokens during
// candidate generation loses no hit: a search at 0.80 returns exactly the
// hits of a search at 0.40 (which prunes far less) that score 0.80 or more.
func TestPruningIsExact(t *testing.T) {
	entries := realLists(t)
	ix := NewIndex(entries)
	for _, q := range generatedQueries(entries, 300) {
		strict := ix.Search(q.text, SearchOptions{Limit: 1000, MinScore: 0.8})
		var loose []Hit
		for _, h := range ix.Search(q.text, SearchOptions{Limit: 1000, MinScore: 0.4}) {
			if h.Score >= 0.8 {
				loose = append(loose, h)
			}
		}
		if !slices.EqualFunc(strict, loose, func(a, b Hit) bool { return a.Entry == b.Entry && a.Score == b.Score }) {
			t.Errorf("%q: at 0.80 %v, at 0.40 then filtered %v", q.text, refsOf(strict), refsOf(loose))
		}
	}
}

// TestSearchRealQAFindings: typos in short Korean name tokens find the
// name; common names alone, or a common token matching a rarer one, do not
// reach the default threshold.
func TestSearchRealQAFindings(t *testing.T) {
	ix := NewIndex(realLists(t))
	found := []struct{ query, key string }{
		{"Kim Jong Um", "ofac/20157"},
		{"Kim Jomg Un", "ofac/20157"},
		{"Kim Jong Yn", "ofac/20157"},
		{"Kin Jong Un", "ofac/20157"},
		{"Kim Jong Uun", "ofac/20157"},
		{"Choe Ryong Hea", "ofac/23213"},
		{"Daedong Credit Bnak", "un/KPe.023"},
		{"Amir Abdullah", "un/TAi.145"}, // an honorific that is part of the name
	}
	for _, tt := range found {
		hits := ix.Search(tt.query, SearchOptions{})
		if len(hits) == 0 || hits[0].Entry.Key() != tt.key {
			t.Errorf("Search(%q) = %v, want %s first", tt.query, hitKeys(hits), tt.key)
		}
	}
	if hits := ix.Search("Kim Yong Chl", SearchOptions{}); len(hits) == 0 || hits[0].Entry.Name != "KIM YONG CHOL" && hits[0].Entry.Name != "KIM, Yong Chol" {
		t.Errorf("Search(Kim Yong Chl) = %v", hitKeys(hits))
	}
	for _, q := range []string{"Abdullah", "Omar", "Hassan", "Mohammed Ali", "Ri", "Kim"} {
		if hits := ix.Search(q, SearchOptions{}); len(hits) > 0 {
			t.Errorf("Search(%q) = %v via %q (%.3f), want nothing", q, hitKeys(hits), hits[0].Matched, hits[0].Score)
		}
		if hits := ix.Search(q, SearchOptions{MinScore: 0.01}); len(hits) > 0 && hits[0].Score >= 1 {
			t.Errorf("Search(%q) scores %.3f", q, hits[0].Score)
		}
	}
	// A rare single word stays an exact match.
	for _, q := range []string{"KOMID", "Taliban", "Hizballah"} {
		if hits := ix.Search(q, SearchOptions{}); len(hits) == 0 || hits[0].Score < 0.99 {
			t.Errorf("Search(%q) = %v, want an exact match", q, hitKeys(hits))
		}
	}
}

func hitKeys(hits []Hit) []string {
	var keys []string
	for _, h := range hits {
		keys = append(keys, fmt.Sprintf("%s %.3f", h.Entry.Key(), h.Score))
	}
	return keys
}
