package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// SaveListVersion stores a fetched version of a sanctions list with the
// designation alerts it raised and their outbox rows, in one transaction,
// and returns the version's id. A version that is not held becomes the
// list's active version; a held one waits for ConfirmListVersion.
func (db *DB) SaveListVersion(ctx context.Context, v ListVersion, alerts []Pending) (int64, error) {
	if v.List == "" {
		return 0, errors.New("save list version: no list name")
	}
	now := db.now().UTC()
	if v.FetchedAt.IsZero() {
		v.FetchedAt = now
	}
	err := db.inTx(ctx, func(tx *writeTx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO list_versions
			(list, hash, count, payload, held, reason, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			v.List, v.Hash, v.Count, nonNil(v.Payload), v.Held, v.Reason, dbTime(v.FetchedAt)).Scan(&v.ID)
		if err != nil {
			return fmt.Errorf("insert: %w", err)
		}
		if !v.Held {
			if err := activate(ctx, tx, v.List, v.ID); err != nil {
				return err
			}
		}
		_, err = insertAlerts(ctx, tx, alerts, now)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("save version of list %s: %w", v.List, err)
	}
	return v.ID, nil
}

// nonNil keeps an empty payload from being stored as NULL.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// activate makes version id the active one of its list.
func activate(ctx context.Context, tx *writeTx, list string, id int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE list_versions SET active = 0 WHERE list = ? AND active = 1`, list); err != nil {
		return fmt.Errorf("deactivate previous version: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE list_versions SET active = 1, held = 0 WHERE id = ?`, id); err != nil {
		return fmt.Errorf("activate version %d: %w", id, err)
	}
	return nil
}

const listVersionColumns = `id, list, hash, count, payload, held, reason, fetched_at`

// LatestListVersion returns the active version of a list: the newest one
// not held, or the held one last confirmed. ok is false when there is none.
func (db *DB) LatestListVersion(ctx context.Context, list string) (ListVersion, bool, error) {
	v, ok, err := db.queryListVersion(ctx, `SELECT `+listVersionColumns+`
		FROM list_versions WHERE list = ? AND active = 1`, list)
	if err != nil {
		return v, false, fmt.Errorf("latest version of list %s: %w", list, classify(err))
	}
	return v, ok, nil
}

// HeldListVersion returns the newest held version of a list that is newer
// than its active version: the one waiting for confirmation.
func (db *DB) HeldListVersion(ctx context.Context, list string) (ListVersion, bool, error) {
	v, ok, err := db.queryListVersion(ctx, `SELECT `+listVersionColumns+`
		FROM list_versions WHERE list = ?1 AND held = 1
			AND id > coalesce((SELECT id FROM list_versions WHERE list = ?1 AND active = 1), 0)
		ORDER BY id DESC LIMIT 1`, list)
	if err != nil {
		return v, false, fmt.Errorf("held version of list %s: %w", list, classify(err))
	}
	return v, ok, nil
}

func (db *DB) queryListVersion(ctx context.Context, query string, args ...any) (ListVersion, bool, error) {
	var v ListVersion
	var fetched sql.NullInt64
	err := db.read.QueryRowContext(ctx, query, args...).Scan(
		&v.ID, &v.List, &v.Hash, &v.Count, &v.Payload, &v.Held, &v.Reason, &fetched)
	if errors.Is(err, sql.ErrNoRows) {
		return ListVersion{}, false, nil
	}
	if err != nil {
		return ListVersion{}, false, err
	}
	v.FetchedAt = goTime(fetched)
	return v, true, nil
}

// ConfirmListVersion makes a (held) version the active version of its list.
func (db *DB) ConfirmListVersion(ctx context.Context, id int64) error {
	err := db.inTx(ctx, func(tx *writeTx) error {
		var list string
		err := tx.QueryRowContext(ctx, `SELECT list FROM list_versions WHERE id = ?`, id).Scan(&list)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		return activate(ctx, tx, list, id)
	})
	if err != nil {
		return fmt.Errorf("confirm list version %d: %w", id, err)
	}
	return nil
}
