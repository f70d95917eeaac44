package sanctions

import (
	"strings"
	"unicode"

	"github.com/embargo-watch/embargo/rules"
)

// Which names are fit to look for in news text. A term fires wherever its
// words appear, so names that are common words or common name fragments
// ("Kim Chol", "Rumuli", a vessel called "DIAMOND") would flood alerts:
//   - names of several words need 7 letters or more, and either three words
//     or one word of 5 letters or more: "Kim Jong Un" and "Al Qaida" stay,
//     "Kim Chol" and "Ri Ho" go;
//   - a single word needs 8 letters or more ("HIZBALLAH", "Amroggang"), or
//     is an acronym of 5 capitals or more ("KOMID"), and is never a vessel's
//     or an aircraft's name, which are ordinary words;
//   - a name in Hangul, Han or kana needs 3 characters (김정은): those
//     scripts write a name in few characters and without spaces; other
//     scripts (Arabic, Cyrillic) follow the rules for words;
//   - low-quality aliases are left out, as the lists advise;
//   - honorifics and legal forms are dropped ("Ocean Maritime Management
//     Company, Limited" is looked for as "Ocean Maritime Management"), and
//     "SURNAME, Given" is looked for in both orders;
//   - names of fewer than four words that are all generic ("Ministry of
//     Defense", "Strategic Forces", "East Sea Shipping") are left out: they
//     name other countries' bodies in the news as often as the designated one;
//   - vessels are also found by "IMO 1234567".
const (
	minTermLetters      = 7
	minSingleWordLetter = 8
	minAcronymLetters   = 5
	minScriptRunes      = 3
	minGenericWords     = 4 // a name of only generic words needs this many
)

// genericWords are words of institution and company names that say nothing
// of which one is meant.
var genericWords = setOf("the", "of", "and", "for", "in", "de", "la", "al", "el",
	"ministry", "defense", "defence", "bureau", "office", "department", "committee", "council",
	"commission", "agency", "administration", "authority", "service", "services", "force", "forces",
	"army", "navy", "air", "strategic", "general", "central", "national", "state", "public", "peoples",
	"people", "security", "intelligence", "foreign", "trade", "trading", "bank", "company",
	"corporation", "group", "holding", "holdings", "industry", "industries", "industrial",
	"international", "global", "united", "development", "investment", "energy", "atomic", "nuclear",
	"science", "sciences", "academy", "technology", "space", "aerospace", "research", "center",
	"centre", "institute", "university", "shipping", "maritime", "marine", "ocean", "sea", "east",
	"west", "north", "south", "star", "new", "gold", "golden", "oil", "gas", "petroleum", "import",
	"export", "logistics", "mining", "natural", "resources", "commercial", "credit", "finance",
	"financial", "insurance", "party", "workers", "front", "organization", "association", "union",
	"korea", "korean", "dprk", "democratic", "republic", "government", "military", "police",
	"guard", "revolutionary", "islamic", "brigade", "battalion", "movement", "network")

// WatchTerms lists the names of entries fit for finding in news text, one
// term per name and program (rules select terms by program prefix).
func WatchTerms(entries []Entry) []rules.WatchTerm {
	var terms []rules.WatchTerm
	for i := range entries {
		e := &entries[i]
		programs := e.Programs
		if len(programs) == 0 {
			programs = []string{""}
		}
		for _, text := range entryTerms(e) {
			for _, p := range programs {
				terms = append(terms, rules.WatchTerm{Text: text, List: e.List, Ref: e.Ref, Name: e.Name, Program: p})
			}
		}
	}
	return terms
}

// entryTerms are the distinct texts to look for of one entry.
func entryTerms(e *Entry) []string {
	names := []string{e.Name}
	for _, a := range e.Aliases {
		if a.Quality != QualityLow {
			names = append(names, a.Name)
		}
	}
	names = append(names, e.OriginalScript...)
	var out []string
	seen := map[string]bool{}
	add := func(text string) {
		if key := strings.ToLower(text); text != "" && !seen[key] {
			seen[key] = true
			out = append(out, text)
		}
	}
	for _, name := range names {
		for _, v := range nameVariants(name, e.Type == TypeIndividual) {
			if text := termText(v); fitForText(text, e.Type) {
				add(text)
			}
		}
	}
	if e.IMO != "" {
		add("IMO " + e.IMO)
	}
	return out
}

// termText is a name as it would appear in prose: without commas, leading
// honorifics or trailing legal forms. Names with a parenthesized acronym
// give "": nameVariants supplies them without it.
func termText(name string) string {
	if strings.Contains(name, "(") {
		return ""
	}
	words := strings.Fields(strings.ReplaceAll(name, ",", " "))
	bare := func(w string) string { return strings.ToLower(strings.Trim(w, ".()")) }
	for len(words) > 1 && honorifics[bare(words[0])] {
		words = words[1:]
	}
	for len(words) > 1 && companySuffixes[bare(words[len(words)-1])] {
		words = words[:len(words)-1]
	}
	return strings.Join(words, " ")
}

// fitForText applies the rules above to one name.
func fitForText(text string, entryType string) bool {
	words := tokenize(text)
	if len(words) == 0 {
		return false
	}
	letters, longest, compact := 0, 0, false
	for _, w := range words {
		n := len([]rune(w))
		letters += n
		longest = max(longest, n)
		for _, r := range w {
			if unicode.In(r, unicode.Hangul, unicode.Han, unicode.Hiragana, unicode.Katakana) {
				compact = true
			}
		}
	}
	switch {
	case compact:
		return letters >= minScriptRunes
	case len(words) < minGenericWords && allGeneric(words):
		return false
	case len(words) > 1:
		return letters >= minTermLetters && (len(words) >= 3 || longest >= 5)
	case entryType == TypeVessel || entryType == TypeAircraft:
		return false
	default:
		return letters >= minSingleWordLetter || (letters >= minAcronymLetters && isAcronym(text))
	}
}

func isAcronym(s string) bool {
	for _, r := range s {
		if !unicode.IsUpper(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

func allGeneric(words []string) bool {
	for _, w := range words {
		if !genericWords[w] {
			return false
		}
	}
	return true
}
