// Package store keeps embargo's state in one SQLite file: the fetch state of
// sources, seen items and the stories they belong to, alerts with a full-text
// index, the delivery outbox, Discord subscriptions and mutes, and the
// versions of the sanctions lists.
//
// Writes go through a single connection (SQLite allows one writer at a time),
// reads through a small pool of read-only connections; in WAL mode readers
// never wait for the writer.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/embargo-watch/embargo/internal/alert"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Errors that callers may want to tell apart with errors.Is.
var (
	// ErrLocked means another connection or process held the database
	// longer than the busy timeout. Retrying later may succeed.
	ErrLocked = errors.New("database is locked")
	// ErrDiskFull means SQLite could not write or grow a file: the disk (or
	// the process's file size limit) is full, or the write failed. The
	// transaction was rolled back and the database is intact.
	ErrDiskFull = errors.New("disk full or write error: the database could not be written")
	// ErrNotFound means the row asked for does not exist.
	ErrNotFound = errors.New("not found")
)

// DefaultBusyTimeout is how long a write waits for another process's lock.
const DefaultBusyTimeout = 5 * time.Second

// Options tunes Open. The zero value gives the defaults.
type Options struct {
	BusyTimeout time.Duration    // default DefaultBusyTimeout
	ReadConns   int              // read-only connections; default max(4, GOMAXPROCS)
	Now         func() time.Time // clock for created/seen times; default time.Now
}

// DB is the embargo SQLite database. It is safe for concurrent use.
type DB struct {
	path        string
	busyTimeout time.Duration
	write       *sql.DB // one connection: writes are serialized here
	read        *sql.DB // read-only connections
	now         func() time.Time

	closeOnce sync.Once
	closeErr  error
}

// Open opens (creating if needed) and migrates the database at path.
func Open(ctx context.Context, path string) (*DB, error) {
	return OpenWith(ctx, path, Options{})
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, path string, opt Options) (*DB, error) {
	opt = opt.withDefaults()
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if err := checkPath(abs); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	db := &DB{path: abs, busyTimeout: opt.BusyTimeout, now: opt.Now}
	if db.write, err = openWriter(ctx, abs, opt); err != nil {
		return nil, fmt.Errorf("open store %s: %w", abs, err)
	}
	if db.read, err = openReaders(ctx, abs, opt); err != nil {
		db.write.Close()
		return nil, fmt.Errorf("open store %s: %w", abs, err)
	}
	return db, nil
}

// checkPath turns SQLite's "unable to open database file" into the reason:
// the directory is missing, or the path is a directory.
func checkPath(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("%s is a directory", path)
	}
	if _, err := os.Stat(filepath.Dir(path)); err != nil {
		return fmt.Errorf("database directory: %w", err)
	}
	return nil
}

// openWriter opens the single write connection and brings the schema up to
// date through it.
func openWriter(ctx context.Context, path string, opt Options) (*sql.DB, error) {
	w, err := sql.Open("sqlite", dsn(path, opt.BusyTimeout, false))
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := migrate(ctx, w); err != nil {
		w.Close()
		return nil, classify(err)
	}
	return w, nil
}

func openReaders(ctx context.Context, path string, opt Options) (*sql.DB, error) {
	r, err := sql.Open("sqlite", dsn(path, opt.BusyTimeout, true))
	if err != nil {
		return nil, err
	}
	r.SetMaxOpenConns(opt.ReadConns)
	r.SetMaxIdleConns(opt.ReadConns)
	if err := r.PingContext(ctx); err != nil {
		r.Close()
		return nil, classify(err)
	}
	return r, nil
}

func (o Options) withDefaults() Options {
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = DefaultBusyTimeout
	}
	if o.ReadConns <= 0 {
		o.ReadConns = max(4, runtime.GOMAXPROCS(0))
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// dsn builds a file: URI whose _pragma parameters the driver applies to every
// new connection, so that a connection reopened by the pool is configured
// like the first. Writers begin IMMEDIATE transactions: taking the write lock
// up front means a busy database fails at BEGIN, never halfway through.
func dsn(path string, busy time.Duration, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busy.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Set("_txlock", "immediate")
	}
	u := url.URL{Scheme: "file", Path: path, OmitHost: true, RawQuery: q.Encode()}
	return u.String()
}

// Close checkpoints the write-ahead log into the database file and closes
// it. Calling Close again returns the first call's result.
func (db *DB) Close() error {
	db.closeOnce.Do(func() { db.closeErr = db.close() })
	return db.closeErr
}

func (db *DB) close() error {
	errs := []error{db.read.Close()}
	// Both steps are housekeeping that another process may be holding up:
	// a lock makes them wait at most the busy timeout and is not an error.
	//
	// PRAGMA optimize refreshes the statistics the query planner uses, as
	// SQLite recommends before closing a long-lived connection. A truncating
	// checkpoint leaves a self-contained database file behind.
	for _, pragma := range []string{"PRAGMA optimize", "PRAGMA wal_checkpoint(TRUNCATE)"} {
		if _, err := db.write.Exec(pragma); err != nil && !errors.Is(classify(err), ErrLocked) {
			errs = append(errs, fmt.Errorf("%s: %w", pragma, classify(err)))
		}
	}
	errs = append(errs, db.write.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close store %s: %w", db.path, err)
	}
	return nil
}

// Ping checks that the database can be read and that the writer is open.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.write.PingContext(ctx); err != nil {
		return fmt.Errorf("ping store: %w", classify(err))
	}
	var one int
	if err := db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("ping store: %w", classify(err))
	}
	return nil
}

// IntegrityCheck runs SQLite's integrity check and returns its findings as an
// error, or nil when the database is sound.
func (db *DB) IntegrityCheck(ctx context.Context) error {
	rows, err := db.read.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return fmt.Errorf("integrity check: %w", classify(err))
	}
	defer rows.Close()
	var problems []error
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return fmt.Errorf("integrity check: %w", err)
		}
		if line != "ok" {
			problems = append(problems, errors.New(line))
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("integrity check: %w", classify(err))
	}
	if len(problems) > 0 {
		return fmt.Errorf("integrity check of %s: %w", db.path, errors.Join(problems...))
	}
	return nil
}

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// inTx runs fn in one write transaction: committed when fn returns nil,
// rolled back otherwise (and when ctx is cancelled before the commit).
func (db *DB) inTx(ctx context.Context, fn func(tx *writeTx) error) error {
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return classify(err)
	}
	tx := &writeTx{Tx: sqlTx, stmts: make(map[string]*sql.Stmt)}
	if err := fn(tx); err != nil {
		sqlTx.Rollback()
		return classify(err)
	}
	if err := indexAlerts(ctx, tx); err != nil {
		sqlTx.Rollback()
		return classify(err)
	}
	if err := sqlTx.Commit(); err != nil {
		return classify(err)
	}
	return nil
}

// writeTx is a write transaction that prepares each statement once: a batch
// runs the same few statements for every item, and parsing SQL would
// otherwise cost about a quarter of the time. The statements close with the
// transaction.
type writeTx struct {
	*sql.Tx
	stmts     map[string]*sql.Stmt
	unindexed []alert.Alert // stored alerts not yet in the full-text index
}

func (tx *writeTx) prepare(ctx context.Context, query string) (*sql.Stmt, error) {
	if s, ok := tx.stmts[query]; ok {
		return s, nil
	}
	s, err := tx.Tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	tx.stmts[query] = s
	return s, nil
}

func (tx *writeTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	s, err := tx.prepare(ctx, query)
	if err != nil {
		return nil, err
	}
	return s.ExecContext(ctx, args...)
}

func (tx *writeTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	s, err := tx.prepare(ctx, query)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(ctx, args...)
}

func (tx *writeTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	s, err := tx.prepare(ctx, query)
	if err != nil {
		// *sql.Row cannot be built with an error: let the transaction
		// report the same error through its own Row.
		return tx.Tx.QueryRowContext(ctx, query, args...)
	}
	return s.QueryRowContext(ctx, args...)
}

// sqliteError keeps SQLite's own message and adds the kind callers test for.
type sqliteError struct {
	kind error
	err  error
}

func (e *sqliteError) Error() string {
	if strings.Contains(e.err.Error(), e.kind.Error()) {
		return e.err.Error() // SQLite's words already say it
	}
	return e.kind.Error() + " (" + e.err.Error() + ")"
}
func (e *sqliteError) Unwrap() []error { return []error{e.kind, e.err} }

// classify marks SQLite errors that need a specific reaction: a lock held
// elsewhere or a full disk.
func classify(err error) error {
	var se *sqlite.Error
	if err == nil || !errors.As(err, &se) {
		return err
	}
	var alreadyClassified *sqliteError
	if errors.As(err, &alreadyClassified) {
		return err
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return &sqliteError{kind: ErrLocked, err: err}
	case sqlite3.SQLITE_FULL:
		return &sqliteError{kind: ErrDiskFull, err: err}
	case sqlite3.SQLITE_IOERR:
		// SQLite reports a write refused for lack of space or beyond the
		// file size limit (EFBIG) as a write error rather than SQLITE_FULL.
		if se.Code() == sqlite3.SQLITE_IOERR_WRITE {
			return &sqliteError{kind: ErrDiskFull, err: err}
		}
	}
	return err
}
