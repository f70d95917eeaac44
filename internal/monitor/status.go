package monitor

import (
	"context"
	"fmt"
	"time"
)

// SourceStatus is the health of one configured source, for /sources and
// /healthz.
type SourceStatus struct {
	Name        string
	URL         string
	Type        string
	Schedule    string
	LastFetch   time.Time
	LastSuccess time.Time
	Status      string // the last poll's outcome; "" before the first
	Error       string // the last failure, while failing
	Failures    int    // consecutive
	NextAttempt time.Time
	NextRun     time.Time
	Items       int
	New         int
	Alerts      int
}

// Healthy reports whether the last poll of the source succeeded (or none has
// been made yet).
func (s SourceStatus) Healthy() bool { return s.Failures == 0 }

// Status reports every configured source, in name order.
func (m *Monitor) Status(ctx context.Context) ([]SourceStatus, error) {
	m.mu.Lock()
	sources := sortedValues(m.sources)
	m.mu.Unlock()
	out := make([]SourceStatus, 0, len(sources))
	for _, src := range sources {
		st, err := m.cfg.Store.SourceState(ctx, src.Name)
		if err != nil {
			return nil, fmt.Errorf("state of source %s: %w", src.Name, err)
		}
		out = append(out, SourceStatus{
			Name:        src.Name,
			URL:         src.URL,
			Type:        orDefault(src.Type, "feed"),
			Schedule:    orDefault(src.Schedule, m.cfg.DefaultSchedule),
			LastFetch:   st.LastFetch,
			LastSuccess: st.LastSuccess,
			Status:      st.LastStatus,
			Error:       st.LastError,
			Failures:    st.Failures,
			NextAttempt: st.NextAttempt,
			NextRun:     m.NextRun(src.Name),
			Items:       st.Items,
			New:         st.New,
			Alerts:      st.Alerts,
		})
	}
	return out, nil
}

// logPoll writes the one line every poll leaves.
func (m *Monitor) logPoll(p *poll, err error) {
	args := []any{
		"source", p.stats.Source,
		"status", p.stats.Status,
		"items", p.stats.Items,
		"new", p.stats.New,
		"alerts", p.stats.Alerts,
		"duration", p.stats.Duration.Round(time.Millisecond),
	}
	switch {
	case err != nil:
		m.cfg.Log.Warn("poll failed", append(args, "error", err, "failures", p.state.Failures, "next_attempt", p.state.NextAttempt)...)
	case p.stats.Status == StatusSkipped:
		m.cfg.Log.Debug("poll skipped: backing off", append(args, "next_attempt", p.state.NextAttempt)...)
	default:
		m.cfg.Log.Info("poll", args...)
	}
}
