package monitor_test

import (
	"cmp"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/embargo-watch/embargo/internal/monitor"
)

// Each broken source marks itself unhealthy with a clear error, while a
// healthy source polled in the same pass still alerts.
func TestBrokenSourceDoesNotStopOthers(t *testing.T) {
	wire := readTestdata(t, "wire.rss")
	tests := []struct {
		name    string
		handler http.HandlerFunc
		wantErr string
		timeout time.Duration // how long the fetcher waits; default 10s
	}{
		{"truncated XML", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", rssType)
			w.Write(wire[:len(wire)*2/3])
		}, "truncated", 0},
		{"HTML where a feed is expected", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(readTestdata(t, "article.html"))
		}, "not a feed", 0},
		{"50 MB body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", rssType)
			chunk := []byte(strings.Repeat("<item><title>padding</title></item>\n", 1024))
			for sent := 0; sent < 50<<20; sent += len(chunk) {
				if _, err := w.Write(chunk); err != nil {
					return // the client gave up at its cap
				}
			}
		}, "exceeds", 0},
		{"accepts and never answers", func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
		}, "no response", time.Second},
		{"redirect loop", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/broken", http.StatusFound)
		}, "redirect", 0},
		{"server error", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "boom", http.StatusBadGateway)
		}, "502", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, timeout(cmp.Or(tt.timeout, 10*time.Second)))
			h.srv.serveBody("/wire.rss", rssType, wire)
			h.srv.handle("/broken", tt.handler)
			h.setSources(
				src{name: "wire", url: h.srv.URL + "/wire.rss"},
				src{name: "broken", url: h.srv.URL + "/broken"},
			)
			h.once()
			if n := len(h.drain()); n != 1 {
				t.Errorf("healthy source printed %d alerts, want 1", n)
			}
			st := h.state("broken")
			if st.Failures != 1 || st.LastStatus != "error" || !strings.Contains(st.LastError, tt.wantErr) {
				t.Errorf("broken source state = %+v, want an error containing %q", st, tt.wantErr)
			}
			statuses, err := h.mon.Status(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range statuses {
				if s.Healthy() != (s.Name == "wire") {
					t.Errorf("%s healthy = %v (error %q)", s.Name, s.Healthy(), s.Error)
				}
			}
			if !strings.Contains(h.logs.String(), "source=broken status=error") {
				t.Errorf("the failure was not logged:\n%s", h.logs)
			}
		})
	}
}

func TestCharsetFromHTTPHeader(t *testing.T) {
	h := newHarness(t)
	h.srv.serveBody("/dv.rss", "application/rss+xml; charset=windows-1251", readTestdata(t, "cp1251.rss"))
	h.setSources(src{name: "dv", url: h.srv.URL + "/dv.rss"})
	h.once()
	alerts := h.drain()
	if len(alerts) != 1 {
		t.Fatalf("printed %d alerts, want 1\n%s", len(alerts), h.logs)
	}
	if want := "КНДР направит 6 тысяч рабочих в Курскую область"; alerts[0].Headline != want {
		t.Errorf("headline = %q, want %q", alerts[0].Headline, want)
	}
}

func TestFulltextArticleIsMatched(t *testing.T) {
	h := newHarness(t)
	h.srv.serveFile(t, "/teaser.rss", rssType, "teaser.rss", "ARTICLE_URL", h.srv.URL+"/p/4411")
	h.srv.serveFile(t, "/p/4411", "text/html; charset=utf-8", "article.html")
	// Without fulltext the teaser alone says nothing about the DPRK.
	h.setSources(src{name: "teaser", url: h.srv.URL + "/teaser.rss"})
	h.once()
	if n := len(h.drain()); n != 0 {
		t.Fatalf("the teaser alone printed %d alerts", n)
	}
	if n := len(h.srv.hits("/p/4411")); n != 0 {
		t.Errorf("article fetched %d times without fulltext", n)
	}

	h.restartEmpty()
	h.setSources(src{name: "teaser", url: h.srv.URL + "/teaser.rss", extra: "    fulltext: true\n"})
	h.once()
	alerts := h.drain()
	if len(alerts) != 1 || alerts[0].Headline != "Seafood plant in Vladivostok" {
		t.Fatalf("printed %+v, want the article's alert", alerts)
	}
	if !strings.Contains(alerts[0].Snippet, "North Korea") {
		t.Errorf("snippet %q does not come from the article", alerts[0].Snippet)
	}
}

func TestHTMLSourceLinksBecomeItems(t *testing.T) {
	h := newHarness(t)
	page := `<!DOCTYPE html><html><body>
<nav><a href="/about">About the ministry</a></nav>
<ul class="news">
  <li><a href="/press/2025/118">Statement on North Korean workers at construction sites abroad</a></li>
  <li><a href="/press/2025/117">Minister meets ambassador of Mongolia</a></li>
</ul></body></html>`
	h.srv.serveBody("/press", "text/html; charset=utf-8", []byte(page))
	h.setSources(src{name: "mofa", url: h.srv.URL + "/press", extra: "    type: html\n    selector: \"ul.news a\"\n"})
	h.once()
	alerts := h.drain()
	if len(alerts) != 1 || alerts[0].URL != h.srv.URL+"/press/2025/118" {
		t.Fatalf("printed %+v, want the statement's link", alerts)
	}
	if st := h.state("mofa"); st.Items != 2 {
		t.Errorf("items = %d, want the 2 links under the selector", st.Items)
	}
}

func TestReloadAddsRemovesAndReschedules(t *testing.T) {
	h := newHarness(t)
	h.srv.serveFile(t, "/wire.rss", rssType, "wire.rss")
	h.srv.serveFile(t, "/dispatch.atom", "application/atom+xml", "syndicated.atom")
	h.setSources(src{name: "wire", url: h.srv.URL + "/wire.rss", extra: "    schedule: \"@every 1h\"\n"})

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.mon.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})

	waitFor(t, "the first poll of wire", func() bool { return h.state("wire").LastStatus == "ok" })
	if next := h.mon.NextRun("wire"); next.Before(time.Now().Add(50 * time.Minute)) {
		t.Errorf("wire next run %s, want an hour after its first", next)
	}

	h.setSources(
		src{name: "wire", url: h.srv.URL + "/wire.rss", extra: "    schedule: \"0 0 1 1 *\"\n"},
		src{name: "dispatch", url: h.srv.URL + "/dispatch.atom"},
	)
	waitFor(t, "the added source's first poll", func() bool { return h.state("dispatch").LastStatus == "ok" })
	if next := h.mon.NextRun("wire"); next.Month() != time.January || next.Day() != 1 {
		t.Errorf("rescheduled wire runs next at %s, want 1 January", next)
	}
	if n := len(h.srv.hits("/wire.rss")); n != 1 {
		t.Errorf("rescheduling polled wire again (%d requests)", n)
	}

	h.setSources(src{name: "dispatch", url: h.srv.URL + "/dispatch.atom"})
	if next := h.mon.NextRun("wire"); !next.IsZero() {
		t.Errorf("removed source still runs at %s", next)
	}
	statuses, err := h.mon.Status(context.Background())
	if err != nil || len(statuses) != 1 || statuses[0].Name != "dispatch" || statuses[0].NextRun.IsZero() {
		t.Errorf("Status after removal = %+v, %v", statuses, err)
	}
}

func TestShutdownDuringStalledFetch(t *testing.T) {
	h := newHarness(t, timeout(time.Hour)) // only the shutdown can end the fetch
	entered := make(chan struct{}, 1)
	h.srv.handle("/stall", func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-r.Context().Done()
	})
	h.srv.serveFile(t, "/wire.rss", rssType, "wire.rss")
	h.setSources(src{name: "stall", url: h.srv.URL + "/stall"})

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.mon.Run(ctx) }()
	select {
	case <-entered:
	case <-time.After(20 * time.Second):
		t.Fatal("the stalled source was never polled")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not return after its context was cancelled")
	}
	// A shutdown is not the source's fault, and the database is intact.
	if st := h.state("stall"); st.Failures != 0 {
		t.Errorf("shutdown recorded as a failure: %+v", st)
	}
	if err := h.db.IntegrityCheck(context.Background()); err != nil {
		t.Errorf("integrity: %v", err)
	}
	h.setSources(src{name: "wire", url: h.srv.URL + "/wire.rss"})
	h.once()
	if n := len(h.drain()); n != 1 {
		t.Errorf("after shutdown the store printed %d alerts, want 1", n)
	}
}

func TestStoreFailureFailsThePass(t *testing.T) {
	h := newHarness(t)
	h.srv.serveFile(t, "/wire.rss", rssType, "wire.rss")
	h.setSources(src{name: "wire", url: h.srv.URL + "/wire.rss"})
	if err := h.db.Close(); err != nil {
		t.Fatal(err)
	}
	err := h.mon.Once(context.Background())
	if err == nil || monitor.IsSourceError(err) || !strings.Contains(err.Error(), "wire") {
		t.Errorf("Once on a closed store = %v, want an error of the store naming the source", err)
	}
	h.open() // for the cleanup's Close
}
