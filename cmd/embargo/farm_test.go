package main

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"text/template"
	"time"
)

// farm is a loopback server of RSS feeds whose every item fires the test
// rule: "North Korean workers" sent to a city, told in words drawn at random
// so that no two items read as the same story.
type farm struct {
	srv   *httptest.Server
	feeds int
	items int
	delay time.Duration
	salt  uint64 // makes each farm's stories its own

	mu   sync.Mutex
	hits map[string]int // requests by path
}

func newFarm(t *testing.T, feeds, items int, delay time.Duration) *farm {
	t.Helper()
	f := &farm{feeds: feeds, items: items, delay: delay, salt: rand.Uint64(), hits: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *farm) feedURL(i int) string { return fmt.Sprintf("%s/feed/%d.xml", f.srv.URL, i) }

// itemURL is the link of item j of feed i: unique, so alerts can be counted.
func (f *farm) itemURL(i, j int) string { return fmt.Sprintf("%s/news/%d-%d", f.srv.URL, i, j) }

// allItemURLs lists every item's link, sorted.
func (f *farm) allItemURLs() []string {
	var urls []string
	for i := range f.feeds {
		for j := range f.items {
			urls = append(urls, f.itemURL(i, j))
		}
	}
	slices.Sort(urls)
	return urls
}

func (f *farm) requests(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits[path]
}

func (f *farm) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.hits[r.URL.Path]++
	f.mu.Unlock()
	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-r.Context().Done():
			return
		}
	}
	var feed int
	if _, err := fmt.Sscanf(r.URL.Path, "/feed/%d.xml", &feed); err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	fmt.Fprint(w, f.rss(feed))
}

var syllables = strings.Fields(`ka ro mi tan sel vor ul pe das kin mo rat
	zel fu gor lin bes tra ho ven sak dor pli mun ter gal`)

// pseudoWord makes a word that no other item is likely to share, so that
// the stories' fingerprints stay far apart.
func pseudoWord(rng *rand.Rand) string {
	var b strings.Builder
	for range 2 + rng.IntN(2) {
		b.WriteString(syllables[rng.IntN(len(syllables))])
	}
	return b.String()
}

var cities = strings.Fields(`Vladivostok Khabarovsk Novosibirsk Kazan Omsk
	Tomsk Irkutsk Chita Perm Samara Ufa Kursk Belgorod Yakutsk Magadan`)

// rss renders feed i; its items are the same on every request.
func (f *farm) rss(feed int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Wire %d</title><link>%s</link><description>test wire</description>`,
		feed, f.srv.URL)
	for j := range f.items {
		rng := rand.New(rand.NewPCG(f.salt+uint64(feed), uint64(j)))
		city := cities[rng.IntN(len(cities))]
		words := make([]string, 40)
		for k := range words {
			words[k] = pseudoWord(rng)
		}
		fmt.Fprintf(&b, `<item><title>North Korean workers reach %s, report %d-%d</title><link>%s</link><guid>%s</guid><pubDate>%s</pubDate><description>Some %d North Korean workers were sent to %s. %s</description></item>`,
			city, feed, j, f.itemURL(feed, j), f.itemURL(feed, j),
			time.Date(2026, 11, 20, 8, j, 0, 0, time.UTC).Format(time.RFC1123Z),
			100+rng.IntN(900), city, strings.Join(words, " "))
	}
	b.WriteString(`</channel></rss>`)
	return b.String()
}

var rulesTemplate = template.Must(template.New("rules").Parse(`version: 1
sources:
{{- range .Sources}}
  - name: {{.Name}}
    url: {{.URL}}
    schedule: "{{$.Schedule}}"
{{- end}}
lexicons:
  dprk: [North Korea, North Korean]
rules:
  - id: dprk-workers
    title: DPRK workers sent abroad
    category: labor
    severity: high
    references: ["UNSCR 2397 (2017) OP8"]
    groups:
      dprk: {lexicon: dprk}
      workers: {terms: ["worker*"], quantity: true}
    condition: dprk near/8 workers
    tests:
      - fire: North Korea sent 300 workers to Omsk.
      - fire: Some 50 North Korean workers arrived.
      - fire: Workers from North Korea reached Tomsk.
      - ok: Uzbek workers reached Tomsk.
      - ok: North Korea fired a missile.
      - ok: The workers' union met in Seoul.
`))

type sourceSpec struct{ Name, URL string }

// writeRules writes a rule file polling the farm's feeds (the first n, or
// all when n is 0) every interval.
func (f *farm) writeRules(t *testing.T, dir string, n int, schedule string) string {
	t.Helper()
	if n == 0 {
		n = f.feeds
	}
	var sources []sourceSpec
	for i := range n {
		sources = append(sources, sourceSpec{fmt.Sprintf("wire-%d", i), f.feedURL(i)})
	}
	var b strings.Builder
	if err := rulesTemplate.Execute(&b, map[string]any{"Sources": sources, "Schedule": schedule}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "rules.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
