package sanctions

import (
	"math"
	"strings"
	"sync"
)

// DefaultMinScore is the score a hit needs by default. On the evaluation set
// in eval_test.go it keeps recall@1 of real spelling variants high while
// names on no list rarely reach it.
const DefaultMinScore = 0.80

// DefaultLimit is how many hits Search returns by default.
const DefaultLimit = 10

// Tuning of the fuzzy scoring.
const (
	maxQueryTokens  = 12   // further query tokens are ignored
	maxPairedTokens = 24   // further tokens of a listed name count as unmatched
	minFuzzyRunes   = 4    // shorter tokens match by trigrams only exactly
	minEditRunes    = 2    // tokens this long or longer match one edit away…
	maxEditRunes    = 5    // …up to this long, where a typo breaks most trigrams
	editSim         = 0.6  // least similarity of tokens one edit apart
	rareWeight      = 0.63 // a match needs evidence worth a token this rare (share of the rarest token's weight)
	jwFloor         = 0.84 // token pairs less similar than this count as different
	lowQuality      = 0.90 // factor for low-quality aliases
	transliterated  = 0.99 // factor for matches of a query spelled in another script
	initialWeight   = 0.25 // weight of a one-letter query token, as a share of the rarest token's
	initialSim      = 0.6  // similarity of an initial to a name starting with it
	queryShare      = 0.6  // weight of the query part found in a name, against the name part found in the query
)

// Index is a fuzzy name index over the entries of one or more lists. It is
// immutable once built and safe for concurrent searches.
type Index struct {
	entries []Entry
	names   []indexedName
	tokens  []int32 // the names' token ids, names[i].start:end

	vocab     map[string]int32
	vocabText [][]rune
	weight    []float32 // rarity (IDF) of each token
	postings  [][]int32 // token id → ids of the names holding it
	grams     map[uint64][]int32
	maxWeight float32

	// edits maps a short spelling, and each spelling of it with one rune
	// deleted, to the spellings in editForms: two spellings one edit apart
	// share a key. Spellings are the romanized tokens and the tokens as
	// the list writes them ("jong" for "chong").
	edits     map[string][]int32
	editForms []editForm
	formIDs   map[string]int32

	byJoined map[string][]int32 // tokens joined without spaces → name ids
	byIMO    map[string][]int32 // IMO number → entry ids
	byRef    map[string][]int32 // lower-case reference → entry ids

	scratch sync.Pool
}

// indexedName is one searchable spelling of an entry.
type indexedName struct {
	entry      int32
	start, end int32
	quality    float32 // 1, or lowQuality for low-quality aliases
	sumWeight  float32 // Σ weight of its tokens
	// specificity is the factor an exact match of the name gets for its
	// evidence: below 1 for names of common tokens only.
	specificity float32
	text        string // the name as the list writes it
}

// Hit is one search result.
type Hit struct {
	Entry   *Entry
	Matched string  // the name, alias or original-script name that matched
	Score   float64 // 0..1
}

// SearchOptions narrow a search.
type SearchOptions struct {
	Limit    int     // at most this many hits; 0 means DefaultLimit
	MinScore float64 // hits below are dropped; 0 means DefaultMinScore
	List     string  // only this list; "" means every list
}

// NewIndex indexes every name, alias and original-script name of entries.
// The index keeps entries (hits point into it): do not modify them after.
func NewIndex(entries []Entry) *Index {
	ix := &Index{
		entries:  entries,
		vocab:    map[string]int32{},
		grams:    map[uint64][]int32{},
		edits:    map[string][]int32{},
		formIDs:  map[string]int32{},
		byJoined: map[string][]int32{},
		byIMO:    map[string][]int32{},
		byRef:    map[string][]int32{},
	}
	for i := range entries {
		ix.addEntry(int32(i), &entries[i])
	}
	ix.computeWeights()
	ix.scratch.New = func() any { return ix.newScratch() }
	return ix
}

// Len is the number of entries in the index.
func (ix *Index) Len() int { return len(ix.entries) }

func (ix *Index) addEntry(id int32, e *Entry) {
	ix.byRef[strings.ToLower(e.Ref)] = append(ix.byRef[strings.ToLower(e.Ref)], id)
	if e.IMO != "" {
		ix.byIMO[e.IMO] = append(ix.byIMO[e.IMO], id)
	}
	individual := e.Type == TypeIndividual
	ix.addName(id, e.Name, individual, 1)
	for _, a := range e.Aliases {
		q := float32(1)
		if a.Quality == QualityLow {
			q = lowQuality
		}
		ix.addName(id, a.Name, individual, q)
	}
	for _, n := range e.OriginalScript {
		ix.addName(id, n, individual, 1)
	}
}

func (ix *Index) addName(entry int32, text string, individual bool, quality float32) {
	seen := map[string]bool{}
	for _, variant := range nameVariants(text, individual) {
		raw := nameTokens(variant)
		tokens := romanizeAll(raw)
		key := strings.Join(tokens, " ")
		if len(tokens) == 0 || seen[key] {
			continue
		}
		seen[key] = true
		id := int32(len(ix.names))
		n := indexedName{entry: entry, start: int32(len(ix.tokens)), quality: quality, text: shownName(text, variant)}
		for k, t := range tokens {
			tid := ix.tokenID(t)
			ix.addEditForm(t, tid)
			ix.addEditForm(raw[k], tid)
			ix.tokens = append(ix.tokens, tid)
			if p := ix.postings[tid]; len(p) == 0 || p[len(p)-1] != id {
				ix.postings[tid] = append(p, id)
			}
		}
		n.end = int32(len(ix.tokens))
		ix.names = append(ix.names, n)
		for _, joined := range joinedKeys(raw, tokens) {
			ix.byJoined[joined] = append(ix.byJoined[joined], id)
		}
	}
}

// shownName is what a hit on variant says matched: the name as listed, or,
// for one of several spellings listed in parentheses ("جبهة النصرة (the
// Victory Front; Al-Nusra Front)"), that spelling.
func shownName(listed, variant string) string {
	if strings.Contains(listed, "(") && strings.Contains(listed, ";") {
		return variant
	}
	return listed
}

// joinedKeys are a name's tokens written without spaces, as spelled and as
// romanized: "Kim Jong-un", "KIM Jongun" and "kimjongun" are one name.
func joinedKeys(raw, romanized []string) []string {
	a, b := strings.Join(raw, ""), strings.Join(romanized, "")
	if a == b {
		return []string{a}
	}
	return []string{a, b}
}

func (ix *Index) tokenID(t string) int32 {
	if id, ok := ix.vocab[t]; ok {
		return id
	}
	id := int32(len(ix.vocabText))
	ix.vocab[t] = id
	r := []rune(t)
	ix.vocabText = append(ix.vocabText, r)
	ix.postings = append(ix.postings, nil)
	if len(r) >= minFuzzyRunes {
		forEachGram(r, func(g uint64) { ix.grams[g] = append(ix.grams[g], id) })
	}
	return id
}

// editForm is a short spelling of the vocabulary token it stands for.
type editForm struct {
	text  string
	runes []rune
	token int32
}

// addEditForm indexes a short spelling under itself and under each of its
// one-rune deletions.
func (ix *Index) addEditForm(text string, token int32) {
	if _, ok := ix.formIDs[text]; ok || !isASCII(text) || len(text) < minEditRunes || len(text) > maxEditRunes {
		return
	}
	id := int32(len(ix.editForms))
	ix.formIDs[text] = id
	ix.editForms = append(ix.editForms, editForm{text, []rune(text), token})
	forEachDeletion(text, func(key string) { ix.edits[key] = append(ix.edits[key], id) })
}

// forEachDeletion calls fn with an ASCII s and with each s less one byte.
func forEachDeletion(s string, fn func(string)) {
	fn(s)
	for i := range len(s) {
		if i == 0 || s[i] != s[i-1] { // "uun" less either u is one key
			fn(s[:i] + s[i+1:])
		}
	}
}

// computeWeights sets each token's weight to its inverse document frequency
// over the indexed names, so "kim", "trading" or "al" count for less than a
// rare surname.
func (ix *Index) computeWeights() {
	n := float64(len(ix.names))
	ix.weight = make([]float32, len(ix.vocabText))
	for id, p := range ix.postings {
		ix.weight[id] = float32(math.Log(1 + n/float64(len(p))))
	}
	ix.maxWeight = float32(math.Log(1 + n))
	for i := range ix.names {
		nm := &ix.names[i]
		var evidence float32
		for _, t := range ix.tokens[nm.start:nm.end] {
			nm.sumWeight += ix.weight[t]
			rarity := ix.weight[t] / ix.maxWeight
			evidence += rarity * rarity
		}
		nm.specificity = specificity(evidence)
	}
}

// forEachGram calls fn with each rune trigram of the token padded with
// boundary marks, packed into a uint64.
func forEachGram(r []rune, fn func(uint64)) {
	const mark = 0
	at := func(i int) uint64 {
		if i < 0 || i >= len(r) {
			return mark
		}
		return uint64(r[i]) & (1<<21 - 1)
	}
	for i := -1; i < len(r)-1; i++ {
		fn(at(i)<<42 | at(i+1)<<21 | at(i+2))
	}
}
