package rules

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// TestReport is the outcome of running a rule file's own tests.
type TestReport struct {
	Results []TestResult
}

// TestResult is the outcome of one test.
type TestResult struct {
	Rule   string
	Name   string // the test's name, or e.g. "fire #3 (line 2311)": the third test of its rule
	Want   string // "fire" or "ok"
	Pass   bool
	Reason string // for failures: what fired or not, and which terms matched or were missing
	Pos    Position
}

// Failed is the number of tests that failed.
func (r TestReport) Failed() int {
	n := 0
	for _, t := range r.Results {
		if !t.Pass {
			n++
		}
	}
	return n
}

// RunTests runs every rule's tests, in file order.
func (s *Set) RunTests() TestReport {
	var rep TestReport
	for _, r := range s.rules {
		for _, t := range r.Tests {
			rep.Results = append(rep.Results, s.runTest(r, t))
		}
	}
	return rep
}

func (s *Set) runTest(r *Rule, t Test) TestResult {
	res := TestResult{Rule: r.ID, Name: t.String(), Want: "ok", Pos: t.Pos}
	if t.Fire {
		res.Want = "fire"
	}
	e, _ := s.Explain(t.Text, r.ID)
	switch {
	case t.Fire && !e.Fired:
		res.Reason = "expected the rule to fire, it did not: " + e.Describe(t.Text)
	case !t.Fire && e.Fired:
		res.Reason = "expected the rule not to fire, it did: " + e.Describe(t.Text)
	case t.Fire:
		if missing := missingQuantities(t.Quantities, e.Result.Quantities); len(missing) > 0 {
			res.Reason = fmt.Sprintf("quantities %s not found; found %s", strings.Join(missing, ", "), quantityTexts(e.Result.Quantities))
		}
	}
	res.Pass = res.Reason == ""
	return res
}

// missingQuantities returns the expected quantities that none found
// matches. An expectation matches a quantity's number as written ("6,000"),
// its whole text ("6,000 workers"), or its value ("6000", "1e6").
func missingQuantities(want []string, found []Quantity) []string {
	var missing []string
	for _, w := range want {
		ok := slices.ContainsFunc(found, func(q Quantity) bool {
			if w == q.Number || w == q.Text {
				return true
			}
			v, err := strconv.ParseFloat(strings.ReplaceAll(w, ",", ""), 64)
			return err == nil && v == q.Value
		})
		if !ok {
			missing = append(missing, strconv.Quote(w))
		}
	}
	return missing
}

func quantityTexts(qs []Quantity) string {
	if len(qs) == 0 {
		return "none"
	}
	parts := make([]string, len(qs))
	for i, q := range qs {
		parts[i] = strconv.Quote(q.Text)
	}
	return strings.Join(parts, ", ")
}
