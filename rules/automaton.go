package rules

import "sort"

// automaton is an Aho-Corasick automaton over the bytes of normalized text.
// Every literal term of every rule (and every watchlist name) is one of its
// patterns, so a document is scanned once, in time linear in its length,
// however many terms there are. Go's regexp is no substitute: with a large
// alternation it is orders of magnitude slower, and it cannot report every
// overlapping hit.
//
// It is written here rather than taken from a library because matching is
// the core of the product and its shape follows from our needs: bytes of
// already-normalized text, overlapping hits reported by pattern id, and a
// layout that stays compact with tens of thousands of names. Transitions are
// stored sparsely (most states have one child); the root, where the scan
// spends most of its time, and states with many children are dense. Small
// automata are instead compiled to a full DFA, one table lookup per byte.
type automaton struct {
	root      [256]int32
	edgeStart []int32 // per state: its edges are edgeByte/edgeNext[edgeStart[s]:edgeStart[s+1]]
	edgeByte  []byte
	edgeNext  []int32
	fail      []int32
	dense     map[int32]*[256]int32 // states with many children
	outLo     []int32               // per state: patterns ending here are outs[outLo[s]:outHi[s]]
	outHi     []int32
	outs      []int32
	patLen    []int32
	dfa       []int32 // full transition table when small enough: dfa[s<<8|b]
}

// rawHit is a pattern found at text[end-patLen:end].
type rawHit struct {
	pat int32
	end int32
}

const (
	denseEdges = 24      // states with more children than this get a dense table
	maxDFA     = 1 << 21 // entries: states*256 up to 8 MB of table
)

type trieEdge struct {
	from int32
	b    byte
	to   int32
}

// buildAutomaton compiles the patterns, which must be distinct and non-empty.
func buildAutomaton(patterns [][]byte) *automaton {
	a := &automaton{patLen: make([]int32, len(patterns))}
	own, edges := a.buildTrie(patterns)
	states := len(own)
	a.indexEdges(states, edges)
	order := a.linkFailures(states)
	a.collectOutputs(own, order)
	if states*256 <= maxDFA {
		a.buildDFA(order)
	}
	return a
}

// buildTrie inserts the patterns into a trie; it returns the pattern ending
// at each state (-1 for none) and the trie's edges.
func (a *automaton) buildTrie(patterns [][]byte) ([]int32, []trieEdge) {
	own := []int32{-1}
	var edges []trieEdge
	child := make(map[uint64]int32)
	for id, p := range patterns {
		a.patLen[id] = int32(len(p))
		s := int32(0)
		for _, b := range p {
			key := uint64(s)<<8 | uint64(b)
			next, ok := child[key]
			if !ok {
				next = int32(len(own))
				own = append(own, -1)
				child[key] = next
				edges = append(edges, trieEdge{s, b, next})
			}
			s = next
		}
		own[s] = int32(id)
	}
	return own, edges
}

func (a *automaton) indexEdges(states int, edges []trieEdge) {
	sort.Slice(edges, func(i, j int) bool {
		if edges[i].from != edges[j].from {
			return edges[i].from < edges[j].from
		}
		return edges[i].b < edges[j].b
	})
	a.edgeStart = make([]int32, states+1)
	a.edgeByte = make([]byte, len(edges))
	a.edgeNext = make([]int32, len(edges))
	for i, e := range edges {
		a.edgeStart[e.from+1]++
		a.edgeByte[i] = e.b
		a.edgeNext[i] = e.to
		if e.from == 0 {
			a.root[e.b] = e.to
		}
	}
	for s := 1; s <= states; s++ {
		a.edgeStart[s] += a.edgeStart[s-1]
	}
	a.dense = make(map[int32]*[256]int32)
	for s := 1; s < states; s++ {
		lo, hi := a.edgeStart[s], a.edgeStart[s+1]
		if hi-lo <= denseEdges {
			continue
		}
		t := new([256]int32)
		for i := range t {
			t[i] = -1
		}
		for i := lo; i < hi; i++ {
			t[a.edgeByte[i]] = a.edgeNext[i]
		}
		a.dense[int32(s)] = t
	}
}

// child is the trie edge from s on b, or -1.
func (a *automaton) child(s int32, b byte) int32 {
	if s == 0 {
		if t := a.root[b]; t != 0 {
			return t
		}
		return -1
	}
	if t, ok := a.dense[s]; ok {
		return t[b]
	}
	for i := a.edgeStart[s]; i < a.edgeStart[s+1]; i++ {
		if a.edgeByte[i] == b {
			return a.edgeNext[i]
		}
	}
	return -1
}

// linkFailures computes failure links breadth first and returns the states
// in that order.
func (a *automaton) linkFailures(states int) []int32 {
	a.fail = make([]int32, states)
	order := make([]int32, 0, states)
	order = append(order, 0)
	for q := 0; q < len(order); q++ {
		s := order[q]
		for i := a.edgeStart[s]; i < a.edgeStart[s+1]; i++ {
			b, t := a.edgeByte[i], a.edgeNext[i]
			order = append(order, t)
			if s == 0 {
				continue // depth one fails to the root
			}
			f := a.fail[s]
			for {
				if next := a.child(f, b); next >= 0 {
					a.fail[t] = next
					break
				}
				if f == 0 {
					break
				}
				f = a.fail[f]
			}
		}
	}
	return order
}

// collectOutputs gives every state the patterns that end there, its own and
// those of its failure chain.
func (a *automaton) collectOutputs(own []int32, order []int32) {
	a.outLo = make([]int32, len(own))
	a.outHi = make([]int32, len(own))
	for _, s := range order {
		lo := int32(len(a.outs))
		if own[s] >= 0 {
			a.outs = append(a.outs, own[s])
		}
		if s != 0 {
			f := a.fail[s]
			a.outs = append(a.outs, a.outs[a.outLo[f]:a.outHi[f]]...)
		}
		a.outLo[s], a.outHi[s] = lo, int32(len(a.outs))
	}
}

func (a *automaton) buildDFA(order []int32) {
	a.dfa = make([]int32, len(order)*256)
	copy(a.dfa, a.root[:])
	for _, s := range order[1:] {
		row := a.dfa[int(s)<<8 : int(s+1)<<8]
		copy(row, a.dfa[int(a.fail[s])<<8:int(a.fail[s]+1)<<8])
		for i := a.edgeStart[s]; i < a.edgeStart[s+1]; i++ {
			row[a.edgeByte[i]] = a.edgeNext[i]
		}
	}
}

// next is the state after reading b in state s.
func (a *automaton) next(s int32, b byte) int32 {
	for s != 0 {
		if t := a.child(s, b); t >= 0 {
			return t
		}
		s = a.fail[s]
	}
	return a.root[b]
}

// scan appends every occurrence of every pattern in text to hits, in order
// of their end.
func (a *automaton) scan(text []byte, hits []rawHit) []rawHit {
	if a.dfa != nil {
		return a.scanDFA(text, hits)
	}
	s := int32(0)
	for i, b := range text {
		if s == 0 {
			s = a.root[b]
		} else {
			s = a.next(s, b)
		}
		if a.outHi[s] != a.outLo[s] {
			hits = a.report(s, i+1, hits)
		}
	}
	return hits
}

func (a *automaton) scanDFA(text []byte, hits []rawHit) []rawHit {
	dfa, lo, hi := a.dfa, a.outLo, a.outHi
	s := int32(0)
	for i, b := range text {
		s = dfa[int(s)<<8|int(b)]
		if hi[s] != lo[s] {
			hits = a.report(s, i+1, hits)
		}
	}
	return hits
}

func (a *automaton) report(s int32, end int, hits []rawHit) []rawHit {
	for _, p := range a.outs[a.outLo[s]:a.outHi[s]] {
		hits = append(hits, rawHit{pat: p, end: int32(end)})
	}
	return hits
}
