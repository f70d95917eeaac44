package main

import (
	"bufio"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestRunOnceConsoleJSON(t *testing.T) {
	f := newFarm(t, 2, 3, 0)
	dir := t.TempDir()
	rulesFile := f.writeRules(t, dir, 0, "@every 1h")
	db := filepath.Join(dir, "embargo.db")

	r := embargo(t, "", nil, "run", "--once", "--json", "--rules", rulesFile, "--db", db)
	if r.code != exitOK {
		t.Fatalf("run --once = %d\n%s", r.code, r.stderr)
	}
	alerts := decodeAlerts(t, r.stdout)
	var urls []string
	for _, a := range alerts {
		for _, field := range []string{"id", "rule", "category", "severity", "title", "url", "source",
			"published", "references", "matches", "quantities", "entities"} {
			if _, ok := a[field]; !ok {
				t.Fatalf("alert lacks %q: %v", field, a)
			}
		}
		urls = append(urls, a["url"].(string))
	}
	slices.Sort(urls)
	if want := f.allItemURLs(); !slices.Equal(urls, want) {
		t.Fatalf("alerts for %v\nwant one per item: %v", urls, want)
	}

	// A second pass on the same database prints nothing already printed.
	r = embargo(t, "", nil, "run", "--once", "--json", "--rules", rulesFile, "--db", db)
	if r.code != exitOK || strings.TrimSpace(r.stdout) != "" {
		t.Fatalf("second run --once = %d, printed:\n%s", r.code, r.stdout)
	}
	if !strings.Contains(r.stderr, "wire-0") {
		t.Fatalf("no log line per fetch naming the source:\n%s", r.stderr)
	}
}

func TestRunOnceReadableOutput(t *testing.T) {
	f := newFarm(t, 1, 1, 0)
	dir := t.TempDir()
	r := embargo(t, "", nil, "run", "--once", "--rules", f.writeRules(t, dir, 0, "@every 1h"),
		"--db", filepath.Join(dir, "embargo.db"))
	if r.code != exitOK {
		t.Fatalf("run --once = %d\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"[high] dprk-workers", "North Korean workers reach", "UNSCR 2397 (2017) OP8", f.itemURL(0, 0)} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("readable alert lacks %q:\n%s", want, r.stdout)
		}
	}
}

func TestRunRejectsInvalidRules(t *testing.T) {
	bad := writeFile(t, "rules.yaml", "version: 1\nsources:\n  - name: x\n    url: http://example.org/feed\n    schedule: \"every tuesday\"\n")
	r := embargo(t, "", nil, "run", "--once", "--rules", bad, "--db", filepath.Join(t.TempDir(), "e.db"))
	if r.code != exitFailure || !strings.Contains(r.stderr, "rules.yaml:5:") {
		t.Fatalf("run with a bad schedule = %d, %q; want 1 and the position", r.code, r.stderr)
	}
}

func decodeAlerts(t *testing.T, out string) []map[string]any {
	t.Helper()
	var alerts []map[string]any
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var a map[string]any
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatalf("line is not JSON: %q: %v", sc.Text(), err)
		}
		alerts = append(alerts, a)
	}
	return alerts
}
