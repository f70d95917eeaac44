package monitor

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/embargo-watch/embargo/internal/alert"
	"github.com/embargo-watch/embargo/internal/source"
	"github.com/embargo-watch/embargo/internal/store"
	"github.com/embargo-watch/embargo/rules"
)

const listRules = `version: 1
sources: []
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
	set, err := rules.Parse("rules.yaml", []byte(listRules))
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "embargo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

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
