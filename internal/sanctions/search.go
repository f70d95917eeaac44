package sanctions

import (
	"cmp"
	"math"
	"regexp"
	"slices"
	"strings"
)

// imoQuery is an IMO number as users and the UN list write it: "IMO
// 9191773", "IMO: 9191773", "IMO No. 9191773", "IMO number 9191773", or the
// bare seven digits.
var imoQuery = regexp.MustCompile(`(?i)^(?:IMO\b\.?\s*(?:(?:no|nr|num|number)\b\.?)?\s*[:#]?\s*)?(\d{7})$`)

// lookupKey recognises queries that name an entry exactly: an IMO number or
// a reference number ("KPi.077").
func (ix *Index) lookupKey(query string) []int32 {
	q := strings.TrimSpace(query)
	if m := imoQuery.FindStringSubmatch(q); m != nil {
		if ids := ix.byIMO[m[1]]; len(ids) > 0 {
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
	for k, variant := range ix.queryVariants(raw, tokens) {
		spelled := raw // the first variant is the query's own tokens
		if k > 0 {
			spelled = nil
		}
		ix.searchVariant(s, variant, spelled, opt)
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
			n := &ix.names[name]
			s.hits = append(s.hits, scored{name: name, score: float64(n.quality * n.specificity)})
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

func (ix *Index) searchVariant(s *scratch, tokens, spelled []string, opt SearchOptions) {
	s.resetVariant()
	q := ix.prepare(s, tokens, spelled)
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
// their similarity in the scratch table. spelled, when not nil, holds the
// tokens as the query spells them, before romanization.
func (ix *Index) prepare(s *scratch, tokens, spelled []string) *query {
	q := &s.query
	*q = query{tokens: tokens}
	for i, t := range tokens {
		raw := t
		if spelled != nil {
			raw = spelled[i]
		}
		matches := ix.similarTokens(s, t, raw)
		w := ix.unknownWeight(matches)
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
		for _, m := range matches {
			s.setSim(m.token, i, m.sim)
		}
	}
	return q
}

// unknownWeight is the weight of a query token the index does not know:
// that of the token it most likely misspells, so that a typo in "Bank"
// weighs as little as "Bank"; as the rarest token when it is like none.
func (ix *Index) unknownWeight(matches []tokenMatch) float32 {
	w, best := ix.maxWeight, float32(0)
	for _, m := range matches {
		if m.sim > best || (m.sim == best && ix.weight[m.token] > w) {
			w, best = ix.weight[m.token], m.sim
		}
	}
	return w
}

type tokenMatch struct {
	token int32
	sim   float32
}

// similarTokens returns the index tokens like t (spelled raw before
// romanization): itself, those within Jaro–Winkler reach found through
// shared trigrams rather than by scanning the vocabulary, and, for short
// tokens, those one edit away. Results are kept for the other variants of
// the query.
func (ix *Index) similarTokens(s *scratch, t, raw string) []tokenMatch {
	key := t + "\x00" + raw
	if m, ok := s.similar[key]; ok {
		return m
	}
	var matches []tokenMatch
	id, known := ix.vocab[t]
	if known {
		matches = append(matches, tokenMatch{id, 1})
	}
	r := []rune(t)
	if len(r) >= minFuzzyRunes {
		matches = ix.trigramNeighbors(s, r, id, known, matches)
	}
	matches = ix.editNeighbors(t, matches)
	if raw != t {
		matches = ix.editNeighbors(raw, matches)
	}
	s.similar[key] = matches
	return matches
}

func (ix *Index) trigramNeighbors(s *scratch, r []rune, id int32, known bool, matches []tokenMatch) []tokenMatch {
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
	return matches
}

// editNeighbors adds the tokens whose spelling is one edit (a substitution,
// insertion, deletion or transposition) from the short token t: "Um" and
// "Un", "Kin" and "Kim", "Bnak" and "Bank", "Jomg" and "Jong". Their
// similarity is at least editSim, so a typo in a short token counts for
// something but a name matches only when its other tokens match well.
func (ix *Index) editNeighbors(t string, matches []tokenMatch) []tokenMatch {
	if !isASCII(t) || len(t) < minEditRunes || len(t) > maxEditRunes {
		return matches
	}
	r := []rune(t)
	forEachDeletion(t, func(key string) {
		for _, f := range ix.edits[key] {
			form := &ix.editForms[f]
			if form.text == t || (len(r) == minEditRunes && len(form.runes) != minEditRunes) {
				continue // the token itself; or "al" against "ali", "all", "bal"…: too loose
			}
			sim := float32(editSim) // one edit in a token of two or three letters
			if len(r) >= minFuzzyRunes && len(form.runes) >= minFuzzyRunes {
				sim = max(tokenSimilarity(jaroWinkler(r, form.runes)), editSim)
			}
			matches = addMatch(matches, form.token, sim)
		}
	})
	return matches
}

// addMatch adds token to matches, or raises its similarity.
func addMatch(matches []tokenMatch, token int32, sim float32) []tokenMatch {
	for i := range matches {
		if matches[i].token == token {
			matches[i].sim = max(matches[i].sim, sim)
			return matches
		}
	}
	return append(matches, tokenMatch{token, sim})
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
// A name scores at most queryShare·(its share of the query) + (1−queryShare),
// so one that matches only some query tokens cannot reach minScore when
// their weight is below reach·sumWeight, reach = (minScore − (1−queryShare))
// / queryShare. Tokens that generate no candidates (initials, unknown
// words) count against that budget first; then the tokens with the longest
// posting lists are skipped while the skipped weight stays below it.
func (ix *Index) collectCandidates(s *scratch, q *query, minScore float64) {
	var cost [maxQueryTokens]int
	for slot, v := range s.slotVocab {
		for i := range q.tokens {
			if s.rows[slot][i] > 0 {
				cost[i] += len(ix.postings[v])
			}
		}
	}
	var skip [maxQueryTokens]bool
	var unseen float32 // weight no candidate generation can cover
	order := make([]int, 0, len(q.tokens))
	for i := range q.tokens {
		if cost[i] == 0 {
			unseen += q.weights[i]
		} else {
			order = append(order, i)
		}
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(cost[b], cost[a]) })
	budget := float32((minScore-(1-queryShare))/queryShare) * q.sumWeight
	for _, i := range order {
		if unseen+q.weights[i] >= budget {
			break
		}
		unseen += q.weights[i]
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
	// evidence is what the matched tokens tell apart: Σ similarity ×
	// rarity². A match on common tokens only ("Hassan", "Mohammed Ali")
	// is scaled down in proportion, however completely they match: such
	// names are shared by too many people to identify anyone.
	var queryCovered, nameCovered, evidence float32
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
		w := ix.weight[tokens[bj]]
		nameCovered += best * w
		rarity := min(w, q.weights[bi]) / ix.maxWeight // "Omar" is no rarer for matching "OMARI"
		evidence += best * rarity * rarity
	}
	score := queryShare*queryCovered/q.sumWeight + (1-queryShare)*nameCovered/n.sumWeight
	return float64(score * n.quality * specificity(evidence))
}

// specificity scales the score of a match by its evidence (see score):
// 1 from the evidence of one token of rareWeight up.
func specificity(evidence float32) float32 {
	return min(1, evidence/(rareWeight*rareWeight))
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
