package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestOutboxLifeCycle(t *testing.T) {
	t.Parallel()
	db, clock := openTest(t)
	ctx := context.Background()
	b := batchOf("yonhap", "guid:a")
	b.Items[0].Alerts[0].Targets = []string{ChannelTarget("1"), ChannelTarget("2"), TargetConsole, ChannelTarget("1")}
	mustSaveBatch(t, db, b)

	due, err := db.DueDeliveries(ctx, "channel:", t0, 10)
	if err != nil || len(due) != 2 {
		t.Fatalf("due channel deliveries = %+v, %v; want 2 (duplicate target queued once)", due, err)
	}
	if ch, ok := ChannelOf(due[0].Target); !ok || ch != "1" {
		t.Errorf("ChannelOf(%q) = %q, %v", due[0].Target, ch, ok)
	}

	// Retry: counted, not due until its time.
	next := t0.Add(time.Minute)
	if err := db.MarkRetry(ctx, due[0].ID, next, "429"); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.DueDeliveries(ctx, "channel:", t0, 10); len(got) != 1 || got[0].ID != due[1].ID {
		t.Errorf("after retry, due = %+v, want only the other channel", got)
	}
	got, _ := db.DueDeliveries(ctx, "channel:1", next, 10)
	if len(got) != 1 || got[0].Attempts != 1 || got[0].LastError != "429" || !got[0].NextAttempt.Equal(next) {
		t.Fatalf("retried delivery = %+v", got)
	}

	clock.Advance(2 * time.Minute)
	if err := db.MarkDelivered(ctx, due[0].ID, "msg-1"); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkFailed(ctx, due[1].ID, "403 missing access"); err != nil {
		t.Fatal(err)
	}
	console, _ := db.DueDeliveries(ctx, TargetConsole, next, 10)
	if len(console) != 1 {
		t.Fatalf("console deliveries = %+v", console)
	}
	if err := db.MarkSkipped(ctx, console[0].ID, "muted"); err != nil {
		t.Fatal(err)
	}
	if left, _ := db.DueDeliveries(ctx, "", next.Add(time.Hour), 10); len(left) != 0 {
		t.Errorf("final rows still due: %+v", left)
	}
	if pending, oldest, err := db.OutboxStats(ctx); err != nil || pending != 0 || !oldest.IsZero() {
		t.Errorf("stats = %d, %v, %v; want empty", pending, oldest, err)
	}

	// Final states stay final.
	if err := db.MarkRetry(ctx, due[0].ID, next, "again"); !errors.Is(err, ErrNotPending) {
		t.Errorf("retry of a delivered row: %v, want ErrNotPending", err)
	}
	if err := db.MarkDelivered(ctx, 424242, "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown id: %v, want ErrNotFound", err)
	}
}

func TestDueDeliveriesOrderAndLimit(t *testing.T) {
	t.Parallel()
	db, clock := openTest(t)
	ctx := context.Background()
	var ids []int64
	for _, k := range []string{"guid:1", "guid:2", "guid:3"} {
		for _, a := range mustSaveBatch(t, db, batchOf("src", k)) {
			ids = append(ids, a.ID)
		}
		clock.Advance(time.Second)
	}
	due, err := db.DueDeliveries(ctx, "", clock.Now(), 2)
	if err != nil || len(due) != 2 || due[0].Alert.ID != ids[0] || due[1].Alert.ID != ids[1] {
		t.Fatalf("due = %+v, %v; want the two oldest", due, err)
	}
	pending, oldest, err := db.OutboxStats(ctx)
	if err != nil || pending != 3 || !oldest.Equal(t0) {
		t.Errorf("stats = %d, %v, %v; want 3 pending since %v", pending, oldest, err, t0)
	}
	if none, _ := db.DueDeliveries(ctx, "", t0.Add(-time.Second), 10); len(none) != 0 {
		t.Errorf("deliveries due before they were queued: %+v", none)
	}
}

func TestChannelOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		target string
		id     string
		ok     bool
	}{
		{ChannelTarget("123"), "123", true},
		{"channel:", "", false},
		{TargetConsole, "", false},
		{TargetWebhook, "", false},
	}
	for _, tt := range tests {
		id, ok := ChannelOf(tt.target)
		if id != tt.id || ok != tt.ok {
			t.Errorf("ChannelOf(%q) = %q, %v; want %q, %v", tt.target, id, ok, tt.id, tt.ok)
		}
	}
}

func TestPrefixEnd(t *testing.T) {
	t.Parallel()
	tests := []struct {
		prefix, end string
		ok          bool
	}{
		{"channel:", "channel;", true},
		{"a\xff", "b", true},
		{"", "", false},
		{"\xff", "", false},
	}
	for _, tt := range tests {
		end, ok := prefixEnd(tt.prefix)
		if end != tt.end || ok != tt.ok {
			t.Errorf("prefixEnd(%q) = %q, %v", tt.prefix, end, ok)
		}
	}
}
