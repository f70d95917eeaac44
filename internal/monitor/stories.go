package monitor

import (
	"context"
	"fmt"
	"time"

	"github.com/embargo-watch/embargo/internal/store"
)

// StoryFinder is the part of the store that the story index reads.
type StoryFinder interface {
	RecentStories(ctx context.Context, since time.Time) ([]store.Story, error)
}

// storyIndex holds the fingerprints of recent stories so that a new item can
// be matched against tens of thousands of them without a scan.
//
// A 64-bit fingerprint is cut into nearDuplicate+1 bands. Two fingerprints at
// most nearDuplicate bits apart differ in at most nearDuplicate bands, so they
// agree exactly on at least one: looking up each band of a new fingerprint
// finds every candidate, and only candidates have their distance computed.
//
// The index is not safe for concurrent use: the monitor holds its save lock
// while it reads and refreshes it.
type storyIndex struct {
	window time.Duration
	// One story per position, in three columns: a lookup compares
	// fingerprints first and reads the rest only for a near one.
	ids       []int64
	fps       []uint64
	firstSeen []time.Time
	known     map[int64]bool
	bands     [bandCount]map[uint64][]int32 // band value → positions
	newest    time.Time                     // latest FirstSeen loaded: the next refresh starts here
	loaded    time.Time                     // when the index was last rebuilt
}

func newStoryIndex(window time.Duration) *storyIndex {
	x := &storyIndex{window: window}
	x.reset()
	return x
}

func (x *storyIndex) reset() {
	x.ids, x.fps, x.firstSeen = nil, nil, nil
	x.known = map[int64]bool{}
	for i := range x.bands {
		x.bands[i] = map[uint64][]int32{}
	}
	x.newest = time.Time{}
	x.loaded = time.Time{}
}

// refresh loads the stories stored since the last refresh. Once a day the
// index is rebuilt from the window, which drops stories that left it.
func (x *storyIndex) refresh(ctx context.Context, db StoryFinder, now time.Time) error {
	since := x.newest
	if x.loaded.IsZero() || now.Sub(x.loaded) > 24*time.Hour {
		x.reset()
		x.loaded = now
		since = now.Add(-x.window)
	}
	stories, err := db.RecentStories(ctx, since)
	if err != nil {
		return fmt.Errorf("load recent stories: %w", err)
	}
	for _, s := range stories {
		x.add(s)
	}
	return nil
}

func (x *storyIndex) add(s store.Story) {
	if x.known[s.ID] {
		return
	}
	x.known[s.ID] = true
	pos := int32(len(x.ids))
	x.ids = append(x.ids, s.ID)
	x.fps = append(x.fps, s.Fingerprint)
	x.firstSeen = append(x.firstSeen, s.FirstSeen)
	for i, band := range bandsOf(s.Fingerprint) {
		x.bands[i][band] = append(x.bands[i][band], pos)
	}
	if s.FirstSeen.After(x.newest) {
		x.newest = s.FirstSeen
	}
}

// nearest returns the id of the closest story within nearDuplicate bits of
// fp that was first seen after notBefore.
func (x *storyIndex) nearest(fp uint64, notBefore time.Time) (int64, bool) {
	best, bestDist := int32(-1), nearDuplicate+1
	for i, band := range bandsOf(fp) {
		for _, pos := range x.bands[i][band] {
			if d := Hamming(fp, x.fps[pos]); d < bestDist && !x.firstSeen[pos].Before(notBefore) {
				best, bestDist = pos, d
			}
		}
	}
	if best < 0 {
		return 0, false
	}
	return x.ids[best], true
}

const (
	bandCount = nearDuplicate + 1
	bandBits  = 64 / bandCount // the last band takes the remaining bits
)

// bandsOf cuts fp into bandCount runs of bits.
func bandsOf(fp uint64) [bandCount]uint64 {
	var out [bandCount]uint64
	for i := range bandCount - 1 {
		out[i] = fp >> (i * bandBits) & (1<<bandBits - 1)
	}
	out[bandCount-1] = fp >> ((bandCount - 1) * bandBits)
	return out
}
