package monitor

import (
	"context"
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/embargo-watch/embargo/rules"
)

// Run schedules every source and list and polls them until ctx ends. Each
// job first runs shortly after the start (within Jitter), then on its
// schedule. When ctx ends, polls under way are cancelled and Run returns once
// they have stopped.
func (m *Monitor) Run(ctx context.Context) error {
	m.mu.Lock()
	if m.sched != nil {
		m.mu.Unlock()
		return errors.New("monitor: already running")
	}
	// Jobs poll with ctx: when it ends, their fetches are cancelled.
	m.sched = newScheduler(ctx, m.cfg.Jitter, m.cfg.Log)
	m.sched.sync(m.jobsLocked())
	sched := m.sched
	m.mu.Unlock()

	sched.cron.Start()
	<-ctx.Done()
	<-sched.cron.Stop().Done() // no new jobs; wait for those under way

	m.mu.Lock()
	m.sched = nil
	m.mu.Unlock()
	return nil
}

// jobsLocked lists the jobs for the current sources and lists; m.mu is held.
func (m *Monitor) jobsLocked() []job {
	var jobs []job
	for _, src := range sortedValues(m.sources) {
		name := src.Name
		jobs = append(jobs, job{
			key:  sourceKey(name),
			spec: orDefault(src.Schedule, m.cfg.DefaultSchedule),
			run:  func(ctx context.Context) { m.scheduledPoll(ctx, name) },
		})
	}
	for _, l := range sortedValues(m.lists) {
		name := l.Name
		jobs = append(jobs, job{
			key:  listKey(name),
			spec: orDefault(l.Schedule, m.cfg.ListSchedule),
			run:  func(ctx context.Context) { m.scheduledSync(ctx, name) },
		})
	}
	return jobs
}

// scheduledPoll polls a source with its configuration of the moment (a
// reload may have changed its URL since it was scheduled). A source that is
// backing off, after failing now or before a restart, is polled again at its
// NextAttempt, the time its poll logged, rather than at the first scheduled
// run after it; scheduled runs that fall during the wait are skipped.
func (m *Monitor) scheduledPoll(ctx context.Context, name string) {
	for {
		src, ok := m.source(name)
		if !ok {
			return
		}
		stats, err := m.pollInSlot(ctx, src) // logged by PollSource
		if !backingOff(stats, err) || !sleep(ctx, stats.NextAttempt.Sub(m.cfg.Now())) {
			return
		}
	}
}

// backingOff reports whether a poll left its source waiting for its
// NextAttempt: it failed, or it was skipped for an earlier failure. A failure
// of the store is not the source's and has no NextAttempt.
func backingOff(stats Stats, err error) bool {
	if err != nil && !IsSourceError(err) {
		return false
	}
	return !stats.NextAttempt.IsZero()
}

// pollInSlot polls a source in one of the Workers slots.
func (m *Monitor) pollInSlot(ctx context.Context, src rules.Source) (Stats, error) {
	if err := m.acquire(ctx); err != nil {
		return Stats{Source: src.Name}, err
	}
	defer m.release()
	return m.PollSource(ctx, src)
}

// sleep waits for d, or returns false when ctx ends first.
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

// scheduledSync syncs a list and, while the sync fails, tries again after
// growing waits (1m, 2m, 4m … 6h); the last good version of the list stays
// in use meanwhile. Scheduled runs that fall during the retries are skipped.
func (m *Monitor) scheduledSync(ctx context.Context, name string) {
	for failures := 1; ; failures++ {
		l, ok := m.list(name) // a reload may have changed or removed it
		if !ok || m.SyncList(ctx, l) == nil || !sleep(ctx, m.listRetry(failures)) {
			return
		}
	}
}

// NextRun is the next scheduled poll of a source; zero when Run is not
// running or the source is unknown. A source that is backing off skips the
// polls before its NextAttempt (see Status).
func (m *Monitor) NextRun(source string) time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.sched == nil {
		return time.Time{}
	}
	return m.sched.next(sourceKey(source))
}

func sourceKey(name string) string { return "source:" + name }
func listKey(name string) string   { return "list:" + name }

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func sortedValues[V any](m map[string]V) []V {
	out := make([]V, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, m[k])
	}
	return out
}
