package monitor_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/embargo-watch/embargo/internal/alert"
	"github.com/embargo-watch/embargo/internal/monitor"
	"github.com/embargo-watch/embargo/rules"
)

func TestFeedToPrintedAlert(t *testing.T) {
	h := newHarness(t)
	h.srv.serveFile(t, "/wire.rss", rssType, "wire.rss")
	h.setSources(src{name: "wire", url: h.srv.URL + "/wire.rss"})

	stats, err := h.mon.PollSource(context.Background(), rules.Source{Name: "wire", URL: h.srv.URL + "/wire.rss"})
	if err != nil {
		t.Fatalf("PollSource: %v", err)
	}
	if stats.Status != monitor.StatusOK || stats.Items != 3 || stats.New != 3 || stats.Alerts != 1 {
		t.Errorf("stats = %+v, want ok with 3 items, 3 new, 1 alert", stats)
	}
	alerts := h.drain()
	if len(alerts) != 1 {
		t.Fatalf("printed %d alerts, want 1: %+v", len(alerts), alerts)
	}
	a := alerts[0]
	if a.Rule != "dprk-labor-abroad" || a.Severity != "high" || a.Category != "labor" || a.Source != "wire" {
		t.Errorf("alert = %+v", a)
	}
	if a.Headline != "North Korea to send 6,000 workers to rebuild Russia's Kursk" {
		t.Errorf("headline = %q", a.Headline)
	}
	if want := "https://wire.example.org/2025/06/17/north-korea-kursk-workers/"; a.URL != want {
		t.Errorf("url = %q, want %q without the tracking parameters", a.URL, want)
	}
	if want := time.Date(2025, 6, 17, 9, 30, 0, 0, time.UTC); !a.Published.Equal(want) {
		t.Errorf("published = %s, want %s", a.Published, want)
	}
	if !slices.Contains(a.References, "UNSCR 2397 (2017) OP8") {
		t.Errorf("references = %v", a.References)
	}
	if !slices.ContainsFunc(a.Quantities, func(q alert.Quantity) bool { return strings.Contains(q.Text, "6,000") }) {
		t.Errorf("quantities = %+v, want 6,000 workers", a.Quantities)
	}
	if len(a.Matches) == 0 || a.ID == 0 {
		t.Errorf("alert lacks matches or id: %+v", a)
	}
	if again := h.drain(); len(again) != 0 {
		t.Errorf("a second drain printed %d alerts", len(again))
	}
	st := h.state("wire")
	if st.LastStatus != monitor.StatusOK || st.Items != 3 || st.New != 3 || st.Alerts != 1 || st.ETag == "" {
		t.Errorf("state = %+v", st)
	}
	if !strings.Contains(h.logs.String(), "source=wire status=ok items=3 new=3 alerts=1") {
		t.Errorf("no poll log line:\n%s", h.logs)
	}
}

func TestNotModifiedStoresNothing(t *testing.T) {
	h := newHarness(t)
	h.srv.serveFile(t, "/wire.rss", rssType, "wire.rss")
	h.setSources(src{name: "wire", url: h.srv.URL + "/wire.rss"})
	h.once()
	if n := len(h.drain()); n != 1 {
		t.Fatalf("first pass printed %d alerts, want 1", n)
	}
	etag := h.state("wire").ETag

	h.once()
	hits := h.srv.hits("/wire.rss")
	if len(hits) != 2 {
		t.Fatalf("%d requests, want 2", len(hits))
	}
	if got := hits[1].Get("If-None-Match"); got != etag {
		t.Errorf("second request If-None-Match = %q, want the stored ETag %q", got, etag)
	}
	st := h.state("wire")
	if st.LastStatus != monitor.StatusNotModified || st.ETag != etag || st.Failures != 0 || st.Items != 3 || st.New != 0 {
		t.Errorf("state after 304 = %+v", st)
	}
	if n := len(h.drain()); n != 0 {
		t.Errorf("a 304 printed %d alerts", n)
	}
}

func TestBackoffAndRecovery(t *testing.T) {
	h := newHarness(t)
	h.setSources(src{name: "wire", url: h.srv.URL + "/wire.rss"})
	h.srv.handle("/wire.rss", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "upstream exploded", http.StatusInternalServerError)
	})

	h.once()
	failedAt := h.clock.Now()
	st := h.state("wire")
	if st.Failures != 1 || st.LastStatus != monitor.StatusError || !strings.Contains(st.LastError, "500") {
		t.Fatalf("after a failure: %+v", st)
	}
	if wait := st.NextAttempt.Sub(failedAt); wait < time.Minute || wait > 72*time.Second {
		t.Errorf("first retry in %s, want 1m plus jitter", wait)
	}
	statuses, err := h.mon.Status(context.Background())
	if err != nil || len(statuses) != 1 || statuses[0].Healthy() || statuses[0].Error == "" {
		t.Errorf("Status = %+v, %v: want one unhealthy source with its error", statuses, err)
	}

	// Before NextAttempt the source is left alone.
	h.clock.Advance(30 * time.Second)
	stats, err := h.mon.PollSource(context.Background(), rules.Source{Name: "wire", URL: h.srv.URL + "/wire.rss"})
	if err != nil || stats.Status != monitor.StatusSkipped {
		t.Errorf("poll while backing off = %+v, %v; want skipped", stats, err)
	}
	if n := len(h.srv.hits("/wire.rss")); n != 1 {
		t.Errorf("%d requests while backing off, want 1", n)
	}

	// Still failing: the wait doubles.
	h.clock.Advance(time.Minute)
	h.once()
	st = h.state("wire")
	if wait := st.NextAttempt.Sub(h.clock.Now()); st.Failures != 2 || wait < 2*time.Minute || wait > 144*time.Second {
		t.Errorf("after a second failure: failures %d, next in %s", st.Failures, wait)
	}

	// Recovered: alerts flow and the failure record is cleared.
	h.srv.serveFile(t, "/wire.rss", rssType, "wire.rss")
	h.clock.Advance(3 * time.Minute)
	h.once()
	st = h.state("wire")
	if st.Failures != 0 || st.LastError != "" || !st.NextAttempt.IsZero() || st.LastStatus != monitor.StatusOK {
		t.Errorf("after recovery: %+v", st)
	}
	if n := len(h.drain()); n != 1 {
		t.Errorf("recovered source printed %d alerts, want 1", n)
	}
	if got, want := h.pollStatuses("wire"), []string{"error", "skipped", "error", "ok"}; !slices.Equal(got, want) {
		t.Errorf("polls told to OnPoll: %v, want %v", got, want)
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	h := newHarness(t)
	h.setSources(src{name: "wire", url: h.srv.URL + "/wire.rss"})
	h.srv.handle("/wire.rss", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "5400")
		http.Error(w, "slow down", http.StatusTooManyRequests)
	})
	h.once()
	st := h.state("wire")
	if wait := st.NextAttempt.Sub(h.clock.Now()); wait != 90*time.Minute {
		t.Errorf("next attempt in %s, want the 1h30m the server asked for", wait)
	}
	if !strings.Contains(st.LastError, "429") {
		t.Errorf("last error = %q", st.LastError)
	}
	h.clock.Advance(89 * time.Minute)
	h.once()
	if n := len(h.srv.hits("/wire.rss")); n != 1 {
		t.Errorf("%d requests before Retry-After passed, want 1", n)
	}
}

func TestSyndicatedStoryAlertsOnce(t *testing.T) {
	h := newHarness(t)
	h.srv.serveFile(t, "/wire.rss", rssType, "wire.rss")
	h.srv.serveFile(t, "/dispatch.atom", "application/atom+xml", "syndicated.atom")
	h.setSources(
		src{name: "wire", url: h.srv.URL + "/wire.rss"},
		src{name: "dispatch", url: h.srv.URL + "/dispatch.atom"},
	)
	h.once()
	alerts := h.drain()
	if len(alerts) != 1 {
		t.Fatalf("printed %d alerts for one story from two outlets, want 1: %+v", len(alerts), alerts)
	}
	stored, err := h.db.Alert(context.Background(), alerts[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	other := map[string]string{"wire": "dispatch", "dispatch": "wire"}[stored.Source]
	if !slices.Contains(stored.AlsoReportedBy, other) {
		t.Errorf("alert from %s: also reported by %v, want %s", stored.Source, stored.AlsoReportedBy, other)
	}
	// Both items are stored as seen: a later pass adds nothing.
	h.srv.handle("/wire.rss", nil)
	h.srv.serveFile(t, "/wire.rss", "application/rss+xml", "wire.rss", "</channel>", "<!-- changed --></channel>")
	h.once()
	if n := len(h.drain()); n != 0 {
		t.Errorf("second pass printed %d alerts", n)
	}
}

func TestRestartPrintsNoDuplicates(t *testing.T) {
	h := newHarness(t)
	// No validators: every pass fetches and parses the whole feed again.
	body := readTestdata(t, "wire.rss")
	h.srv.handle("/wire.rss", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", rssType)
		w.Write(body)
	})
	h.setSources(src{name: "wire", url: h.srv.URL + "/wire.rss"})
	h.once()
	if n := len(h.drain()); n != 1 {
		t.Fatalf("first run printed %d alerts, want 1", n)
	}
	h.restart()
	h.once()
	if n := len(h.drain()); n != 0 {
		t.Errorf("second run printed %d alerts again", n)
	}
	if st := h.state("wire"); st.New != 0 || st.Items != 3 {
		t.Errorf("second run state = %+v, want 3 items, none new", st)
	}
}

func TestCrashBeforePrinting(t *testing.T) {
	h := newHarness(t)
	h.srv.serveFile(t, "/wire.rss", rssType, "wire.rss")
	h.setSources(src{name: "wire", url: h.srv.URL + "/wire.rss"})
	h.once() // stored, never printed: the process dies here
	h.restart()
	h.once()
	alerts := h.drain()
	if len(alerts) != 1 || alerts[0].Rule != "dprk-labor-abroad" {
		t.Fatalf("after the restart printed %+v, want the stored alert once", alerts)
	}
	if n := len(h.drain()); n != 0 {
		t.Errorf("printed %d alerts twice", n)
	}
}

func TestRepeatWithinOneFeedAlertsOnce(t *testing.T) {
	h := newHarness(t)
	// An aggregator carrying the wire story twice, under two GUIDs and URLs.
	feed := strings.Replace(string(readTestdata(t, "wire.rss")), "<item>", `<item>
      <title>North Korea to send 6,000 workers to rebuild Russia's Kursk region</title>
      <link>https://mirror.example.net/kursk</link>
      <guid>mirror-kursk</guid>
      <description>North Korea will send 6,000 military builders and deminers to Russia's Kursk region to help rebuild infrastructure destroyed in fighting with Ukraine, Russian Security Council Secretary Sergei Shoigu said on Tuesday after talks with Kim Jong Un in Pyongyang. Shoigu said 1,000 of them would be military engineers who would clear mines, while 5,000 military builders would restore destroyed infrastructure. It was Shoigu's second visit to Pyongyang in two weeks.</description>
    </item>
    <item>`, 1)
	h.srv.serveBody("/agg.rss", rssType, []byte(feed))
	h.setSources(src{name: "agg", url: h.srv.URL + "/agg.rss"})
	h.once()
	if n := len(h.drain()); n != 1 {
		t.Errorf("printed %d alerts for one story carried twice, want 1", n)
	}
	if st := h.state("agg"); st.New != 4 || st.Alerts != 1 {
		t.Errorf("state = %+v, want 4 new items and 1 alert", st)
	}
}

// Two feeds that both number their items from 1 carry different stories: a
// GUID names an item within its feed only.
func TestSameGUIDInTwoFeedsIsTwoItems(t *testing.T) {
	h := newHarness(t)
	feed := func(title, body string) []byte {
		return fmt.Appendf(nil, `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><guid isPermaLink="false">1</guid><title>%s</title><description>%s</description></item></channel></rss>`, title, body)
	}
	h.srv.serveBody("/a.rss", rssType, feed("North Korean workers reach Omsk",
		"Some 300 North Korean workers arrived at a cement plant near Omsk on Monday, a regional official said."))
	h.srv.serveBody("/b.rss", rssType, feed("Pyongyang sends laborers to Vladivostok shipyard",
		"A second group of DPRK laborers, about 120 people, began work at a Vladivostok shipyard, according to a rights group."))
	h.setSources(src{name: "a", url: h.srv.URL + "/a.rss"}, src{name: "b", url: h.srv.URL + "/b.rss"})
	h.once()
	if alerts := h.drain(); len(alerts) != 2 {
		t.Fatalf("printed %d alerts, want one per feed's item 1: %+v", len(alerts), alerts)
	}
}

// OnAlert hears of the alerts the store kept, not of the repeats of a story
// that it recorded as "also reported by": metrics count what was sent.
func TestOnAlertToldEachStoredAlert(t *testing.T) {
	h := newHarness(t)
	h.srv.serveFile(t, "/wire.rss", rssType, "wire.rss")
	h.srv.serveFile(t, "/dispatch.atom", "application/atom+xml", "syndicated.atom")
	h.setSources(
		src{name: "wire", url: h.srv.URL + "/wire.rss"},
		src{name: "dispatch", url: h.srv.URL + "/dispatch.atom"},
	)
	h.once()
	printed := h.drain()
	told := h.alertsTold()
	if len(told) != 1 || len(printed) != 1 {
		t.Fatalf("told %d alerts and printed %d for one story from two outlets, want 1 each", len(told), len(printed))
	}
	if told[0].ID == 0 || told[0].ID != printed[0].ID || told[0].Rule != "dprk-labor-abroad" {
		t.Errorf("told alert %d (%s), printed alert %d: want the stored alert with its ID",
			told[0].ID, told[0].Rule, printed[0].ID)
	}
	h.restart() // a new monitor with an empty story index still hears of no repeat
	h.srv.handle("/wire.rss", nil)
	h.srv.serveFile(t, "/wire.rss", rssType, "wire.rss", "wire-2025-0617-kursk", "wire-2025-0617-kursk-updated")
	h.once()
	if st := h.state("wire"); st.New != 1 {
		t.Fatalf("second pass found %d new items in wire, want the updated one", st.New)
	}
	if n := len(h.alertsTold()) - len(told); n != 0 {
		t.Errorf("after a restart the story's update was told %d times, want 0", n)
	}
}

// One article reached three ways in one pass — a link on a ministry's page,
// a wire feed's item and an aggregator's item, under three titles that share
// few words — is one story: its URL says so where the fingerprints cannot.
func TestOneArticleThroughThreeSourcesAlertsOnce(t *testing.T) {
	h := newHarness(t)
	const path = "/news/2025/06/17/kursk-workers"
	article := h.srv.URL + path
	h.srv.serveBody("/press", "text/html; charset=utf-8", fmt.Appendf(nil, `<!DOCTYPE html><html><body>
<ul class="news"><li><a href="%s">Statement on North Korean workers sent to the Kursk region</a></li></ul>
</body></html>`, path))
	item := func(guid, link, title, body string) []byte {
		return fmt.Appendf(nil, `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><guid isPermaLink="false">%s</guid><link>%s</link><title>%s</title><description>%s</description></item>
</channel></rss>`, guid, link, title, body)
	}
	h.srv.serveBody("/wire.rss", rssType, item("a1", article+"?utm_source=rss&amp;utm_medium=feed",
		"North Korea to send 6,000 workers to rebuild Russia's Kursk",
		"North Korea will send 6,000 military builders and deminers to Russia's Kursk region, Sergei Shoigu said after talks in Pyongyang."))
	h.srv.serveBody("/full.rss", rssType, item("full1", article,
		"Pyongyang pledges thousands of laborers for border reconstruction",
		"Kim Jong Un's government agreed on Tuesday to dispatch laborers and engineers to the war-damaged Russian province, officials in Moscow said."))
	h.setSources(
		src{name: "mofa", url: h.srv.URL + "/press", extra: "    type: html\n    selector: \"ul.news a\"\n"},
		src{name: "wire", url: h.srv.URL + "/wire.rss"},
		src{name: "full", url: h.srv.URL + "/full.rss"},
	)
	h.once()
	alerts := h.drain()
	if len(alerts) != 1 {
		t.Fatalf("printed %d alerts for one article from three sources, want 1: %+v", len(alerts), alerts)
	}
	stored, err := h.db.Alert(context.Background(), alerts[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	others := slices.DeleteFunc([]string{"mofa", "wire", "full"}, func(s string) bool { return s == stored.Source })
	if slices.Sort(stored.AlsoReportedBy); !slices.Equal(stored.AlsoReportedBy, slices.Sorted(slices.Values(others))) {
		t.Errorf("alert from %s: also reported by %v, want %v", stored.Source, stored.AlsoReportedBy, others)
	}
	for _, name := range []string{"mofa", "wire", "full"} {
		if st := h.state(name); st.New != 1 {
			t.Errorf("%s: %d new items, want its copy of the article", name, st.New)
		}
	}
}

// Two items of one poll linking to one article are one story whatever their
// titles; the same article linked again after the story window is news again.
func TestSameArticleTwiceInOnePollAndAfterTheWindow(t *testing.T) {
	h := newHarness(t)
	article := h.srv.URL + "/news/kursk"
	feed := func(guids ...string) []byte {
		var items strings.Builder
		titles := []string{
			"North Korea to send 6,000 workers to rebuild Russia's Kursk",
			"Pyongyang pledges thousands of laborers for border reconstruction",
			"Kursk: DPRK builders expected before the winter, officials say",
		}
		for i, g := range guids {
			fmt.Fprintf(&items, `<item><guid isPermaLink="false">%s</guid><link>%s</link><title>%s</title></item>`, g, article, titles[i])
		}
		return fmt.Appendf(nil, `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>%s</channel></rss>`, items.String())
	}
	h.srv.serveBody("/agg.rss", rssType, feed("a1", "a2"))
	h.setSources(src{name: "agg", url: h.srv.URL + "/agg.rss"})
	h.once()
	if n := len(h.drain()); n != 1 {
		t.Errorf("printed %d alerts for one article carried twice, want 1", n)
	}
	h.clock.Advance(73 * time.Hour) // past the 72h story window
	h.srv.serveBody("/agg.rss", rssType, feed("a1", "a2", "a3"))
	h.once()
	if n := len(h.drain()); n != 1 {
		t.Errorf("printed %d alerts for the article linked again after the window, want 1", n)
	}
}
