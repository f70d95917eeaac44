package rules

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

var errorLine = regexp.MustCompile(`^f\.yaml:\d+:\d+: \S`)

// FuzzParse checks that any input either loads or fails with positioned
// errors, and that a loaded set can be matched and tested.
func FuzzParse(f *testing.F) {
	f.Add([]byte(nearRules))
	f.Add([]byte(quantityRules))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("f.yaml", data)
		if err != nil {
			var errs Errors
			if !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("error %T is not Errors: %v", err, err)
			}
			for _, line := range strings.Split(err.Error(), "\n") {
				if !errorLine.MatchString(line) {
					t.Fatalf("error line without position: %q", line)
				}
			}
			return
		}
		s.RunTests()
		s.Match(string(data))
	})
}

// FuzzCondition checks that the parser never panics and that a parsed
// condition prints as a condition that parses to the same tree.
func FuzzCondition(f *testing.F) {
	for _, c := range []string{"a and b", "not (a near/3 b)", "2 of (a, b, c) or d >= 2", "all of (a, any of (b, c))"} {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := parseCondition(s)
		if err != nil {
			ce, ok := err.(*condError)
			if !ok || ce.Offset < 0 || ce.Offset > len(s) {
				t.Fatalf("bad error %#v", err)
			}
			return
		}
		again, err := parseCondition(c.String())
		if err != nil {
			t.Fatalf("%q printed as %q, which does not parse: %v", s, c, err)
		}
		if again.String() != c.String() {
			t.Fatalf("%q: %q reparsed as %q", s, c, again)
		}
	})
}

// FuzzMatch checks that matching any text, valid UTF-8 or not, reports
// offsets that slice the text, in order, and that snippets stay in size.
func FuzzMatch(f *testing.F) {
	for _, s := range []string{"North Korea sent 6,000 workers", "북한 노동자 5천 명", "ＮＯＲＴＨ\u00a0Ｋｏｒｅａ ﬁ workers", "\xff\xfeworkers\xc3"} {
		f.Add(s)
	}
	s, err := LoadFile("testdata/labor.yaml")
	if err != nil {
		f.Fatal(err)
	}
	q := mustParse(f, quantityRules)
	f.Fuzz(func(t *testing.T, text string) {
		results := append(s.Match(text), q.Match(text)...)
		for _, res := range results {
			var ms []Match
			for _, m := range res.Matches {
				if m.Start < 0 || m.End > len(text) || m.Start >= m.End {
					t.Fatalf("match %+v out of text of %d bytes", m, len(text))
				}
				ms = append(ms, m)
			}
			for _, qt := range res.Quantities {
				if qt.Start < 0 || qt.End > len(text) || text[qt.Start:qt.End] != qt.Text {
					t.Fatalf("quantity %+v does not slice the text", qt)
				}
			}
			for _, size := range []int{120, 1 + len(text)%9} {
				snip, spans := Snippet(text, ms, size)
				if n := utf8.RuneCountInString(snip); n > size {
					t.Fatalf("snippet of %d runes, more than %d", n, size)
				}
				for _, sp := range spans {
					if sp.Start < 0 || sp.End > len(snip) || sp.Start >= sp.End {
						t.Fatalf("span %+v out of snippet %q", sp, snip)
					}
				}
			}
		}
	})
}
