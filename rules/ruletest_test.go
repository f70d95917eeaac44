package rules

import (
	"strings"
	"testing"
)

func TestRunTestsReportsWhy(t *testing.T) {
	s, err := LoadFile("testdata/failing.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rep := s.RunTests()
	if got := len(rep.Results); got != 7 {
		t.Fatalf("ran %d tests, want 7", got)
	}
	if got := rep.Failed(); got != 5 {
		t.Errorf("failed %d, want 5", got)
	}
	tests := []struct {
		name    string
		pass    bool
		reasons []string
	}{
		{"passes", true, nil},
		{"missing group", false, []string{"expected the rule to fire, it did not", `dprk: "North Korea"`, "workers: no hits"}},
		{"too far apart", false, []string{"dprk near/10 workers: closest hits 15 words apart"}},
		{"dropped by unless", false, []string{`workers: no hits (dropped by unless: "workers")`}},
		{"fires but should not", false, []string{"expected the rule not to fire, it did", `workers: "workers"`}},
		{"wrong quantity", false, []string{`quantities "5,000" not found; found "6,000 workers"`}},
		{"ok #7 (line 34)", true, nil},
	}
	for i, tt := range tests {
		r := rep.Results[i]
		if r.Rule != "labor" || r.Name != tt.name || r.Pass != tt.pass {
			t.Errorf("result %d: got %s/%s pass=%v, want labor/%s pass=%v", i, r.Rule, r.Name, r.Pass, tt.name, tt.pass)
		}
		for _, want := range tt.reasons {
			if !strings.Contains(r.Reason, want) {
				t.Errorf("%s: reason %q does not say %q", tt.name, r.Reason, want)
			}
		}
		if tt.pass && r.Reason != "" {
			t.Errorf("%s: passing test has reason %q", tt.name, r.Reason)
		}
	}
	for i, want := range []string{"fire", "fire", "fire", "fire", "ok", "fire", "ok"} {
		if rep.Results[i].Want != want {
			t.Errorf("result %d wants %q, want %q", i, rep.Results[i].Want, want)
		}
	}
}

func TestLaborFixtureTestsPass(t *testing.T) {
	s, err := LoadFile("testdata/labor.yaml", WithWatchlist([]WatchTerm{
		{Text: "KOREA MINING DEVELOPMENT TRADING CORPORATION", List: "un", Ref: "KPe.001", Name: "KOREA MINING DEVELOPMENT TRADING CORPORATION", Program: "DPRK"},
	}))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range s.RunTests().Results {
		if !r.Pass {
			t.Errorf("%s / %s: %s", r.Rule, r.Name, r.Reason)
		}
	}
}

func TestExplain(t *testing.T) {
	s, err := LoadFile("testdata/failing.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := "North Korean workers were sent back, officials said on Monday; other workers stayed."
	e, ok := s.Explain(text, "labor")
	if !ok {
		t.Fatal("rule not found")
	}
	if !e.Fired || e.Condition != "dprk near/10 workers" || len(e.Groups) != 2 {
		t.Fatalf("explanation: %+v", e)
	}
	w := e.Groups[1]
	if w.Name != "workers" || len(w.Hits) != 1 || len(w.Dropped) != 1 {
		t.Fatalf("workers group: %+v", w)
	}
	if got := text[w.Hits[0].Start:w.Hits[0].End]; got != "workers" || w.Hits[0].Start < 30 {
		t.Errorf("kept hit %q at %d, want the second workers", got, w.Hits[0].Start)
	}
	if _, ok := s.Explain(text, "nope"); ok {
		t.Error("explained an unknown rule")
	}
}
