package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// AddMute stores a mute and returns its id. Created defaults to now.
func (db *DB) AddMute(ctx context.Context, m Mute) (int64, error) {
	if m.GuildID == "" || m.Rule == "" || m.Until.IsZero() {
		return 0, errors.New("add mute: guild, rule and end time are required")
	}
	if m.Created.IsZero() {
		m.Created = db.now()
	}
	var id int64
	err := db.write.QueryRowContext(ctx, `INSERT INTO mutes (guild_id, rule, until, created_by, reason, created)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		m.GuildID, m.Rule, dbTime(m.Until), m.CreatedBy, m.Reason, dbTime(m.Created)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("add mute of %s: %w", m.Rule, classify(err))
	}
	return id, nil
}

// RemoveMutes deletes every mute of rule in a guild and returns how many.
func (db *DB) RemoveMutes(ctx context.Context, guildID, rule string) (int, error) {
	res, err := db.write.ExecContext(ctx, `DELETE FROM mutes WHERE guild_id = ? AND rule = ?`, guildID, rule)
	if err != nil {
		return 0, fmt.Errorf("remove mutes of %s: %w", rule, classify(err))
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// ActiveMutes returns the mutes of a guild ("" for every guild) that have
// not ended at now, ending soonest first.
func (db *DB) ActiveMutes(ctx context.Context, guildID string, now time.Time) ([]Mute, error) {
	query := `SELECT id, guild_id, rule, until, created_by, reason, created FROM mutes WHERE until > ?`
	args := []any{now.UTC().UnixNano()}
	if guildID != "" {
		query += ` AND guild_id = ?`
		args = append(args, guildID)
	}
	mutes, err := db.queryMutes(ctx, query+` ORDER BY until, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("active mutes of guild %q: %w", guildID, classify(err))
	}
	return mutes, nil
}

func (db *DB) queryMutes(ctx context.Context, query string, args ...any) ([]Mute, error) {
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var mutes []Mute
	for rows.Next() {
		var m Mute
		var until, created sql.NullInt64
		if err := rows.Scan(&m.ID, &m.GuildID, &m.Rule, &until, &m.CreatedBy, &m.Reason, &created); err != nil {
			return nil, err
		}
		m.Until, m.Created = goTime(until), goTime(created)
		mutes = append(mutes, m)
	}
	return mutes, rows.Err()
}
