package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// An outbox row starts pending: DueDeliveries offers it until one of
// MarkDelivered, MarkFailed or MarkSkipped gives it its final status;
// MarkRetry keeps it pending and moves its next attempt.

// ErrNotPending means an outbox row has already reached a final state.
var ErrNotPending = errors.New("delivery is no longer pending")

// ChannelTarget is the outbox target of a Discord channel.
func ChannelTarget(channelID string) string { return channelPrefix + channelID }

// ChannelOf returns the channel id of a channel target.
func ChannelOf(target string) (string, bool) {
	id, ok := strings.CutPrefix(target, channelPrefix)
	if !ok || id == "" {
		return "", false
	}
	return id, true
}

// enqueue adds one pending outbox row per target, due at once. A target
// listed twice is queued once.
func enqueue(ctx context.Context, tx *writeTx, alertID int64, targets []string, now time.Time) error {
	for _, t := range targets {
		if t == "" {
			return fmt.Errorf("queue alert %d: empty target", alertID)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO outbox (alert_id, target, next_attempt, created)
			VALUES (?, ?, ?, ?) ON CONFLICT (alert_id, target) DO NOTHING`,
			alertID, t, now.UnixNano(), now.UnixNano())
		if err != nil {
			return fmt.Errorf("queue alert %d for %s: %w", alertID, t, err)
		}
	}
	return nil
}

// DueDeliveries returns up to limit (default 100) pending deliveries to
// targets starting with targetPrefix ("" for all) that are due at now, oldest
// first, each with its alert.
func (db *DB) DueDeliveries(ctx context.Context, targetPrefix string, now time.Time, limit int) ([]Delivery, error) {
	query, args := dueQuery(targetPrefix, now, limit)
	ds, err := db.queryDeliveries(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("due deliveries for %q: %w", targetPrefix, classify(err))
	}
	return ds, nil
}

// dueQuery selects due deliveries through the partial indexes of pending
// rows, so that its cost follows the backlog, not the outbox's history.
func dueQuery(targetPrefix string, now time.Time, limit int) (string, []any) {
	if limit <= 0 {
		limit = 100
	}
	query := `SELECT o.id, o.target, o.attempts, o.next_attempt, o.last_error, o.created,
			a.id, a.story_id, a.created, a.detail
		FROM outbox o JOIN alerts a ON a.id = o.alert_id
		WHERE o.status = 'pending' AND o.next_attempt <= ?`
	args := []any{now.UTC().UnixNano()}
	if targetPrefix != "" {
		query += ` AND o.target >= ?`
		args = append(args, targetPrefix)
	}
	if end, ok := prefixEnd(targetPrefix); ok {
		query += ` AND o.target < ?`
		args = append(args, end)
	}
	query += ` ORDER BY o.created, o.id LIMIT ?`
	return query, append(args, limit)
}

// prefixEnd is the least string greater than every string with the prefix,
// so that a prefix match becomes an index range; ok is false when there is
// no such bound (an empty prefix, or one of only 0xff bytes).
func prefixEnd(prefix string) (end string, ok bool) {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}

func (db *DB) queryDeliveries(ctx context.Context, query string, args ...any) ([]Delivery, error) {
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ds []Delivery
	var stories []sql.NullInt64
	for rows.Next() {
		d, storyID, err := scanDelivery(rows)
		if err != nil {
			return nil, err
		}
		ds = append(ds, d)
		stories = append(stories, storyID)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close() // free the connection before the next queries
	for i := range ds {
		if err := db.addAlsoReportedBy(ctx, &ds[i].Alert, stories[i]); err != nil {
			return nil, err
		}
	}
	return ds, nil
}

func scanDelivery(rows *sql.Rows) (Delivery, sql.NullInt64, error) {
	var d Delivery
	var next, created sql.NullInt64
	var ar alertRow
	err := rows.Scan(&d.ID, &d.Target, &d.Attempts, &next, &d.LastError, &created,
		&ar.id, &ar.storyID, &ar.created, &ar.detail)
	if err != nil {
		return d, ar.storyID, err
	}
	d.NextAttempt, d.Created = goTime(next), goTime(created)
	d.Alert, err = ar.decode()
	return d, ar.storyID, err
}

// MarkDelivered records that a delivery was sent as message messageID.
func (db *DB) MarkDelivered(ctx context.Context, id int64, messageID string) error {
	err := db.finish(ctx, id, `status = 'delivered', message_id = ?, delivered_at = ?, last_error = ''`,
		messageID, db.now().UTC().UnixNano())
	if err != nil {
		return fmt.Errorf("mark delivery %d delivered: %w", id, err)
	}
	return nil
}

// MarkRetry counts a failed attempt and leaves the delivery pending until next.
func (db *DB) MarkRetry(ctx context.Context, id int64, next time.Time, reason string) error {
	err := db.finish(ctx, id, `attempts = attempts + 1, next_attempt = ?, last_error = ?`,
		next.UTC().UnixNano(), reason)
	if err != nil {
		return fmt.Errorf("mark delivery %d for retry: %w", id, err)
	}
	return nil
}

// MarkFailed gives up on a delivery for good.
func (db *DB) MarkFailed(ctx context.Context, id int64, reason string) error {
	if err := db.finish(ctx, id, `status = 'failed', attempts = attempts + 1, last_error = ?`, reason); err != nil {
		return fmt.Errorf("mark delivery %d failed: %w", id, err)
	}
	return nil
}

// MarkSkipped closes a delivery deliberately not sent (e.g. a muted rule).
func (db *DB) MarkSkipped(ctx context.Context, id int64, reason string) error {
	if err := db.finish(ctx, id, `status = 'skipped', last_error = ?`, reason); err != nil {
		return fmt.Errorf("mark delivery %d skipped: %w", id, err)
	}
	return nil
}

// finish applies set to a pending outbox row. It fails with ErrNotFound for
// an unknown id and ErrNotPending for a row already in a final state.
func (db *DB) finish(ctx context.Context, id int64, set string, args ...any) error {
	res, err := db.write.ExecContext(ctx,
		`UPDATE outbox SET `+set+` WHERE id = ? AND status = 'pending'`, append(args, id)...)
	if err != nil {
		return classify(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 1 {
		return nil
	}
	var status string
	err = db.read.QueryRowContext(ctx, `SELECT status FROM outbox WHERE id = ?`, id).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return classify(err)
	}
	return fmt.Errorf("%w (%s)", ErrNotPending, status)
}

// OutboxStats returns how many deliveries are pending and when the oldest of
// them was queued (zero when none).
func (db *DB) OutboxStats(ctx context.Context) (pending int, oldest time.Time, err error) {
	var first sql.NullInt64
	err = db.read.QueryRowContext(ctx,
		`SELECT count(*), min(created) FROM outbox WHERE status = 'pending'`).Scan(&pending, &first)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("outbox stats: %w", classify(err))
	}
	return pending, goTime(first), nil
}
