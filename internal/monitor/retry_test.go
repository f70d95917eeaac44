package monitor

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
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
