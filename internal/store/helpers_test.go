package store

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/embargo-watch/embargo/internal/alert"
)

// testClock is a settable clock for the store's created and seen times.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var t0 = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

// openTest opens a fresh database file in t.TempDir() with a test clock at t0.
func openTest(t testing.TB) (*DB, *testClock) {
	t.Helper()
	clock := &testClock{t: t0}
	db, err := OpenWith(context.Background(), filepath.Join(t.TempDir(), "embargo.db"), Options{Now: clock.Now})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return db, clock
}

func newsAlert(rule, source, headline string) alert.Alert {
	return alert.Alert{
		Rule:       rule,
		Title:      "Title of " + rule,
		Category:   "labor",
		Severity:   "high",
		References: []string{"UNSCR 2397 (2017) OP8"},
		Headline:   headline,
		URL:        "https://news.example/" + source + "/" + rule,
		Source:     source,
		Published:  t0.Add(-time.Hour),
		Snippet:    "North Korea is sending 6,000 workers to Kursk",
		Matches:    []alert.Match{{Group: "workers", Term: "workers", Text: "workers", Start: 30, End: 37}},
		Quantities: []alert.Quantity{{Text: "6,000 workers", Value: 6000, Group: "workers"}},
		Entities:   []alert.Entity{{List: "un", Ref: "KPe.001", Name: "Korea Mining Development Trading Corporation", Program: "DPRK"}},
	}
}

func item(source, key string, fp uint64) Item {
	return Item{
		Key: key, Source: source, GUID: key, URL: "https://news.example/" + key,
		Title: "Story " + key, Published: t0.Add(-time.Hour), Fingerprint: fp,
	}
}

// batchOf builds a batch of new stories from source, one alert per item.
func batchOf(source string, keys ...string) Batch {
	b := Batch{Source: source, State: SourceState{Name: source, LastStatus: "ok", LastFetch: t0, LastSuccess: t0}}
	for i, k := range keys {
		b.Items = append(b.Items, BatchItem{
			Item:   item(source, k, uint64(i+1)),
			Alerts: []Pending{{Alert: newsAlert("dprk-labor", source, "Headline "+k), Targets: []string{TargetConsole}}},
		})
	}
	return b
}

func mustSaveBatch(t testing.TB, db *DB, b Batch) []alert.Alert {
	t.Helper()
	stored, err := db.SaveBatch(context.Background(), b)
	if err != nil {
		t.Fatalf("save batch: %v", err)
	}
	return stored
}
