package delivery_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/embargo-watch/embargo/internal/alert"
	"github.com/embargo-watch/embargo/internal/console"
	"github.com/embargo-watch/embargo/internal/delivery"
	"github.com/embargo-watch/embargo/internal/store"
)

func openStore(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "embargo.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// queue stores n designation-style alerts, each for every target given.
func queue(t *testing.T, db *store.DB, n int, targets ...string) []alert.Alert {
	t.Helper()
	var pending []store.Pending
	for i := range n {
		a := alert.Alert{Rule: "designation-un", Title: "New UN designation", Category: "designation",
			Severity: "high", Headline: fmt.Sprintf("Entry %d added", i), Source: "un"}
		pending = append(pending, store.Pending{Alert: a, Targets: targets})
	}
	saved, err := db.SaveAlerts(context.Background(), pending)
	if err != nil {
		t.Fatal(err)
	}
	return saved
}

func TestConsoleDeliveryIsOncePerAlert(t *testing.T) {
	db := openStore(t)
	queue(t, db, 3, store.TargetConsole)
	var out bytes.Buffer
	w := &delivery.Worker{Outbox: db, Sender: console.NewSender(&out, true), Prefix: store.TargetConsole}
	n, err := w.Drain(context.Background())
	if err != nil || n != 3 {
		t.Fatalf("first Drain = %d, %v; want 3 delivered", n, err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("want 3 JSON lines, got %d:\n%s", len(lines), out.String())
	}
	var first alert.Alert
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil || first.ID == 0 || first.Rule != "designation-un" {
		t.Fatalf("first line %q: %+v, %v", lines[0], first, err)
	}
	if n, err := w.Drain(context.Background()); err != nil || n != 0 {
		t.Fatalf("second Drain = %d, %v; want nothing left to deliver", n, err)
	}
	if pending, _, err := db.OutboxStats(context.Background()); err != nil || pending != 0 {
		t.Fatalf("outbox pending = %d, %v; want 0", pending, err)
	}
}

// scripted answers each Send of an alert with the next error of its script,
// then succeeds; it records every attempt.
type scripted struct {
	mu       sync.Mutex
	script   map[int64][]error
	attempts map[int64]int
	sent     []int64
}

func (s *scripted) Send(_ context.Context, d store.Delivery) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attempts[d.Alert.ID]++
	if errs := s.script[d.Alert.ID]; len(errs) > 0 {
		s.script[d.Alert.ID] = errs[1:]
		return "", errs[0]
	}
	s.sent = append(s.sent, d.Alert.ID)
	return fmt.Sprintf("msg-%d", d.Alert.ID), nil
}

func newScripted() *scripted {
	return &scripted{script: map[int64][]error{}, attempts: map[int64]int{}}
}

func TestRetriesUntilDelivered(t *testing.T) {
	db := openStore(t)
	saved := queue(t, db, 1, store.TargetWebhook)
	id := saved[0].ID
	s := newScripted()
	s.script[id] = []error{
		&delivery.RetryAfterError{After: 10 * time.Millisecond, Err: errors.New("429")},
		errors.New("502 Bad Gateway"),
	}
	w := &delivery.Worker{Outbox: db, Sender: s, Prefix: store.TargetWebhook, MaxBackoff: 20 * time.Millisecond}
	n, err := w.Drain(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("Drain = %d, %v; want 1 delivered after retries", n, err)
	}
	if s.attempts[id] != 3 || len(s.sent) != 1 {
		t.Fatalf("attempts = %d, sent = %v; want 3 attempts and one message", s.attempts[id], s.sent)
	}
}

func TestPermanentFailureAndSkipAreFinal(t *testing.T) {
	db := openStore(t)
	saved := queue(t, db, 2, store.TargetWebhook)
	s := newScripted()
	s.script[saved[0].ID] = []error{&delivery.PermanentError{Err: errors.New("403 Missing Access")}}
	s.script[saved[1].ID] = []error{&delivery.SkipError{Reason: "rule muted"}}
	var results []string
	w := &delivery.Worker{Outbox: db, Sender: s, Prefix: store.TargetWebhook,
		OnResult: func(_ store.Delivery, r string, _ error) { results = append(results, r) }}
	if n, err := w.Drain(context.Background()); err != nil || n != 0 {
		t.Fatalf("Drain = %d, %v; want none delivered", n, err)
	}
	if n, _ := w.Drain(context.Background()); n != 0 || s.attempts[saved[0].ID] != 1 || s.attempts[saved[1].ID] != 1 {
		t.Fatalf("a failed or skipped row was tried again: attempts %v", s.attempts)
	}
	if strings.Join(results, ",") != "failed,skipped" {
		t.Fatalf("results = %v, want failed then skipped", results)
	}
}

func TestLongWaitIsLeftForALaterPass(t *testing.T) {
	db := openStore(t)
	saved := queue(t, db, 2, store.TargetWebhook)
	s := newScripted()
	s.script[saved[0].ID] = []error{&delivery.RetryAfterError{After: time.Hour, Err: errors.New("429")}}
	now := time.Now()
	w := &delivery.Worker{Outbox: db, Sender: s, Prefix: store.TargetWebhook, Now: func() time.Time { return now }}
	if n, err := w.Drain(context.Background()); err != nil || n != 0 {
		t.Fatalf("Drain = %d, %v; want nothing delivered while the first row waits (order kept)", n, err)
	}
	now = now.Add(61 * time.Minute)
	if n, err := w.Drain(context.Background()); err != nil || n != 2 {
		t.Fatalf("Drain after the wait = %d, %v; want both delivered", n, err)
	}
	if len(s.sent) != 2 || s.sent[0] != saved[0].ID {
		t.Fatalf("sent %v; want the waiting row first", s.sent)
	}
}

// gate blocks every Send to one target until released.
type gate struct {
	blocked string
	release chan struct{}
	mu      sync.Mutex
	sent    []string
}

func (g *gate) Send(ctx context.Context, d store.Delivery) (string, error) {
	if d.Target == g.blocked {
		select {
		case <-g.release:
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	g.mu.Lock()
	g.sent = append(g.sent, d.Target)
	g.mu.Unlock()
	return "", nil
}

func TestSlowTargetDoesNotHoldUpOthers(t *testing.T) {
	db := openStore(t)
	slow, fast := store.ChannelTarget("1"), store.ChannelTarget("2")
	queue(t, db, 3, slow, fast)
	g := &gate{blocked: slow, release: make(chan struct{})}
	w := &delivery.Worker{Outbox: db, Sender: g, Prefix: "channel:"}
	done := make(chan error, 1)
	go func() { _, err := w.Drain(context.Background()); done <- err }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		g.mu.Lock()
		n := len(g.sent)
		g.mu.Unlock()
		if n == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the fast channel got %d of 3 while the slow one was blocked", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	close(g.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(g.sent) != 6 {
		t.Fatalf("sent %d messages, want 6", len(g.sent))
	}
}

func TestShutdownLeavesRowPending(t *testing.T) {
	db := openStore(t)
	queue(t, db, 1, store.ChannelTarget("1"))
	g := &gate{blocked: store.ChannelTarget("1"), release: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	w := &delivery.Worker{Outbox: db, Sender: g, Prefix: "channel:"}
	done := make(chan error, 1)
	go func() { _, err := w.Drain(ctx); done <- err }()
	cancel()
	<-done
	if pending, _, err := db.OutboxStats(context.Background()); err != nil || pending != 1 {
		t.Fatalf("after shutdown mid-send: pending = %d, %v; want the row still pending", pending, err)
	}
}
