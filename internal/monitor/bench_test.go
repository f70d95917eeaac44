package monitor_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/embargo-watch/embargo/internal/monitor"
	"github.com/embargo-watch/embargo/internal/netguard"
	"github.com/embargo-watch/embargo/internal/source"
	"github.com/embargo-watch/embargo/internal/store"
	"github.com/embargo-watch/embargo/rules"
)

const (
	benchFeeds = 2000
	benchItems = 20
)

// BenchmarkPass measures one pass of Once over 2,000 feeds of 20 items each
// served from loopback, with the default rule pack: first a pass where every
// item is new, then a pass where every feed answers 304. Reported: wall time
// and CPU time per pass, cost per item from fetch to stored alert, the alerts
// stored, and the peak Go heap of the whole process (the feed server
// included).
//
//	go test ./internal/monitor -run '^$' -bench . -benchtime 1x
func BenchmarkPass(b *testing.B) {
	srv := httptest.NewServer(benchFeedHandler())
	b.Cleanup(srv.Close)
	set := benchRules(b, srv.URL)

	b.Run("new", func(b *testing.B) {
		for range b.N {
			mon, db := benchMonitor(b, set)
			peak := watchHeap()
			start, cpu := time.Now(), cpuTime()
			if err := mon.Once(context.Background()); err != nil {
				b.Fatal(err)
			}
			elapsed, cpu := time.Since(start), cpuTime()-cpu
			b.StopTimer()
			b.ReportMetric(peak()/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(elapsed.Nanoseconds())/(benchFeeds*benchItems), "ns/item")
			b.ReportMetric(float64(cpu.Nanoseconds())/(benchFeeds*benchItems), "cpu-ns/item")
			b.ReportMetric(elapsed.Seconds(), "s/pass")
			b.ReportMetric(cpu.Seconds(), "cpu-s/pass")
			b.ReportMetric(float64(countAlerts(b, db)), "alerts")
			db.Close()
			b.StartTimer()
		}
	})

	b.Run("not-modified", func(b *testing.B) {
		for range b.N {
			b.StopTimer()
			mon, db := benchMonitor(b, set)
			if err := mon.Once(context.Background()); err != nil { // fills the store and the ETags
				b.Fatal(err)
			}
			runtime.GC()
			peak := watchHeap()
			b.StartTimer()
			start, cpu := time.Now(), cpuTime()
			if err := mon.Once(context.Background()); err != nil {
				b.Fatal(err)
			}
			elapsed, cpu := time.Since(start), cpuTime()-cpu
			b.StopTimer()
			b.ReportMetric(peak()/(1<<20), "peak-heap-MB")
			b.ReportMetric(elapsed.Seconds(), "s/pass")
			b.ReportMetric(cpu.Seconds(), "cpu-s/pass")
			db.Close()
			b.StartTimer()
		}
	})
}

func benchMonitor(b *testing.B, set *rules.Set) (*monitor.Monitor, *store.DB) {
	b.Helper()
	db, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	mon, err := monitor.New(monitor.Config{
		Store:   db,
		Fetcher: source.NewFetcher(source.Options{PerHost: 16, Workers: 16, Policy: netguard.Policy{AllowPrivate: true}}),
		Rules:   func() *rules.Set { return set },
		Log:     slog.New(slog.DiscardHandler),
		Workers: 16,
	})
	if err != nil {
		b.Fatal(err)
	}
	return mon, db
}

func countAlerts(b *testing.B, db *store.DB) int {
	n, _, err := db.OutboxStats(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	return n
}

// watchHeap samples the heap until the returned function is called, which
// reports the largest HeapAlloc seen, in bytes.
func watchHeap() func() float64 {
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak.Load() {
				peak.Store(ms.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	})
	return func() float64 {
		close(stop)
		wg.Wait()
		return float64(peak.Load())
	}
}

// benchRules is the default rule pack with its sources replaced by
// benchFeeds feeds on base, when the pack loads (the realistic case); else
// this package's small test pack with those feeds. The pack is rewritten
// through yaml.Node, so that its rules and lexicons stay exactly as they are.
func benchRules(b *testing.B, base string) *rules.Set {
	b.Helper()
	var sources strings.Builder
	for i := range benchFeeds {
		fmt.Fprintf(&sources, "- name: feed-%d\n  url: %s/feed/%d\n", i, base, i)
	}
	if data, err := withSources("../../rules.yaml", sources.String()); err != nil {
		b.Logf("default pack not used (%v): using the test pack", err)
	} else if set, err := rules.Parse("rules.yaml", data); err != nil {
		b.Logf("default pack does not load (%v): using the test pack", err)
	} else {
		b.Logf("rules: the default pack, %d rules", len(set.Rules()))
		return set
	}
	set, err := rules.Parse("bench.yaml", fmt.Appendf(nil, testRules, indent(sources.String())))
	if err != nil {
		b.Fatal(err)
	}
	return set
}

// withSources returns the rule file at path with its sources replaced.
func withSources(path, sources string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc, list yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if err := yaml.Unmarshal([]byte(sources), &list); err != nil {
		return nil, err
	}
	top := doc.Content[0]
	for i := 0; i+1 < len(top.Content); i += 2 {
		if top.Content[i].Value == "sources" {
			top.Content[i+1] = list.Content[0]
		}
	}
	return yaml.Marshal(&doc)
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n  ")
}

// benchFeedHandler serves /feed/N: an RSS feed of benchItems items, the same
// for a given N on every request, with an ETag that a second pass sends back.
// One item in ten reports DPRK workers sent abroad; the rest are ordinary
// news made of a shuffled vocabulary, so no two stories look alike.
func benchFeedHandler() http.Handler {
	cache := sync.Map{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/feed/"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		etag := fmt.Sprintf(`"feed-%d-v1"`, n)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		body, ok := cache.Load(n)
		if !ok {
			body, _ = cache.LoadOrStore(n, benchFeed(n))
		}
		w.Header().Set("Content-Type", rssType)
		w.Header().Set("ETag", etag)
		w.Write(body.([]byte))
	})
}

var benchWords = strings.Fields(`government minister said on tuesday talks economy
trade port shipping market prices growth region officials agreed plan forces border
summit election parliament reform budget energy oil gas exports imports bank central
inflation rates city residents police court ruling report agency according statement
weather storm flooding farmers harvest rice factory production workers union strike
company shares investors profit quarter technology chips phones cars steel coal iron
university students school health hospital vaccine virus cases museum festival film`)

var benchPlaces = []string{"Kursk", "Vladivostok", "Khabarovsk", "Dandong", "Primorye", "Belgorod", "Novosibirsk", "Amur"}

func benchFeed(n int) []byte {
	r := rand.New(rand.NewPCG(uint64(n), 42))
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Feed %d</title><link>https://news%d.example.org/</link><description>generated</description>
`, n, n)
	for i := range benchItems {
		title, body := benchStory(r, n*benchItems+i)
		fmt.Fprintf(&b, `<item><title>%s</title><link>https://news%d.example.org/%d/%d</link><guid>news%d-%d</guid><pubDate>Tue, 17 Jun 2025 09:30:00 +0000</pubDate><description>%s</description></item>
`, title, n, n, i, n, i, body)
	}
	b.WriteString("</channel></rss>\n")
	return []byte(b.String())
}

func benchStory(r *rand.Rand, id int) (title, body string) {
	words := func(k int) string {
		out := make([]string, k)
		for i := range out {
			out[i] = benchWords[r.IntN(len(benchWords))]
		}
		return strings.Join(out, " ")
	}
	title = fmt.Sprintf("Story %d: %s", id, words(8))
	body = words(60)
	if id%10 == 0 {
		place := benchPlaces[r.IntN(len(benchPlaces))]
		body = fmt.Sprintf("North Korea will send %d,000 workers to Russia's %s region to work on construction sites, officials said. %s", 1+r.IntN(9), place, body)
	}
	return title, body
}
