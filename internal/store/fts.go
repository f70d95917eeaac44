package store

import (
	"strings"
	"unicode"
)

// ftsQuery turns what a user typed into an FTS5 query that cannot be a
// syntax error: every whitespace-separated word becomes a quoted string (the
// tokenizer splits it further, so "6,000" stays a phrase), words are ANDed,
// and a trailing * keeps its meaning of a prefix search. Words without a
// letter or digit are dropped, since they could match nothing. It returns ""
// when no word is left.
func ftsQuery(text string) string {
	// FTS5 reads its query as a C string: a NUL would end it inside a
	// quoted word. Control characters and broken UTF-8 separate words.
	text = strings.ToValidUTF8(text, " ")
	text = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, text)
	var parts []string
	for _, word := range strings.Fields(text) {
		prefix := strings.HasSuffix(word, "*")
		word = strings.TrimRight(word, "*")
		if !strings.ContainsFunc(word, isWordRune) {
			continue
		}
		part := `"` + strings.ReplaceAll(word, `"`, `""`) + `"`
		if prefix {
			part += "*"
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, " ")
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
