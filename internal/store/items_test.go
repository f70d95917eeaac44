package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestSaveBatchStoresItemsAlertsAndOutbox(t *testing.T) {
	t.Parallel()
	db, _ := openTest(t)
	ctx := context.Background()
	stored := mustSaveBatch(t, db, batchOf("yonhap", "guid:a", "guid:b"))
	if len(stored) != 2 {
		t.Fatalf("stored %d alerts, want 2", len(stored))
	}
	for _, a := range stored {
		if a.ID == 0 || !a.Created.Equal(t0) {
			t.Errorf("stored alert %+v: want an ID and Created %v", a, t0)
		}
	}
	seen, err := db.SeenKeys(ctx, []string{"guid:a", "guid:b", "guid:c"})
	if err != nil {
		t.Fatal(err)
	}
	if !seen["guid:a"] || !seen["guid:b"] || seen["guid:c"] || len(seen) != 2 {
		t.Errorf("seen = %v, want guid:a and guid:b only", seen)
	}
	due, err := db.DueDeliveries(ctx, TargetConsole, t0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 2 || due[0].Alert.ID != stored[0].ID || due[1].Alert.ID != stored[1].ID {
		t.Fatalf("due = %+v, want the two stored alerts in order", due)
	}
	if got := due[0].Alert; got.Headline != "Headline guid:a" || got.Quantities[0].Value != 6000 || got.Entities[0].Ref != "KPe.001" {
		t.Errorf("delivered alert lost detail: %+v", got)
	}
	state, err := db.SourceState(ctx, "yonhap")
	if err != nil || state.LastStatus != "ok" || !state.LastSuccess.Equal(t0) {
		t.Errorf("source state = %+v, %v; want saved with the batch", state, err)
	}
}

func TestSaveBatchSkipsItemsAlreadySeen(t *testing.T) {
	t.Parallel()
	db, _ := openTest(t)
	ctx := context.Background()
	mustSaveBatch(t, db, batchOf("yonhap", "guid:a"))
	again := mustSaveBatch(t, db, batchOf("yonhap", "guid:a", "guid:b"))
	if len(again) != 1 || again[0].Headline != "Headline guid:b" {
		t.Fatalf("second batch stored %+v, want only the alert of guid:b", again)
	}
	pending, _, err := db.OutboxStats(ctx)
	if err != nil || pending != 2 {
		t.Errorf("pending = %d, %v; want 2", pending, err)
	}
}

func TestOneAlertPerStoryAndRule(t *testing.T) {
	t.Parallel()
	db, clock := openTest(t)
	ctx := context.Background()
	first := mustSaveBatch(t, db, batchOf("yonhap", "guid:yonhap-1"))
	stories, err := db.RecentStories(ctx, t0.Add(-72*time.Hour))
	if err != nil || len(stories) != 1 {
		t.Fatalf("stories = %v, %v; want 1", stories, err)
	}
	story := stories[0]
	if story.Source != "yonhap" || story.Fingerprint != 1 || !story.FirstSeen.Equal(t0) {
		t.Errorf("story = %+v", story)
	}

	// The same story carried by two more outlets, one of which also fires
	// a second rule.
	clock.Advance(time.Minute)
	copies := Batch{Source: "reuters", Items: []BatchItem{{
		Item:    item("reuters", "url:reuters/1", 1),
		StoryID: story.ID,
		Alerts: []Pending{
			{Alert: newsAlert("dprk-labor", "reuters", "copy"), Targets: []string{TargetConsole}},
			{Alert: newsAlert("dprk-military", "reuters", "copy"), Targets: []string{TargetConsole}},
		},
	}}}
	stored := mustSaveBatch(t, db, copies)
	if len(stored) != 1 || stored[0].Rule != "dprk-military" {
		t.Fatalf("copy stored %+v, want only the new rule's alert", stored)
	}
	if !slices.Equal(stored[0].AlsoReportedBy, []string{"yonhap"}) {
		t.Errorf("new alert on old story: also reported by %v, want [yonhap]", stored[0].AlsoReportedBy)
	}
	clock.Advance(time.Minute)
	mustSaveBatch(t, db, Batch{Source: "ap", Items: []BatchItem{{
		Item: item("ap", "url:ap/1", 1), StoryID: story.ID,
		Alerts: []Pending{{Alert: newsAlert("dprk-labor", "ap", "copy"), Targets: []string{TargetConsole}}},
	}}})

	got, err := db.Alert(ctx, first[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"reuters", "ap"}; !slices.Equal(got.AlsoReportedBy, want) {
		t.Errorf("also reported by %v, want %v", got.AlsoReportedBy, want)
	}
	pending, _, _ := db.OutboxStats(ctx)
	if pending != 2 {
		t.Errorf("pending deliveries = %d, want 2 (no delivery for copies)", pending)
	}
	if stories, _ := db.RecentStories(ctx, t0.Add(-time.Hour)); len(stories) != 1 {
		t.Errorf("copies started new stories: %v", stories)
	}
	seen, _ := db.SeenKeys(ctx, []string{"url:reuters/1", "url:ap/1"})
	if len(seen) != 2 {
		t.Errorf("copies not marked seen: %v", seen)
	}
}

func TestSaveBatchStartsNewStoryWhenStoryIsGone(t *testing.T) {
	t.Parallel()
	db, _ := openTest(t)
	stored := mustSaveBatch(t, db, Batch{Source: "kcna", Items: []BatchItem{{
		Item: item("kcna", "guid:k", 7), StoryID: 987654,
		Alerts: []Pending{{Alert: newsAlert("dprk-labor", "kcna", "x"), Targets: []string{TargetConsole}}},
	}}})
	stories, _ := db.RecentStories(context.Background(), t0)
	if len(stored) != 1 || len(stories) != 1 || stories[0].ID == 987654 {
		t.Errorf("stored %v, stories %v: want a new story", stored, stories)
	}
}

// A batch that fails part way stores nothing: no item is marked seen whose
// alert and outbox rows were not stored with it.
func TestSaveBatchIsAllOrNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	tests := []struct {
		name   string
		ctx    context.Context
		mutate func(*Batch)
	}{
		{"invalid target in the last item", ctx, func(b *Batch) {
			b.Items[2].Alerts[0].Targets = append(b.Items[2].Alerts[0].Targets, "")
		}},
		{"unencodable alert in the middle", ctx, func(b *Batch) {
			b.Items[1].Alerts[0].Alert.Published = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
		}},
		{"item without key", ctx, func(b *Batch) { b.Items[2].Item.Key = "" }},
		{"cancelled context", cancelled, func(*Batch) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := openTest(t)
			b := batchOf("yonhap", "guid:a", "guid:b", "guid:c")
			tt.mutate(&b)
			if _, err := db.SaveBatch(tt.ctx, b); err == nil {
				t.Fatal("SaveBatch succeeded, want an error")
			}
			assertEmpty(t, db)
		})
	}
}

func assertEmpty(t *testing.T, db *DB) {
	t.Helper()
	ctx := context.Background()
	seen, err := db.SeenKeys(ctx, []string{"guid:a", "guid:b", "guid:c"})
	if err != nil || len(seen) != 0 {
		t.Errorf("seen after failed batch: %v, %v", seen, err)
	}
	if pending, _, err := db.OutboxStats(ctx); err != nil || pending != 0 {
		t.Errorf("pending after failed batch: %d, %v", pending, err)
	}
	if found, err := db.SearchAlerts(ctx, AlertQuery{}); err != nil || len(found) != 0 {
		t.Errorf("alerts after failed batch: %v, %v", found, err)
	}
	if stories, err := db.RecentStories(ctx, time.Time{}); err != nil || len(stories) != 0 {
		t.Errorf("stories after failed batch: %v, %v", stories, err)
	}
	if states, err := db.SourceStates(ctx); err != nil || len(states) != 0 {
		t.Errorf("source states after failed batch: %v, %v", states, err)
	}
}

func TestSaveBatchErrorNamesItem(t *testing.T) {
	t.Parallel()
	db, _ := openTest(t)
	b := batchOf("yonhap", "guid:a", "guid:b")
	b.Items[1].Alerts[0].Targets = []string{""}
	_, err := db.SaveBatch(context.Background(), b)
	if err == nil || !strings.Contains(err.Error(), "guid:b") || !strings.Contains(err.Error(), "yonhap") {
		t.Errorf("error %v should name the source and the item", err)
	}
	if errors.Is(err, ErrLocked) {
		t.Errorf("validation error classified as locked: %v", err)
	}
}

func TestSeenKeysManyKeys(t *testing.T) {
	t.Parallel()
	db, _ := openTest(t)
	var keys []string
	for i := range 1001 {
		keys = append(keys, fmt.Sprintf("guid:%d", i))
	}
	b := batchOf("big")
	for _, k := range keys[:510:510] {
		b.Items = append(b.Items, BatchItem{Item: item("big", k, 1)})
	}
	mustSaveBatch(t, db, b)
	seen, err := db.SeenKeys(context.Background(), keys)
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 510 || !seen["guid:0"] || !seen["guid:509"] || seen["guid:510"] {
		t.Errorf("seen %d keys, want the first 510", len(seen))
	}
	if empty, err := db.SeenKeys(context.Background(), nil); err != nil || len(empty) != 0 {
		t.Errorf("SeenKeys(nil) = %v, %v", empty, err)
	}
}

func TestRecentStoriesWindow(t *testing.T) {
	t.Parallel()
	db, clock := openTest(t)
	mustSaveBatch(t, db, batchOf("a", "guid:old"))
	clock.Advance(73 * time.Hour)
	mustSaveBatch(t, db, batchOf("b", "guid:new"))
	stories, err := db.RecentStories(context.Background(), clock.Now().Add(-72*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(stories) != 1 || stories[0].Source != "b" {
		t.Errorf("stories in window = %+v, want only b's", stories)
	}
}

func TestSameStoryAsJoinsAnItemOfTheSameBatch(t *testing.T) {
	t.Parallel()
	db, _ := openTest(t)
	ctx := context.Background()
	labor := func(source string) []Pending {
		return []Pending{{Alert: newsAlert("dprk-labor", source, "h"), Targets: []string{TargetConsole}}}
	}
	stored := mustSaveBatch(t, db, Batch{Source: "agg", Items: []BatchItem{
		{Item: item("yonhap", "url:yonhap/1", 1), Alerts: labor("yonhap")},
		{Item: item("ap", "url:ap/1", 1), SameStoryAs: "url:yonhap/1", Alerts: labor("ap")},
		{Item: item("kcna", "url:kcna/1", 2), SameStoryAs: "url:unknown", Alerts: labor("kcna")},
	}})
	if len(stored) != 2 || stored[0].Source != "yonhap" || stored[1].Source != "kcna" {
		t.Fatalf("stored %+v, want the alerts of yonhap and kcna only", stored)
	}
	// A later batch may name a stored item too.
	mustSaveBatch(t, db, Batch{Source: "reuters", Items: []BatchItem{
		{Item: item("reuters", "url:reuters/1", 1), SameStoryAs: "url:ap/1", Alerts: labor("reuters")},
	}})
	got, err := db.Alert(ctx, stored[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"ap", "reuters"}; !slices.Equal(got.AlsoReportedBy, want) {
		t.Errorf("also reported by %v, want %v", got.AlsoReportedBy, want)
	}
	if stories, _ := db.RecentStories(ctx, time.Time{}); len(stories) != 2 {
		t.Errorf("stories = %+v, want 2", stories)
	}
}

// Cancelling a batch while its transaction is open leaves nothing of it.
// The store reads its clock once the transaction has begun; this clock
// cancels the context at that moment.
func TestSaveBatchCancelledInsideTransaction(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	clock := func() time.Time { cancel(); return t0 }
	db, err := OpenWith(context.Background(), filepath.Join(t.TempDir(), "embargo.db"), Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = db.SaveBatch(ctx, batchOf("yonhap", "guid:a", "guid:b", "guid:c"))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("SaveBatch: %v, want context.Canceled", err)
	}
	assertEmpty(t, db)
	if _, err := db.SaveBatch(context.Background(), batchOf("yonhap", "guid:a")); err != nil {
		t.Errorf("store unusable after a cancelled batch: %v", err)
	}
}

// Cancelling a large batch at an arbitrary moment leaves either all of it or
// none of it: whichever the outcome, never a part.
func TestSaveBatchCancelledWhileRunning(t *testing.T) {
	t.Parallel()
	db, _ := openTest(t)
	var keys []string
	for i := range 300 {
		keys = append(keys, fmt.Sprintf("guid:%d", i))
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := db.SaveBatch(ctx, batchOf("yonhap", keys...))
		done <- err
	}()
	cancel()
	err := <-done

	seen, serr := db.SeenKeys(context.Background(), keys)
	pending, _, perr := db.OutboxStats(context.Background())
	if serr != nil || perr != nil {
		t.Fatal(serr, perr)
	}
	want := 0
	if err == nil {
		want = len(keys)
	}
	if len(seen) != want || pending != want {
		t.Errorf("after SaveBatch error %v: %d items seen and %d deliveries, want %d of each", err, len(seen), pending, want)
	}
}

func TestSaveBatchDefaultsToBatchSource(t *testing.T) {
	t.Parallel()
	db, _ := openTest(t)
	ctx := context.Background()
	mustSaveBatch(t, db, Batch{
		Source: "kcna",
		State:  SourceState{LastStatus: "ok", Items: 1, New: 1},
		Items:  []BatchItem{{Item: Item{Key: "guid:x", Title: "x"}}},
	})
	state, err := db.SourceState(ctx, "kcna")
	if err != nil || state.LastStatus != "ok" || state.New != 1 {
		t.Errorf("state = %+v, %v; want saved under the batch's source", state, err)
	}
	stories, err := db.RecentStories(ctx, time.Time{})
	if err != nil || len(stories) != 1 || stories[0].Source != "kcna" {
		t.Errorf("stories = %+v, %v; want one from kcna", stories, err)
	}
	// A zero state is not saved: a batch need not carry one.
	mustSaveBatch(t, db, Batch{Source: "empty", Items: []BatchItem{{Item: Item{Key: "guid:y"}}}})
	if states, _ := db.SourceStates(ctx); len(states) != 1 {
		t.Errorf("states = %+v, want only kcna's", states)
	}
}

func TestSourceStateRoundTrip(t *testing.T) {
	t.Parallel()
	db, _ := openTest(t)
	ctx := context.Background()
	unknown, err := db.SourceState(ctx, "never")
	if err != nil || unknown != (SourceState{Name: "never"}) {
		t.Errorf("unknown source = %+v, %v; want the zero state with its name", unknown, err)
	}
	want := SourceState{
		Name: "un-press", ETag: `W/"abc"`, LastModified: "Fri, 27 Nov 2026 08:00:00 GMT",
		LastFetch: t0, LastSuccess: t0.Add(-time.Hour), LastStatus: "error", LastError: "timeout",
		Failures: 3, NextAttempt: t0.Add(8 * time.Minute), Items: 20, New: 2, Alerts: 1,
	}
	if err := db.SaveSourceState(ctx, want); err != nil {
		t.Fatal(err)
	}
	want.Failures = 4 // saving again replaces
	if err := db.SaveSourceState(ctx, want); err != nil {
		t.Fatal(err)
	}
	got, err := db.SourceState(ctx, "un-press")
	if err != nil || got != want {
		t.Errorf("state = %+v, %v\nwant %+v", got, err, want)
	}
	if err := db.SaveSourceState(ctx, SourceState{}); err == nil {
		t.Error("state without a name saved")
	}
	if all, _ := db.SourceStates(ctx); len(all) != 1 || all[0] != want {
		t.Errorf("all states = %+v", all)
	}
}

func TestStoriesByURL(t *testing.T) {
	t.Parallel()
	db, clock := openTest(t)
	ctx := context.Background()
	const article = "https://news.example/2025/kursk-workers"
	withURL := func(it Item, u string) Item {
		it.CanonicalURL = u
		return it
	}
	mustSaveBatch(t, db, Batch{Source: "old", Items: []BatchItem{
		{Item: withURL(item("old", "old/guid:1", 1), "https://news.example/2025/old-story")},
	}})
	clock.Advance(73 * time.Hour)
	mustSaveBatch(t, db, Batch{Source: "wire", Items: []BatchItem{
		{Item: withURL(item("wire", "wire/guid:a1", 2), article)},
		{Item: withURL(item("wire", "wire/guid:home", 3), "")},
	}})
	clock.Advance(time.Minute)
	// A later item of the same article in another story: the first one's wins.
	mustSaveBatch(t, db, Batch{Source: "dispatch", Items: []BatchItem{
		{Item: withURL(item("dispatch", "dispatch/guid:full1", 4), article)},
	}})
	stories, err := db.RecentStories(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	storyOf := map[uint64]int64{} // by fingerprint: one story per item here
	for _, s := range stories {
		storyOf[s.Fingerprint] = s.ID
	}
	if len(storyOf) != 4 {
		t.Fatalf("stories = %+v, want one per item", stories)
	}

	got, err := db.StoriesByURL(ctx, []string{article, "https://news.example/2025/old-story", "", "https://news.example/unknown"},
		clock.Now().Add(-72*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int64{article: storyOf[2]}; !maps.Equal(got, want) {
		t.Errorf("StoriesByURL = %v, want %v (the first item's story; none older than the window, none for '')", got, want)
	}
}
