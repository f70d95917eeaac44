package monitor

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"slices"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"
)

// specParser reads schedules: 5-field cron specs and descriptors such as
// "@every 15m", "@hourly" and "@daily".
var specParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ValidSchedule reports whether spec is a schedule the monitor accepts.
func ValidSchedule(spec string) error {
	if _, err := specParser.Parse(spec); err != nil {
		return fmt.Errorf("schedule %q: %w", spec, err)
	}
	return nil
}

// jittered shifts a schedule by a fixed offset, so that sources on one
// schedule do not fire together, and can fire once right away (at the
// offset), so that a restarted monitor does not wait half an hour for its
// first news.
type jittered struct {
	cron.Schedule
	offset time.Duration
	first  atomic.Bool // the start-up run is still to come
}

func newJittered(s cron.Schedule, offset time.Duration) *jittered {
	j := &jittered{Schedule: s, offset: offset}
	j.first.Store(true)
	return j
}

func (j *jittered) Next(t time.Time) time.Time {
	if j.first.CompareAndSwap(true, false) {
		return t.Add(j.offset)
	}
	return j.after(t)
}

// upcoming is what Next(t) would return, without using up the start-up run:
// a job's first run is known before the cron starts.
func (j *jittered) upcoming(t time.Time) time.Time {
	if j.first.Load() {
		return t.Add(j.offset)
	}
	return j.after(t)
}

// after is the first scheduled run after t.
func (j *jittered) after(t time.Time) time.Time {
	return j.Schedule.Next(t.Add(-j.offset)).Add(j.offset)
}

// job is one scheduled source or list.
type job struct {
	key  string // "source:<name>" or "list:<name>"
	spec string
	run  func(ctx context.Context)
}

// scheduler keeps a cron entry per job and changes them when the rules do.
type scheduler struct {
	cron    *cron.Cron
	ctx     context.Context // cancelled when Run stops: ends in-flight polls
	jitter  time.Duration
	log     *slog.Logger
	entries map[string]scheduled
}

type scheduled struct {
	id   cron.EntryID
	spec string
}

func newScheduler(ctx context.Context, jitter time.Duration, log *slog.Logger) *scheduler {
	logger := cronLogger{log}
	return &scheduler{
		cron: cron.New(
			cron.WithParser(specParser),
			cron.WithLogger(logger),
			cron.WithChain(cron.Recover(logger)),
		),
		ctx:     ctx,
		jitter:  jitter,
		log:     log,
		entries: map[string]scheduled{},
	}
}

// sync makes the cron entries match jobs: new jobs are added and run soon,
// jobs that are gone are removed, and jobs whose schedule changed are
// replaced and run at their new times. A job's run function looks its source
// up when it fires, so a changed URL needs no new entry.
func (s *scheduler) sync(jobs []job) {
	want := map[string]job{}
	for _, j := range jobs {
		want[j.key] = j
	}
	changed := map[string]bool{}
	for _, key := range slices.Sorted(maps.Keys(s.entries)) {
		j, ok := want[key]
		if ok && j.spec == s.entries[key].spec {
			continue
		}
		s.cron.Remove(s.entries[key].id)
		delete(s.entries, key)
		if ok {
			changed[key] = true
		} else {
			s.log.Info("unscheduled", "job", key)
		}
	}
	for _, j := range jobs {
		if _, ok := s.entries[j.key]; ok {
			continue
		}
		if err := s.add(j, !changed[j.key]); err != nil {
			s.log.Error("cannot schedule", "job", j.key, "error", err)
		}
	}
}

// add schedules a job, with a run soon after now when startNow.
func (s *scheduler) add(j job, startNow bool) error {
	spec, err := specParser.Parse(j.spec)
	if err != nil {
		return fmt.Errorf("schedule %q: %w", j.spec, err)
	}
	var offset time.Duration
	if limit := jitterLimit(spec, s.jitter); limit > 0 {
		offset = rand.N(limit)
	}
	sched := newJittered(spec, offset)
	sched.first.Store(startNow)
	// The cron's own entry has no next time until the cron starts: ask the
	// schedule, before the cron can take its start-up run.
	next := sched.upcoming(time.Now())
	run := cron.NewChain(cron.SkipIfStillRunning(cronLogger{s.log})).Then(cron.FuncJob(func() { j.run(s.ctx) }))
	id := s.cron.Schedule(sched, run)
	s.entries[j.key] = scheduled{id: id, spec: j.spec}
	s.log.Info("scheduled", "job", j.key, "schedule", j.spec, "next", next)
	return nil
}

// jitterLimit bounds a job's offset by a tenth of its period as well as by
// the configured jitter: a source polled every minute must not wait twenty
// seconds for its first poll, and jitter must never reorder a job's runs.
func jitterLimit(spec cron.Schedule, jitter time.Duration) time.Duration {
	if jitter <= 0 {
		return 0
	}
	first := spec.Next(time.Now())
	if period := spec.Next(first).Sub(first); period > 0 && period/10 < jitter {
		return period / 10
	}
	return jitter
}

// next is when a job runs next; zero when it is not scheduled.
func (s *scheduler) next(key string) time.Time {
	e, ok := s.entries[key]
	if !ok {
		return time.Time{}
	}
	return s.cron.Entry(e.id).Next
}

// cronLogger sends cron's own messages to slog; its routine "wake" and "run"
// chatter goes to debug.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron "+msg, kv...) }
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron "+msg, append(kv, "error", err)...)
}
