package rules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// mustParse compiles a rule file given as YAML text.
func mustParse(t testing.TB, yaml string, opts ...Option) *Set {
	t.Helper()
	s, err := Parse("test.yaml", []byte(yaml), opts...)
	if err != nil {
		t.Fatalf("Parse:\n%v", err)
	}
	return s
}

// sharedDir locates ../shared beside the repository root, or skips.
func sharedDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("no go.mod above the package directory; cannot locate ../shared")
		}
		dir = parent
	}
	shared := filepath.Join(filepath.Dir(dir), "shared")
	if _, err := os.Stat(shared); err != nil {
		t.Skipf("shared data not available at %s: %v", shared, err)
	}
	return shared
}

// ruleIDs lists the ids of the rules that fired.
func ruleIDs(results []Result) string {
	ids := make([]string, len(results))
	for i, r := range results {
		ids[i] = r.Rule.ID
	}
	return strings.Join(ids, ",")
}

// groupRule builds a one-rule file whose group `g` holds the given terms
// and whose condition is `g`.
func groupRule(terms ...string) string {
	var b strings.Builder
	b.WriteString("version: 1\nrules:\n  - id: r\n    title: t\n    category: other\n    severity: low\n    references: [x]\n    groups:\n      g:\n")
	for _, t := range terms {
		b.WriteString("        - " + t + "\n")
	}
	b.WriteString("    tests:\n      - ok: \"nothing\"\n")
	return b.String()
}

func TestLoadLaborFixture(t *testing.T) {
	s, err := LoadFile("testdata/labor.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := len(s.Rules()); got != 2 {
		t.Fatalf("rules: got %d, want 2", got)
	}
	r, ok := s.Rule("dprk-labor-abroad")
	if !ok || r.Category != "labor" || r.Severity != "high" || len(r.References) != 2 || len(r.Tests) != 5 {
		t.Fatalf("rule: %+v", r)
	}
	if got := s.Lists(); len(got) != 1 || got[0].Severity["DPRK"] != "high" {
		t.Errorf("lists: %+v", got)
	}
	if got := s.Lexicons()["repatriation"]; len(got) != 4 || got[0] != "repatriat*" {
		t.Errorf("lexicon repatriation: %q", got)
	}
}

// readShared reads a file of the shared test data, or skips.
func readShared(t testing.TB, rel string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(sharedDir(t), rel))
	if err != nil {
		t.Skipf("shared data %s not available: %v", rel, err)
	}
	return string(data)
}
