package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the driver the store uses, for holding a lock from outside

	"github.com/embargo-watch/embargo/internal/store"
)

// consoleRun runs the binary once with the console sink and returns its
// exit error, standard output and log.
func consoleRun(t *testing.T, bin, rulesFile, db string, wrap ...string) (error, string, string) {
	t.Helper()
	args := append(wrap, bin, "run", "--once", "--json", "--rules", rulesFile, "--db", db)
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), "EMBARGO_HTTP_ADDR=off")
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if strings.Contains(errOut.String(), secretToken) {
		t.Fatal("token in the log")
	}
	return err, out.String(), errOut.String()
}

func alertURLs(t *testing.T, out string) []string {
	t.Helper()
	var urls []string
	for _, a := range decodeAlerts(t, out) {
		urls = append(urls, a["url"].(string))
	}
	slices.Sort(urls)
	return urls
}

func TestLockedDatabase(t *testing.T) {
	bin := binary(t)
	f := newFarm(t, 1, 3, 0)
	dir := t.TempDir()
	rulesFile, db := f.writeRules(t, dir, 0, "@every 1h"), filepath.Join(dir, "embargo.db")
	// Create the database, then hold an exclusive lock on it from this
	// process, as a backup tool or a second embargo might.
	s, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	holder, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	conn, err := holder.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	err, out, log := consoleRun(t, bin, rulesFile, db)
	if err == nil || !strings.Contains(log, "database is locked") || strings.TrimSpace(out) != "" {
		t.Fatalf("run while the database is locked: err %v, output %q, log:\n%s", err, out, log)
	}
	if _, err := conn.ExecContext(context.Background(), "COMMIT"); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	// Once the lock is gone, the same command works and loses nothing.
	err, out, log = consoleRun(t, bin, rulesFile, db)
	if err != nil {
		t.Fatalf("run after the lock was released: %v\n%s", err, log)
	}
	if got, want := alertURLs(t, out), f.allItemURLs(); !slices.Equal(got, want) {
		t.Fatalf("after the lock: alerts %v, want %v", got, want)
	}
}

func TestDiskFull(t *testing.T) {
	bin := binary(t)
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("needs bash for ulimit")
	}
	small := newFarm(t, 1, 1, 0)
	big := newFarm(t, 3, 40, 0)
	dir := t.TempDir()
	db := filepath.Join(dir, "embargo.db")
	if err, _, log := consoleRun(t, bin, small.writeRules(t, dir, 0, "@every 1h"), db); err != nil {
		t.Fatalf("first run: %v\n%s", err, log)
	}
	// Limit the size of any file embargo writes to a little more than the
	// database already is: the next batches cannot be stored. SIGXFSZ is
	// ignored, as a service manager would, so that writes fail with EFBIG.
	info, err := os.Stat(db)
	if err != nil {
		t.Fatal(err)
	}
	limitKB := info.Size()/1024 + 16
	bigRules := big.writeRules(t, dir, 0, "@every 1h")
	wrap := []string{"bash", "-c", fmt.Sprintf(`trap '' XFSZ; ulimit -f %d; exec "$@"`, limitKB), "bash"}
	err, out, fullLog := consoleRun(t, bin, bigRules, db, wrap...)
	log := fullLog
	if err == nil || !strings.Contains(log, "disk full or write error") {
		t.Fatalf("run with a full disk: err %v, log:\n%s", err, log)
	}
	if n := len(alertURLs(t, out)); n == len(big.allItemURLs()) {
		t.Fatalf("all %d alerts printed although none could be stored", n)
	}
	printed := alertURLs(t, out)

	// The file is intact, and once there is room again nothing is lost.
	s, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.IntegrityCheck(context.Background()); err != nil {
		t.Fatalf("database corrupt after the disk filled: %v", err)
	}
	s.Close()
	start := time.Now()
	err, out, log = consoleRun(t, bin, bigRules, db)
	if err != nil {
		t.Fatalf("run after room was made (%s): %v\n%s", time.Since(start), err, log)
	}
	got := append(printed, alertURLs(t, out)...)
	slices.Sort(got)
	if want := big.allItemURLs(); !slices.Equal(got, want) {
		t.Fatalf("after the disk filled and cleared: %d alerts printed in all, want each of %d once\ngot %v\nwant %v",
			len(got), len(want), got, want)
	}
}
