package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// listRules is a rule file whose UN list is a local file and whose one rule
// looks for the DPRK entries' names; sourceURLs are feeds to poll hourly.
func listRules(t *testing.T, unPath string, sourceURLs ...string) string {
	t.Helper()
	abs, err := filepath.Abs(unPath)
	if err != nil {
		t.Fatal(err)
	}
	var sources strings.Builder
	if len(sourceURLs) > 0 {
		sources.WriteString("sources:\n")
	}
	for i, u := range sourceURLs {
		fmt.Fprintf(&sources, "  - name: wire-%d\n    url: %s\n    schedule: \"@every 1h\"\n", i, u)
	}
	return writeFile(t, "rules.yaml", fmt.Sprintf(`version: 1
%slists:
  - name: un
    format: un
    url: %s
rules:
  - id: dprk-designated-named
    title: A designated DPRK entity is named
    category: designation
    severity: medium
    references: ["UNSCR 1718 (2006) OP8(d)"]
    groups:
      designated: {watchlist: {list: un, program: DPRK}}
    condition: designated
    tests:
      - ok: Nothing designated here.
      - ok: Trade fair in Seoul.
      - ok: Weather in Pyongyang.
`, sources.String(), abs))
}

func TestListsSyncThenLookupAndCheckEntities(t *testing.T) {
	un := sharedFile(t, "data/un/consolidated-2026-02-27.xml")
	rulesFile := listRules(t, un)
	db := filepath.Join(t.TempDir(), "embargo.db")

	r := embargo(t, "", nil, "lists", "sync", "--rules", rulesFile, "--db", db)
	if r.code != exitOK || !strings.Contains(r.stdout, "first sync") {
		t.Fatalf("first sync = %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	r = embargo(t, "", nil, "lookup", "--rules", rulesFile, "--db", db, "--json", "Korea Kumsan Trading Corporation", "Zzyzx Qwerty")
	if r.code != exitOK {
		t.Fatalf("lookup = %d, %s", r.code, r.stderr)
	}
	var answers []lookupAnswer
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var a lookupAnswer
		if err := json.Unmarshal([]byte(line), &a); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		answers = append(answers, a)
	}
	if len(answers) != 2 || len(answers[0].Results) == 0 || answers[0].Results[0].Ref != "KPe.044" ||
		answers[0].Results[0].List != "un" || answers[0].Results[0].Score < 0.9 {
		t.Fatalf("lookup answers = %+v; want KPe.044 first for the exact name", answers)
	}
	if len(answers[1].Results) != 0 {
		t.Fatalf("a made-up name matched: %+v", answers[1].Results)
	}
	if r := embargo(t, "", nil, "lookup", "--rules", rulesFile, "--db", db, "--list", "nosuch", "Kim"); r.code != exitUsage ||
		!strings.Contains(r.stderr, `no list named "nosuch"`) {
		t.Fatalf("lookup --list nosuch = %d, %q", r.code, r.stderr)
	}

	text := "A tanker chartered by Korea Kumsan Trading Corporation unloaded cargo in Nampo."
	r = embargo(t, text, map[string]string{"EMBARGO_DB": db}, "check", "--rules", rulesFile, "--json", "-")
	found := decodeCheck(t, r.stdout)
	got, ok := found["dprk-designated-named"]
	if r.code != exitOK || !ok || len(got.Entities) == 0 || got.Entities[0].Ref != "KPe.044" {
		t.Fatalf("check with the synced list: code %d, results %+v, stderr %q", r.code, found, r.stderr)
	}
}

func TestLookupWithoutLists(t *testing.T) {
	rulesFile := writeFile(t, "rules.yaml", "version: 1\n")
	r := embargo(t, "", nil, "lookup", "--rules", rulesFile, "--db", filepath.Join(t.TempDir(), "e.db"), "Kim Jong Un")
	if r.code != exitFailure || !strings.Contains(r.stderr, "run `embargo lists sync` first") {
		t.Fatalf("lookup with no lists = %d, %q", r.code, r.stderr)
	}
}

func TestBadWebhookFailsBeforeFetching(t *testing.T) {
	f := newFarm(t, 1, 1, 0)
	dir := t.TempDir()
	r := embargo(t, "", map[string]string{"DISCORD_WEBHOOK_URL": "foo"}, "run", "--once",
		"--rules", f.writeRules(t, dir, 0, "@every 1h"), "--db", filepath.Join(dir, "e.db"))
	if r.code != exitFailure || !strings.Contains(r.stderr, "webhook") {
		t.Fatalf("run with a bad webhook URL = %d, %q", r.code, r.stderr)
	}
	if n := f.requests("/feed/0.xml"); n != 0 {
		t.Fatalf("the feed was fetched %d times before the sink was known to be broken", n)
	}
}

// On a fresh database the monitor syncs the lists before its first poll, so
// that the first news already meets the designated names.
func TestRunSyncsListsBeforeFirstPoll(t *testing.T) {
	un := sharedFile(t, "data/un/consolidated-2026-02-27.xml")
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>w</title>
<item><guid>k1</guid><link>http://news.example/k1</link><title>Kumsan ship seen</title>
<description>A tanker chartered by Korea Kumsan Trading Corporation unloaded cargo in Nampo.</description></item></channel></rss>`)
	}))
	defer feed.Close()
	dir := t.TempDir()
	rulesFile := listRules(t, un, feed.URL)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- execute(ctx, cli{args: []string{"run", "--json", "--rules", rulesFile, "--db", filepath.Join(dir, "e.db")},
			stdin: strings.NewReader(""), stdout: &out, stderr: &errOut,
			getenv: func(k string) string { return map[string]string{"EMBARGO_HTTP_ADDR": "off"}[k] }})
	}()
	waitFor(t, 60*time.Second, "the first alert", func() bool { return strings.Contains(out.String(), "dprk-designated-named") })
	cancel()
	<-done
	if !strings.Contains(out.String(), `"ref":"KPe.044"`) {
		t.Fatalf("the first alert does not name the designated entity:\n%s\nlog:\n%s", out.String(), errOut.String())
	}
}

// UN 2017 → 2026 removes 224 of 1021 entries: more than the 20% guard, so
// the new version is held (exit 1) until confirmed, then its changes apply.
func TestListsSyncHoldsALargeDropUntilConfirmed(t *testing.T) {
	old := sharedFile(t, "data/un/consolidated-2017-07-03.xml")
	current := sharedFile(t, "data/un/consolidated-2026-02-27.xml")
	db := filepath.Join(t.TempDir(), "embargo.db")
	if r := embargo(t, "", nil, "lists", "sync", "--rules", listRules(t, old), "--db", db); r.code != exitOK {
		t.Fatalf("baseline = %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	newRules := listRules(t, current)
	r := embargo(t, "", nil, "lists", "sync", "--rules", newRules, "--db", db, "--json")
	if r.code != exitFailure || !strings.Contains(r.stderr, "HELD") || strings.TrimSpace(r.stdout) != "" {
		t.Fatalf("sync of a large drop = %d, stdout %q, stderr %q; want exit 1, HELD and no changes applied", r.code, r.stdout, r.stderr)
	}
	r = embargo(t, "", nil, "lists", "sync", "--rules", newRules, "--db", db, "--json", "--confirm", "un")
	if r.code != exitOK {
		t.Fatalf("confirm = %d, %s", r.code, r.stderr)
	}
	kinds := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var ch listChange
		if err := json.Unmarshal([]byte(line), &ch); err != nil || ch.List != "un" || ch.Ref == "" || ch.Name == "" {
			t.Fatalf("change line %q: %+v %v", line, ch, err)
		}
		kinds[ch.Change]++
	}
	if kinds["added"] == 0 || kinds["removed"] == 0 || kinds["amended"] == 0 {
		t.Fatalf("confirmed changes by kind: %v; want added, removed and amended", kinds)
	}
}
