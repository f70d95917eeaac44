package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

const sourceColumns = `name, etag, last_modified, last_fetch, last_success, last_status,
	last_error, failures, next_attempt, items, new_items, alerts`

// SourceState returns what is remembered of a source: the zero state with
// only Name set if it has never been fetched.
func (db *DB) SourceState(ctx context.Context, name string) (SourceState, error) {
	row := db.read.QueryRowContext(ctx, `SELECT `+sourceColumns+` FROM sources WHERE name = ?`, name)
	s, err := scanSourceState(row)
	if errors.Is(err, sql.ErrNoRows) {
		return SourceState{Name: name}, nil
	}
	if err != nil {
		return SourceState{}, fmt.Errorf("source state %s: %w", name, classify(err))
	}
	return s, nil
}

// SourceStates returns the state of every source ever fetched, by name.
func (db *DB) SourceStates(ctx context.Context) ([]SourceState, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+sourceColumns+` FROM sources ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("source states: %w", classify(err))
	}
	defer rows.Close()
	var states []SourceState
	for rows.Next() {
		s, err := scanSourceState(rows)
		if err != nil {
			return nil, fmt.Errorf("source states: %w", err)
		}
		states = append(states, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("source states: %w", classify(err))
	}
	return states, nil
}

// SaveSourceState stores the state of one source, replacing the previous one.
func (db *DB) SaveSourceState(ctx context.Context, s SourceState) error {
	if err := saveSourceState(ctx, db.write, s); err != nil {
		return fmt.Errorf("save source state %s: %w", s.Name, classify(err))
	}
	return nil
}

func saveSourceState(ctx context.Context, q querier, s SourceState) error {
	if s.Name == "" {
		return errors.New("source state without a name")
	}
	_, err := q.ExecContext(ctx, `INSERT INTO sources (`+sourceColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET
			etag = excluded.etag, last_modified = excluded.last_modified,
			last_fetch = excluded.last_fetch, last_success = excluded.last_success,
			last_status = excluded.last_status, last_error = excluded.last_error,
			failures = excluded.failures, next_attempt = excluded.next_attempt,
			items = excluded.items, new_items = excluded.new_items, alerts = excluded.alerts`,
		s.Name, s.ETag, s.LastModified, dbTime(s.LastFetch), dbTime(s.LastSuccess), s.LastStatus,
		s.LastError, s.Failures, dbTime(s.NextAttempt), s.Items, s.New, s.Alerts)
	return err
}

func scanSourceState(r scanner) (SourceState, error) {
	var s SourceState
	var lastFetch, lastSuccess, next sql.NullInt64
	err := r.Scan(&s.Name, &s.ETag, &s.LastModified, &lastFetch, &lastSuccess, &s.LastStatus,
		&s.LastError, &s.Failures, &next, &s.Items, &s.New, &s.Alerts)
	s.LastFetch, s.LastSuccess, s.NextAttempt = goTime(lastFetch), goTime(lastSuccess), goTime(next)
	return s, err
}
