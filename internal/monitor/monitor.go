// Package monitor polls the configured sources and sanctions lists on their
// schedules and turns what they publish into stored alerts.
//
// One poll of one source is a pipeline of steps, each in one place (see
// pipeline.go): fetch → parse → dedup → article text → match → story →
// save. Alerts are stored with their outbox rows in the same transaction
// that marks their items seen; delivering them is the delivery worker's job.
package monitor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/embargo-watch/embargo/internal/alert"
	"github.com/embargo-watch/embargo/internal/source"
	"github.com/embargo-watch/embargo/internal/store"
	"github.com/embargo-watch/embargo/rules"
)

// Store is what the monitor needs of the database; *store.DB is one.
type Store interface {
	StoryFinder
	SourceState(ctx context.Context, name string) (store.SourceState, error)
	SaveSourceState(ctx context.Context, s store.SourceState) error
	SeenKeys(ctx context.Context, keys []string) (map[string]bool, error)
	StoriesByURL(ctx context.Context, urls []string, since time.Time) (map[string]int64, error)
	SaveBatch(ctx context.Context, b store.Batch) ([]alert.Alert, error)
}

// ListSyncer fetches a sanctions list and stores its changes as alerts for
// the targets given.
type ListSyncer interface {
	Sync(ctx context.Context, l rules.List, targets func(alert.Alert) []string) error
}

// ListSyncFunc adapts a function to a ListSyncer.
type ListSyncFunc func(ctx context.Context, l rules.List, targets func(alert.Alert) []string) error

// Sync calls f.
func (f ListSyncFunc) Sync(ctx context.Context, l rules.List, targets func(alert.Alert) []string) error {
	return f(ctx, l, targets)
}

// Config wires a Monitor. Store, Fetcher and Rules are required.
type Config struct {
	Store   Store
	Fetcher *source.Fetcher
	// Rules returns the current rules; it is called again on Reload.
	Rules func() *rules.Set
	// Targets names where a new alert is delivered. Default: the console.
	Targets func(context.Context, alert.Alert) ([]string, error)
	Lists   ListSyncer // nil: lists are not synced
	Log     *slog.Logger
	Now     func() time.Time
	// Jitter is the most a scheduled job is shifted from its spec, so that
	// sources on the same schedule do not all fire in the same second.
	// Default 20s; negative for none.
	Jitter          time.Duration
	DefaultSchedule string        // for sources without one; default "@every 30m"
	ListSchedule    string        // for lists without one; default "@daily"
	Workers         int           // sources polled at once; default 8
	StoryWindow     time.Duration // how far back a story can be repeated; default 72h
	// Articles bounds the articles fetched for one poll of a fulltext source
	// (default 10), so that a feed of bare links cannot cost a hundred
	// requests every time it is polled.
	Articles int
	// OnPoll, when set, is told the outcome of every poll (for metrics).
	OnPoll func(Stats, error)
	// OnAlert, when set, is told each alert that a poll stored, with its ID:
	// a repeat of a story the store recorded as "also reported by" is not
	// one. Designation alerts are stored by the ListSyncer and not told here.
	// Polls of several sources may call it at once.
	OnAlert func(alert.Alert)
}

func (c *Config) setDefaults() error {
	switch {
	case c.Store == nil:
		return errors.New("monitor: no store")
	case c.Fetcher == nil:
		return errors.New("monitor: no fetcher")
	case c.Rules == nil:
		return errors.New("monitor: no rules")
	}
	if c.Targets == nil {
		c.Targets = func(context.Context, alert.Alert) ([]string, error) {
			return []string{store.TargetConsole}, nil
		}
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Jitter == 0 {
		c.Jitter = 20 * time.Second
	}
	if c.DefaultSchedule == "" {
		c.DefaultSchedule = "@every 30m"
	}
	if c.ListSchedule == "" {
		c.ListSchedule = "@daily"
	}
	if c.Workers <= 0 {
		c.Workers = 8
	}
	if c.StoryWindow <= 0 {
		c.StoryWindow = 72 * time.Hour
	}
	if c.Articles <= 0 {
		c.Articles = 10
	}
	for _, spec := range []string{c.DefaultSchedule, c.ListSchedule} {
		if _, err := specParser.Parse(spec); err != nil {
			return fmt.Errorf("monitor: default schedule %q: %w", spec, err)
		}
	}
	return nil
}

// Monitor polls sources and lists. Its methods are safe for concurrent use.
type Monitor struct {
	cfg     Config
	workers chan struct{} // a slot per source polled at once

	// saveMu makes "find the story, then save the batch" atomic across
	// sources, so two outlets carrying one story cannot both start it.
	saveMu  sync.Mutex
	stories *storyIndex

	// sourceRetry and listRetry are how long a source or a list waits after
	// its failures-th consecutive failure (fields, so that tests can shorten
	// them).
	sourceRetry func(failures int, retryAfter time.Duration) time.Duration
	listRetry   func(failures int) time.Duration

	mu      sync.Mutex // guards the fields below
	sources map[string]rules.Source
	lists   map[string]rules.List
	sched   *scheduler // nil unless Run is running
}

// New checks cfg and returns a Monitor over the current rules.
func New(cfg Config) (*Monitor, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	m := &Monitor{
		cfg:         cfg,
		workers:     make(chan struct{}, cfg.Workers),
		stories:     newStoryIndex(cfg.StoryWindow),
		sourceRetry: retryDelay,
		listRetry: func(failures int) time.Duration {
			return retryDelay(failures, 0)
		},
	}
	m.loadRules()
	return m, nil
}

// loadRules reads the configured sources and lists from the current rules.
func (m *Monitor) loadRules() {
	set := m.cfg.Rules()
	sources := map[string]rules.Source{}
	lists := map[string]rules.List{}
	if set != nil {
		for _, s := range set.Sources() {
			sources[s.Name] = s
		}
		for _, l := range set.Lists() {
			lists[l.Name] = l
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sources, m.lists = sources, lists
}

// Reload re-reads Rules(): sources and lists that were added, removed or
// changed are scheduled, unscheduled or rescheduled at once when Run is
// running, and a poll already under way finishes with the old settings.
func (m *Monitor) Reload() {
	m.loadRules()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cfg.Log.Info("monitor reloaded", "sources", len(m.sources), "lists", len(m.lists))
	if m.sched != nil {
		m.sched.sync(m.jobsLocked())
	}
}

// source returns the current configuration of a source.
func (m *Monitor) source(name string) (rules.Source, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sources[name]
	return s, ok
}

func (m *Monitor) list(name string) (rules.List, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l, ok := m.lists[name]
	return l, ok
}

// Once syncs every list, then polls every source once, a few at a time, and
// returns when all are done. Lists come first so that the names they
// designate are watched for in the items of this very pass: an item is
// matched once, and a name missed then is missed for good. A source or list
// that fails is recorded as unhealthy and does not make Once fail; an error
// of the store, or ctx ending, does.
func (m *Monitor) Once(ctx context.Context) error {
	m.mu.Lock()
	sources := sortedValues(m.sources)
	lists := sortedValues(m.lists)
	m.mu.Unlock()

	for _, l := range lists {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		m.SyncList(ctx, l) // logged; the last good version stays in use
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for _, src := range sources {
		if err := m.acquire(ctx); err != nil {
			break
		}
		wg.Go(func() {
			defer m.release()
			if _, err := m.PollSource(ctx, src); err != nil && !IsSourceError(err) {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	return errors.Join(errs...)
}

func (m *Monitor) acquire(ctx context.Context) error {
	select {
	case m.workers <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (m *Monitor) release() { <-m.workers }

// SyncList syncs one sanctions list through the ListSyncer, logging the
// outcome. A failing list keeps its last good version; under Run it is tried
// again with backoff.
func (m *Monitor) SyncList(ctx context.Context, l rules.List) error {
	if m.cfg.Lists == nil {
		return nil
	}
	start := time.Now()
	err := m.cfg.Lists.Sync(ctx, l, m.listTargets(ctx))
	log := m.cfg.Log.With("list", l.Name, "duration", time.Since(start).Round(time.Millisecond))
	if err != nil {
		log.Warn("list sync failed", "error", err)
		return fmt.Errorf("sync list %s: %w", l.Name, err)
	}
	log.Info("list synced")
	return nil
}

// listTargets adapts Config.Targets to the ListSyncer's callback. An alert
// whose targets cannot be read goes nowhere rather than stopping the sync:
// the list version with its other changes is still worth storing.
func (m *Monitor) listTargets(ctx context.Context) func(alert.Alert) []string {
	return func(a alert.Alert) []string {
		targets, err := m.cfg.Targets(ctx, a)
		if err != nil {
			m.cfg.Log.Error("alert targets", "rule", a.Rule, "headline", a.Headline, "error", err)
			return nil
		}
		return targets
	}
}
