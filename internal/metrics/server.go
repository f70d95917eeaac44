package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// DefaultAddr is where /healthz and /metrics listen unless EMBARGO_HTTP_ADDR
// says otherwise: loopback, since metrics are for the operator's scraper.
const DefaultAddr = "127.0.0.1:9464"

// Check is one readiness condition: nil when ready, else why not.
type Check func(ctx context.Context) error

// Server serves /healthz and /metrics.
type Server struct {
	Metrics *Metrics
	Checks  map[string]Check // e.g. "database", "gateway"
	Log     *slog.Logger
}

// Handler routes /healthz and /metrics.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.Metrics.Handler())
	mux.HandleFunc("GET /healthz", s.healthz)
	return mux
}

// healthz answers 200 "ok" when every check passes, else 503 naming each
// failing check, so that a load balancer and a person both learn why.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	var failures []string
	for name, check := range s.Checks {
		if err := check(ctx); err != nil {
			failures = append(failures, fmt.Sprintf("%s: %v", name, err))
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if len(failures) > 0 {
		w.WriteHeader(http.StatusServiceUnavailable)
		for _, f := range failures {
			fmt.Fprintln(w, f)
		}
		return
	}
	fmt.Fprintln(w, "ok")
}

// ListenAndServe serves until ctx is done, then shuts down gracefully.
func (s *Server) ListenAndServe(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s for health and metrics: %w", addr, err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves on ln until ctx is done.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if s.Log != nil {
		s.Log.Info("serving health and metrics", "addr", ln.Addr().String())
	}
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve health and metrics: %w", err)
	}
	return nil
}
