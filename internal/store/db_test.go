package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestReopenKeepsData(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "embargo.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	stored := mustSaveBatch(t, db, batchOf("yonhap", "guid:a"))
	if _, err := db.AddSubscription(ctx, Subscription{GuildID: "g", ChannelID: "c"}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Errorf("second close: %v", err)
	}
	if _, err := db.SeenKeys(ctx, []string{"guid:a"}); err == nil {
		t.Error("closed store still answers")
	}
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() != 0 {
		t.Errorf("write-ahead log not checkpointed on close: %d bytes left", fi.Size())
	}

	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if seen, _ := db.SeenKeys(ctx, []string{"guid:a"}); !seen["guid:a"] {
		t.Error("item not seen after restart")
	}
	if a, err := db.Alert(ctx, stored[0].ID); err != nil || a.Headline != stored[0].Headline {
		t.Errorf("alert after restart = %+v, %v", a, err)
	}
	if due, _ := db.DueDeliveries(ctx, "", time.Now(), 10); len(due) != 1 {
		t.Errorf("undelivered alert lost on restart: %+v", due)
	}
	if subs, _ := db.Subscriptions(ctx, "g"); len(subs) != 1 {
		t.Errorf("subscriptions after restart = %+v", subs)
	}
}

func TestMigrationsAreIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "embargo.db")
	for range 3 {
		db, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		var version int
		if err := db.read.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
			t.Fatal(err)
		}
		if version != SchemaVersion() || version == 0 {
			t.Errorf("schema version %d, want %d", version, SchemaVersion())
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "embargo.db")
	raw := rawConn(t, path)
	if _, err := raw.Exec(fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion()+1)); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	_, err := Open(ctx, path)
	if err == nil || !strings.Contains(err.Error(), "newer") {
		t.Errorf("open of a newer schema: %v, want a clear refusal", err)
	}
}

// Every connection, not only the first, runs with the store's settings.
func TestConnectionSettings(t *testing.T) {
	t.Parallel()
	db, _ := openTest(t)
	ctx := context.Background()
	tests := []struct {
		pool   *sql.DB
		pragma string
		want   string
	}{
		{db.write, "journal_mode", "wal"},
		{db.write, "foreign_keys", "1"},
		{db.write, "synchronous", "1"},
		{db.write, "busy_timeout", "5000"},
		{db.read, "journal_mode", "wal"},
		{db.read, "foreign_keys", "1"},
		{db.read, "query_only", "1"},
		{db.read, "busy_timeout", "5000"},
	}
	for _, tt := range tests {
		var got string
		if err := tt.pool.QueryRowContext(ctx, "PRAGMA "+tt.pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("PRAGMA %s = %s, want %s", tt.pragma, got, tt.want)
		}
	}
	if err := db.Ping(ctx); err != nil {
		t.Errorf("ping: %v", err)
	}
	if err := db.IntegrityCheck(ctx); err != nil {
		t.Errorf("integrity check: %v", err)
	}
}

func TestForeignKeysEnforced(t *testing.T) {
	t.Parallel()
	db, _ := openTest(t)
	_, err := db.write.Exec(`INSERT INTO outbox (alert_id, target, next_attempt, created) VALUES (999, 'console', 0, 0)`)
	if err == nil {
		t.Error("outbox row for a missing alert accepted")
	}
}

// Readers run beside the writer: run with -race.
func TestConcurrentReadersAndWriter(t *testing.T) {
	t.Parallel()
	db, _ := openTest(t)
	ctx := context.Background()
	const batches = 10
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	wg.Go(func() {
		for i := range batches {
			if _, err := db.SaveBatch(ctx, batchOf("w", fmt.Sprintf("guid:%d", i))); err != nil {
				errs <- err
				return
			}
		}
	})
	for range 3 {
		wg.Go(func() {
			for range batches {
				if _, err := db.SearchAlerts(ctx, AlertQuery{Text: "workers"}); err != nil {
					errs <- err
					return
				}
				if _, err := db.DueDeliveries(ctx, "", time.Now(), 5); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if found, _ := db.SearchAlerts(ctx, AlertQuery{Limit: 100}); len(found) != batches {
		t.Errorf("%d alerts stored, want %d", len(found), batches)
	}
}

// Two stores on one file (say `embargo run` and `embargo lists sync`) take
// turns at writing: the busy timeout absorbs the other's short transactions.
func TestTwoStoresWriteTheSameFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "embargo.db")
	var stores [2]*DB
	for i := range stores {
		db, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		stores[i] = db
	}
	const each = 10
	var wg sync.WaitGroup
	errs := make(chan error, len(stores)*each)
	for i, db := range stores {
		wg.Go(func() {
			for j := range each {
				if _, err := db.SaveBatch(ctx, batchOf("s", fmt.Sprintf("guid:%d-%d", i, j))); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if pending, _, err := stores[0].OutboxStats(ctx); err != nil || pending != len(stores)*each {
		t.Errorf("pending = %d, %v; want %d", pending, err, len(stores)*each)
	}
}

// rawConn opens the file outside the store, as another process would.
func rawConn(t *testing.T, path string) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	raw.SetMaxOpenConns(1)
	t.Cleanup(func() { raw.Close() })
	return raw
}

func TestLockedDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "embargo.db")
	db, err := OpenWith(ctx, path, Options{BusyTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	mustSaveBatch(t, db, batchOf("a", "guid:a"))

	other := rawConn(t, path)
	if _, err := other.Exec("BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	_, err = db.SaveBatch(ctx, batchOf("a", "guid:b"))
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "database is locked") {
		t.Fatalf("save while locked: %v, want ErrLocked", err)
	}
	if seen, err := db.SeenKeys(ctx, []string{"guid:a"}); err != nil || !seen["guid:a"] {
		t.Errorf("readers blocked by the lock: %v, %v", seen, err)
	}

	// Another process can still open the store: an up-to-date schema needs
	// no write lock.
	second, err := OpenWith(ctx, path, Options{BusyTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatalf("open while another process writes: %v", err)
	}
	if err := second.Close(); err != nil {
		t.Errorf("close while another process writes: %v", err)
	}

	if _, err := other.Exec("COMMIT"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SaveBatch(ctx, batchOf("a", "guid:b")); err != nil {
		t.Errorf("save after the lock was released: %v", err)
	}
}

// The disk-full test fills the database in a child process whose file size
// limit (RLIMIT_FSIZE) is small, then checks the file in this process with
// the limit lifted.
const diskFullEnv = "EMBARGO_STORE_DISKFULL_DB"

func TestDiskFull(t *testing.T) {
	t.Parallel()
	if path := os.Getenv(diskFullEnv); path != "" {
		fillUntilFull(t, path)
		return
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "embargo.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	before := mustSaveBatch(t, db, batchOf("a", "guid:before"))
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestDiskFull$", "-test.v")
	cmd.Env = append(os.Environ(), diskFullEnv+"="+path)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "disk full") {
		t.Errorf("child output lacks the disk-full error:\n%s", out)
	}

	db, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen after disk full: %v", err)
	}
	defer db.Close()
	if err := db.IntegrityCheck(ctx); err != nil {
		t.Fatalf("database damaged by a full disk: %v", err)
	}
	if a, err := db.Alert(ctx, before[0].ID); err != nil || a.Headline != before[0].Headline {
		t.Errorf("alert stored before the full disk: %+v, %v", a, err)
	}
	if _, err := db.SaveBatch(ctx, batchOf("a", "guid:after")); err != nil {
		t.Errorf("save after space came back: %v", err)
	}
}

func fillUntilFull(t *testing.T, path string) {
	signal.Ignore(syscall.SIGXFSZ) // fail the write with EFBIG instead of dying
	ctx := context.Background()
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	limit := &syscall.Rlimit{Cur: 512 << 10, Max: 512 << 10}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, limit); err != nil {
		t.Skipf("cannot limit file size: %v", err)
	}
	big := strings.Repeat("sanctions evasion ", 2000)
	for i := range 1000 {
		a := newsAlert("r", "a", "filler")
		a.Snippet = big
		_, err := db.SaveAlerts(ctx, []Pending{{Alert: a, Targets: []string{TargetConsole}}})
		if err == nil {
			continue
		}
		t.Logf("after %d alerts: %v", i, err)
		if !errors.Is(err, ErrDiskFull) {
			t.Fatalf("want ErrDiskFull, got %v", err)
		}
		return
	}
	t.Fatal("the file size limit was never reached")
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, []byte(strings.Repeat("not a database ", 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, want string
	}{
		{"missing directory", filepath.Join(dir, "missing", "embargo.db"), "no such file or directory"},
		{"directory", dir, "is a directory"},
		{"not a database", garbage, "not a database"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := Open(context.Background(), tt.path)
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

// Characters that mean something in a URI stay part of the file name.
func TestOpenPathWithURICharacters(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "a dir?x=1#frag%20", "embargo.db")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database not created at the path given: %v", err)
	}
}
