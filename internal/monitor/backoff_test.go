package monitor

import (
	"testing"
	"time"
)

func TestRetryDelay(t *testing.T) {
	tests := []struct {
		failures   int
		retryAfter time.Duration
		min, max   time.Duration
	}{
		{1, 0, time.Minute, time.Minute * 6 / 5},
		{2, 0, 2 * time.Minute, 2 * time.Minute * 6 / 5},
		{3, 0, 4 * time.Minute, 4 * time.Minute * 6 / 5},
		{9, 0, 256 * time.Minute, 6 * time.Hour},
		{10, 0, 6 * time.Hour, 6 * time.Hour},
		{1000, 0, 6 * time.Hour, 6 * time.Hour},
		{1, 10 * time.Minute, 10 * time.Minute, 10 * time.Minute},         // Retry-After asks for longer
		{5, 10 * time.Second, 16 * time.Minute, 16 * time.Minute * 6 / 5}, // backoff is longer
		{1, 30 * 24 * time.Hour, 6 * time.Hour, 6 * time.Hour},            // a bogus Retry-After is capped
	}
	for _, tt := range tests {
		for range 50 { // the jitter is random: every draw must fall in range
			if got := retryDelay(tt.failures, tt.retryAfter); got < tt.min || got > tt.max {
				t.Fatalf("retryDelay(%d, %s) = %s, want within [%s, %s]", tt.failures, tt.retryAfter, got, tt.min, tt.max)
			}
		}
	}
}

func TestRetryDelayIsJittered(t *testing.T) {
	seen := map[time.Duration]bool{}
	for range 20 {
		seen[retryDelay(3, 0)] = true
	}
	if len(seen) < 2 {
		t.Error("20 retries of one source drew the same delay: no jitter")
	}
}
