package source

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"
)

// BenchmarkFetch measures one fetch of a 20-item feed from a loopback server,
// a full 200 and a conditional 304, with latency percentiles.
func BenchmarkFetch(b *testing.B) {
	feed := twentyItemFeed()
	const etag = `"v1"`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		_, _ = w.Write(feed)
	}))
	defer srv.Close()

	for _, bc := range []struct {
		name string
		cond Conditional
	}{
		{"200", Conditional{}},
		{"304", Conditional{ETag: etag}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			f := newTestFetcher(Options{})
			var latencies []time.Duration
			b.ReportAllocs()
			for b.Loop() {
				start := time.Now()
				if _, err := f.Fetch(context.Background(), srv.URL, bc.cond); err != nil {
					b.Fatal(err)
				}
				latencies = append(latencies, time.Since(start))
			}
			reportPercentiles(b, latencies)
		})
	}
}

func reportPercentiles(b *testing.B, latencies []time.Duration) {
	if len(latencies) == 0 {
		return
	}
	slices.Sort(latencies)
	at := func(p float64) float64 {
		return float64(latencies[int(p*float64(len(latencies)-1))].Microseconds())
	}
	b.ReportMetric(at(0.50), "p50-µs")
	b.ReportMetric(at(0.99), "p99-µs")
}

// BenchmarkExtractArticle measures readability on a realistic news page.
func BenchmarkExtractArticle(b *testing.B) {
	page := readFixture(b, "article.html")
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ExtractArticle(page, "text/html; charset=utf-8", "https://news.example.org/story"); err != nil {
			b.Fatal(err)
		}
	}
}
