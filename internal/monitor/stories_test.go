package monitor

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/embargo-watch/embargo/internal/store"
)

// storyList serves stories from memory, as RecentStories does from the store.
type storyList []store.Story

func (l *storyList) RecentStories(_ context.Context, since time.Time) ([]store.Story, error) {
	var out []store.Story
	for _, s := range *l {
		if !s.FirstSeen.Before(since) {
			out = append(out, s)
		}
	}
	return out, nil
}

// flip returns fp with n distinct random bits inverted.
func flip(r *rand.Rand, fp uint64, n int) uint64 {
	for _, bit := range r.Perm(64)[:n] {
		fp ^= 1 << bit
	}
	return fp
}

func TestStoryIndexFindsEveryNearDuplicate(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	var stories storyList
	for i := range 5000 {
		stories = append(stories, store.Story{ID: int64(i + 1), Fingerprint: r.Uint64(), FirstSeen: now.Add(-time.Hour)})
	}
	x := newStoryIndex(72 * time.Hour)
	if err := x.refresh(context.Background(), &stories, now); err != nil {
		t.Fatal(err)
	}
	for i := range 2000 {
		want := stories[r.IntN(len(stories))]
		dist := i % 12 // near duplicates up to nearDuplicate, then beyond
		got, ok := x.nearest(flip(r, want.Fingerprint, dist), now.Add(-72*time.Hour))
		switch {
		case dist <= nearDuplicate && (!ok || got != want.ID):
			t.Fatalf("story %d at distance %d: found %v %d", want.ID, dist, ok, got)
		case dist > nearDuplicate && ok && got == want.ID:
			t.Fatalf("story %d at distance %d taken as a duplicate", want.ID, dist)
		}
	}
}

func TestStoryIndexRefreshAndWindow(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	stories := storyList{
		{ID: 1, Fingerprint: 0xAAAAAAAAAAAAAAAA, FirstSeen: now.Add(-80 * time.Hour)}, // out of the window
		{ID: 2, Fingerprint: 0x5555555555555555, FirstSeen: now.Add(-2 * time.Hour)},
	}
	x := newStoryIndex(72 * time.Hour)
	ctx := context.Background()
	if err := x.refresh(ctx, &stories, now); err != nil {
		t.Fatal(err)
	}
	notBefore := now.Add(-72 * time.Hour)
	if _, ok := x.nearest(0xAAAAAAAAAAAAAAAA, notBefore); ok {
		t.Error("a story older than the window was found")
	}
	if id, ok := x.nearest(0x5555555555555555, notBefore); !ok || id != 2 {
		t.Errorf("nearest(0x5555555555555555) = %v %v, want story 2", id, ok)
	}

	// A story stored later is picked up by the next refresh, once.
	stories = append(stories, store.Story{ID: 3, Fingerprint: 0xCCCC0000, FirstSeen: now.Add(time.Minute)})
	for range 2 {
		if err := x.refresh(ctx, &stories, now.Add(2*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	if id, ok := x.nearest(0xCCCC0001, notBefore); !ok || id != 3 {
		t.Errorf("nearest after refresh = %v %v, want story 3", id, ok)
	}
	if len(x.ids) != 2 {
		t.Errorf("index holds %d stories, want 2 (loaded once each)", len(x.ids))
	}

	// A day later the index is rebuilt from the window.
	if err := x.refresh(ctx, &stories, now.Add(25*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if len(x.ids) != 2 {
		t.Errorf("rebuilt index holds %d stories, want 2", len(x.ids))
	}
}

func TestBandsCoverEveryBit(t *testing.T) {
	var seen uint64
	for i := range 64 {
		b := bandsOf(1 << i)
		n := 0
		for _, v := range b {
			if v != 0 {
				n++
			}
		}
		if n != 1 {
			t.Errorf("bit %d lands in %d bands, want 1", i, n)
		}
		seen |= 1 << i
	}
	if seen != ^uint64(0) {
		t.Error("not every bit tested")
	}
}

// BenchmarkStoryIndexNearest looks up a fingerprint among 40,000 recent
// stories (three days of a busy monitor).
func BenchmarkStoryIndexNearest(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	now := time.Now()
	x := newStoryIndex(72 * time.Hour)
	for i := range 40000 {
		x.add(store.Story{ID: int64(i + 1), Fingerprint: r.Uint64(), FirstSeen: now})
	}
	queries := make([]uint64, 1024)
	for i := range queries {
		queries[i] = r.Uint64()
	}
	notBefore := now.Add(-72 * time.Hour)
	for i := 0; b.Loop(); i++ {
		x.nearest(queries[i%len(queries)], notBefore)
	}
}

func TestArticleURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://News.example.org/2025/06/17/kursk/?utm_source=rss&id=7#top", "https://news.example.org/2025/06/17/kursk/?id=7"},
		{"http://news.example.org:80/a", "http://news.example.org/a"},
		{"https://news.example.org/?p=118", "https://news.example.org/?p=118"},
		// A front page is every item's link in some feeds: no article.
		{"https://news.example.org", ""},
		{"https://news.example.org/?utm_source=rss", ""},
		{"", ""},
		{"/relative/path", ""},
		{"mailto:desk@news.example.org", ""},
	}
	for _, tt := range tests {
		if got := articleURL(tt.in); got != tt.want {
			t.Errorf("articleURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
