package rules

import (
	"maps"
	"slices"
	"sync"
	"unicode/utf8"
)

// Set is a compiled rule file. It is immutable and safe for concurrent use.
type Set struct {
	rules    []*Rule
	byID     map[string]*Rule
	sources  []Source
	lists    []List
	lexicons map[string][]string

	auto        *automaton
	patVariants [][]int32 // per automaton pattern: the variants that share its normalized text
	variants    []variant
	slotRule    []*Rule  // per group slot: its rule
	slotGroup   []*group // per group slot: the group
	maxText     int      // longer texts are matched on their first maxText bytes

	scratch sync.Pool
}

// variant is one way a pattern was configured: a term of a lexicon or group,
// or a watchlist name, with the checks a hit must pass.
type variant struct {
	term          string // as written
	caseSensitive bool
	caseKey       string // normalized without case folding; case-sensitive terms only
	startBound    bool   // the character before a hit must not be part of a word
	endBound      bool   // the character after a hit must not be part of a word
	runsOn        bool   // a hit extends to the end of its word (prefix and Hangul terms)
	watch         *WatchTerm
	refs          []termRef
}

// termRef says which group a variant's hits go to.
type termRef struct {
	slot   int32
	unless bool // the hit is an exclusion for the group, not a hit of it
}

// Rules returns the rules in file order. The rules are shared: read them,
// do not change them.
func (s *Set) Rules() []*Rule { return s.rules }

// Rule returns the rule with the given id.
func (s *Set) Rule(id string) (*Rule, bool) {
	r, ok := s.byID[id]
	return r, ok
}

// Sources returns the configured sources in file order.
func (s *Set) Sources() []Source { return s.sources }

// Lists returns the configured sanctions lists in file order.
func (s *Set) Lists() []List { return s.lists }

// Lexicons returns every lexicon's terms as written.
func (s *Set) Lexicons() map[string][]string { return maps.Clone(s.lexicons) }

// compiler builds the automaton's patterns and variants.
type compiler struct {
	set      *Set
	folded   *normalizer // terms as looked for
	cased    *normalizer // case-sensitive terms as verified
	patterns [][]byte
	patIndex map[string]int32
	varIndex map[variantKey]int32
}

type variantKey struct {
	pat           int32
	term          string
	caseSensitive bool
	prefix        bool
	watch         *WatchTerm
}

func compile(f *file, o options) *Set {
	s := &Set{
		rules: f.rules, byID: map[string]*Rule{},
		sources: f.sources, lists: f.lists, lexicons: map[string][]string{},
		maxText: MaxTextBytes,
	}
	for _, name := range f.lexOrder {
		s.lexicons[name] = written(f.lexicons[name])
	}
	n := termCount(f.rules, len(o.watchlist))
	c := &compiler{
		set: s, folded: newNormalizer(true), cased: newNormalizer(false),
		patIndex: make(map[string]int32, n), varIndex: make(map[variantKey]int32, n),
	}
	s.variants = make([]variant, 0, n)
	s.patVariants = make([][]int32, 0, n)
	watchlist := slices.Clone(o.watchlist) // results point into it; the caller's slice may change
	for _, r := range f.rules {
		s.byID[r.ID] = r
		for _, g := range r.groups {
			c.addGroup(r, g, watchlist)
		}
	}
	s.auto = buildAutomaton(c.patterns)
	s.scratch.New = func() any { return newScratch(s) }
	return s
}

// termCount estimates the number of terms to compile, to size tables once.
func termCount(rules []*Rule, watchTerms int) int {
	n := 0
	for _, r := range rules {
		for _, g := range r.groups {
			n += len(g.terms) + len(g.unless)
			if g.watch != nil {
				n += watchTerms
			}
		}
	}
	return n
}

func (c *compiler) addGroup(r *Rule, g *group, watchlist []WatchTerm) {
	s := c.set
	g.slot = len(s.slotGroup)
	s.slotGroup = append(s.slotGroup, g)
	s.slotRule = append(s.slotRule, r)
	for _, t := range g.terms {
		c.addTerm(t, c.folded.termKey(t.text), nil, termRef{slot: int32(g.slot)})
	}
	for _, t := range g.unless {
		c.addTerm(t, c.folded.termKey(t.text), nil, termRef{slot: int32(g.slot), unless: true})
	}
	if g.watch == nil {
		return
	}
	for i := range watchlist {
		w := &watchlist[i]
		if !g.watch.selects(w) {
			continue
		}
		if key := c.folded.termKey(w.Text); utf8.RuneCountInString(key) >= minWatchRunes {
			c.addTerm(termSpec{written: w.Text, text: w.Text}, key, w, termRef{slot: int32(g.slot)})
		}
	}
}

// minWatchRunes keeps very short list names (initials, two-letter aliases)
// out of the automaton: in news text they match ordinary words.
const minWatchRunes = 3

// addTerm adds a term, whose normalized form is key, to the group of ref.
func (c *compiler) addTerm(t termSpec, key string, watch *WatchTerm, ref termRef) {
	s := c.set
	if key == "" {
		return
	}
	pat, ok := c.patIndex[key]
	if !ok {
		pat = int32(len(c.patterns))
		c.patIndex[key] = pat
		c.patterns = append(c.patterns, []byte(key))
		s.patVariants = append(s.patVariants, nil)
	}
	vk := variantKey{pat, t.written, t.caseSensitive, t.prefix, watch}
	vi, ok := c.varIndex[vk]
	if !ok {
		vi = int32(len(s.variants))
		c.varIndex[vk] = vi
		s.variants = append(s.variants, c.newVariant(t, key, watch))
		s.patVariants[pat] = append(s.patVariants[pat], vi)
	}
	v := &s.variants[vi]
	for _, existing := range v.refs {
		if existing == ref {
			return
		}
	}
	v.refs = append(v.refs, ref)
}

// newVariant decides a term's boundary checks from its script: words must
// stand alone, except that a prefix term or a Hangul term may run on
// (Korean attaches particles: 북한의, 북한이), and Han and kana, written
// without spaces, match anywhere.
func (c *compiler) newVariant(t termSpec, key string, watch *WatchTerm) variant {
	first, _ := utf8.DecodeRuneInString(key)
	last, _ := utf8.DecodeLastRuneInString(key)
	v := variant{
		term:          t.written,
		caseSensitive: t.caseSensitive,
		startBound:    isWordRune(first),
		endBound:      isWordRune(last) && !t.prefix && !isHangul(last),
		runsOn:        isWordRune(last),
		watch:         watch,
	}
	if t.caseSensitive {
		v.caseKey = c.cased.termKey(t.text)
	}
	return v
}
