package sanctions

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"sync"
	"unicode"
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
	minFuzzyRunes   = 4    // shorter tokens only match exactly
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
	text       string  // the name as the list writes it
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
		n := indexedName{entry: entry, start: int32(len(ix.tokens)), quality: quality, text: text}
		for _, t := range tokens {
			tid := ix.tokenID(t)
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
		for _, t := range ix.tokens[nm.start:nm.end] {
			nm.sumWeight += ix.weight[t]
		}
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

// lookupKey recognises queries that name an entry exactly: an IMO number
// ("IMO 9191773" or the bare seven digits) or a reference number ("KPi.077").
func (ix *Index) lookupKey(query string) []int32 {
	q := strings.TrimSpace(query)
	digits := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(strings.ToUpper(q), "IMO"), ":"))
	if len(digits) == 7 && strings.IndexFunc(digits, func(r rune) bool { return !unicode.IsDigit(r) }) < 0 {
		if ids := ix.byIMO[digits]; len(ids) > 0 {
			return ids
		}
	}
	return ix.byRef[strings.ToLower(q)]
}

// Search finds the entries whose names best match query, best first, at most
// one hit per entry.
func (ix *Index) Search(query string, opt SearchOptions) []Hit {
	if opt.Limit <= 0 {
		opt.Limit = DefaultLimit
	}
	if opt.MinScore <= 0 {
		opt.MinScore = DefaultMinScore
	}
	if ids := ix.lookupKey(query); len(ids) > 0 {
		return ix.exactHits(ids, opt)
	}
	s := ix.scratch.Get().(*scratch)
	defer ix.scratch.Put(s)
	s.resetSearch()
	raw := nameTokens(query)
	ix.searchSpelling(s, raw, 1, opt)
	if latin := transliterate(raw); latin != nil {
		ix.searchSpelling(s, latin, transliterated, opt)
	}
	return ix.bestPerEntry(s, opt)
}

// searchSpelling adds the hits of one spelling of the query, their scores
// multiplied by factor.
func (ix *Index) searchSpelling(s *scratch, raw []string, factor float64, opt SearchOptions) {
	if len(raw) > maxQueryTokens {
		raw = raw[:maxQueryTokens]
	}
	tokens := romanizeAll(raw)
	from := len(s.hits)
	for _, joined := range joinedKeys(raw, tokens) {
		ix.addJoinedHits(s, joined, opt)
	}
	for _, variant := range ix.queryVariants(raw, tokens) {
		ix.searchVariant(s, variant, opt)
	}
	for i := from; i < len(s.hits); i++ {
		s.hits[i].score *= factor
	}
}

// addJoinedHits scores names that spell the query once spaces and hyphens
// are gone as exact matches.
func (ix *Index) addJoinedHits(s *scratch, joined string, opt SearchOptions) {
	for _, name := range ix.byJoined[joined] {
		if ix.wanted(name, opt) {
			s.hits = append(s.hits, scored{name: name, score: float64(ix.names[name].quality)})
		}
	}
}

func (ix *Index) wanted(name int32, opt SearchOptions) bool {
	return opt.List == "" || ix.entries[ix.names[name].entry].List == opt.List
}

// queryVariants are the query's tokens, and the same with one token split in
// two ("jongun" → "jong un") or two tokens joined ("chong chon" →
// "chongchon") where the index knows the result, for names that the list and
// the query hyphenate differently.
func (ix *Index) queryVariants(raw, tokens []string) [][]string {
	variants := [][]string{tokens}
	const maxVariants = 6
	for i, t := range raw {
		if ix.known(tokens[i]) || !isASCII(t) {
			continue // split only what the index does not know whole
		}
		for p := 2; p <= len(t)-2 && len(variants) < maxVariants && len(raw) < maxQueryTokens; p++ {
			left, right := romanize(t[:p]), romanize(t[p:])
			if ix.known(left) && ix.known(right) {
				variants = append(variants, slices.Concat(tokens[:i], []string{left, right}, tokens[i+1:]))
			}
		}
	}
	for i := 0; i+1 < len(raw) && len(variants) < maxVariants; i++ {
		if joined := romanize(raw[i] + raw[i+1]); ix.known(joined) {
			variants = append(variants, slices.Concat(tokens[:i], []string{joined}, tokens[i+2:]))
		}
	}
	return variants
}

func (ix *Index) known(token string) bool {
	_, ok := ix.vocab[token]
	return ok && isASCII(token)
}

func (ix *Index) searchVariant(s *scratch, tokens []string, opt SearchOptions) {
	s.resetVariant()
	q := ix.prepare(s, tokens)
	ix.collectCandidates(s, q, opt.MinScore)
	for _, name := range s.candidates {
		if score := ix.score(s, q, name); score >= opt.MinScore && ix.wanted(name, opt) {
			s.hits = append(s.hits, scored{name: name, score: score})
		}
	}
}

func (ix *Index) exactHits(ids []int32, opt SearchOptions) []Hit {
	var hits []Hit
	for _, id := range ids {
		e := &ix.entries[id]
		if (opt.List == "" || e.List == opt.List) && len(hits) < opt.Limit {
			hits = append(hits, Hit{Entry: e, Matched: e.Name, Score: 1})
		}
	}
	return hits
}

// query is a normalized query: its tokens, their weights, and the index
// tokens similar to each.
type query struct {
	tokens    []string
	weights   [maxQueryTokens]float32
	sumWeight float32
	initials  [maxQueryTokens]rune // a one-letter token ("M." in "M. Qadhafi"), else 0
}

// prepare finds, for each query token, the index tokens like it, and records
// their similarity in the scratch table.
func (ix *Index) prepare(s *scratch, tokens []string) *query {
	q := &s.query
	*q = query{tokens: tokens}
	for i, t := range tokens {
		w := ix.maxWeight
		if id, ok := ix.vocab[t]; ok {
			w = ix.weight[id]
		}
		if len(t) == 1 && 'a' <= t[0] && t[0] <= 'z' {
			// An initial says little: it weighs little, and stands for any
			// name that starts with it.
			q.initials[i] = rune(t[0])
			w = min(w, ix.maxWeight*initialWeight)
		}
		q.weights[i] = w
		q.sumWeight += w
		for _, m := range ix.similarTokens(s, t) {
			s.setSim(m.token, i, m.sim)
		}
	}
	return q
}

type tokenMatch struct {
	token int32
	sim   float32
}

// similarTokens returns the index tokens like t: itself, and those within
// Jaro–Winkler reach found through shared trigrams rather than by scanning
// the vocabulary. Results are kept for the other variants of the query.
func (ix *Index) similarTokens(s *scratch, t string) []tokenMatch {
	if m, ok := s.similar[t]; ok {
		return m
	}
	var matches []tokenMatch
	id, known := ix.vocab[t]
	if known {
		matches = append(matches, tokenMatch{id, 1})
	}
	r := []rune(t)
	if len(r) >= minFuzzyRunes {
		grams := 0
		s.touched = s.touched[:0]
		forEachGram(r, func(g uint64) {
			grams++
			for _, v := range ix.grams[g] {
				if s.gramCount[v] == 0 {
					s.touched = append(s.touched, v)
				}
				s.gramCount[v]++
			}
		})
		need := uint16(max(2, grams*3/10))
		for _, v := range s.touched {
			count := s.gramCount[v]
			s.gramCount[v] = 0
			other := ix.vocabText[v]
			if !worthComparing(r, other, count, need) || (known && v == id) {
				continue
			}
			if jw := jaroWinkler(r, other); jw >= jwFloor {
				matches = append(matches, tokenMatch{v, tokenSimilarity(jw)})
			}
		}
	}
	s.similar[t] = matches
	return matches
}

// worthComparing is the cheap test before Jaro–Winkler: enough shared
// trigrams, or (for a transposition in a short token, which breaks most of
// them) the same length give or take one and the same first and last rune.
func worthComparing(a, b []rune, shared, need uint16) bool {
	diff := abs(len(a) - len(b))
	if diff > 3 {
		return false
	}
	return shared >= need || (diff <= 1 && a[0] == b[0] && a[len(a)-1] == b[len(b)-1])
}

// tokenSimilarity stretches Jaro–Winkler's compressed upper range: 0.96
// (one typo in a long token) stays close to 1 at 0.92, 0.88 ("chol" and
// "chon", two different names) drops to 0.76, and the floor 0.84 to 0.68.
// The factor was chosen on the evaluation set (eval_test.go).
func tokenSimilarity(jw float64) float32 {
	return float32(1 - (1-jw)*2)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// collectCandidates gathers the names holding a token like a query token.
// The query tokens with the longest posting lists are skipped as long as a
// name matching none of the others could not reach minScore: its share of
// the query would stay below 2·minScore−1, so its score below minScore.
func (ix *Index) collectCandidates(s *scratch, q *query, minScore float64) {
	var cost [maxQueryTokens]int
	for slot, v := range s.slotVocab {
		for i := range q.tokens {
			if s.rows[slot][i] > 0 {
				cost[i] += len(ix.postings[v])
			}
		}
	}
	order := make([]int, len(q.tokens))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(cost[b], cost[a]) })
	var skip [maxQueryTokens]bool
	var skipped float32
	budget := float32(2*minScore-1) * q.sumWeight
	for _, i := range order {
		if skipped+q.weights[i] >= budget {
			break
		}
		skipped += q.weights[i]
		skip[i] = true
	}
	for slot, v := range s.slotVocab {
		for i := range q.tokens {
			if !skip[i] && s.rows[slot][i] > 0 {
				for _, name := range ix.postings[v] {
					s.addCandidate(name)
				}
				break
			}
		}
	}
}

// score compares a query with one indexed name: the weighted share of the
// query found in the name and of the name found in the query, so that both
// missing and extra tokens cost in proportion to their rarity. Tokens pair
// one to one, best pairs first, so "Ali Ali" does not fully match "Ali".
func (ix *Index) score(s *scratch, q *query, name int32) float64 {
	n := &ix.names[name]
	tokens := ix.tokens[n.start:n.end]
	if len(tokens) > maxPairedTokens {
		tokens = tokens[:maxPairedTokens] // the rest count as unmatched
	}
	var sims [maxQueryTokens][maxPairedTokens]float32
	pairs := 0
	for j, t := range tokens {
		slot := s.vocabSlot[t]
		for i := range q.tokens {
			var sim float32
			if slot >= 0 {
				sim = s.rows[slot][i]
			}
			if q.initials[i] != 0 && ix.vocabText[t][0] == q.initials[i] {
				sim = max(sim, initialSim)
			}
			if sim > 0 {
				sims[i][j] = sim
				pairs++
			}
		}
	}
	var queryCovered, nameCovered float32
	var usedQuery [maxQueryTokens]bool
	var usedName [maxPairedTokens]bool
	for ; pairs > 0; pairs-- {
		bi, bj, best := -1, -1, float32(0)
		for i := range q.tokens {
			if usedQuery[i] {
				continue
			}
			for j := range tokens {
				if !usedName[j] && sims[i][j] > best {
					bi, bj, best = i, j, sims[i][j]
				}
			}
		}
		if bi < 0 {
			break
		}
		usedQuery[bi], usedName[bj] = true, true
		queryCovered += best * q.weights[bi]
		nameCovered += best * ix.weight[tokens[bj]]
	}
	score := queryShare*queryCovered/q.sumWeight + (1-queryShare)*nameCovered/n.sumWeight
	return float64(score * n.quality)
}

// bestPerEntry keeps each entry's best hit at or above the threshold, best
// first; equal scores keep the list order.
func (ix *Index) bestPerEntry(s *scratch, opt SearchOptions) []Hit {
	slices.SortFunc(s.hits, func(a, b scored) int {
		return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(ix.names[a.name].entry, ix.names[b.name].entry), cmp.Compare(a.name, b.name))
	})
	var hits []Hit
	for _, h := range s.hits {
		n := &ix.names[h.name]
		if h.score < opt.MinScore || !s.firstOfEntry(n.entry) {
			continue // lowered below the threshold by a factor, or not the entry's best
		}
		hits = append(hits, Hit{Entry: &ix.entries[n.entry], Matched: n.text, Score: math.Round(h.score*1000) / 1000})
		if len(hits) == opt.Limit {
			break
		}
	}
	return hits
}

// LookupResult is a hit in the JSON form of `embargo lookup --json`
// (DESIGN.md) and of the /lookup embed's fields.
type LookupResult struct {
	List     string   `json:"list"`
	Ref      string   `json:"ref"`
	Name     string   `json:"name"`
	Matched  string   `json:"matched"`
	Type     string   `json:"type"`
	Score    float64  `json:"score"`
	Program  string   `json:"program"`
	ListedOn string   `json:"listed_on"`
	Aliases  []string `json:"aliases"`
	IMO      string   `json:"imo,omitempty"`
}

// Result describes the hit for output.
func (h Hit) Result() LookupResult {
	aliases := h.Entry.AliasNames()
	if aliases == nil {
		aliases = []string{}
	}
	return LookupResult{
		List: h.Entry.List, Ref: h.Entry.Ref, Name: h.Entry.Name, Matched: h.Matched, Type: h.Entry.Type,
		Score: h.Score, Program: h.Entry.Program(), ListedOn: h.Entry.ListedOn, Aliases: aliases, IMO: h.Entry.IMO,
	}
}
