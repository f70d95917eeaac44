package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/embargo-watch/embargo/internal/alert"
)

// SaveAlerts stores alerts that come from no item (designations) with their
// outbox rows, in one transaction, and returns them with IDs.
func (db *DB) SaveAlerts(ctx context.Context, p []Pending) ([]alert.Alert, error) {
	var stored []alert.Alert
	err := db.inTx(ctx, func(tx *writeTx) error {
		var err error
		stored, err = insertAlerts(ctx, tx, p, db.now().UTC())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("save alerts: %w", err)
	}
	return stored, nil
}

func insertAlerts(ctx context.Context, tx *writeTx, ps []Pending, now time.Time) ([]alert.Alert, error) {
	stored := make([]alert.Alert, 0, len(ps))
	for _, p := range ps {
		a, _, err := insertAlert(ctx, tx, nil, p, now)
		if err != nil {
			return nil, err
		}
		stored = append(stored, a)
	}
	return stored, nil
}

// insertAlert stores an alert of a story (or of none when storyID is nil),
// indexes it for search and queues it for each target. When the story already
// has an alert of the same rule it stores nothing and reports isNew false:
// the story's sources already record who else reported it.
func insertAlert(ctx context.Context, tx *writeTx, storyID *int64, p Pending, now time.Time) (a alert.Alert, isNew bool, err error) {
	a = p.Alert
	a.ID, a.AlsoReportedBy = 0, nil
	if a.Created.IsZero() {
		a.Created = now
	}
	a.Created = a.Created.UTC()
	detail, err := json.Marshal(a)
	if err != nil {
		return a, false, fmt.Errorf("encode alert %s: %w", a.Rule, err)
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO alerts
		(story_id, rule, category, severity, title, headline, url, source, published, created, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (story_id, rule) DO NOTHING RETURNING id`,
		storyID, a.Rule, a.Category, a.Severity, a.Title, a.Headline, a.URL, a.Source,
		dbTime(a.Published), a.Created.UnixNano(), string(detail)).Scan(&a.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return a, false, nil
	}
	if err != nil {
		return a, false, fmt.Errorf("insert alert %s: %w", a.Rule, err)
	}
	tx.unindexed = append(tx.unindexed, a)
	if err := enqueue(ctx, tx, a.ID, p.Targets, now); err != nil {
		return a, false, err
	}
	if storyID != nil {
		if a.AlsoReportedBy, err = alsoReportedBy(ctx, tx, *storyID, a.Source); err != nil {
			return a, false, err
		}
	}
	return a, true, nil
}

// indexAlerts adds the transaction's new alerts to the full-text index. It
// runs once, just before the commit: FTS5 writes its pending terms to disk
// whenever a later statement of the transaction opens a savepoint, so
// indexing alert by alert would write (and later merge) a segment per alert.
func indexAlerts(ctx context.Context, tx *writeTx) error {
	for _, a := range tx.unindexed {
		var terms, entities []string
		for _, m := range a.Matches {
			terms = append(terms, m.Term, m.Text)
		}
		for _, e := range a.Entities {
			entities = append(entities, e.Name, e.Matched, e.Ref, e.Program)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO alerts_fts (rowid, headline, snippet, title, terms, entities)
			VALUES (?, ?, ?, ?, ?, ?)`, a.ID, a.Headline, a.Snippet, a.Title,
			strings.Join(terms, " "), strings.Join(entities, " "))
		if err != nil {
			return fmt.Errorf("index alert %d: %w", a.ID, err)
		}
	}
	tx.unindexed = nil
	return nil
}

// alsoReportedBy lists the story's sources other than the alert's own, in
// the order they carried it.
func alsoReportedBy(ctx context.Context, q querier, storyID int64, own string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT source FROM story_sources
		WHERE story_id = ? AND source <> ? ORDER BY first_seen, source`, storyID, own)
	if err != nil {
		return nil, fmt.Errorf("sources of story %d: %w", storyID, err)
	}
	defer rows.Close()
	var sources []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		sources = append(sources, s)
	}
	return sources, rows.Err()
}

// Alert returns one stored alert; ErrNotFound when there is none.
func (db *DB) Alert(ctx context.Context, id int64) (alert.Alert, error) {
	row := db.read.QueryRowContext(ctx, `SELECT id, story_id, created, detail FROM alerts WHERE id = ?`, id)
	a, storyID, err := scanAlert(row)
	if errors.Is(err, sql.ErrNoRows) {
		return alert.Alert{}, fmt.Errorf("alert %d: %w", id, ErrNotFound)
	}
	if err == nil {
		err = db.addAlsoReportedBy(ctx, &a, storyID)
	}
	if err != nil {
		return alert.Alert{}, fmt.Errorf("alert %d: %w", id, classify(err))
	}
	return a, nil
}

// alertRow is an alert as stored: its JSON detail and the columns that the
// detail does not carry.
type alertRow struct {
	id      int64
	storyID sql.NullInt64
	created sql.NullInt64
	detail  string
}

func (r alertRow) decode() (alert.Alert, error) {
	var a alert.Alert
	if err := json.Unmarshal([]byte(r.detail), &a); err != nil {
		return a, fmt.Errorf("decode alert %d: %w", r.id, err)
	}
	a.ID, a.Created = r.id, goTime(r.created)
	return a, nil
}

// scanAlert reads the columns id, story_id, created, detail.
func scanAlert(r scanner) (alert.Alert, sql.NullInt64, error) {
	var ar alertRow
	if err := r.Scan(&ar.id, &ar.storyID, &ar.created, &ar.detail); err != nil {
		return alert.Alert{}, ar.storyID, err
	}
	a, err := ar.decode()
	return a, ar.storyID, err
}

// Search limits.
const (
	DefaultSearchLimit = 25
	MaxSearchLimit     = 500
)

// SearchAlerts returns the alerts that match q, newest first. q.Text is a
// list of words, each matched as typed (a trailing * matches a prefix); the
// words' quotes and operators are never interpreted as FTS5 syntax.
func (db *DB) SearchAlerts(ctx context.Context, q AlertQuery) ([]alert.Alert, error) {
	query, args, ok := searchQuery(q)
	if !ok {
		return nil, nil // only punctuation: nothing can match
	}
	alerts, err := db.queryAlerts(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("search alerts %q: %w", q.Text, classify(err))
	}
	return alerts, nil
}

// searchQuery builds the SQL of an alert search; ok is false when the text
// has no word to look for.
func searchQuery(q AlertQuery) (query string, args []any, ok bool) {
	var where []string
	if strings.TrimSpace(q.Text) != "" {
		match := ftsQuery(q.Text)
		if match == "" {
			return "", nil, false
		}
		where = append(where, `id IN (SELECT rowid FROM alerts_fts WHERE alerts_fts MATCH ?)`)
		args = append(args, match)
	}
	if q.Rule != "" {
		where = append(where, `rule = ?`)
		args = append(args, q.Rule)
	}
	if !q.Since.IsZero() {
		where = append(where, `created >= ?`)
		args = append(args, q.Since.UTC().UnixNano())
	}
	query = `SELECT id, story_id, created, detail FROM alerts`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, ` AND `)
	}
	query += ` ORDER BY created DESC, id DESC LIMIT ?`
	return query, append(args, searchLimit(q.Limit)), true
}

func searchLimit(n int) int {
	switch {
	case n <= 0:
		return DefaultSearchLimit
	case n > MaxSearchLimit:
		return MaxSearchLimit
	}
	return n
}

func (db *DB) queryAlerts(ctx context.Context, query string, args ...any) ([]alert.Alert, error) {
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var alerts []alert.Alert
	var stories []sql.NullInt64
	for rows.Next() {
		a, storyID, err := scanAlert(rows)
		if err != nil {
			return nil, err
		}
		alerts = append(alerts, a)
		stories = append(stories, storyID)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close() // free the connection before the next queries
	for i := range alerts {
		if err := db.addAlsoReportedBy(ctx, &alerts[i], stories[i]); err != nil {
			return nil, err
		}
	}
	return alerts, nil
}

// addAlsoReportedBy fills in the other sources of the alert's story, if it
// has one.
func (db *DB) addAlsoReportedBy(ctx context.Context, a *alert.Alert, storyID sql.NullInt64) error {
	if !storyID.Valid {
		return nil
	}
	var err error
	a.AlsoReportedBy, err = alsoReportedBy(ctx, db.read, storyID.Int64, a.Source)
	return err
}
