package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
)

// Backup writes a consistent copy of the database to dest, a file that must
// not exist yet, while the store keeps running: the copy is one read
// transaction, so writers are not blocked. Restoring is copying dest back
// in place of the database file while embargo is stopped.
func (db *DB) Backup(ctx context.Context, dest string) error {
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("backup to %s: %w", dest, os.ErrExist)
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("backup to %s: %w", dest, err)
	}
	// The read pool's connections are query-only, which forbids VACUUM
	// INTO, and the writer must stay free for writes: use a connection of
	// its own.
	conn, err := sql.Open("sqlite", dsn(db.path, db.busyTimeout, false))
	if err != nil {
		return fmt.Errorf("backup to %s: %w", dest, err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `VACUUM INTO ?`, dest); err != nil {
		return fmt.Errorf("backup to %s: %w", dest, classify(err))
	}
	return nil
}
