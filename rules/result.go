package rules

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// A Result carries at most this many matches, quantities and entities: a
// long text that repeats a firing sentence would otherwise make an alert
// as large as the text.
const (
	MaxResultMatches    = 100
	MaxResultQuantities = 50
	MaxResultEntities   = 50
)

// result builds the Result of a rule that fired from the hits marked used.
func (sc *scratch) result(r *Rule) Result {
	used := sc.usedInOrder(r)
	res := Result{Rule: r, Matches: make([]Match, 0, min(len(used), MaxResultMatches))}
	var last Match
	for _, ref := range used {
		g := r.groups[ref.group]
		m := sc.match(g, ref.hit)
		if res.MatchCount > 0 && last == m {
			continue // one term listed twice with different options
		}
		last = m
		if res.MatchCount++; res.MatchCount > MaxResultMatches {
			continue // counted, not kept
		}
		res.Matches = append(res.Matches, m)
		if g.quantity && len(res.Quantities) < MaxResultQuantities {
			if q, ok := sc.quantity(ref.hit, g.name); ok {
				res.Quantities = sc.addQuantity(res.Quantities, q)
			}
		}
		if w := sc.set.variants[sc.hits[ref.hit].v].watch; w != nil && len(res.Entities) < MaxResultEntities {
			res.Entities = append(res.Entities, Entity{
				List: w.List, Ref: w.Ref, Name: w.Name, Program: w.Program,
				Matched: sc.text[m.Start:m.End], Start: m.Start, End: m.End,
			})
		}
	}
	res.Quantities = dedupe(res.Quantities, func(a, b Quantity) int {
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.End, b.End))
	}, func(a, b Quantity) bool { return a.Start == b.Start })
	res.Entities = dedupe(res.Entities, func(a, b Entity) int {
		return cmp.Or(cmp.Compare(a.Start, b.Start), strings.Compare(a.List, b.List), strings.Compare(a.Ref, b.Ref))
	}, func(a, b Entity) bool { return a.Start == b.Start && a.List == b.List && a.Ref == b.Ref })
	return res
}

// addQuantity adds q unless its number is already there: a number counts
// once, for the hit nearest to it, whose span is the shorter.
func (sc *scratch) addQuantity(qs []Quantity, q foundQuantity) []Quantity {
	if len(qs) == 0 {
		sc.qnumbers = sc.qnumbers[:0]
	}
	if i := slices.Index(sc.qnumbers, q.number); i >= 0 {
		if q.End-q.Start < qs[i].End-qs[i].Start {
			qs[i] = q.Quantity
		}
		return qs
	}
	sc.qnumbers = append(sc.qnumbers, q.number)
	return append(qs, q.Quantity)
}

// groupHit is a hit of one of a rule's groups.
type groupHit struct {
	hit   int32
	group int
}

// usedInOrder merges the used hits of the rule's groups, each already in
// text order, into text order.
func (sc *scratch) usedInOrder(r *Rule) []groupHit {
	sc.merged = sc.merged[:0]
	pos := sc.groupPos[:0]
	for range r.groups {
		pos = append(pos, 0)
	}
	sc.groupPos = pos
	for {
		best := -1
		for gi, g := range r.groups {
			list := sc.inSlot[g.slot]
			for pos[gi] < len(list) && !sc.used[list[pos[gi]]] {
				pos[gi]++
			}
			if pos[gi] < len(list) && (best < 0 || list[pos[gi]] < sc.inSlot[r.groups[best].slot][pos[best]]) {
				best = gi
			}
		}
		if best < 0 {
			return sc.merged
		}
		sc.merged = append(sc.merged, groupHit{hit: sc.inSlot[r.groups[best].slot][pos[best]], group: best})
		pos[best]++
	}
}

// dedupe sorts xs and drops neighbours that are the same.
func dedupe[T any](xs []T, order func(a, b T) int, same func(a, b T) bool) []T {
	slices.SortFunc(xs, order)
	return slices.CompactFunc(xs, same)
}

func (sc *scratch) match(g *group, hi int32) Match {
	h := sc.hits[hi]
	start, end := sc.norm.origSpan(int(h.start), int(h.end))
	return Match{Group: g.name, Term: sc.set.variants[h.v].term, Start: start, End: end}
}

// Explanation says why a rule did or did not fire on a text.
type Explanation struct {
	Rule      *Rule
	Fired     bool
	Condition string // the condition as evaluated, e.g. "dprk near/20 workers"
	Groups    []GroupHits
	Near      []NearDistance // for each near/N of the condition, how close its groups came
	Result    Result         // when Fired
}

// NearDistance is how close the hits of the two groups of a near/N came.
type NearDistance struct {
	Condition string // e.g. "dprk near/20 workers"
	Words     int    // the fewest words between two hits; -1 when a group has no hits
}

// GroupHits is what one group of a rule found in a text.
type GroupHits struct {
	Name    string
	Hits    []Match // hits that count
	Dropped []Match // hits dropped because an `unless` term stood near them
}

// Explain evaluates one rule on text and reports, per group, what it found.
func (s *Set) Explain(text, ruleID string) (Explanation, bool) {
	r, ok := s.byID[ruleID]
	if !ok {
		return Explanation{}, false
	}
	sc := s.prepare(text)
	defer s.release(sc)
	e := Explanation{Rule: r, Condition: r.Condition}
	if e.Condition == "" {
		e.Condition = r.cond.String()
	}
	before := make([][]int32, len(r.groups))
	for i, g := range r.groups {
		before[i] = slices.Clone(sc.inSlot[g.slot])
	}
	e.Result, e.Fired = sc.evaluate(r)
	e.Near = sc.nearDistances(r, r.cond, nil)
	for i, g := range r.groups {
		gh := GroupHits{Name: g.name}
		for _, hi := range before[i] {
			if slices.Contains(sc.inSlot[g.slot], hi) {
				gh.Hits = append(gh.Hits, sc.match(g, hi))
			} else {
				gh.Dropped = append(gh.Dropped, sc.match(g, hi))
			}
		}
		e.Groups = append(e.Groups, gh)
	}
	return e, true
}

// nearDistances lists, for every near/N in c, the fewest words between
// hits of its two groups.
func (sc *scratch) nearDistances(r *Rule, c *cond, out []NearDistance) []NearDistance {
	if c.op == opNear {
		d := NearDistance{Condition: c.String(), Words: -1}
		a, b := sc.groupHits(r, c.args[0]), sc.groupHits(r, c.args[1])
		if len(a) > 0 && len(b) > 0 {
			sc.wordIndexes()
			// Both lists are in text order: walking them together visits
			// every pair of neighbours, among which the closest pair is.
			for i, j := 0, 0; i < len(a) && j < len(b); {
				if w := sc.wordDistance(a[i], b[j]); d.Words < 0 || w < d.Words {
					d.Words = w
				}
				if sc.hits[a[i]].ws < sc.hits[b[j]].ws {
					i++
				} else {
					j++
				}
			}
		}
		out = append(out, d)
	}
	for _, arg := range c.args {
		out = sc.nearDistances(r, arg, out)
	}
	return out
}

// Describe renders the explanation, one line per group, quoting the words
// of text (the text that was explained) that each group found.
func (e Explanation) Describe(text string) string {
	var b strings.Builder
	verdict := "did not fire"
	if e.Fired {
		verdict = "fired"
	}
	fmt.Fprintf(&b, "rule %s %s; condition: %s", e.Rule.ID, verdict, e.Condition)
	for _, g := range e.Groups {
		fmt.Fprintf(&b, "\n  %s: ", g.Name)
		if len(g.Hits) == 0 {
			b.WriteString("no hits")
		} else {
			b.WriteString(quoteMatches(text, g.Hits))
		}
		if len(g.Dropped) > 0 {
			fmt.Fprintf(&b, " (dropped by unless: %s)", quoteMatches(text, g.Dropped))
		}
	}
	for _, n := range e.Near {
		if n.Words >= 0 {
			fmt.Fprintf(&b, "\n  %s: closest hits %d words apart", n.Condition, n.Words)
		}
	}
	return b.String()
}

func quoteMatches(text string, ms []Match) string {
	var parts []string
	for _, m := range ms {
		q := fmt.Sprintf("%q", text[m.Start:m.End])
		if !slices.Contains(parts, q) {
			parts = append(parts, q)
		}
	}
	return strings.Join(parts, ", ")
}
