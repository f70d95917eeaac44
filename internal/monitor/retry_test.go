package monitor

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/embargo-watch/embargo/internal/alert"
	"github.com/embargo-watch/embargo/internal/netguard"
	"github.com/embargo-watch/embargo/internal/source"
	"github.com/embargo-watch/embargo/internal/store"
	"github.com/embargo-watch/embargo/rules"
)

const retryRules = `version: 1
sources: %s
lists:
  - name: un
    format: un
    url: testdata/un.xml
    schedule: "@daily"
lexicons:
  dprk: [North Korea]
rules:
  - id: dprk
    title: DPRK
    category: other
    severity: info
    references: [UNSCR 1718 (2006)]
    groups:
      dprk: {lexicon: dprk}
    tests:
      - fire: "North Korea"
      - ok: "South Africa"
`

// A list whose sync fails is tried again after a wait that grows with each
// failure, until a sync succeeds.
func TestFailingListIsRetriedWithBackoff(t *testing.T) {
	set, err := rules.Parse("rules.yaml", fmt.Appendf(nil, retryRules, "[]"))
	if err != nil {
		t.Fatal(err)
	}
	db := openStore(t)

	var mu sync.Mutex
	attempts := 0
	succeeded := make(chan struct{})
	syncList := func(context.Context, rules.List, func(alert.Alert) []string) error {
		mu.Lock()
		defer mu.Unlock()
		attempts++
		if attempts < 3 {
			return errors.New("list server down")
		}
		close(succeeded)
		return nil
	}
	m, err := New(Config{
		Store:   db,
		Fetcher: source.NewFetcher(source.Options{}),
		Rules:   func() *rules.Set { return set },
		Lists:   ListSyncFunc(syncList),
		Jitter:  -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	var waits []int
	m.listRetry = func(failures int) time.Duration {
		waits = append(waits, failures) // only the job's goroutine calls it
		return time.Millisecond
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	select {
	case <-succeeded:
	case <-time.After(20 * time.Second):
		t.Fatal("the list was not retried until it synced")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(waits) != 2 || waits[0] != 1 || waits[1] != 2 {
		t.Errorf("waited after failures %v, want after the 1st and the 2nd", waits)
	}
}

// A failing source is polled again when its backoff ends, before its next
// scheduled run, until it recovers.
func TestFailingSourceIsRetriedWithBackoff(t *testing.T) {
	feed, err := os.ReadFile("testdata/wire.rss")
	if err != nil {
		t.Fatal(err)
	}
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requests.Add(1) <= 2 {
			http.Error(w, "try later", http.StatusServiceUnavailable)
			return
		}
		w.Write(feed)
	}))
	defer srv.Close()
	sources := fmt.Sprintf(`[{name: wire, url: "%s/feed", schedule: "@every 1h"}]`, srv.URL)
	set, err := rules.Parse("rules.yaml", fmt.Appendf(nil, retryRules, sources))
	if err != nil {
		t.Fatal(err)
	}
	db := openStore(t)
	m, err := New(Config{
		Store:   db,
		Fetcher: source.NewFetcher(source.Options{Policy: netguard.Policy{AllowPrivate: true}}),
		Rules:   func() *rules.Set { return set },
		Jitter:  -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	var failures []int
	m.sourceRetry = func(n int, _ time.Duration) time.Duration {
		failures = append(failures, n) // only the job's goroutine calls it
		return 10 * time.Millisecond
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		st, err := db.SourceState(ctx, "wire")
		if err != nil {
			t.Fatal(err)
		}
		if st.LastStatus == StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the source did not recover: %+v", st)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := requests.Load(); n != 3 {
		t.Errorf("%d requests, want 2 failures and a success", n)
	}
	if len(failures) != 2 || failures[0] != 1 || failures[1] != 2 {
		t.Errorf("backed off after failures %v, want 1 then 2", failures)
	}
}

func openStore(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "embargo.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// pollRecord is what a backoff test learns of each poll and each request.
type pollRecord struct {
	mu       sync.Mutex
	polls    []Stats
	requests []time.Time
}

func (r *pollRecord) onPoll(s Stats, _ error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.polls = append(r.polls, s)
}

func (r *pollRecord) request() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests = append(r.requests, time.Now())
	return len(r.requests)
}

func (r *pollRecord) snapshot() ([]Stats, []time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Stats(nil), r.polls...), append([]time.Time(nil), r.requests...)
}

// runUntilOK runs a monitor over one source, which fails its first `fail`
// requests, until a poll of it succeeds.
func runUntilOK(t *testing.T, db *store.DB, schedule string, fail int, retry time.Duration) *pollRecord {
	t.Helper()
	feed, err := os.ReadFile("testdata/wire.rss")
	if err != nil {
		t.Fatal(err)
	}
	rec := &pollRecord{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rec.request() <= fail {
			http.Error(w, "try later", http.StatusServiceUnavailable)
			return
		}
		w.Write(feed)
	}))
	defer srv.Close()
	sources := fmt.Sprintf(`[{name: wire, url: "%s/feed", schedule: "%s"}]`, srv.URL, schedule)
	set, err := rules.Parse("rules.yaml", fmt.Appendf(nil, retryRules, sources))
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(Config{
		Store:   db,
		Fetcher: source.NewFetcher(source.Options{Policy: netguard.Policy{AllowPrivate: true}}),
		Rules:   func() *rules.Set { return set },
		Jitter:  -1,
		OnPoll:  rec.onPoll,
	})
	if err != nil {
		t.Fatal(err)
	}
	m.sourceRetry = func(int, time.Duration) time.Duration { return retry }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	deadline := time.Now().Add(20 * time.Second) // liveness only
	for {
		if polls, _ := rec.snapshot(); slices.ContainsFunc(polls, func(s Stats) bool { return s.Status == StatusOK }) {
			break
		}
		if time.Now().After(deadline) {
			polls, _ := rec.snapshot()
			t.Fatalf("the source did not recover: %+v", polls)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return rec
}

// The next attempt a failed poll logs is when the source is polled again,
// also when a scheduled run falls before it: that run is skipped, and the
// retry does not wait for the run after.
func TestRetryHappensAtTheLoggedNextAttempt(t *testing.T) {
	rec := runUntilOK(t, openStore(t), "@every 1s", 1, 1500*time.Millisecond)
	polls, requests := rec.snapshot()
	if len(polls) < 2 || polls[0].Status != StatusError || polls[1].Status != StatusOK {
		t.Fatalf("polls %+v, want a failure, then a success", polls)
	}
	if retried := requests[1]; retried.Before(polls[0].NextAttempt) {
		t.Errorf("retried at %s, before the next attempt %s", retried, polls[0].NextAttempt)
	}
}

// A source still backing off when the monitor starts is polled at its
// NextAttempt, not at the first scheduled run after it (an hour here).
func TestBackoffFromBeforeARestartEndsAtNextAttempt(t *testing.T) {
	db := openStore(t)
	nextAttempt := time.Now().Add(300 * time.Millisecond)
	err := db.SaveSourceState(context.Background(), store.SourceState{
		Name: "wire", LastStatus: StatusError, Failures: 1, NextAttempt: nextAttempt,
	})
	if err != nil {
		t.Fatal(err)
	}
	rec := runUntilOK(t, db, "@every 1h", 0, time.Minute)
	polls, requests := rec.snapshot()
	if len(polls) != 2 || polls[0].Status != StatusSkipped || polls[1].Status != StatusOK {
		t.Fatalf("polls %+v, want one skipped while backing off, then a success", polls)
	}
	if requests[0].Before(nextAttempt) {
		t.Errorf("polled at %s, before the next attempt %s", requests[0], nextAttempt)
	}
}
