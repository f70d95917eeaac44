package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

const subscriptionColumns = `id, guild_id, channel_id, rule, category, min_severity,
	created_by, created, paused, pause_reason, failures`

// AddSubscription stores a subscription and returns its id. Created defaults
// to now.
func (db *DB) AddSubscription(ctx context.Context, s Subscription) (int64, error) {
	if s.GuildID == "" || s.ChannelID == "" {
		return 0, errors.New("add subscription: guild and channel are required")
	}
	if s.Created.IsZero() {
		s.Created = db.now()
	}
	var id int64
	err := db.write.QueryRowContext(ctx, `INSERT INTO subscriptions
		(guild_id, channel_id, rule, category, min_severity, created_by, created, paused, pause_reason, failures)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		s.GuildID, s.ChannelID, s.Rule, s.Category, s.MinSeverity, s.CreatedBy,
		dbTime(s.Created), s.Paused, s.PauseReason, s.Failures).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("add subscription for channel %s: %w", s.ChannelID, classify(err))
	}
	return id, nil
}

// RemoveSubscription deletes subscription id if it belongs to guildID, and
// reports whether it did: a guild cannot remove another guild's subscription.
func (db *DB) RemoveSubscription(ctx context.Context, guildID string, id int64) (bool, error) {
	res, err := db.write.ExecContext(ctx, `DELETE FROM subscriptions WHERE id = ? AND guild_id = ?`, id, guildID)
	if err != nil {
		return false, fmt.Errorf("remove subscription %d: %w", id, classify(err))
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// Subscriptions returns the subscriptions of a guild ("" for every guild),
// oldest first.
func (db *DB) Subscriptions(ctx context.Context, guildID string) ([]Subscription, error) {
	query := `SELECT ` + subscriptionColumns + ` FROM subscriptions`
	var args []any
	if guildID != "" {
		query += ` WHERE guild_id = ?`
		args = append(args, guildID)
	}
	subs, err := db.querySubscriptions(ctx, query+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("subscriptions of guild %q: %w", guildID, classify(err))
	}
	return subs, nil
}

// SubscriptionsForChannel returns a channel's subscriptions, paused or not.
func (db *DB) SubscriptionsForChannel(ctx context.Context, channelID string) ([]Subscription, error) {
	subs, err := db.querySubscriptions(ctx,
		`SELECT `+subscriptionColumns+` FROM subscriptions WHERE channel_id = ? ORDER BY id`, channelID)
	if err != nil {
		return nil, fmt.Errorf("subscriptions of channel %s: %w", channelID, classify(err))
	}
	return subs, nil
}

func (db *DB) querySubscriptions(ctx context.Context, query string, args ...any) ([]Subscription, error) {
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var subs []Subscription
	for rows.Next() {
		var s Subscription
		var created sql.NullInt64
		err := rows.Scan(&s.ID, &s.GuildID, &s.ChannelID, &s.Rule, &s.Category, &s.MinSeverity,
			&s.CreatedBy, &created, &s.Paused, &s.PauseReason, &s.Failures)
		if err != nil {
			return nil, err
		}
		s.Created = goTime(created)
		subs = append(subs, s)
	}
	return subs, rows.Err()
}

// RecordChannelFailure counts a failed delivery to a channel against all its
// subscriptions and pauses them, with reason, once they have failed
// pauseAfter times in a row. pauseAfter <= 0 never pauses.
func (db *DB) RecordChannelFailure(ctx context.Context, channelID, reason string, pauseAfter int) error {
	_, err := db.write.ExecContext(ctx, `UPDATE subscriptions SET
			failures = failures + 1,
			paused = CASE WHEN ?1 > 0 AND failures + 1 >= ?1 THEN 1 ELSE paused END,
			pause_reason = CASE WHEN ?1 > 0 AND failures + 1 >= ?1 THEN ?2 ELSE pause_reason END
		WHERE channel_id = ?3`, pauseAfter, reason, channelID)
	if err != nil {
		return fmt.Errorf("record failure of channel %s: %w", channelID, classify(err))
	}
	return nil
}

// ResetChannelFailures clears the failure count of a channel's subscriptions
// after a successful delivery. It does not resume paused ones.
func (db *DB) ResetChannelFailures(ctx context.Context, channelID string) error {
	_, err := db.write.ExecContext(ctx,
		`UPDATE subscriptions SET failures = 0 WHERE channel_id = ? AND failures <> 0`, channelID)
	if err != nil {
		return fmt.Errorf("reset failures of channel %s: %w", channelID, classify(err))
	}
	return nil
}

// ResumeChannel unpauses a channel's subscriptions and clears their failures
// and pause reason, and returns how many were paused.
func (db *DB) ResumeChannel(ctx context.Context, channelID string) (int, error) {
	res, err := db.write.ExecContext(ctx, `UPDATE subscriptions SET paused = 0, pause_reason = '', failures = 0
		WHERE channel_id = ? AND paused = 1`, channelID)
	if err != nil {
		return 0, fmt.Errorf("resume channel %s: %w", channelID, classify(err))
	}
	n, err := res.RowsAffected()
	return int(n), err
}
