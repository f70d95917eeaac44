package store

// Stubs: the store's method set, replaced by the real implementation.

import (
	"context"
	"errors"
	"time"

	"github.com/embargo-watch/embargo/internal/alert"
)

var errUnimplemented = errors.New("store: not implemented yet")

// DB is the embargo SQLite database.
type DB struct{}

// Open opens (creating if needed) and migrates the database at path.
func Open(ctx context.Context, path string) (*DB, error) { return nil, errUnimplemented }

func (db *DB) Close() error { return errUnimplemented }

// ChannelTarget is the outbox target of a Discord channel.
func ChannelTarget(channelID string) string { return channelPrefix + channelID }

// ChannelOf returns the channel id of a channel target.
func ChannelOf(target string) (string, bool) { return "", false }

// Sources
func (db *DB) SourceState(ctx context.Context, name string) (SourceState, error) {
	return SourceState{}, errUnimplemented
}
func (db *DB) SourceStates(ctx context.Context) ([]SourceState, error)  { return nil, errUnimplemented }
func (db *DB) SaveSourceState(ctx context.Context, s SourceState) error { return errUnimplemented }

// Items and stories
func (db *DB) SeenKeys(ctx context.Context, keys []string) (map[string]bool, error) {
	return nil, errUnimplemented
}
func (db *DB) RecentStories(ctx context.Context, since time.Time) ([]Story, error) {
	return nil, errUnimplemented
}

// SaveBatch stores a fetch in one transaction: source state, items (marked
// seen), stories, alerts (one per story and rule: a later copy is recorded as
// "also reported by" instead) and their outbox rows. It returns the alerts
// stored, with IDs.
func (db *DB) SaveBatch(ctx context.Context, b Batch) ([]alert.Alert, error) {
	return nil, errUnimplemented
}

// SaveAlerts stores alerts that come from no item (designations) with outbox rows.
func (db *DB) SaveAlerts(ctx context.Context, p []Pending) ([]alert.Alert, error) {
	return nil, errUnimplemented
}

// Outbox
func (db *DB) DueDeliveries(ctx context.Context, targetPrefix string, now time.Time, limit int) ([]Delivery, error) {
	return nil, errUnimplemented
}
func (db *DB) MarkDelivered(ctx context.Context, id int64, messageID string) error {
	return errUnimplemented
}
func (db *DB) MarkRetry(ctx context.Context, id int64, next time.Time, reason string) error {
	return errUnimplemented
}
func (db *DB) MarkFailed(ctx context.Context, id int64, reason string) error { return errUnimplemented }
func (db *DB) MarkSkipped(ctx context.Context, id int64, reason string) error {
	return errUnimplemented
}
func (db *DB) OutboxStats(ctx context.Context) (pending int, oldest time.Time, err error) {
	return 0, time.Time{}, errUnimplemented
}

// Alerts
func (db *DB) Alert(ctx context.Context, id int64) (alert.Alert, error) {
	return alert.Alert{}, errUnimplemented
}
func (db *DB) SearchAlerts(ctx context.Context, q AlertQuery) ([]alert.Alert, error) {
	return nil, errUnimplemented
}

// Subscriptions
func (db *DB) AddSubscription(ctx context.Context, s Subscription) (int64, error) {
	return 0, errUnimplemented
}
func (db *DB) RemoveSubscription(ctx context.Context, guildID string, id int64) (bool, error) {
	return false, errUnimplemented
}
func (db *DB) Subscriptions(ctx context.Context, guildID string) ([]Subscription, error) {
	return nil, errUnimplemented
}
func (db *DB) SubscriptionsForChannel(ctx context.Context, channelID string) ([]Subscription, error) {
	return nil, errUnimplemented
}
func (db *DB) RecordChannelFailure(ctx context.Context, channelID, reason string, pauseAfter int) error {
	return errUnimplemented
}
func (db *DB) ResetChannelFailures(ctx context.Context, channelID string) error {
	return errUnimplemented
}

// Mutes
func (db *DB) AddMute(ctx context.Context, m Mute) (int64, error) { return 0, errUnimplemented }
func (db *DB) RemoveMutes(ctx context.Context, guildID, rule string) (int, error) {
	return 0, errUnimplemented
}
func (db *DB) ActiveMutes(ctx context.Context, guildID string, now time.Time) ([]Mute, error) {
	return nil, errUnimplemented
}

// Sanctions list versions
func (db *DB) SaveListVersion(ctx context.Context, v ListVersion, alerts []Pending) (int64, error) {
	return 0, errUnimplemented
}
func (db *DB) LatestListVersion(ctx context.Context, list string) (ListVersion, bool, error) {
	return ListVersion{}, false, errUnimplemented
}
func (db *DB) HeldListVersion(ctx context.Context, list string) (ListVersion, bool, error) {
	return ListVersion{}, false, errUnimplemented
}
func (db *DB) ConfirmListVersion(ctx context.Context, id int64) error { return errUnimplemented }
