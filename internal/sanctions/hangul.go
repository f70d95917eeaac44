package sanctions

import "strings"

// Revised Romanization of the parts of a Hangul syllable, in Unicode order.
var (
	hangulInitials = []string{"g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h"}
	hangulMedials  = []string{"a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi", "yu", "eu", "ui", "i"}
	hangulFinals   = []string{"", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t"}
)

const (
	hangulFirst = 0xAC00
	hangulLast  = 0xD7A3
)

// romanizeHangul spells the Hangul tokens of a query in Latin letters, one
// token per syllable (김정은 → gim jeong eun), so that a name typed in
// Hangul finds the romanized names the lists hold. It returns nil when no
// token has Hangul.
func romanizeHangul(tokens []string) []string {
	var out []string
	found := false
	for _, t := range tokens {
		if !strings.ContainsFunc(t, isHangulSyllable) {
			out = append(out, t)
			continue
		}
		found = true
		for _, r := range t {
			if !isHangulSyllable(r) {
				continue
			}
			i := int(r - hangulFirst)
			initial, medial, final := i/(21*28), i%(21*28)/28, i%28
			syllable := hangulInitials[initial] + hangulMedials[medial] + hangulFinals[final]
			if syllable == "i" {
				syllable = "ri" // 이: the surname Ri/Lee, and a syllable alone
			}
			out = append(out, syllable)
		}
	}
	if !found {
		return nil
	}
	return out
}

func isHangulSyllable(r rune) bool { return r >= hangulFirst && r <= hangulLast }
