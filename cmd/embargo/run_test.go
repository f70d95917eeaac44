package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
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
		for _, field := range []string{"input", "id", "rule", "category", "severity", "title", "url", "source",
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

func TestRunServesHealthAndMetrics(t *testing.T) {
	f := newFarm(t, 1, 2, 0)
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	env := map[string]string{"EMBARGO_HTTP_ADDR": addr}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var out, errOut syncBuffer
	go func() {
		done <- execute(ctx, cli{
			args:  []string{"run", "--rules", f.writeRules(t, dir, 0, "@every 1s"), "--db", filepath.Join(dir, "e.db")},
			stdin: strings.NewReader(""), stdout: &out, stderr: &errOut,
			getenv: func(k string) string { return env[k] },
		})
	}()
	get := func(path string) (int, string) {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	waitFor(t, 30*time.Second, "/healthz to answer ok", func() bool { code, _ := get("/healthz"); return code == 200 })
	waitFor(t, 30*time.Second, "the alerts to be printed", func() bool { return strings.Count(out.String(), "dprk-workers") == 2 })
	waitFor(t, 30*time.Second, "metrics of the polls", func() bool {
		_, body := get("/metrics")
		return strings.Contains(body, `embargo_source_fetches_total{result="ok",source="wire-0"}`) &&
			strings.Contains(body, `embargo_alerts_total{rule="dprk-workers"} 2`) &&
			strings.Contains(body, `embargo_deliveries_total{result="delivered",sink="console"} 2`) &&
			strings.Contains(body, "embargo_outbox_pending 0") &&
			strings.Contains(body, "embargo_rules_loaded 1")
	})
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Fatalf("run after SIGINT-like cancel = %d\n%s", code, errOut.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run did not stop after its context was cancelled")
	}
	if !strings.Contains(errOut.String(), "embargo stopped") {
		t.Fatalf("no clean shutdown logged:\n%s", errOut.String())
	}
}
