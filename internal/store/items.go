package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/embargo-watch/embargo/internal/alert"
)

// seenChunk bounds the bound variables of one IN (...) query, well below
// SQLite's limit.
const seenChunk = 500

// SeenKeys reports which of keys belong to items already stored. Keys not
// seen are absent from the map.
func (db *DB) SeenKeys(ctx context.Context, keys []string) (map[string]bool, error) {
	seen := make(map[string]bool)
	for start := 0; start < len(keys); start += seenChunk {
		chunk := keys[start:min(start+seenChunk, len(keys))]
		if err := db.markSeen(ctx, chunk, seen); err != nil {
			return nil, fmt.Errorf("seen keys: %w", classify(err))
		}
	}
	return seen, nil
}

func (db *DB) markSeen(ctx context.Context, keys []string, seen map[string]bool) error {
	args := make([]any, len(keys))
	for i, k := range keys {
		args[i] = k
	}
	query := `SELECT key FROM items WHERE key IN (` + placeholders(len(keys)) + `)`
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return err
		}
		seen[k] = true
	}
	return rows.Err()
}

// placeholders returns "?, ?, ?" for n parameters.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// StoriesByURL returns, for each of urls that an item seen at or after since
// carries as its CanonicalURL, the story of the first such item. One article
// reached through an html page and two feeds, under three titles, is one
// story: the URL says so where the fingerprints of the titles cannot.
func (db *DB) StoriesByURL(ctx context.Context, urls []string, since time.Time) (map[string]int64, error) {
	stories := make(map[string]int64)
	for start := 0; start < len(urls); start += seenChunk {
		chunk := urls[start:min(start+seenChunk, len(urls))]
		query, args := storiesByURLQuery(chunk, since)
		if err := db.scanStoriesByURL(ctx, query, args, stories); err != nil {
			return nil, fmt.Errorf("stories by url: %w", classify(err))
		}
	}
	return stories, nil
}

// storiesByURLQuery repeats the condition of the partial index on
// canonical_url (not empty), so that the index serves the lookup.
func storiesByURLQuery(urls []string, since time.Time) (string, []any) {
	args := make([]any, 0, len(urls)+1)
	for _, u := range urls {
		args = append(args, u)
	}
	args = append(args, since.UTC().UnixNano())
	return `SELECT canonical_url, story_id FROM items
		WHERE canonical_url IN (` + placeholders(len(urls)) + `) AND canonical_url <> '' AND seen_at >= ?
		ORDER BY seen_at, key`, args
}

func (db *DB) scanStoriesByURL(ctx context.Context, query string, args []any, stories map[string]int64) error {
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var u string
		var id int64
		if err := rows.Scan(&u, &id); err != nil {
			return err
		}
		if _, ok := stories[u]; !ok { // the first item's story
			stories[u] = id
		}
	}
	return rows.Err()
}

// RecentStories returns the stories first seen at or after since, oldest
// first: the candidates for near-duplicate matching.
func (db *DB) RecentStories(ctx context.Context, since time.Time) ([]Story, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, fingerprint, first_seen, source
		FROM stories WHERE first_seen >= ? ORDER BY first_seen, id`, since.UTC().UnixNano())
	if err != nil {
		return nil, fmt.Errorf("recent stories: %w", classify(err))
	}
	defer rows.Close()
	var stories []Story
	for rows.Next() {
		var s Story
		var fp int64
		var first sql.NullInt64
		if err := rows.Scan(&s.ID, &fp, &first, &s.Source); err != nil {
			return nil, fmt.Errorf("recent stories: %w", err)
		}
		s.Fingerprint, s.FirstSeen = uint64(fp), goTime(first)
		stories = append(stories, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("recent stories: %w", classify(err))
	}
	return stories, nil
}

// SaveBatch stores a fetch in one transaction: source state, items (marked
// seen), stories, alerts (one per story and rule: a later copy is recorded as
// "also reported by" instead) and their outbox rows. An item whose key is
// already stored is skipped with its alerts. It returns the alerts stored,
// with IDs and creation times.
//
// b.State is saved unless it is the zero value; its Name and each item's
// Source default to b.Source.
func (db *DB) SaveBatch(ctx context.Context, b Batch) ([]alert.Alert, error) {
	var stored []alert.Alert
	err := db.inTx(ctx, func(tx *writeTx) error {
		now := db.now().UTC()
		if b.State != (SourceState{}) {
			state := b.State
			state.Name = cmp.Or(state.Name, b.Source)
			if err := saveSourceState(ctx, tx, state); err != nil {
				return fmt.Errorf("source state: %w", err)
			}
		}
		for i, bi := range b.Items {
			bi.Item.Source = cmp.Or(bi.Item.Source, b.Source)
			alerts, err := saveBatchItem(ctx, tx, bi, now)
			if err != nil {
				return fmt.Errorf("item %d (%s): %w", i, bi.Item.Key, err)
			}
			stored = append(stored, alerts...)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("save batch of %s: %w", b.Source, err)
	}
	return stored, nil
}

// saveBatchItem stores one new item with its story and alerts and returns the
// alerts that were new to the story.
func saveBatchItem(ctx context.Context, tx *writeTx, bi BatchItem, now time.Time) ([]alert.Alert, error) {
	it := bi.Item
	if it.Key == "" {
		return nil, errors.New("item without a key")
	}
	var exists bool
	err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM items WHERE key = ?)`, it.Key).Scan(&exists)
	if err != nil || exists {
		return nil, err
	}
	storyID, err := storyFor(ctx, tx, bi, now)
	if err != nil {
		return nil, err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO items
		(key, source, guid, url, title, published, fingerprint, story_id, seen_at, canonical_url)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		it.Key, it.Source, it.GUID, it.URL, it.Title, dbTime(it.Published),
		int64(it.Fingerprint), storyID, now.UnixNano(), it.CanonicalURL)
	if err != nil {
		return nil, fmt.Errorf("insert item: %w", err)
	}
	var stored []alert.Alert
	for _, p := range bi.Alerts {
		a, isNew, err := insertAlert(ctx, tx, &storyID, p, now)
		if err != nil {
			return nil, err
		}
		if isNew {
			stored = append(stored, a)
		}
	}
	return stored, nil
}

// storyFor returns the story a new item belongs to: the one it names, the
// one of the item it repeats, or a new one.
func storyFor(ctx context.Context, tx *writeTx, bi BatchItem, now time.Time) (int64, error) {
	id := bi.StoryID
	if id == 0 && bi.SameStoryAs != "" {
		var err error
		if id, err = storyOfItem(ctx, tx, bi.SameStoryAs); err != nil {
			return 0, err
		}
	}
	return attachStory(ctx, tx, id, bi.Item, now)
}

// storyOfItem returns the story of a stored item, 0 when there is no such item.
func storyOfItem(ctx context.Context, tx *writeTx, key string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT story_id FROM items WHERE key = ?`, key).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("story of item %s: %w", key, err)
	}
	return id, nil
}

// attachStory returns the story the item belongs to, recording its source
// among the story's sources. A new story is started when id is 0 or names a
// story no longer stored.
func attachStory(ctx context.Context, tx *writeTx, id int64, it Item, now time.Time) (int64, error) {
	if id != 0 {
		var exists bool
		err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM stories WHERE id = ?)`, id).Scan(&exists)
		if err != nil {
			return 0, fmt.Errorf("find story %d: %w", id, err)
		}
		if !exists {
			id = 0
		}
	}
	if id == 0 {
		err := tx.QueryRowContext(ctx, `INSERT INTO stories (fingerprint, first_seen, source)
			VALUES (?, ?, ?) RETURNING id`, int64(it.Fingerprint), now.UnixNano(), it.Source).Scan(&id)
		if err != nil {
			return 0, fmt.Errorf("insert story: %w", err)
		}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO story_sources (story_id, source, first_seen)
		VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, id, it.Source, now.UnixNano())
	if err != nil {
		return 0, fmt.Errorf("record source of story %d: %w", id, err)
	}
	return id, nil
}
