package discord

import (
	"path/filepath"
	"testing"

	"github.com/embargo-watch/embargo/rules"
)

// testRules loads the rules of testdata/rules.yaml and checks their own tests.
func testRules(t testing.TB) *rules.Set {
	t.Helper()
	set, err := rules.LoadFile(filepath.Join("testdata", "rules.yaml"))
	if err != nil {
		t.Fatalf("load test rules: %v", err)
	}
	return set
}

func TestFixtureRulesPassTheirTests(t *testing.T) {
	report := testRules(t).RunTests()
	for _, r := range report.Results {
		if !r.Pass {
			t.Errorf("rule %s test %q failed: %s", r.Rule, r.Name, r.Reason)
		}
	}
}
