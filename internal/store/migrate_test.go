package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

// A migration that fails leaves the schema at the last one that succeeded,
// and a later run with the migration fixed picks up from there.
func TestFailedMigrationKeepsPreviousVersion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "m.db")
	w, err := sql.Open("sqlite", dsn(path, DefaultBusyTimeout, false))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	w.SetMaxOpenConns(1)
	good := migration{name: "001_good.sql", sql: `CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1);`}
	bad := migration{name: "002_bad.sql", sql: `CREATE TABLE b (y INTEGER); INSERT INTO nowhere VALUES (1);`}
	err = migrateTo(ctx, w, []migration{good, bad})
	if err == nil || !strings.Contains(err.Error(), "002_bad.sql") {
		t.Fatalf("migrate: %v, want an error naming 002_bad.sql", err)
	}
	if v := userVersion(t, w); v != 1 {
		t.Errorf("version after failed migration = %d, want 1", v)
	}
	var tables int
	if err := w.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name = 'b'`).Scan(&tables); err != nil || tables != 0 {
		t.Errorf("table of the failed migration exists (%d, %v)", tables, err)
	}

	fixed := migration{name: "002_fixed.sql", sql: `CREATE TABLE b (y INTEGER);`}
	if err := migrateTo(ctx, w, []migration{good, fixed}); err != nil {
		t.Fatal(err)
	}
	var rows int
	if err := w.QueryRow(`SELECT count(*) FROM a`).Scan(&rows); err != nil || rows != 1 {
		t.Errorf("first migration ran again: %d rows, %v", rows, err)
	}
	if v := userVersion(t, w); v != 2 {
		t.Errorf("version = %d, want 2", v)
	}
}

func userVersion(t *testing.T, db *sql.DB) int {
	t.Helper()
	var v int
	if err := db.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}
