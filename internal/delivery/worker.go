package delivery

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/embargo-watch/embargo/internal/store"
)

// Outbox is the part of the store a Worker needs.
type Outbox interface {
	DueDeliveries(ctx context.Context, targetPrefix string, now time.Time, limit int) ([]store.Delivery, error)
	MarkDelivered(ctx context.Context, id int64, messageID string) error
	MarkRetry(ctx context.Context, id int64, next time.Time, reason string) error
	MarkFailed(ctx context.Context, id int64, reason string) error
	MarkSkipped(ctx context.Context, id int64, reason string) error
}

// Results a Worker reports for each attempt.
const (
	ResultDelivered = "delivered"
	ResultRetry     = "retry"
	ResultFailed    = "failed"
	ResultSkipped   = "skipped"
)

// Worker drains the outbox rows whose target starts with Prefix. Rows of
// different targets (Discord channels) are sent concurrently, the rows of one
// target in order, so a channel's rate limit never holds up another channel.
type Worker struct {
	Outbox Outbox
	Sender Sender
	Prefix string // e.g. store.TargetConsole, store.TargetWebhook, "channel:"

	Concurrency int           // targets served at once; default 8
	Poll        time.Duration // how often Run looks for due rows; default 2s
	// InlineWait is the longest wait a Worker sleeps through before retrying a
	// row itself; longer waits are left to a later pass. Default 15s.
	InlineWait time.Duration
	MaxBackoff time.Duration // default 5m
	Log        *slog.Logger
	Now        func() time.Time
	// OnResult, when set, is told the outcome of every attempt (for metrics).
	OnResult func(d store.Delivery, result string, err error)

	wake chan struct{}
	once sync.Once
}

// batchSize bounds how many rows one pass reads.
const batchSize = 500

func (w *Worker) init() {
	w.once.Do(func() {
		w.wake = make(chan struct{}, 1)
		if w.Concurrency <= 0 {
			w.Concurrency = 8
		}
		if w.Poll <= 0 {
			w.Poll = 2 * time.Second
		}
		if w.InlineWait <= 0 {
			w.InlineWait = 15 * time.Second
		}
		if w.MaxBackoff <= 0 {
			w.MaxBackoff = 5 * time.Minute
		}
		if w.Log == nil {
			w.Log = slog.New(slog.DiscardHandler)
		}
		if w.Now == nil {
			w.Now = time.Now
		}
	})
}

// Notify tells a running Worker that new rows may be due, so it need not wait
// for its next poll.
func (w *Worker) Notify() {
	w.init()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run drains the outbox until ctx is done.
func (w *Worker) Run(ctx context.Context) error {
	w.init()
	ticker := time.NewTicker(w.Poll)
	defer ticker.Stop()
	for {
		if _, err := w.Drain(ctx); err != nil && ctx.Err() == nil {
			w.Log.Error("outbox drain failed", "prefix", w.Prefix, "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		case <-w.wake:
		}
	}
}

// Drain delivers every row that is due now and returns when none is left, or
// only rows waiting for a later retry. It returns how many were delivered.
func (w *Worker) Drain(ctx context.Context) (int, error) {
	w.init()
	total := 0
	for {
		rows, err := w.Outbox.DueDeliveries(ctx, w.Prefix, w.Now(), batchSize)
		if err != nil {
			return total, err
		}
		if len(rows) == 0 {
			return total, nil
		}
		delivered, progressed := w.deliverAll(ctx, rows)
		total += delivered
		if err := ctx.Err(); err != nil {
			return total, err
		}
		if !progressed {
			return total, nil
		}
	}
}

// deliverAll sends rows grouped by target, targets concurrently. progressed
// reports whether any row reached a final state.
func (w *Worker) deliverAll(ctx context.Context, rows []store.Delivery) (delivered int, progressed bool) {
	var (
		mu  sync.Mutex
		wg  sync.WaitGroup
		sem = make(chan struct{}, w.Concurrency)
	)
	for _, queue := range groupByTarget(rows) {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			d, p := w.deliverQueue(ctx, queue)
			mu.Lock()
			delivered += d
			progressed = progressed || p
			mu.Unlock()
		}()
	}
	wg.Wait()
	return delivered, progressed
}

func groupByTarget(rows []store.Delivery) [][]store.Delivery {
	index := map[string]int{}
	var queues [][]store.Delivery
	for _, r := range rows {
		i, ok := index[r.Target]
		if !ok {
			i = len(queues)
			index[r.Target] = i
			queues = append(queues, nil)
		}
		queues[i] = append(queues[i], r)
	}
	return queues
}

// deliverQueue sends one target's rows in order. It stops at the first row
// that must wait longer than InlineWait, so that the target's order holds.
func (w *Worker) deliverQueue(ctx context.Context, queue []store.Delivery) (delivered int, progressed bool) {
	for _, d := range queue {
		ok, final := w.deliverOne(ctx, d)
		if ok {
			delivered++
		}
		if !final {
			return delivered, progressed
		}
		progressed = true
	}
	return delivered, progressed
}

// deliverOne sends a row, retrying in place through short waits. final is
// false when the row was left for a later pass.
func (w *Worker) deliverOne(ctx context.Context, d store.Delivery) (ok, final bool) {
	for {
		msgID, err := w.Sender.Send(ctx, d)
		if ctx.Err() != nil {
			// Shutting down: the row stays pending and is sent again later,
			// with the same nonce, so the target sees it once.
			return false, false
		}
		switch result := classify(err); result {
		case ResultDelivered:
			w.report(d, result, nil)
			return true, w.record("delivered", d, w.Outbox.MarkDelivered(ctx, d.ID, msgID))
		case ResultSkipped:
			w.report(d, result, err)
			return false, w.record("skipped", d, w.Outbox.MarkSkipped(ctx, d.ID, skipReason(err)))
		case ResultFailed:
			w.report(d, result, err)
			w.Log.Warn("delivery failed", "target", d.Target, "alert", d.Alert.ID, "err", err)
			return false, w.record("failed", d, w.Outbox.MarkFailed(ctx, d.ID, err.Error()))
		}
		w.report(d, ResultRetry, err)
		wait := w.retryWait(d.Attempts, err)
		d.Attempts++
		next := w.Now().Add(wait)
		if rerr := w.Outbox.MarkRetry(ctx, d.ID, next, err.Error()); rerr != nil {
			w.Log.Error("record retry", "target", d.Target, "alert", d.Alert.ID, "err", rerr)
			return false, false
		}
		w.Log.Warn("delivery will be retried", "target", d.Target, "alert", d.Alert.ID,
			"attempt", d.Attempts, "wait", wait, "err", err)
		if wait > w.InlineWait || !sleep(ctx, wait) {
			return false, false
		}
	}
}

func classify(err error) string {
	var skip *SkipError
	switch {
	case err == nil:
		return ResultDelivered
	case errors.As(err, &skip):
		return ResultSkipped
	case IsPermanent(err):
		return ResultFailed
	default:
		return ResultRetry
	}
}

func skipReason(err error) string {
	var skip *SkipError
	if errors.As(err, &skip) {
		return skip.Reason
	}
	return err.Error()
}

// record logs a failure to store an outcome. The row then stays pending and is
// sent again; the deterministic nonce makes that harmless on Discord.
func (w *Worker) record(what string, d store.Delivery, err error) bool {
	if err != nil {
		w.Log.Error("record delivery outcome", "outcome", what, "target", d.Target, "alert", d.Alert.ID, "err", err)
		return false
	}
	return true
}

func (w *Worker) report(d store.Delivery, result string, err error) {
	if w.OnResult != nil {
		w.OnResult(d, result, err)
	}
}

// retryWait is the server's Retry-After when it gave one, else exponential
// backoff with jitter: between half and all of 1s, 2s, 4s … MaxBackoff.
func (w *Worker) retryWait(attempts int, err error) time.Duration {
	var ra *RetryAfterError
	if errors.As(err, &ra) && ra.After > 0 {
		return ra.After
	}
	ceiling := time.Second << min(attempts, 20)
	if ceiling > w.MaxBackoff || ceiling <= 0 {
		ceiling = w.MaxBackoff
	}
	return ceiling/2 + rand.N(ceiling/2+1)
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
