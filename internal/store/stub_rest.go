package store

import (
	"context"
	"errors"
	"time"
)

var errUnimplemented = errors.New("store: not implemented yet")

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
