package monitor_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/embargo-watch/embargo/internal/alert"
	"github.com/embargo-watch/embargo/internal/console"
	"github.com/embargo-watch/embargo/internal/delivery"
	"github.com/embargo-watch/embargo/internal/monitor"
	"github.com/embargo-watch/embargo/internal/netguard"
	"github.com/embargo-watch/embargo/internal/source"
	"github.com/embargo-watch/embargo/internal/store"
	"github.com/embargo-watch/embargo/rules"
)

// feedServer serves feeds and pages from memory over loopback. Routes honour
// If-None-Match unless told to ignore it, and every request is recorded.
type feedServer struct {
	*httptest.Server
	mu       sync.Mutex
	routes   map[string]http.HandlerFunc
	requests map[string][]http.Header
}

func newFeedServer(t *testing.T) *feedServer {
	s := &feedServer{routes: map[string]http.HandlerFunc{}, requests: map[string][]http.Header{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *feedServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests[r.URL.Path] = append(s.requests[r.URL.Path], r.Header.Clone())
	h, ok := s.routes[r.URL.Path]
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	h(w, r)
}

// handle routes path to h, replacing what was there.
func (s *feedServer) handle(path string, h http.HandlerFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.routes[path] = h
}

// serveBody routes path to a fixed body with an ETag; a request carrying
// that ETag gets a 304.
func (s *feedServer) serveBody(path, contentType string, body []byte) {
	etag := fmt.Sprintf(`"%x"`, sha256.Sum256(body))
	s.handle(path, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("ETag", etag)
		w.Write(body)
	})
}

// serveFile serves a testdata file, with replacements of placeholders.
func (s *feedServer) serveFile(t *testing.T, path, contentType, file string, replace ...string) {
	body, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	s.serveBody(path, contentType, []byte(strings.NewReplacer(replace...).Replace(string(body))))
}

func (s *feedServer) hits(path string) []http.Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]http.Header(nil), s.requests[path]...)
}

const rssType = "application/rss+xml; charset=utf-8"

// testRules is the rule file of these tests: sources are filled in per test.
const testRules = `version: 1
sources:
%s
lexicons:
  dprk:
    - North Korea
    - North Korean
    - {term: DPRK, case: true}
    - Pyongyang
    - КНДР
    - северокорейск*
  workers:
    - worker*
    - laborer*
    - builders
    - рабоч*
rules:
  - id: dprk-labor-abroad
    title: DPRK workers earning income abroad
    category: labor
    severity: high
    references:
      - UNSCR 2397 (2017) OP8
      - UNSCR 2375 (2017) OP17
    groups:
      dprk: {lexicon: dprk}
      workers: {lexicon: workers, quantity: true}
    condition: dprk near/20 workers
    tests:
      - fire: "North Korea will send 6,000 workers to Russia's Kursk region."
      - ok: "Typhoon season is expected to be milder, forecasters say."
`

// src is one source line of the rule file.
type src struct{ name, url, extra string }

// replaceSources returns the test rule file with yaml as its sources (and
// whatever top-level keys follow them).
func replaceSources(t *testing.T, yaml string) string {
	t.Helper()
	return fmt.Sprintf(testRules, yaml)
}

func rulesWith(t *testing.T, sources ...src) *rules.Set {
	t.Helper()
	var b strings.Builder
	for _, s := range sources {
		fmt.Fprintf(&b, "  - name: %s\n    url: %s\n", s.name, s.url)
		if s.extra != "" {
			b.WriteString(s.extra)
		}
	}
	if len(sources) == 0 {
		b.WriteString("  []")
	}
	set, err := rules.Parse("rules.yaml", fmt.Appendf(nil, testRules, b.String()))
	if err != nil {
		t.Fatalf("rules: %v", err)
	}
	return set
}

// clock is a settable time for backoff tests.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// syncBuffer is a bytes.Buffer safe for the logger's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// harness is a monitor over a real SQLite file and a loopback feed server.
type harness struct {
	t       *testing.T
	srv     *feedServer
	dbPath  string
	db      *store.DB
	rules   atomic.Pointer[rules.Set]
	clock   *clock
	logs    *syncBuffer
	fetcher *source.Fetcher
	mon     *monitor.Monitor

	pollsMu sync.Mutex
	polls   []monitor.Stats // every poll's outcome, as told to OnPoll
	alerted []alert.Alert   // every alert told to OnAlert
}

// newHarness starts a feed server and a monitor over a new database. The
// options adjust the fetcher; by default it allows loopback, caps bodies at
// 2 MiB and waits 10 s for an answer.
func newHarness(t *testing.T, options ...func(*source.Options)) *harness {
	opts := source.Options{
		Timeout: 10 * time.Second,
		MaxBody: 2 << 20,
		PerHost: 8,
		Policy:  netguard.Policy{AllowPrivate: true},
	}
	for _, o := range options {
		o(&opts)
	}
	h := &harness{
		t:       t,
		srv:     newFeedServer(t),
		dbPath:  filepath.Join(t.TempDir(), "embargo.db"),
		clock:   &clock{now: time.Now().UTC()},
		logs:    &syncBuffer{},
		fetcher: source.NewFetcher(opts),
	}
	h.rules.Store(rulesWith(t))
	h.open()
	t.Cleanup(func() {
		if h.db != nil {
			h.db.Close()
		}
	})
	return h
}

// open opens the store and a fresh monitor over it, as a restart does.
func (h *harness) open() {
	h.t.Helper()
	db, err := store.Open(context.Background(), h.dbPath)
	if err != nil {
		h.t.Fatalf("open store: %v", err)
	}
	h.db = db
	mon, err := monitor.New(monitor.Config{
		Store:   db,
		Fetcher: h.fetcher,
		Rules:   h.rules.Load,
		Log:     slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:     h.clock.Now,
		Jitter:  -1,
		OnPoll: func(s monitor.Stats, _ error) {
			h.pollsMu.Lock()
			defer h.pollsMu.Unlock()
			h.polls = append(h.polls, s)
		},
		OnAlert: func(a alert.Alert) {
			h.pollsMu.Lock()
			defer h.pollsMu.Unlock()
			h.alerted = append(h.alerted, a)
		},
	})
	if err != nil {
		h.t.Fatalf("monitor.New: %v", err)
	}
	h.mon = mon
}

// restart closes the store and opens it again with a new monitor.
func (h *harness) restart() {
	h.t.Helper()
	if err := h.db.Close(); err != nil {
		h.t.Fatalf("close store: %v", err)
	}
	h.open()
}

// pollStatuses lists the status of every poll of a source so far.
func (h *harness) pollStatuses(source string) []string {
	h.pollsMu.Lock()
	defer h.pollsMu.Unlock()
	var out []string
	for _, s := range h.polls {
		if s.Source == source {
			out = append(out, s.Status)
		}
	}
	return out
}

// alertsTold lists the alerts told to OnAlert so far.
func (h *harness) alertsTold() []alert.Alert {
	h.pollsMu.Lock()
	defer h.pollsMu.Unlock()
	return append([]alert.Alert(nil), h.alerted...)
}

func (h *harness) setSources(sources ...src) {
	h.rules.Store(rulesWith(h.t, sources...))
	h.mon.Reload()
}

func (h *harness) once() {
	h.t.Helper()
	if err := h.mon.Once(context.Background()); err != nil {
		h.t.Fatalf("Once: %v\nlogs:\n%s", err, h.logs)
	}
}

// drain delivers the due console rows through the delivery worker and the
// console sink, and returns the alerts printed.
func (h *harness) drain() []alert.Alert {
	h.t.Helper()
	var out bytes.Buffer
	w := &delivery.Worker{Outbox: h.db, Sender: console.NewSender(&out, true), Prefix: store.TargetConsole}
	if _, err := w.Drain(context.Background()); err != nil {
		h.t.Fatalf("Drain: %v", err)
	}
	var alerts []alert.Alert
	dec := json.NewDecoder(&out)
	for dec.More() {
		var a alert.Alert
		if err := dec.Decode(&a); err != nil {
			h.t.Fatalf("console printed something that is not an alert: %v", err)
		}
		alerts = append(alerts, a)
	}
	return alerts
}

func (h *harness) state(name string) store.SourceState {
	h.t.Helper()
	st, err := h.db.SourceState(context.Background(), name)
	if err != nil {
		h.t.Fatal(err)
	}
	return st
}

// waitFor polls cond until it holds, failing the test after a generous
// deadline (a liveness check, not a timing assertion).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// restartEmpty starts over with a new, empty database.
func (h *harness) restartEmpty() {
	h.t.Helper()
	if err := h.db.Close(); err != nil {
		h.t.Fatal(err)
	}
	h.dbPath = filepath.Join(h.t.TempDir(), "embargo.db")
	h.open()
}

// timeout sets how long the fetcher waits for an answer.
func timeout(d time.Duration) func(*source.Options) {
	return func(o *source.Options) { o.Timeout = d }
}
