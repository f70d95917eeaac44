package monitor

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/embargo-watch/embargo/internal/alert"
	"github.com/embargo-watch/embargo/internal/source"
	"github.com/embargo-watch/embargo/internal/store"
	"github.com/embargo-watch/embargo/rules"
)

// Stats is what one poll of one source did.
type Stats struct {
	Source   string
	Status   string // StatusOK, StatusNotModified, StatusSkipped or StatusError
	Items    int    // items in the feed or links on the page
	New      int    // items never seen before
	Alerts   int    // alerts stored
	Duration time.Duration
	// NextAttempt is when a failing (or backing off) source may be polled
	// again; zero while it is healthy.
	NextAttempt time.Time
}

// Poll outcomes, as recorded in store.SourceState.LastStatus.
const (
	StatusOK          = "ok"
	StatusNotModified = "not-modified"
	StatusSkipped     = "skipped" // backing off: not fetched
	StatusError       = "error"
)

// SourceError is a failure of the source itself (unreachable, malformed,
// too large): it is recorded on the source, which backs off, and it does not
// concern the other sources.
type SourceError struct {
	Source string
	Err    error
}

func (e *SourceError) Error() string { return fmt.Sprintf("source %s: %v", e.Source, e.Err) }
func (e *SourceError) Unwrap() error { return e.Err }

// IsSourceError reports whether err is a failure of a source rather than of
// the monitor or its store.
func IsSourceError(err error) bool {
	var se *SourceError
	return errors.As(err, &se)
}

const (
	// shortSummary is the summary length under which a fulltext source's
	// article is fetched: teaser feeds carry a sentence or two.
	shortSummary = 400
	// maxRuleText bounds the text the rules see for one item.
	maxRuleText = 256 << 10
	// articleFetchers is how many articles of one poll are fetched at once.
	articleFetchers = 4
)

// poll is one fetch of one source on its way through the pipeline.
type poll struct {
	src   rules.Source
	rules *rules.Set
	start time.Time
	state store.SourceState
	resp  *source.Response
	items []source.Item
	fresh []*entry // items not seen before, in feed order
	stats Stats
}

// entry is one new item and what the pipeline learns about it.
type entry struct {
	item    source.Item
	key     string
	article string // extracted article text, when fetched
	fp      uint64
	url     string // canonical URL of the item's article; "" = none
	storyID int64  // a stored story this item repeats; 0 = none
	sameAs  string // key of an earlier new item of this poll that it repeats
	alerts  []store.Pending
}

// step is one stage of the pipeline. It returns done when the poll has
// nothing more to do (a 304, an empty feed).
type step struct {
	name string
	run  func(ctx context.Context, p *poll) (done bool, err error)
}

func (m *Monitor) steps() []step {
	return []step{
		{"fetch", m.fetch},
		{"parse", m.parse},
		{"dedup", m.dedup},
		{"article", m.articles},
		{"match", m.match},
		{"fingerprint", m.fingerprint},
		{"save", m.save},
	}
}

// PollSource fetches one source once and takes what it publishes through the
// whole pipeline to stored alerts. A source that is backing off is skipped
// until its NextAttempt. A failure of the source is recorded on it and
// returned as a *SourceError.
func (m *Monitor) PollSource(ctx context.Context, src rules.Source) (Stats, error) {
	p := &poll{src: src, rules: m.cfg.Rules(), start: m.cfg.Now()}
	p.stats = Stats{Source: src.Name, Status: StatusOK}
	began := time.Now()
	err := m.runSteps(ctx, p)
	p.stats.Duration = time.Since(began)
	if err != nil {
		p.stats.Status = StatusError
	}
	p.stats.NextAttempt = p.state.NextAttempt
	m.logPoll(p, err)
	if m.cfg.OnPoll != nil {
		m.cfg.OnPoll(p.stats, err)
	}
	return p.stats, err
}

func (m *Monitor) runSteps(ctx context.Context, p *poll) error {
	state, err := m.cfg.Store.SourceState(ctx, p.src.Name)
	if err != nil {
		return fmt.Errorf("source %s: read state: %w", p.src.Name, err)
	}
	state.Name = p.src.Name
	p.state = state
	if p.start.Before(state.NextAttempt) {
		p.stats.Status = StatusSkipped
		return nil
	}
	for _, s := range m.steps() {
		done, err := s.run(ctx, p)
		if err != nil {
			return m.fail(ctx, p, s.name, err)
		}
		if done {
			return nil
		}
	}
	return nil
}

// fail records a failure of the source and schedules its retry, unless the
// poll was cancelled (shutdown) or the failure is the store's own.
func (m *Monitor) fail(ctx context.Context, p *poll, stepName string, err error) error {
	var se *SourceError
	if ctx.Err() != nil || !errors.As(err, &se) {
		return fmt.Errorf("source %s: %s: %w", p.src.Name, stepName, err)
	}
	var retryAfter time.Duration
	var fe *source.Error
	if errors.As(err, &fe) {
		retryAfter = fe.RetryAfter
	}
	st := p.state
	st.LastFetch = p.start
	st.LastStatus = StatusError
	st.LastError = se.Err.Error()
	st.Failures++
	st.NextAttempt = p.start.Add(m.sourceRetry(st.Failures, retryAfter))
	if err := m.cfg.Store.SaveSourceState(context.WithoutCancel(ctx), st); err != nil {
		return errors.Join(se, fmt.Errorf("source %s: record failure: %w", p.src.Name, err))
	}
	p.state = st
	return se
}

// fetch makes a conditional GET with the validators of the last fetch. A 304
// ends the poll: nothing changed.
func (m *Monitor) fetch(ctx context.Context, p *poll) (bool, error) {
	resp, err := m.cfg.Fetcher.Fetch(ctx, p.src.URL, source.Conditional{
		ETag:         p.state.ETag,
		LastModified: p.state.LastModified,
	})
	if err != nil {
		return false, &SourceError{Source: p.src.Name, Err: err}
	}
	p.resp = resp
	if !resp.NotModified() {
		return false, nil
	}
	p.stats.Status = StatusNotModified
	st := m.succeeded(p)
	st.New, st.Alerts = 0, 0 // Items still counts what the unchanged feed holds
	if err := m.cfg.Store.SaveSourceState(ctx, st); err != nil {
		return true, fmt.Errorf("save state: %w", err)
	}
	p.state = st
	return true, nil
}

// succeeded is the source's state after a successful fetch: failures reset,
// validators kept for the next conditional GET.
func (m *Monitor) succeeded(p *poll) store.SourceState {
	st := p.state
	st.LastFetch = p.start
	st.LastSuccess = p.start
	st.LastStatus = p.stats.Status
	st.LastError = ""
	st.Failures = 0
	st.NextAttempt = time.Time{}
	if p.resp != nil && !p.resp.NotModified() {
		st.ETag = p.resp.ETag()
		st.LastModified = p.resp.LastModified()
	}
	return st
}

// parse turns the body into items: the entries of a feed, or the links of
// an html page.
func (m *Monitor) parse(_ context.Context, p *poll) (bool, error) {
	var err error
	if p.src.Type == "html" {
		p.items, err = source.ParseLinks(p.resp.Body, p.resp.ContentType, p.resp.URL, p.src.Selector)
	} else {
		p.items, err = source.ParseFeed(p.resp.Body, p.resp.ContentType, p.resp.URL)
	}
	if err != nil {
		return false, &SourceError{Source: p.src.Name, Err: err} // names the URL and what was wrong
	}
	p.resp.Body = nil // the items hold what is needed; let the body go
	p.stats.Items = len(p.items)
	return false, nil
}

// dedup keeps the items never seen before, once each.
func (m *Monitor) dedup(ctx context.Context, p *poll) (bool, error) {
	keys := make([]string, 0, len(p.items))
	inPoll := map[string]bool{}
	for _, it := range p.items {
		// Keys are scoped by source: GUIDs are only unique within a feed,
		// and the same article in two feeds is one story, not one item.
		k := p.src.Name + "/" + source.ItemKey(it)
		if inPoll[k] {
			continue
		}
		inPoll[k] = true
		keys = append(keys, k)
		p.fresh = append(p.fresh, &entry{item: it, key: k})
	}
	seen, err := m.cfg.Store.SeenKeys(ctx, keys)
	if err != nil {
		return false, fmt.Errorf("seen keys: %w", err)
	}
	fresh := p.fresh[:0]
	for _, e := range p.fresh {
		if !seen[e.key] {
			fresh = append(fresh, e)
		}
	}
	p.fresh = fresh
	p.stats.New = len(fresh)
	return false, nil
}

// articles fetches the linked article of items with a short summary, for
// sources marked fulltext. An article that cannot be fetched only costs its
// text: the item is still matched on its title and summary.
func (m *Monitor) articles(ctx context.Context, p *poll) (bool, error) {
	if !p.src.Fulltext {
		return false, nil
	}
	var todo []*entry
	for _, e := range p.fresh {
		if len(todo) < m.cfg.Articles && e.item.URL != "" && len(summaryOf(e.item)) < shortSummary {
			todo = append(todo, e)
		}
	}
	var wg sync.WaitGroup
	slots := make(chan struct{}, articleFetchers)
	for _, e := range todo {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			a, err := m.cfg.Fetcher.FetchArticle(ctx, e.item.URL)
			if err != nil {
				m.cfg.Log.Debug("article", "source", p.src.Name, "url", e.item.URL, "error", err)
				return
			}
			e.article = a.Text
		})
	}
	wg.Wait()
	return false, ctx.Err()
}

// match runs the rules on each new item and prepares its alerts with their
// delivery targets.
func (m *Monitor) match(ctx context.Context, p *poll) (bool, error) {
	if p.rules == nil {
		return false, nil
	}
	for _, e := range p.fresh {
		text := ruleText(e)
		for _, r := range p.rules.Match(text) {
			a := m.newAlert(p.src, e.item, r, text)
			targets, err := m.cfg.Targets(ctx, a)
			if err != nil {
				return false, fmt.Errorf("targets of %s: %w", a.Rule, err)
			}
			e.alerts = append(e.alerts, store.Pending{Alert: a, Targets: targets})
		}
	}
	return false, nil
}

func (m *Monitor) newAlert(src rules.Source, it source.Item, r rules.Result, text string) alert.Alert {
	a := alert.FromResult(r, text)
	a.Headline = it.Title
	a.URL = source.CanonicalURL(it.URL) // without tracking parameters
	a.Source = src.Name
	a.Published = it.Published
	return a
}

// ruleText is what the rules see of an item: its title, summary and
// content, then the article text when it was fetched.
func ruleText(e *entry) string {
	text := e.item.Text()
	if article := strings.TrimSpace(e.article); article != "" {
		text += "\n\n" + article
	}
	if len(text) > maxRuleText {
		text = strings.ToValidUTF8(text[:maxRuleText], "")
	}
	return text
}

// summaryOf is the item's text from the feed: its summary, or its content
// when that says more.
func summaryOf(it source.Item) string {
	if len(it.Content) > len(it.Summary) {
		return it.Content
	}
	return it.Summary
}

// fingerprint computes what the save step recognises a story by: the
// canonical URL of each new item's article, and the SimHash of its title and
// lead.
func (m *Monitor) fingerprint(_ context.Context, p *poll) (bool, error) {
	for _, e := range p.fresh {
		e.url = articleURL(e.item.URL)
		e.fp = Fingerprint(e.item.Title, summaryOf(e.item)+" "+e.article)
	}
	return false, nil
}

// articleURL is the canonical URL that identifies an item's article, or ""
// when the item links to none: a link to a site's front page (feeds that
// give it as every item's link) is shared by stories that have nothing in
// common.
func articleURL(raw string) string {
	canonical := source.CanonicalURL(raw)
	u, err := url.Parse(canonical)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	if u.Path == "/" && u.RawQuery == "" {
		return ""
	}
	return canonical
}

// save finds the story of each new item and stores the batch: source state,
// items, stories, alerts and outbox rows in one transaction. Each alert
// stored is then told to OnAlert, outside the lock.
func (m *Monitor) save(ctx context.Context, p *poll) (bool, error) {
	stored, err := m.saveBatch(ctx, p) // alerts may be stored despite an error
	if m.cfg.OnAlert != nil {
		for _, a := range stored {
			m.cfg.OnAlert(a)
		}
	}
	return true, err
}

// saveBatch stores the poll's batch and returns the alerts the store kept,
// also when recording the corrected alert count fails afterwards. The story
// lookup and the save happen under one lock, so that a story saved by one
// source is seen by the next, and two sources carrying one article in the
// same pass cannot both start its story.
func (m *Monitor) saveBatch(ctx context.Context, p *poll) ([]alert.Alert, error) {
	m.saveMu.Lock()
	defer m.saveMu.Unlock()
	if err := m.stories.refresh(ctx, m.cfg.Store, m.cfg.Now()); err != nil {
		return nil, err
	}
	notBefore := m.cfg.Now().Add(-m.cfg.StoryWindow)
	byURL, err := m.cfg.Store.StoriesByURL(ctx, p.articleURLs(), notBefore)
	if err != nil {
		return nil, err
	}
	m.assignStories(p, byURL, notBefore)
	st := m.succeeded(p)
	st.Items, st.New, st.Alerts = p.stats.Items, p.stats.New, 0
	batch := store.Batch{Source: p.src.Name, State: st}
	for _, e := range p.fresh {
		batch.Items = append(batch.Items, e.batchItem(p.src.Name))
		st.Alerts += len(e.alerts)
	}
	batch.State = st
	stored, err := m.cfg.Store.SaveBatch(ctx, batch)
	if err != nil {
		return nil, fmt.Errorf("save batch: %w", err)
	}
	p.state = st
	p.stats.Alerts = len(stored)
	if len(stored) != st.Alerts {
		// Some alerts repeated a story that already had them, and the store
		// recorded them as "also reported by" instead: keep the count true.
		st.Alerts = len(stored)
		if err := m.cfg.Store.SaveSourceState(ctx, st); err != nil {
			return stored, fmt.Errorf("save state: %w", err)
		}
	}
	return stored, nil
}

// articleURLs lists the article URLs of the poll's new items.
func (p *poll) articleURLs() []string {
	var urls []string
	for _, e := range p.fresh {
		if e.url != "" {
			urls = append(urls, e.url)
		}
	}
	return urls
}

// assignStories attaches each new item to the story it repeats. Its
// article's URL decides first, whatever the titles say: byURL holds the
// stories of articles stored within the window, and an earlier new item of
// this poll may link to the same article. Otherwise its fingerprint is
// compared with the recent stories, then with the earlier new items of this
// poll that start a story (created only when the batch is saved).
func (m *Monitor) assignStories(p *poll, byURL map[string]int64, notBefore time.Time) {
	var starts []*entry            // items of this poll that start a story
	firstOf := map[string]*entry{} // the first new item of this poll per article URL
	for _, e := range p.fresh {
		switch id, twin := byURL[e.url], firstOf[e.url]; {
		case id != 0:
			e.storyID = id
		case twin != nil:
			e.sameAs = twin.key
		default:
			m.assignByFingerprint(e, &starts, notBefore)
		}
		if e.url != "" && firstOf[e.url] == nil {
			firstOf[e.url] = e
		}
	}
}

// assignByFingerprint attaches e to the recent story or the earlier item of
// starts within nearDuplicate bits of it, or adds it to starts.
func (m *Monitor) assignByFingerprint(e *entry, starts *[]*entry, notBefore time.Time) {
	if id, ok := m.stories.nearest(e.fp, notBefore); ok {
		e.storyID = id
		return
	}
	if twin := nearestEntry(*starts, e.fp); twin != nil {
		e.sameAs = twin.key
		return
	}
	*starts = append(*starts, e)
}

// nearestEntry returns the entry whose fingerprint is closest to fp within
// nearDuplicate bits, or nil.
func nearestEntry(entries []*entry, fp uint64) *entry {
	var best *entry
	bestDist := nearDuplicate + 1
	for _, e := range entries {
		if d := Hamming(fp, e.fp); d < bestDist {
			best, bestDist = e, d
		}
	}
	return best
}

func (e *entry) batchItem(sourceName string) store.BatchItem {
	return store.BatchItem{
		Item: store.Item{
			Key:          e.key,
			Source:       sourceName,
			GUID:         e.item.GUID,
			URL:          e.item.URL,
			Title:        e.item.Title,
			Published:    e.item.Published,
			Fingerprint:  e.fp,
			CanonicalURL: e.url,
		},
		StoryID:     e.storyID,
		SameStoryAs: e.sameAs,
		Alerts:      e.alerts,
	}
}
