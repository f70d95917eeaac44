package monitor

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"
)

func TestJitteredSchedule(t *testing.T) {
	start := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		spec   string
		offset time.Duration
		next   []time.Time // after the start-up run
	}{
		{"@every 30m", 7 * time.Second, []time.Time{start.Add(7*time.Second + 30*time.Minute), start.Add(7*time.Second + 60*time.Minute)}},
		{"0 * * * *", 12 * time.Second, []time.Time{start.Add(time.Hour + 12*time.Second), start.Add(2*time.Hour + 12*time.Second)}},
		{"@daily", 3 * time.Second, []time.Time{start.Add(12*time.Hour + 3*time.Second), start.Add(36*time.Hour + 3*time.Second)}},
		{"*/15 * * * *", 0, []time.Time{start.Add(15 * time.Minute), start.Add(30 * time.Minute)}},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			s, err := specParser.Parse(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			j := newJittered(s, tt.offset)
			at := j.Next(start)
			if want := start.Add(tt.offset); !at.Equal(want) {
				t.Errorf("start-up run at %s, want %s", at, want)
			}
			for _, want := range tt.next {
				if at = j.Next(at); !at.Equal(want) {
					t.Errorf("next run at %s, want %s", at, want)
				}
			}
		})
	}
}

func TestValidSchedule(t *testing.T) {
	for spec, ok := range map[string]bool{
		"@every 15m": true, "@daily": true, "@hourly": true, "*/5 * * * *": true, "0 6 * * 1-5": true,
		"": false, "every 15m": false, "* * * * * *": false, "61 * * * *": false,
	} {
		if err := ValidSchedule(spec); (err == nil) != ok {
			t.Errorf("ValidSchedule(%q) = %v, want ok=%v", spec, err, ok)
		}
	}
}

func TestJitterLimitIsATenthOfThePeriod(t *testing.T) {
	for _, tc := range []struct {
		spec   string
		jitter time.Duration
		want   time.Duration
	}{
		{"@every 1s", 20 * time.Second, 100 * time.Millisecond},
		{"@every 1m", 20 * time.Second, 6 * time.Second},
		{"@every 30m", 20 * time.Second, 20 * time.Second},
		{"@daily", 20 * time.Second, 20 * time.Second},
		{"@every 1m", 0, 0},
	} {
		spec, err := specParser.Parse(tc.spec)
		if err != nil {
			t.Fatal(err)
		}
		if got := jitterLimit(spec, tc.jitter); got != tc.want {
			t.Errorf("jitterLimit(%s, %s) = %s, want %s", tc.spec, tc.jitter, got, tc.want)
		}
	}
}

// The "scheduled" line tells when the job first runs, also before the cron
// has started (when the cron's own entry knows no next time).
func TestScheduledJobLogsItsNextRun(t *testing.T) {
	var logs bytes.Buffer
	s := newScheduler(context.Background(), -1, slog.New(slog.NewJSONHandler(&logs, nil)))
	tests := []struct {
		key      string
		startNow bool
		wait     time.Duration // from now to the first run
	}{
		{"source:wire", true, 0},
		{"source:changed", false, time.Hour},
	}
	for _, tt := range tests {
		logs.Reset()
		before := time.Now()
		if err := s.add(job{key: tt.key, spec: "@every 1h", run: func(context.Context) {}}, tt.startNow); err != nil {
			t.Fatal(err)
		}
		after := time.Now()
		var line struct {
			Job  string
			Next time.Time
		}
		if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
			t.Fatalf("log line %q: %v", logs.String(), err)
		}
		// "@every" runs fall on whole seconds.
		earliest, latest := before.Add(tt.wait).Truncate(time.Second), after.Add(tt.wait)
		if line.Job != tt.key || line.Next.Before(earliest) || line.Next.After(latest) {
			t.Errorf("logged job %q next=%s, want %s next between %s and %s",
				line.Job, line.Next, tt.key, earliest, latest)
		}
	}
}
