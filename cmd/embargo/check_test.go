package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/embargo-watch/embargo/internal/alert"
)

const defaultRules = "rules.yaml"

func TestCheckSeedStoryFiresLaborRuleWithQuantities(t *testing.T) {
	seed := sharedFile(t, "seed/000_2afe39b202ba405e.txt")
	r := embargo(t, "", nil, "check", "--rules", repoFile(t, defaultRules), "--json", seed)
	if r.code != exitOK {
		t.Fatalf("check = %d, stderr %q", r.code, r.stderr)
	}
	found := decodeCheck(t, r.stdout)
	labor, ok := found["dprk-labor-abroad"]
	if !ok {
		t.Fatalf("dprk-labor-abroad did not fire; fired: %v", keys(found))
	}
	if labor.Input != seed || labor.Category != "labor" || labor.Severity == "" || len(labor.References) == 0 {
		t.Fatalf("result lacks contract fields: %+v", labor)
	}
	var quantities []string
	for _, q := range labor.Quantities {
		quantities = append(quantities, q.Text)
	}
	joined := strings.Join(quantities, " | ")
	for _, want := range []string{"6,000", "5,000", "1,000"} {
		if !strings.Contains(joined, want) {
			t.Errorf("quantities %q lack %s", joined, want)
		}
	}
}

// decodeCheck reads `check --json` output: one object per line, by rule.
func decodeCheck(t *testing.T, out string) map[string]alert.Alert {
	t.Helper()
	found := map[string]alert.Alert{}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var raw map[string]any
		if err := json.Unmarshal(sc.Bytes(), &raw); err != nil {
			t.Fatalf("line %q is not JSON: %v", sc.Text(), err)
		}
		for _, field := range []string{"input", "rule", "category", "severity", "title", "matches", "quantities", "entities"} {
			if _, ok := raw[field]; !ok {
				t.Fatalf("line lacks %q: %s", field, sc.Text())
			}
		}
		var r alert.Alert
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		found[r.Rule] = r
	}
	return found
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestCheckHumanOutputAndSilence(t *testing.T) {
	story := writeFile(t, "story.txt", "North Korea will send 6,000 workers to rebuild Russia's Kursk region, the Kremlin said.")
	calm := writeFile(t, "calm.txt", "The weather in Seoul was mild on Tuesday.")
	r := embargo(t, "", nil, "check", "--rules", repoFile(t, defaultRules), story, calm)
	if r.code != exitOK {
		t.Fatalf("check = %d, %q", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, story+": [") || !strings.Contains(r.stdout, "dprk-labor-abroad") ||
		!strings.Contains(r.stdout, "UNSCR 2397") || !strings.Contains(r.stdout, "6,000 workers") {
		t.Fatalf("human output lacks rule, legal basis or quantity:\n%s", r.stdout)
	}
	if strings.Contains(r.stdout, calm) {
		t.Fatalf("a text that fires nothing printed something:\n%s", r.stdout)
	}
	if r := embargo(t, "", nil, "check", "--rules", repoFile(t, defaultRules), calm); r.code != exitOK || r.stdout != "" {
		t.Fatalf("nothing fired: code %d, output %q; want 0 and silence", r.code, r.stdout)
	}
}

func TestCheckStdin(t *testing.T) {
	r := embargo(t, "Pyongyang dispatched 500 North Korean construction workers to Vladivostok.", nil,
		"check", "--rules", repoFile(t, defaultRules), "--json", "-")
	if r.code != exitOK {
		t.Fatalf("check - = %d, %q", r.code, r.stderr)
	}
	if got := decodeCheck(t, r.stdout); got["dprk-labor-abroad"].Input != "-" {
		t.Fatalf("stdin text did not fire the labor rule: %v", keys(got))
	}
}

func TestCheckBadInput(t *testing.T) {
	rulesFile := repoFile(t, defaultRules)
	binary := writeFile(t, "image.bin", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	big := writeFile(t, "big.txt", strings.Repeat("North Korean workers. ", maxInput/20))
	invalid := writeFile(t, "latin1.txt", "North Korea sent 300 workers to Russia \xff\xfe caf\xe9.")
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	cases := []struct {
		name, stdin string
		env         map[string]string
		args        []string
		code        int
		stderr      string
	}{
		{"empty stdin", "", nil, []string{"-"}, exitFailure, "standard input: empty input"},
		{"missing file", "", nil, []string{"/nonexistent/story.txt"}, exitFailure, "no such file"},
		{"binary file", "", nil, []string{binary}, exitFailure, "looks like a binary file"},
		{"too large", "", nil, []string{big}, exitFailure, "larger than 10 MiB"},
		{"no inputs", "", nil, nil, exitUsage, "name at least one"},
		{"loopback URL refused", "", nil, []string{closed.URL + "/story"}, exitFailure, "refusing to connect to 127.0.0.1"},
		{"unreachable URL", "", map[string]string{"EMBARGO_ALLOW_PRIVATE_URLS": "1"}, []string{closed.URL + "/story"}, exitFailure, "refused"},
		{"bad rules", "", nil, []string{"--rules", writeFile(t, "r.yaml", "version: 1\nrulez: []\n"), "-"}, exitFailure, "r.yaml:2:1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"check"}, tc.args...)
			if len(tc.args) == 0 || !strings.HasPrefix(tc.args[0], "--rules") {
				args = append([]string{"check", "--rules", rulesFile}, tc.args...)
			}
			r := embargo(t, tc.stdin, tc.env, args...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.stderr) {
				t.Fatalf("code %d, stderr %q; want %d and %q", r.code, r.stderr, tc.code, tc.stderr)
			}
		})
	}
	// Invalid UTF-8 is repaired, not refused.
	r := embargo(t, "", nil, "check", "--rules", rulesFile, "--json", invalid)
	if r.code != exitOK || !strings.Contains(r.stdout, "dprk-labor-abroad") {
		t.Fatalf("invalid UTF-8: code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

func TestCheckURLExtractsArticle(t *testing.T) {
	page, err := os.ReadFile("testdata/article.html")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, string(page))
	}))
	defer srv.Close()
	env := map[string]string{"EMBARGO_ALLOW_PRIVATE_URLS": "1"}
	r := embargo(t, "", env, "check", "--rules", repoFile(t, defaultRules), "--json", srv.URL+"/news/1")
	if r.code != exitOK {
		t.Fatalf("check URL = %d, %q", r.code, r.stderr)
	}
	found := decodeCheck(t, r.stdout)
	if _, ok := found["dprk-labor-abroad"]; !ok {
		t.Fatalf("the article did not fire the labor rule: %v", keys(found))
	}
	for _, m := range found["dprk-labor-abroad"].Matches {
		if strings.Contains(m.Text, "Subscribe") {
			t.Fatalf("page furniture reached the rules: %+v", m)
		}
	}
}
