// Package metrics holds embargo's Prometheus metrics and the HTTP listener
// that serves them with /healthz.
package metrics

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the collectors of one embargo process, on a registry of their
// own (no global state, so tests can run several side by side).
type Metrics struct {
	Registry *prometheus.Registry

	Fetches      *prometheus.CounterVec   // source, result
	FetchSeconds *prometheus.HistogramVec // source
	ItemsSeen    *prometheus.CounterVec   // source
	ItemsNew     *prometheus.CounterVec   // source
	Alerts       *prometheus.CounterVec   // rule
	Deliveries   *prometheus.CounterVec   // sink, result
	RateLimited  prometheus.Counter
	ListEntries  *prometheus.GaugeVec   // list
	ListSyncs    *prometheus.CounterVec // list, result
	ListLastSync *prometheus.GaugeVec   // list: unix time of the last successful sync
	RuleReloads  *prometheus.CounterVec // result
	RulesLoaded  prometheus.Gauge
}

// New registers every collector on a fresh registry, with Go and process
// collectors beside them.
func New() *Metrics {
	r := prometheus.NewRegistry()
	f := factory{r}
	m := &Metrics{
		Registry: r,
		Fetches: f.counterVec("embargo_source_fetches_total",
			"Fetches of sources by result (ok, not_modified, error, skipped).", "source", "result"),
		FetchSeconds: f.histogramVec("embargo_source_fetch_duration_seconds",
			"Time to fetch and process one source.", "source"),
		ItemsSeen: f.counterVec("embargo_items_seen_total", "Items fetched from sources.", "source"),
		ItemsNew:  f.counterVec("embargo_items_new_total", "Items not seen before.", "source"),
		Alerts:    f.counterVec("embargo_alerts_total", "Alerts stored, by rule.", "rule"),
		Deliveries: f.counterVec("embargo_deliveries_total",
			"Delivery attempts by sink and result (delivered, retry, failed, skipped).", "sink", "result"),
		RateLimited: f.counter("embargo_discord_rate_limited_total", "Discord answers with status 429."),
		ListEntries: f.gaugeVec("embargo_list_entries", "Entries in the active version of each sanctions list.", "list"),
		ListSyncs:   f.counterVec("embargo_list_syncs_total", "Sanctions list syncs by result.", "list", "result"),
		ListLastSync: f.gaugeVec("embargo_list_last_success_timestamp_seconds",
			"When each list was last synced successfully.", "list"),
		RuleReloads: f.counterVec("embargo_rule_reloads_total", "Rule file reloads by result (ok, error).", "result"),
		RulesLoaded: f.gauge("embargo_rules_loaded", "Rules in the active rule file."),
	}
	r.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// OutboxStats reports the outbox's pending rows and when the oldest was made.
type OutboxStats func(ctx context.Context) (pending int, oldest time.Time, err error)

// WatchOutbox adds gauges read from the store at scrape time, so that they
// are never stale and cost nothing between scrapes.
func (m *Metrics) WatchOutbox(stats OutboxStats) {
	m.Registry.MustRegister(&outboxCollector{stats: stats,
		depth: prometheus.NewDesc("embargo_outbox_pending", "Deliveries waiting in the outbox.", nil, nil),
		age: prometheus.NewDesc("embargo_outbox_oldest_pending_seconds",
			"Age of the oldest pending delivery (0 when none).", nil, nil),
	})
}

type outboxCollector struct {
	stats      OutboxStats
	depth, age *prometheus.Desc
}

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.depth; ch <- c.age }

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	pending, oldest, err := c.stats(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.depth, err)
		return
	}
	age := 0.0
	if pending > 0 && !oldest.IsZero() {
		age = time.Since(oldest).Seconds()
	}
	ch <- prometheus.MustNewConstMetric(c.depth, prometheus.GaugeValue, float64(pending))
	ch <- prometheus.MustNewConstMetric(c.age, prometheus.GaugeValue, age)
}

// CountRateLimits wraps an HTTP transport so that every 429 answer is counted.
func (m *Metrics) CountRateLimits(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		resp, err := next.RoundTrip(req)
		if err == nil && resp.StatusCode == http.StatusTooManyRequests {
			m.RateLimited.Inc()
		}
		return resp, err
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Handler serves /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}

// factory creates collectors and registers them in one step.
type factory struct{ r *prometheus.Registry }

func (f factory) counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	f.r.MustRegister(c)
	return c
}

func (f factory) counter(name, help string) prometheus.Counter {
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
	f.r.MustRegister(c)
	return c
}

func (f factory) gaugeVec(name, help string, labels ...string) *prometheus.GaugeVec {
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels)
	f.r.MustRegister(g)
	return g
}

func (f factory) gauge(name, help string) prometheus.Gauge {
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
	f.r.MustRegister(g)
	return g
}

func (f factory) histogramVec(name, help string, labels ...string) *prometheus.HistogramVec {
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help,
		Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}}, labels)
	f.r.MustRegister(h)
	return h
}
