package discord

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestEscape(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "North Korea sends workers", "North Korea sends workers"},
		{"everyone", "@everyone look", `\@everyone look`},
		{"role mention", "<@&123>", `\<\@&123\>`},
		{"user mention", "<@!42>", `\<\@!42\>`},
		{"bold", "**big**", `\*\*big\*\*`},
		{"masked link", "[x](javascript:alert(1))", `\[x\]\(javascript\:alert\(1\)\)`},
		{"autolink", "see https://evil.example", `see https\://evil.example`},
		{"heading", "# Breaking", `\# Breaking`},
		{"subtext", "-# small", `\-\# small`},
		{"hyphen in word", "Kim Jong-un 2016-03-02 - x", `Kim Jong-un 2016-03-02 \- x`},
		{"quote", "> quoted", `\> quoted`},
		{"spoiler", "||secret||", `\|\|secret\|\|`},
		{"code", "```go```", "\\`\\`\\`go\\`\\`\\`"},
		{"strike underline", "~~x~~ __y__", `\~\~x\~\~ \_\_y\_\_`},
		{"backslash", `a\*b`, `a\\\*b`},
		{"emoji and timestamp", ":smile: <t:1:R>", `\:smile\: \<t\:1\:R\>`},
		{"rlo stripped", "abc\u202Edcba", "abcdcba"},
		{"isolates and marks stripped", "\u2066a\u2069\u200Eb\u200F\u061Cc", "abc"},
		{"controls stripped", "a\x00b\x07c\u0085", "abc"},
		{"whitespace collapsed", "  a\n\n\tb  ", "a b"},
		{"hangul kept", "북한 노동자", "북한 노동자"},
		{"invalid utf8 dropped", "a\xffb", "ab"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Escape(tt.in); got != tt.want {
				t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFit(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		limit int
		want  string
	}{
		{"fits", "six thousand workers", 100, "six thousand workers"},
		{"cut at word", "six thousand workers", 15, "six thousand…"},
		{"exact", "abc", 3, "abc"},
		{"one long word", "abcdefghij", 5, "abcd…"},
		{"escape kept whole", "**********", 6, `\*\*…`},
		{"ordered list at start", "1. first", 100, `1\. first`},
		{"number inside", "in 2017. Then", 100, "in 2017. Then"},
		{"astral counts double", "𝐀𝐁𝐂 d", 5, "𝐀𝐁…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Fit(tt.in, tt.limit)
			if got != tt.want {
				t.Errorf("Fit(%q, %d) = %q, want %q", tt.in, tt.limit, got, tt.want)
			}
			if textLen(got) > tt.limit {
				t.Errorf("Fit(%q, %d) is %d long", tt.in, tt.limit, textLen(got))
			}
		})
	}
}

func TestFitNeverSplitsAnEscape(t *testing.T) {
	in := strings.Repeat("*", 50)
	for limit := 1; limit < 60; limit++ {
		got := strings.TrimSuffix(Fit(in, limit), ellipsis)
		if n := len(got) - len(strings.TrimRight(got, `\`)); n%2 == 1 {
			t.Fatalf("Fit(%d) = %q ends inside an escape", limit, got)
		}
	}
}

func FuzzEscape(f *testing.F) {
	for _, s := range []string{"@everyone", "<@&123>", "**x**", "[x](javascript:alert(1))", "\u202Eabc", "# h", "a\\", "1. x"} {
		f.Add(s, 40)
	}
	f.Fuzz(func(t *testing.T, in string, limit int) {
		limit = 1 + abs(limit)%300
		out := Fit(in, limit)
		if textLen(out) > limit {
			t.Fatalf("Fit(%q, %d) = %q is too long", in, limit, out)
		}
		if !utf8.ValidString(out) {
			t.Fatalf("Fit(%q) = %q is not valid UTF-8", in, out)
		}
		assertInert(t, strings.TrimSuffix(out, ellipsis))
	})
}

// assertInert fails when escaped text holds a markdown character that is not
// escaped, or a hidden character.
func assertInert(t *testing.T, escaped string) {
	t.Helper()
	escapedNext, wordStart := false, true
	for _, r := range escaped {
		atWordStart := wordStart
		wordStart = r == ' '
		switch {
		case escapedNext:
			escapedNext = false
		case r == '\\':
			escapedNext = true
		case r == '-' && !atWordStart:
			// a hyphen inside a word is inert
		case strings.ContainsRune(markdownSpecial, r):
			t.Fatalf("unescaped %q in %q", r, escaped)
		case isHidden(r):
			t.Fatalf("hidden character %U in %q", r, escaped)
		}
	}
	if escapedNext {
		t.Fatalf("%q ends with a lone backslash", escaped)
	}
}

func abs(n int) int {
	if n < 0 {
		if n == -n { // math.MinInt
			return 0
		}
		return -n
	}
	return n
}
