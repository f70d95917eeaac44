package sanctions

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Name normalization: both the index and the query go through normalizeName,
// so any variant it folds away (case, width, diacritics, punctuation,
// hyphenation, honorifics, company forms, Korean romanization systems) cannot
// make a name unfindable.

// honorifics are dropped from the start of a name.
var honorifics = setOf("mr", "mrs", "ms", "miss", "dr", "prof", "professor", "sir", "general", "gen",
	"colonel", "col", "major", "maj", "captain", "capt", "lieutenant", "lt", "admiral", "marshal",
	"sheikh", "shaykh", "sheik", "shaikh", "haji", "hajji", "mullah", "mulla", "maulana",
	"maulvi", "mawlawi", "imam", "emir", "amir", "prince", "king", "president", "minister")

// companySuffixes are legal forms dropped from the end of a name.
var companySuffixes = setOf("llc", "ltd", "limited", "co", "company", "corp", "corporation", "inc",
	"incorporated", "jsc", "ojsc", "pjsc", "cjsc", "ooo", "oao", "zao", "pao", "ao", "tov", "gmbh", "ag",
	"sa", "sarl", "srl", "spa", "plc", "bv", "nv", "pte", "pty", "fze", "fzco", "fzc", "fzllc", "lp",
	"llp", "kg", "sdn", "bhd", "ab", "as", "oy", "kft", "sro", "doo", "ad", "ead", "ltda", "cia", "sl")

// koreanSurnames maps romanizations of one Korean surname to one spelling
// (the syllable rules below do the rest).
var koreanSurnames = map[string]string{
	"lee": "ri", "rhee": "ri", "yi": "ri", "li": "ri", "rhie": "ri", "ree": "ri",
	"park": "pak", "bak": "pak", "pack": "pak",
	"choi": "choe", "chwe": "choe",
	"ryu": "yu", "yoo": "yu",
	"rim": "im", "lim": "im",
	"ryom": "yom",
	"noh":  "no", "roh": "no", "ro": "no",
}

// abbreviations spell out words that names abbreviate.
var abbreviations = map[string]string{
	"intl": "international", "int": "international", "natl": "national", "nat": "national",
	"dept": "department", "univ": "university", "inst": "institute", "assn": "association",
	"assoc": "association", "mfg": "manufacturing", "bros": "brothers", "svcs": "services",
	"svc": "service", "ind": "industrial", "inds": "industries", "hldgs": "holdings",
	"grp": "group", "mgmt": "management", "dev": "development", "devt": "development",
	"st": "saint", "ste": "sainte", "mt": "mount", "ft": "fort",
}

// Parts of a romanized Korean syllable, longest first.
var (
	syllableInitials = []string{"kk", "tt", "pp", "ss", "sh", "jj", "ch", "k", "g", "n", "t", "d", "r", "l", "m", "p", "b", "s", "j", "h"}
	syllableVowels   = []string{"ae", "eo", "eu", "oe", "ui", "oo", "ou", "ee", "a", "e", "i", "o", "u"}
	syllableFinals   = []string{"ng", "n", "m", "l", "r", "k", "g", "p", "b", "t", "s"}
)

// splitSyllable splits a token that reads as one romanized Korean syllable
// into initial consonant, glide, vowel and final consonant.
func splitSyllable(t string) (initial, glide, vowel, final string, ok bool) {
	rest := t
	initial, rest = cutPrefixOf(rest, syllableInitials)
	if strings.HasPrefix(rest, "w") || strings.HasPrefix(rest, "y") {
		glide, rest = rest[:1], rest[1:]
	}
	if vowel, rest = cutPrefixOf(rest, syllableVowels); vowel == "" {
		return "", "", "", "", false
	}
	if final, rest = cutPrefixOf(rest, syllableFinals); rest != "" {
		return "", "", "", "", false
	}
	return initial, glide, vowel, final, true
}

func cutPrefixOf(s string, prefixes []string) (prefix, rest string) {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return p, s[len(p):]
		}
	}
	return "", s
}

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// stripMarks decomposes compatibility forms, removes combining marks
// (diacritics, Arabic harakat) and recomposes, so Hangul stays syllables.
func stripMarks(s string) string {
	t := transform.Chain(norm.NFKD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		return s
	}
	return out
}

// isApostrophe reports runes that join rather than split a word: O'Brien,
// the McCune–Reischauer breve written as U’N.
func isApostrophe(r rune) bool {
	switch r {
	case '\'', '’', '‘', 'ʼ', '`', '´', 'ʻ':
		return true
	}
	return false
}

// tokenize folds case and splits on anything but letters and digits.
func tokenize(s string) []string {
	if !isASCII(s) {
		s = stripMarks(s)
	}
	var tokens []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			tokens = append(tokens, b.String())
			b.Reset()
		}
	}
	for _, r := range s {
		switch {
		case isApostrophe(r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			writeFolded(&b, r)
		default:
			flush()
		}
	}
	flush()
	return tokens
}

// writeFolded writes r in lower case, spelling out letters that have no
// decomposition (ß, ø, æ…) the way they are usually transliterated.
func writeFolded(b *strings.Builder, r rune) {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		b.WriteByte(byte(r))
		return
	}
	switch r = unicode.ToLower(r); r {
	case 'ß':
		b.WriteString("ss")
	case 'ø':
		b.WriteByte('o')
	case 'æ':
		b.WriteString("ae")
	case 'œ':
		b.WriteString("oe")
	case 'đ', 'ð':
		b.WriteByte('d')
	case 'ł':
		b.WriteByte('l')
	case 'þ':
		b.WriteString("th")
	case 'ı':
		b.WriteByte('i')
	default:
		b.WriteRune(r)
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// normalizeName turns a name into its comparable tokens: folded, honorifics
// and legal forms dropped, romanization variants unified.
func normalizeName(s string) []string {
	return romanizeAll(nameTokens(s))
}

// nameTokens folds and splits a name and drops honorifics and legal forms,
// but leaves spelling alone. An honorific stays when only one token would
// be left: "Sheik Omar" and "AMIR ABDULLAH" are more than "Omar" and
// "Abdullah", and the honorific may well be a name.
func nameTokens(s string) []string {
	tokens := tokenize(s)
	for len(tokens) > 2 && honorifics[tokens[0]] {
		tokens = tokens[1:]
	}
	for len(tokens) > 1 && companySuffixes[tokens[len(tokens)-1]] {
		tokens = tokens[:len(tokens)-1]
	}
	return tokens
}

func romanizeAll(tokens []string) []string {
	out := make([]string, len(tokens))
	for i, t := range tokens {
		out[i] = romanize(t)
	}
	return out
}

// romanize unifies the romanizations of a Korean syllable, so that
// McCune–Reischauer (Chŏng, after diacritics go "chong"), Revised
// Romanization (Jeong) and common spellings (Jung, Kyong-soo) meet: initial
// g/d/b/j become k/t/p/ch, eo → o, eu/oo → u, ee → i, final g/d/b/r become
// k/t/p/l. Tokens that are not one syllable are left alone.
func romanize(t string) string {
	if s, ok := koreanSurnames[t]; ok {
		return s
	}
	if s, ok := abbreviations[t]; ok {
		return s
	}
	if len(t) > 7 || t[0] >= utf8.RuneSelf {
		return t
	}
	initial, glide, vowel, final, ok := splitSyllable(t)
	if !ok {
		return t
	}
	switch initial {
	case "g":
		initial = "k"
	case "d":
		initial = "t"
	case "b":
		initial = "p"
	case "j":
		initial = "ch"
	case "l":
		initial = "r"
	}
	switch vowel {
	case "eo":
		vowel = "o"
	case "eu", "oo", "ou":
		vowel = "u"
	case "ee":
		vowel = "i"
	}
	switch final {
	case "g":
		final = "k"
	case "b":
		final = "p"
	case "r":
		final = "l"
	}
	return initial + glide + vowel + final
}

// nameVariants are the spellings of one listed name worth indexing: as
// written; without a parenthesized acronym ("BUTEMBO AIRLINES (BAL)"); each
// spelling the list gives in parentheses ("جبهة النصرة (the Victory Front;
// Jabhat al-Nusrah)"); for individuals, "SURNAME, Given" reordered to "Given
// SURNAME"; and each part of a name the list joins with ";" outside
// parentheses.
func nameVariants(name string, individual bool) []string {
	var out []string
	for _, part := range splitNames(name) {
		part = cleanSpace(part)
		if part == "" {
			continue
		}
		out = append(out, part)
		if i := strings.IndexByte(part, '('); i > 0 {
			if bare := cleanSpace(part[:i]); bare != "" {
				out = append(out, bare)
			}
			out = append(out, parenthesizedSpellings(part[i:], individual)...)
		}
		if surname, given, ok := strings.Cut(part, ","); individual && ok && !strings.Contains(given, ",") && strings.TrimSpace(given) != "" {
			out = append(out, cleanSpace(given+" "+surname))
		}
	}
	return out
}

// parenthesizedSpellings are the names in the parenthesized groups of s
// that list several ("(a; b; c)"); a lone acronym ("(BAL)") gives none.
func parenthesizedSpellings(s string, individual bool) []string {
	var out []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '(':
			if depth == 0 {
				start = i + 1
			}
			depth++
		case ')':
			if depth--; depth == 0 && strings.Contains(s[start:i], ";") {
				out = append(out, nameVariants(s[start:i], individual)...)
			}
			depth = max(depth, 0)
		}
	}
	return out
}
