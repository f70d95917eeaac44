package rules

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSnippet(t *testing.T) {
	long := strings.Repeat("filler words here ", 20)
	tests := []struct {
		name     string
		text     string
		terms    []string // the matched words, found by strings.Index
		maxRunes int
		want     string
		marked   []string
	}{
		{"whole short text", "North Korea sent workers.", []string{"North Korea", "workers"}, 100,
			"North Korea sent workers.", []string{"North Korea", "workers"}},
		{"cut both sides at words", long + "North Korea sent 6,000 workers to Kursk. " + long, []string{"North Korea", "workers"}, 60,
			"…words here North Korea sent 6,000 workers to Kursk.…", []string{"North Korea", "workers"}},
		{"whitespace collapsed", "North\n\n  Korea   sent\tworkers", []string{"North\n\n  Korea", "workers"}, 100,
			"North Korea sent workers", []string{"North Korea", "workers"}},
		{"no matches: the start", long, nil, 30, "filler words here filler…", nil},
		{"invalid utf-8 replaced", "\xff North Korea", []string{"North Korea"}, 100, "\uFFFD North Korea", []string{"North Korea"}},
		{"byte-order mark dropped", "\uFEFFNorth Korea sent workers", []string{"North Korea", "workers"}, 100,
			"North Korea sent workers", []string{"North Korea", "workers"}},
		{"zero-width no-break space inside dropped", "North Korea\uFEFF sent workers", []string{"North Korea", "workers"}, 100,
			"North Korea sent workers", []string{"North Korea", "workers"}},
		{"byte-order mark in a tiny snippet", "\uFEFFNorth", nil, 2, "N", nil},
		{"tiny", "North Korea", []string{"North Korea"}, 2, "No", nil},
		{"cyrillic", "Пхеньян направит рабочих в Курск", []string{"рабочих"}, 100, "Пхеньян направит рабочих в Курск", []string{"рабочих"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ms []Match
			for _, term := range tt.terms {
				i := strings.Index(tt.text, term)
				ms = append(ms, Match{Start: i, End: i + len(term)})
			}
			got, spans := Snippet(tt.text, ms, tt.maxRunes)
			if got != tt.want {
				t.Errorf("snippet:\n got %q\nwant %q", got, tt.want)
			}
			if n := utf8.RuneCountInString(got); n > tt.maxRunes {
				t.Errorf("snippet has %d runes, more than %d", n, tt.maxRunes)
			}
			var marked []string
			for _, s := range spans {
				marked = append(marked, got[s.Start:s.End])
			}
			if strings.Join(marked, "|") != strings.Join(tt.marked, "|") {
				t.Errorf("highlights: got %q, want %q", marked, tt.marked)
			}
		})
	}
}

func TestSnippetOfMatchResult(t *testing.T) {
	s := mustParse(t, nearRules)
	text := strings.Repeat("Lorem ipsum dolor sit amet. ", 30) + "ＮＯＲＴＨ Ｋｏｒｅａ sent\nworkers abroad. " + strings.Repeat("Consectetur adipiscing. ", 30)
	res := s.Match(text)
	if len(res) == 0 {
		t.Fatal("no rule fired")
	}
	snip, spans := Snippet(text, res[0].Matches, 80)
	var marked []string
	for _, sp := range spans {
		marked = append(marked, snip[sp.Start:sp.End])
	}
	if want := "ＮＯＲＴＨ Ｋｏｒｅａ|workers"; strings.Join(marked, "|") != want {
		t.Errorf("highlights %q in %q, want %q", marked, snip, want)
	}
}
