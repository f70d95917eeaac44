package rules

import (
	"bytes"
	"cmp"
	"slices"
	"sort"
	"unicode/utf8"
)

// scratch holds the per-document working memory of a match, pooled so that
// a document costs few allocations.
type scratch struct {
	set      *Set
	text     string
	norm     *normalizer
	cased    *normalizer // for verifying case-sensitive hits
	raw      []rawHit
	hits     []hit
	inSlot   [][]int32               // per group slot: indexes of its hits
	unless   [][]int32               // per group slot: indexes of its exclusion hits
	slots    []int32                 // slots with hits or exclusions
	rules    []*Rule                 // rules with a slot in slots
	marked   []bool                  // per rule index: in rules
	words    []int32                 // normalized offsets where words start
	worded   bool                    // hits have word indexes
	longest  int32                   // the most words between the first and last word of a hit
	used     []bool                  // per hit: part of why the rule being evaluated fired
	qdone    map[int32]foundQuantity // per hit: the quantity next to it, once looked for
	qtoks    []qtoken
	qnumbers []int // where the numbers of the quantities of the result being built start
	merged   []groupHit
	groupPos []int
}

// hit is a verified occurrence of a variant in the normalized text.
type hit struct {
	v          int32
	start, end int32 // normalized offsets
	ws, we     int32 // word index of the first and last character
}

func newScratch(s *Set) *scratch {
	return &scratch{
		set:    s,
		norm:   newNormalizer(true),
		cased:  newNormalizer(false),
		inSlot: make([][]int32, len(s.slotGroup)),
		unless: make([][]int32, len(s.slotGroup)),
		marked: make([]bool, len(s.rules)),
	}
}

// MaxTextBytes is the most of a text that Match reads: offsets are kept in
// 32 bits, even after NFKC, which may grow a text elevenfold. Callers cap
// their inputs far below this; the limit only keeps a runaway input from
// breaking the matcher.
const MaxTextBytes = 128 << 20

// Match returns the rules that fire on text, in file order. Offsets in the
// results are byte offsets into text. A text longer than MaxTextBytes is
// matched on its first MaxTextBytes bytes.
func (s *Set) Match(text string) []Result {
	sc := s.prepare(text)
	defer s.release(sc)
	var results []Result
	for _, r := range sc.rules {
		if res, ok := sc.evaluate(r); ok {
			results = append(results, res)
		}
	}
	return results
}

// prepare normalizes and scans text, and sorts the hits into group slots.
func (s *Set) prepare(text string) *scratch {
	sc := s.scratch.Get().(*scratch)
	if len(text) > s.maxText {
		cut := s.maxText
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	sc.text = text
	sc.worded = false
	sc.norm.normalize(text)
	sc.raw = s.auto.scan(sc.norm.text, sc.raw[:0])
	sc.hits = sc.hits[:0]
	for _, h := range sc.raw {
		start := h.end - s.auto.patLen[h.pat]
		for _, vi := range s.patVariants[h.pat] {
			v := &s.variants[vi]
			if sc.verify(v, int(start), int(h.end)) {
				sc.hits = append(sc.hits, hit{v: vi, start: start, end: sc.wordEnd(v, h.end)})
			}
		}
	}
	slices.SortStableFunc(sc.hits, func(a, b hit) int {
		return cmp.Or(cmp.Compare(a.start, b.start), cmp.Compare(a.end, b.end))
	})
	for i, h := range sc.hits {
		for _, ref := range s.variants[h.v].refs {
			sc.file(ref, int32(i))
		}
	}
	slices.SortFunc(sc.rules, func(a, b *Rule) int { return a.index - b.index })
	return sc
}

func (sc *scratch) file(ref termRef, hit int32) {
	list := &sc.inSlot[ref.slot]
	if ref.unless {
		list = &sc.unless[ref.slot]
	}
	if len(sc.inSlot[ref.slot]) == 0 && len(sc.unless[ref.slot]) == 0 {
		sc.slots = append(sc.slots, ref.slot)
	}
	*list = append(*list, hit)
	r := sc.set.slotRule[ref.slot]
	if !sc.marked[r.index] {
		sc.marked[r.index] = true
		sc.rules = append(sc.rules, r)
	}
}

func (s *Set) release(sc *scratch) {
	for _, slot := range sc.slots {
		sc.inSlot[slot] = sc.inSlot[slot][:0]
		sc.unless[slot] = sc.unless[slot][:0]
	}
	for _, r := range sc.rules {
		sc.marked[r.index] = false
	}
	sc.slots, sc.rules = sc.slots[:0], sc.rules[:0]
	sc.text = ""
	clear(sc.qdone)
	if cap(sc.norm.text) > 1<<20 { // do not keep a huge document's buffers
		sc.norm.text, sc.norm.src, sc.raw, sc.hits, sc.words = nil, nil, nil, nil, nil
	}
	s.scratch.Put(sc)
}

// verify checks a hit against the variant's word boundaries and case.
func (sc *scratch) verify(v *variant, start, end int) bool {
	text := sc.norm.text
	if v.startBound && wordBefore(text, start) {
		return false
	}
	if v.endBound && wordAt(text, end) {
		return false
	}
	if v.caseSensitive {
		from, to := sc.norm.origSpan(start, end)
		sc.cased.normalize(sc.text[from:to])
		return string(bytes.TrimSpace(sc.cased.text)) == v.caseKey
	}
	return true
}

// wordEnd extends a hit of a term that may run on (a prefix or Hangul
// term) to the end of its word, so that the whole word is reported.
func (sc *scratch) wordEnd(v *variant, end int32) int32 {
	if v.endBound || !v.runsOn {
		return end
	}
	text := sc.norm.text
	for int(end) < len(text) && wordAt(text, int(end)) {
		_, size := utf8.DecodeRune(text[end:])
		end += int32(size)
	}
	return end
}

// evaluate applies the rule's exclusions and condition to the hits.
func (sc *scratch) evaluate(r *Rule) (Result, bool) {
	for _, g := range r.groups {
		sc.applyUnless(g)
	}
	if !sc.eval(r.cond, r) {
		return Result{}, false
	}
	sc.used = slices.Grow(sc.used[:0], len(sc.hits))[:len(sc.hits)]
	clear(sc.used)
	sc.collect(r.cond, r)
	return sc.result(r), true
}

// applyUnless drops the group's hits that have an exclusion within its
// distance. It runs once per rule and document.
func (sc *scratch) applyUnless(g *group) {
	excl := sc.unless[g.slot]
	if len(excl) == 0 || len(sc.inSlot[g.slot]) == 0 {
		return
	}
	sc.wordIndexes()
	kept := sc.inSlot[g.slot][:0]
	for _, h := range sc.inSlot[g.slot] {
		if !sc.anyNear(h, excl, g.within) {
			kept = append(kept, h)
		}
	}
	sc.inSlot[g.slot] = kept
	sc.unless[g.slot] = excl[:0]
}

func (sc *scratch) groupHits(r *Rule, c *cond) []int32 {
	return sc.inSlot[r.groups[c.slot].slot]
}

func (sc *scratch) eval(c *cond, r *Rule) bool {
	switch c.op {
	case opGroup:
		return len(sc.groupHits(r, c)) > 0
	case opCount:
		return len(sc.groupHits(r, c)) >= c.n
	case opAnd:
		return sc.eval(c.args[0], r) && sc.eval(c.args[1], r)
	case opOr:
		return sc.eval(c.args[0], r) || sc.eval(c.args[1], r)
	case opNot:
		return !sc.eval(c.args[0], r)
	case opNear:
		a, b := sc.groupHits(r, c.args[0]), sc.groupHits(r, c.args[1])
		if len(a) == 0 || len(b) == 0 {
			return false
		}
		sc.wordIndexes()
		for _, h := range a {
			if sc.anyNear(h, b, c.n) {
				return true
			}
		}
		return false
	case opAtLeast:
		k := 0
		for _, a := range c.args {
			if sc.eval(a, r) {
				k++
				if k >= c.n {
					return true
				}
			}
		}
		return false
	}
	return false
}

// collect marks the hits that make a true condition true.
func (sc *scratch) collect(c *cond, r *Rule) {
	switch c.op {
	case opGroup, opCount:
		for _, h := range sc.groupHits(r, c) {
			sc.used[h] = true
		}
	case opAnd, opOr, opAtLeast:
		for _, a := range c.args {
			if sc.eval(a, r) {
				sc.collect(a, r)
			}
		}
	case opNear:
		a, b := sc.groupHits(r, c.args[0]), sc.groupHits(r, c.args[1])
		for _, h := range a {
			sc.eachNear(h, b, c.n, func(k int32) bool {
				sc.used[h], sc.used[k] = true, true
				return true
			})
		}
	}
}

// anyNear reports whether a hit of others is within n words of hit h.
// others is in text order, so the search starts near h.
func (sc *scratch) anyNear(h int32, others []int32, n int) bool {
	found := false
	sc.eachNear(h, others, n, func(int32) bool {
		found = true
		return false
	})
	return found
}

// eachNear calls fn for the hits of others within n words of hit h, in
// text order, until fn returns false. others is in text order, so the
// search starts near h.
func (sc *scratch) eachNear(h int32, others []int32, n int, fn func(int32) bool) {
	a := &sc.hits[h]
	// others are ordered by first word, not by last: step back by the
	// longest hit so that a long hit ending near h is not skipped.
	from := sort.Search(len(others), func(i int) bool {
		return sc.hits[others[i]].ws >= a.ws-int32(n)-1-sc.longest
	})
	for _, k := range others[from:] {
		if sc.hits[k].ws > a.we+int32(n)+1 {
			return
		}
		if sc.wordDistance(h, k) <= n && !fn(k) {
			return
		}
	}
}

// wordDistance is the number of words between two hits; 0 when they are
// adjacent or overlap.
func (sc *scratch) wordDistance(i, j int32) int {
	a, b := &sc.hits[i], &sc.hits[j]
	return int(max(0, max(a.ws, b.ws)-min(a.we, b.we)-1))
}

// wordIndexes gives every hit the index of its first and last word. It is
// computed once per document, and only when a rule needs distances.
func (sc *scratch) wordIndexes() {
	if sc.worded {
		return
	}
	sc.worded = true
	sc.longest = 0
	sc.words = wordStarts(sc.norm.text, sc.words[:0])
	// Hits are in order of their start, so one walk over the word starts
	// finds every first word; a hit's last word is a few starts further.
	w := 0
	for i := range sc.hits {
		h := &sc.hits[i]
		for w+1 < len(sc.words) && sc.words[w+1] <= h.start {
			w++
		}
		last := w
		for last+1 < len(sc.words) && sc.words[last+1] < h.end {
			last++
		}
		h.ws, h.we = int32(w), int32(last)
		sc.longest = max(sc.longest, h.we-h.ws)
	}
}

// wordStarts appends the offsets where words start in normalized text. A
// Han or kana character counts as a word of its own; "6,000" is one word.
func wordStarts(text []byte, starts []int32) []int32 {
	inWord := false
	for i := 0; i < len(text); {
		c := text[i]
		if c < 0x80 {
			w := asciiWord[c] || inWord && (c == ',' || c == '.') && i+1 < len(text) && isDigit(text[i+1]) && i > 0 && isDigit(text[i-1])
			if w && !inWord {
				starts = append(starts, int32(i))
			}
			inWord = w
			i++
			continue
		}
		r, size := utf8.DecodeRune(text[i:])
		switch {
		case isHanKana(r):
			starts = append(starts, int32(i))
			inWord = false
		case isWordRune(r):
			if !inWord {
				starts = append(starts, int32(i))
			}
			inWord = true
		default:
			inWord = false
		}
		i += size
	}
	return starts
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
