package rules

import (
	"bytes"
	"slices"
)

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
// layout that stays compact with tens of thousands of names. The states
// nearest the root, where a scan of ordinary text spends nearly all its
// time, get a dense row of resolved transitions (a DFA row: one lookup per
// byte); deeper states keep their few trie edges and a failure link. Rows
// are indexed by byte class (each byte that occurs in some pattern is its
// own class, every other byte is class 0), which keeps them narrow and the
// table small.
type automaton struct {
	root      [256]int32
	edgeStart []int32 // per state: its edges are edgeByte/edgeNext[edgeStart[s]:edgeStart[s+1]]
	edgeByte  []byte
	edgeNext  []int32
	fail      []int32
	outLo     []int32 // per state: patterns ending here are outs[outLo[s]:outHi[s]]
	outHi     []int32
	outs      []int32
	patLen    []int32
	rowOf     []int32 // per state: the start of its row in rows, or -1
	rows      []int32 // dense transitions: rows[rowOf[s]+class[b]], encoded (see buildRows)
	rowState  []int32 // per row: its state
	encoded   bool
	class     [256]uint8
	classes   int
}

// rawHit is a pattern found at text[end-patLen:end].
type rawHit struct {
	pat int32
	end int32
}

// States down to denseDepth bytes from the root get dense rows, up to
// rowBudget bytes of them. Deeper states are visited seldom: only while
// the text follows a pattern for more than denseDepth bytes.
const (
	denseDepth = 4
	rowBudget  = 8 << 20
)

type trieEdge struct {
	from int32
	b    byte
	to   int32
}

// buildAutomaton compiles the patterns, which must be distinct and non-empty.
func buildAutomaton(patterns [][]byte) *automaton {
	return buildAutomatonRows(patterns, rowBudget)
}

// buildAutomatonRows compiles the patterns with at most budget bytes of
// dense rows.
func buildAutomatonRows(patterns [][]byte, budget int) *automaton {
	a := &automaton{patLen: make([]int32, len(patterns))}
	own, edges := a.buildTrie(patterns)
	states := len(own)
	a.indexEdges(states, edges)
	order := a.linkFailures(states)
	a.collectOutputs(own, order)
	a.classify(patterns)
	a.buildRows(order, budget)
	return a
}

// buildTrie inserts the patterns into a trie; it returns the pattern ending
// at each state (-1 for none) and the trie's edges. Patterns are inserted
// in sorted order, so each one shares the path of the one before for as
// long as their prefixes agree, and a parent's edges come in byte order.
func (a *automaton) buildTrie(patterns [][]byte) ([]int32, []trieEdge) {
	sorted := make([]int32, len(patterns))
	for i := range sorted {
		sorted[i] = int32(i)
	}
	slices.SortFunc(sorted, func(x, y int32) int { return bytes.Compare(patterns[x], patterns[y]) })
	size := 1
	for _, p := range patterns {
		size += len(p)
	}
	own := make([]int32, 1, size) // at most one state per pattern byte
	own[0] = -1
	edges := make([]trieEdge, 0, size)
	path := []int32{0} // path[k]: the state after k bytes of the previous pattern
	var prev []byte
	for _, id := range sorted {
		p := patterns[id]
		a.patLen[id] = int32(len(p))
		common := 0
		for common < len(prev) && common < len(p) && prev[common] == p[common] {
			common++
		}
		path = path[:common+1]
		s := path[common]
		for _, b := range p[common:] {
			t := int32(len(own))
			own = append(own, -1)
			edges = append(edges, trieEdge{s, b, t})
			path = append(path, t)
			s = t
		}
		own[s] = id
		prev = p
	}
	return own, edges
}

// indexEdges lays the edges out by state: a counting sort on the parent,
// which keeps each parent's edges in byte order.
func (a *automaton) indexEdges(states int, edges []trieEdge) {
	a.edgeStart = make([]int32, states+1)
	for _, e := range edges {
		a.edgeStart[e.from+1]++
	}
	for s := 1; s <= states; s++ {
		a.edgeStart[s] += a.edgeStart[s-1]
	}
	a.edgeByte = make([]byte, len(edges))
	a.edgeNext = make([]int32, len(edges))
	next := slices.Clone(a.edgeStart[:states])
	for _, e := range edges {
		i := next[e.from]
		next[e.from]++
		a.edgeByte[i], a.edgeNext[i] = e.b, e.to
		if e.from == 0 {
			a.root[e.b] = e.to
		}
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

// classify numbers the bytes that occur in patterns 1, 2, …; the rest are
// class 0, on which every state goes back to the root.
func (a *automaton) classify(patterns [][]byte) {
	for _, p := range patterns {
		for _, b := range p {
			if a.class[b] == 0 && a.classes < 255 {
				a.classes++
				a.class[b] = uint8(a.classes)
			}
		}
	}
	a.classes++ // class 0
}

// buildRows gives the shallowest states, in breadth-first order, dense
// rows of resolved transitions. A state's failure link is shallower than
// the state, so its row (or its sparse edges) is ready when needed.
//
// Once built, the rows are encoded for the scan's fast path: an entry
// v >= 0 is the row offset of the next state, which has a row and ends no
// pattern; v < 0 is ^t for any other next state t.
func (a *automaton) buildRows(order []int32, budget int) {
	a.rowOf = make([]int32, len(order))
	for i := range a.rowOf {
		a.rowOf[i] = -1
	}
	n := min(a.shallow(order, denseDepth), max(1, budget/4/a.classes))
	a.rows = make([]int32, n*a.classes)
	a.rowState = order[:n:n]
	byClass := make([]int, a.classes) // a byte of each class; class 0 has none
	for b := 255; b >= 0; b-- {
		byClass[a.class[b]] = b
	}
	for i, s := range order[:n] {
		row := a.rows[i*a.classes : (i+1)*a.classes]
		for c := 1; c < a.classes; c++ {
			b := byte(byClass[c])
			if t := a.child(s, b); t >= 0 {
				row[c] = t
			} else if s != 0 {
				row[c] = a.next(a.fail[s], b)
			}
		}
		a.rowOf[s] = int32(i * a.classes)
	}
	for i, t := range a.rows {
		if a.rowOf[t] >= 0 && a.outHi[t] == a.outLo[t] {
			a.rows[i] = a.rowOf[t]
		} else {
			a.rows[i] = ^t
		}
	}
	a.encoded = true
}

// shallow counts the states, in breadth-first order, at most depth bytes
// from the root.
func (a *automaton) shallow(order []int32, depth int) int {
	d := make([]int, len(order))
	for i, s := range order {
		if d[s] > depth {
			return i
		}
		for e := a.edgeStart[s]; e < a.edgeStart[s+1]; e++ {
			d[a.edgeNext[e]] = d[s] + 1
		}
	}
	return len(order)
}

// next is the state after reading b in state s.
func (a *automaton) next(s int32, b byte) int32 {
	for {
		if r := a.rowOf[s]; r >= 0 {
			return a.state(a.rows[int(r)+int(a.class[b])])
		}
		if t := a.child(s, b); t >= 0 {
			return t
		}
		s = a.fail[s]
	}
}

// state decodes an entry of rows.
func (a *automaton) state(v int32) int32 {
	switch {
	case !a.encoded:
		return v
	case v >= 0:
		return a.rowState[int(v)/a.classes]
	default:
		return ^v
	}
}

// scan appends every occurrence of every pattern in text to hits, in order
// of their end. While the automaton stays in states with rows and no
// patterns end, a byte costs two table lookups.
func (a *automaton) scan(text []byte, hits []rawHit) []rawHit {
	rows, rowOf, class := a.rows, a.rowOf, &a.class
	off, s := rowOf[0], int32(0)
	for i, b := range text {
		if off >= 0 {
			v := rows[int(off)+int(class[b])]
			if v >= 0 {
				off = v
				continue
			}
			s = ^v
		} else {
			s = a.next(s, b)
		}
		if a.outHi[s] != a.outLo[s] {
			hits = a.report(s, i+1, hits)
		}
		off = rowOf[s]
	}
	return hits
}

func (a *automaton) report(s int32, end int, hits []rawHit) []rawHit {
	for _, p := range a.outs[a.outLo[s]:a.outHi[s]] {
		hits = append(hits, rawHit{pat: p, end: int32(end)})
	}
	return hits
}
