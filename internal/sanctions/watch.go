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
//     Defense", "Strategic Forces", "East Sea Shipping"), or generic words
//     and numbers ("GROUP 77", "OFFICE 91"), are left out: they name other
//     countries' bodies, or anything, in the news as often as the
//     designated one;
//   - so are names of one or two words (besides "of", "the"…) that are all
//     common English words ("HIDDEN COBRA", "Guardians of Peace", "Party of
//     God"): ordinary prose says them. One rarer word keeps a name ("Korea
//     Kumsan Trading Corporation", "Whois Hacking Team"), and so do three
//     words or more ("Holy Land Foundation");
//   - vessels are also found by "IMO 1234567".
const (
	minTermLetters      = 7
	minSingleWordLetter = 8
	minAcronymLetters   = 5
	minScriptRunes      = 3
	minGenericWords     = 4 // a name of only generic words needs this many
	// maxCommonPhraseWords is the most words (besides function words) a
	// name of common English words may have and still be left out.
	maxCommonPhraseWords = 2
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
	case len(words) < minGenericWords && allGeneric(words), isCommonPhrase(words):
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

// allGeneric reports names of generic words and numbers only.
func allGeneric(words []string) bool {
	for _, w := range words {
		if !genericWords[w] && !isNumber(w) {
			return false
		}
	}
	return true
}

func isNumber(w string) bool {
	return strings.IndexFunc(w, func(r rune) bool { return !unicode.IsDigit(r) }) < 0
}

// isCommonPhrase reports names of one or two words besides function words
// that are all common English (or generic) words or numbers.
func isCommonPhrase(words []string) bool {
	content := 0
	for _, w := range words {
		switch {
		case functionWords[w]:
		case commonEnglish[w] || genericWords[w] || isNumber(w):
			content++
		default:
			return false
		}
	}
	return content <= maxCommonPhraseWords
}

// commonEnglish are everyday English words of the kind aliases are made of
// (colours, animals, nature, qualities, people and things): a name of them
// alone reads as a phrase in the news.
var commonEnglish = setOf(
	// colours and light
	"red", "blue", "green", "black", "white", "grey", "gray", "brown", "yellow", "orange", "purple",
	"pink", "silver", "dark", "bright", "light", "shadow", "shadows", "dot", "line", "lines",
	// animals
	"cobra", "snake", "viper", "tiger", "lion", "eagle", "hawk", "falcon", "wolf", "wolves", "bear",
	"fox", "dragon", "panther", "leopard", "bull", "horse", "dog", "cat", "bird", "birds", "shark",
	"whale", "dolphin", "spider", "scorpion", "bee", "hornet", "phoenix", "raven", "crow", "dove",
	"owl", "lamb", "deer", "elephant", "camel",
	// nature and places
	"sun", "moon", "sky", "earth", "world", "land", "river", "lake", "mountain", "mountains", "hill",
	"valley", "forest", "tree", "rock", "stone", "sand", "desert", "island", "bay", "coast", "port",
	"harbor", "harbour", "city", "town", "village", "road", "bridge", "gate", "tower", "garden",
	"field", "fields", "fire", "water", "wind", "storm", "thunder", "lightning", "rain", "snow",
	"ice", "wave", "waves", "spring", "summer", "winter", "autumn", "dawn", "morning", "night",
	"day", "flower", "rose", "lotus", "pearl", "diamond", "crystal", "iron", "steel", "copper",
	// qualities
	"hidden", "secret", "silent", "great", "grand", "big", "little", "small", "old", "young",
	"first", "last", "best", "good", "free", "holy", "royal", "true", "pure", "strong", "fast",
	"quick", "high", "deep", "long", "wild", "brave", "happy", "lucky", "rich", "modern", "future",
	"ancient", "eternal", "supreme", "special", "prime", "top", "final", "open", "cold", "hot",
	"romantic", "cyber", "digital", "smart", "blind", "lost", "lone", "twin", "double",
	// people and things
	"guardian", "guardians", "peace", "victory", "freedom", "justice", "hope", "faith", "glory",
	"honor", "honour", "unity", "family", "friends", "brothers", "sons", "children", "youth",
	"team", "club", "house", "home", "life", "power", "king", "queen", "knight", "knights",
	"soldier", "soldiers", "warrior", "warriors", "hunter", "hunters", "ghost", "ghosts", "angel",
	"angels", "god", "heart", "hand", "eye", "eyes", "sword", "shield", "arrow", "star", "stars",
	"crown", "flag", "voice", "word", "way", "path", "door", "key", "box", "ship", "boat", "car",
	"train", "plane", "machine", "hacking", "hackers", "cell", "circle", "project", "operation",
	"mission", "station", "market", "store", "shop", "factory", "farm", "school", "hospital",
	"hotel", "restaurant", "media", "news", "press", "radio", "film", "art", "music", "book",
	"money", "cash", "gift", "help", "care", "aid", "relief", "charity", "foundation", "fund",
	"trust", "alliance", "partners", "partner", "solutions", "systems", "supply", "general",
	"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
)

// functionWords join the words of a name without naming anything.
var functionWords = setOf("the", "of", "and", "for", "in", "de", "la", "al", "el", "a", "an",
	"to", "on", "at", "by", "with", "from", "our", "my", "your", "his", "her", "its", "their")
