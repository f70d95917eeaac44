package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/embargo-watch/embargo/internal/netguard"
	"github.com/embargo-watch/embargo/internal/sanctions"
	"github.com/embargo-watch/embargo/internal/source"
	"github.com/embargo-watch/embargo/internal/store"
	"github.com/embargo-watch/embargo/rules"
)

// Limits for what embargo fetches.
const (
	// listMaxBody: the OFAC SDN CSV is the largest list, a few tens of MB.
	listMaxBody = 128 << 20
	listTimeout = 5 * time.Minute
	// articleTimeout bounds a URL that a user asks `check` about.
	articleTimeout = 20 * time.Second
)

// sourceFetcher fetches the sources and lists that the operator configured in
// rules.yaml. Those are trusted configuration, so private addresses and local
// files are allowed; URLs that users type go through userFetcher instead.
func sourceFetcher(maxBody int64, timeout time.Duration) *source.Fetcher {
	return source.NewFetcher(source.Options{
		MaxBody:    maxBody,
		Timeout:    timeout,
		Policy:     netguard.Policy{AllowPrivate: true},
		AllowFiles: true,
	})
}

// userFetcher fetches URLs that users type (`check URL`, /check): no local
// files, and no loopback, private, link-local or metadata address unless the
// operator allowed them.
func userFetcher(allowPrivate bool) *source.Fetcher {
	return source.NewFetcher(source.Options{
		Timeout: articleTimeout,
		Policy:  netguard.Policy{AllowPrivate: allowPrivate},
	})
}

// allowPrivateURLs is EMBARGO_ALLOW_PRIVATE_URLS=1.
func allowPrivateURLs(getenv env) bool {
	v := getenv("EMBARGO_ALLOW_PRIVATE_URLS")
	return v == "1" || v == "true"
}

// newArticleFetcher returns the function that turns a URL a user typed into
// the article text the rules see.
func newArticleFetcher(allowPrivate bool) func(ctx context.Context, url string) (string, error) {
	f := userFetcher(allowPrivate)
	return func(ctx context.Context, url string) (string, error) {
		if err := netguard.CheckURL(url); err != nil {
			return "", err
		}
		a, err := f.FetchArticle(ctx, url)
		if err != nil {
			return "", err
		}
		return joinNonEmpty(a.Title, a.Text), nil
	}
}

func joinNonEmpty(parts ...string) string {
	var b bytes.Buffer
	for _, p := range parts {
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(p)
	}
	return b.String()
}

// listOpener reads sanctions list files for the Syncer through the fetcher,
// with the lists' larger cap.
func listOpener(f *source.Fetcher) sanctions.Opener {
	return func(ctx context.Context, url string) (io.ReadCloser, error) {
		resp, err := f.Fetch(ctx, url, source.Conditional{})
		if err != nil {
			return nil, err
		}
		return io.NopCloser(bytes.NewReader(resp.Body)), nil
	}
}

// loadedLists is the database and the lists held in it. A sync replaces the
// entries and index while commands read them, hence the lock.
type loadedLists struct {
	dbPath string
	names  []string // the lists the rule file configures
	db     *store.DB
	syncer *sanctions.Syncer

	mu      sync.RWMutex
	entries []sanctions.Entry
	index   *sanctions.Index
}

func (l *loadedLists) close() {
	if l.db != nil {
		l.db.Close()
	}
}

// openLists opens the database and loads the active version of each of the
// lists that the rule file configures.
func openLists(ctx context.Context, configured []rules.List, dbFile string) (*loadedLists, error) {
	db, err := store.Open(ctx, dbFile)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	var names []string
	for _, list := range configured {
		names = append(names, list.Name)
	}
	l := &loadedLists{dbPath: dbFile, names: names, db: db,
		syncer: &sanctions.Syncer{Store: db, Open: listOpener(sourceFetcher(listMaxBody, listTimeout))}}
	if err := l.reload(ctx, configured); err != nil {
		l.close()
		return nil, err
	}
	return l, nil
}

// reload reads the lists' active versions again and rebuilds the index.
func (l *loadedLists) reload(ctx context.Context, lists []rules.List) error {
	all, err := l.syncer.LoadAll(ctx, lists)
	if err != nil {
		return fmt.Errorf("load sanctions lists: %w", err)
	}
	index := sanctions.NewIndex(all)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries, l.index = all, index
	return nil
}

// missing names the configured lists that have no entries loaded.
func (l *loadedLists) missing(configured []rules.List) []string {
	l.mu.RLock()
	defer l.mu.RUnlock()
	loaded := map[string]bool{}
	for i := range l.entries {
		loaded[l.entries[i].List] = true
	}
	var out []string
	for _, c := range configured {
		if !loaded[c.Name] {
			out = append(out, c.Name)
		}
	}
	return out
}

// Index is the name index over every loaded list.
func (l *loadedLists) Index() *sanctions.Index {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.index
}

// watchlist makes the lists' designated names available to rules.
func (l *loadedLists) watchlist() rules.Option {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return rules.WithWatchlist(sanctions.WatchTerms(l.entries))
}
