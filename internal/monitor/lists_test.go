package monitor_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/embargo-watch/embargo/internal/alert"
	"github.com/embargo-watch/embargo/internal/monitor"
	"github.com/embargo-watch/embargo/internal/store"
	"github.com/embargo-watch/embargo/rules"
)

// listRecorder is a ListSyncer that records the lists it is asked to sync
// and the targets it is given for a designation alert.
type listRecorder struct {
	mu      sync.Mutex
	synced  []string
	targets [][]string
	fail    error
}

func (r *listRecorder) sync(_ context.Context, l rules.List, targets func(alert.Alert) []string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.synced = append(r.synced, l.Name)
	r.targets = append(r.targets, targets(alert.Alert{Rule: "designation-" + l.Name, Category: "designation"}))
	return r.fail
}

func (r *listRecorder) calls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.synced)
}

const testLists = `lists:
  - name: un
    format: un
    url: testdata/un.xml
  - name: ofac
    format: ofac
    url: testdata/sdn.csv
    schedule: "@every 6h"
`

func listHarness(t *testing.T, rec *listRecorder) *harness {
	h := newHarness(t)
	set, err := rules.Parse("rules.yaml", []byte(replaceSources(t, "  []\n"+testLists)))
	if err != nil {
		t.Fatal(err)
	}
	h.rules.Store(set)
	mon, err := monitor.New(monitor.Config{
		Store:   h.db,
		Fetcher: h.fetcher,
		Rules:   h.rules.Load,
		Lists:   monitor.ListSyncFunc(rec.sync),
		Targets: func(context.Context, alert.Alert) ([]string, error) { return []string{store.TargetWebhook}, nil },
		Jitter:  -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	h.mon = mon
	return h
}

func TestOnceSyncsEveryList(t *testing.T) {
	rec := &listRecorder{fail: errors.New("list server down")}
	h := listHarness(t, rec)
	// A failing list is logged and retried later; it does not fail the pass.
	if err := h.mon.Once(context.Background()); err != nil {
		t.Fatalf("Once: %v", err)
	}
	if got := rec.calls(); !slices.Equal(got, []string{"ofac", "un"}) {
		t.Errorf("synced %v, want ofac and un", got)
	}
	for _, targets := range rec.targets {
		if !slices.Equal(targets, []string{store.TargetWebhook}) {
			t.Errorf("designation targets = %v, want the configured ones", targets)
		}
	}
}

func TestRunSyncsListsOnSchedule(t *testing.T) {
	rec := &listRecorder{}
	h := listHarness(t, rec)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.mon.Run(ctx) }()
	waitFor(t, "both lists' start-up sync", func() bool { return len(rec.calls()) == 2 })
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
}

// On a fresh database the lists must be loaded before any item is matched:
// an item is matched once, so a designated name missed then is missed for
// good.
func TestOnceSyncsListsBeforePollingSources(t *testing.T) {
	var (
		mu     sync.Mutex
		events []string
	)
	record := func(event string) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, event)
	}
	rec := &listRecorder{}
	h := newHarness(t)
	body := readTestdata(t, "wire.rss")
	h.srv.handle("/wire.rss", func(w http.ResponseWriter, r *http.Request) {
		record("fetch wire")
		w.Header().Set("Content-Type", rssType)
		w.Write(body)
	})
	set, err := rules.Parse("rules.yaml", []byte(replaceSources(t,
		"  - name: wire\n    url: "+h.srv.URL+"/wire.rss\n"+testLists)))
	if err != nil {
		t.Fatal(err)
	}
	h.rules.Store(set)
	h.mon, err = monitor.New(monitor.Config{
		Store:   h.db,
		Fetcher: h.fetcher,
		Rules:   h.rules.Load,
		Lists: monitor.ListSyncFunc(func(ctx context.Context, l rules.List, targets func(alert.Alert) []string) error {
			record("sync " + l.Name)
			return rec.sync(ctx, l, targets)
		}),
		Jitter: -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	h.once()
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"sync ofac", "sync un", "fetch wire"}; !slices.Equal(events, want) {
		t.Errorf("Once did %q, want %q", events, want)
	}
}
