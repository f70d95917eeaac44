package sanctions

import (
	"strings"
	"testing"
)

func TestTransliterate(t *testing.T) {
	tests := []struct{ in, want, canonical string }{
		{"김정은", "gim jeong eun", "kim chong un"},
		{"리성혁", "ri seong hyeok", "ri song hyok"},
		{"이성혁", "ri seong hyeok", "ri song hyok"},
		{"최룡해", "choe ryong hae", "choe ryong hae"},
		{"박 일규", "bak il gyu", "pak il kyu"},
		{"KIM 철", "kim cheol", "kim chol"},
		{"Евгений Пригожин", "yevgenii prigozhin", "yevgenii prigozhin"},
		{"Рамзан Кадыров", "ramzan kadyrov", "ramzan kadyrov"},
	}
	for _, tt := range tests {
		got := transliterate(tokenize(tt.in))
		if strings.Join(got, " ") != tt.want {
			t.Errorf("transliterate(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if c := strings.Join(romanizeAll(got), " "); c != tt.canonical {
			t.Errorf("romanized %q normalizes to %q, want %q", tt.in, c, tt.canonical)
		}
	}
	if got := transliterate([]string{"kim", "jong"}); got != nil {
		t.Errorf("Latin tokens transliterated to %q", got)
	}
}

func TestSearchInOtherScripts(t *testing.T) {
	ix := NewIndex([]Entry{
		{List: "ofac", Ref: "21171", Type: TypeIndividual, Name: "PRIGOZHIN, Yevgeniy Viktorovich"},
		{List: "ofac", Ref: "23343", Type: TypeIndividual, Name: "KADYROV, Ramzan Akhmatovich"},
		{List: "ofac", Ref: "20157", Type: TypeIndividual, Name: "KIM, Jong Un"},
	})
	tests := []struct{ query, wantRef string }{
		{"Евгений Пригожин", "21171"},
		{"Рамзан Кадыров", "23343"},
		{"김정은", "20157"},
	}
	for _, tt := range tests {
		hits := ix.Search(tt.query, SearchOptions{})
		if len(hits) == 0 || hits[0].Entry.Ref != tt.wantRef {
			t.Errorf("Search(%q) = %v, want %s", tt.query, hits, tt.wantRef)
			continue
		}
		if hits[0].Score >= 1 {
			t.Errorf("Search(%q): a transliterated match scored %.3f, want below an exact one", tt.query, hits[0].Score)
		}
	}
}
