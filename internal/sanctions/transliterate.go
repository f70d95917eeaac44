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

// transliterate spells the Hangul and Cyrillic tokens of a query in Latin
// letters, so that a name typed in those scripts finds the romanized names
// the lists hold: Hangul one token per syllable (김정은 → gim jeong eun),
// Cyrillic letter by letter (пригожин → prigozhin). It returns nil when no
// token needs it.
func transliterate(tokens []string) []string {
	var out []string
	found := false
	for _, t := range tokens {
		switch {
		case strings.ContainsFunc(t, isHangulSyllable):
			found = true
			out = append(out, romanizeSyllables(t)...)
		case strings.ContainsFunc(t, isCyrillic):
			found = true
			out = append(out, latinOfCyrillic(t))
		default:
			out = append(out, t)
		}
	}
	if !found {
		return nil
	}
	return out
}

// romanizeSyllables spells each Hangul syllable of t in Revised Romanization.
func romanizeSyllables(t string) []string {
	var out []string
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
	return out
}

func isHangulSyllable(r rune) bool { return r >= hangulFirst && r <= hangulLast }

func isCyrillic(r rune) bool { return r >= 0x400 && r <= 0x4FF }

// cyrillicLatin romanizes lower-case Russian and Ukrainian letters the way
// English-language lists usually do (BGN/PCGN, simplified). Й and ё arrive
// as и and е: normalization strips their marks.
var cyrillicLatin = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ж': "zh", 'з': "z", 'и': "i",
	'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t",
	'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "y",
	'ь': "", 'э': "e", 'ю': "yu", 'я': "ya", 'і': "i", 'ї': "yi", 'є': "ye", 'ґ': "g",
}

func latinOfCyrillic(t string) string {
	var b strings.Builder
	afterVowel := true // the start of a word counts as after a vowel
	for _, r := range t {
		if r == 'е' && afterVowel {
			b.WriteString("ye") // Евгений → Yevgeniy
			afterVowel = true
			continue
		}
		afterVowel = strings.ContainsRune("аеиоуыэюяіїє", r)
		if l, ok := cyrillicLatin[r]; ok {
			b.WriteString(l)
		} else if !isCyrillic(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}
