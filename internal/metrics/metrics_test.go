package metrics

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestHealthzReportsFailingChecks(t *testing.T) {
	gatewayUp := false
	s := &Server{Metrics: New(), Checks: map[string]Check{
		"database": func(context.Context) error { return nil },
		"gateway": func(context.Context) error {
			if !gatewayUp {
				return errors.New("not connected")
			}
			return nil
		},
	}}
	code, body := get(t, s.Handler(), "/healthz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "gateway: not connected") {
		t.Fatalf("healthz with gateway down = %d %q, want 503 naming the gateway", code, body)
	}
	gatewayUp = true
	if code, body := get(t, s.Handler(), "/healthz"); code != http.StatusOK || strings.TrimSpace(body) != "ok" {
		t.Fatalf("healthz when ready = %d %q, want 200 ok", code, body)
	}
}

func TestMetricsExposeCountersAndOutbox(t *testing.T) {
	m := New()
	m.Fetches.WithLabelValues("nknews", "ok").Inc()
	m.Alerts.WithLabelValues("dprk-labor-abroad").Add(2)
	oldest := time.Now().Add(-95 * time.Second)
	m.WatchOutbox(func(context.Context) (int, time.Time, error) { return 3, oldest, nil })
	_, body := get(t, (&Server{Metrics: m}).Handler(), "/metrics")
	for _, want := range []string{
		`embargo_source_fetches_total{result="ok",source="nknews"} 1`,
		`embargo_alerts_total{rule="dprk-labor-abroad"} 2`,
		`embargo_outbox_pending 3`,
		`embargo_outbox_oldest_pending_seconds 9`, // 95 seconds and a little
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestCountRateLimits(t *testing.T) {
	m := New()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/limited" {
			w.WriteHeader(http.StatusTooManyRequests)
		}
	}))
	defer srv.Close()
	client := &http.Client{Transport: m.CountRateLimits(nil)}
	for _, p := range []string{"/limited", "/ok", "/limited"} {
		resp, err := client.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	_, body := get(t, (&Server{Metrics: m}).Handler(), "/metrics")
	if !strings.Contains(body, "embargo_discord_rate_limited_total 2") {
		t.Fatalf("want 2 rate-limited answers counted; metrics:\n%s", body)
	}
}

func TestServeStopsWithContext(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- (&Server{Metrics: New()}).Serve(ctx, ln) }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz with no checks = %d, want 200", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve after cancel: %v", err)
	}
}

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	body, _ := io.ReadAll(rec.Body)
	return rec.Code, string(body)
}
