package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
)

// Migrations are the files schema/NNN_name.sql, applied in name order. The
// database's PRAGMA user_version counts those applied; each runs in its own
// transaction together with the bump of user_version, so a failed migration
// leaves the previous version intact.
//
//go:embed schema/*.sql
var schemaFS embed.FS

type migration struct {
	name string
	sql  string
}

func migrations() ([]migration, error) {
	names, err := fs.Glob(schemaFS, "schema/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	ms := make([]migration, 0, len(names))
	for _, name := range names {
		body, err := schemaFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{name: name, sql: string(body)})
	}
	return ms, nil
}

// SchemaVersion is the schema version this build creates.
func SchemaVersion() int {
	ms, _ := migrations()
	return len(ms)
}

func migrate(ctx context.Context, db *sql.DB) error {
	ms, err := migrations()
	if err != nil {
		return fmt.Errorf("read migrations: %w", err)
	}
	return migrateTo(ctx, db, ms)
}

func migrateTo(ctx context.Context, db *sql.DB, ms []migration) error {
	// An up-to-date schema needs no write lock: checking first lets the
	// store open while another process is writing.
	var version int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("migrate: read schema version: %w", err)
	}
	if version == len(ms) {
		return nil
	}
	for {
		applied, err := applyNext(ctx, db, ms)
		if err != nil {
			return err
		}
		if !applied {
			return nil
		}
	}
}

// applyNext applies the first migration the database lacks and reports
// whether there was one. The version is read inside the write transaction,
// so two processes opening a new file at once cannot both apply it.
func applyNext(ctx context.Context, db *sql.DB, ms []migration) (bool, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()
	var version int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return false, fmt.Errorf("migrate: read schema version: %w", err)
	}
	switch {
	case version > len(ms):
		return false, fmt.Errorf("migrate: database schema version %d is newer than this program's %d", version, len(ms))
	case version == len(ms):
		return false, nil
	}
	m := ms[version]
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return false, fmt.Errorf("migrate %s: %w", m.name, err)
	}
	// PRAGMA takes no bound parameters; version is an int we computed.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", version+1)); err != nil {
		return false, fmt.Errorf("migrate %s: set schema version: %w", m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("migrate %s: commit: %w", m.name, err)
	}
	return true, nil
}
