package reload

import (
	"context"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// startWatcher runs a Watcher on a fresh rule file and returns a channel
// that receives once per reload.
func startWatcher(t *testing.T) (path string, reloads <-chan struct{}) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "rules.yaml")
	if err := os.WriteFile(path, []byte("version: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ch := make(chan struct{}, 16)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	w := &Watcher{Path: path, Settle: 100 * time.Millisecond, Reload: func(context.Context) { ch <- struct{}{} }}
	go func() { done <- w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	time.Sleep(50 * time.Millisecond) // let the watch start
	return path, ch
}

func waitReload(t *testing.T, reloads <-chan struct{}, why string) {
	t.Helper()
	select {
	case <-reloads:
	case <-time.After(10 * time.Second):
		t.Fatalf("no reload after %s", why)
	}
}

func TestReloadOnWrite(t *testing.T) {
	path, reloads := startWatcher(t)
	if err := os.WriteFile(path, []byte("version: 1\nrules: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitReload(t, reloads, "writing the file")
}

func TestReloadOnRenameOver(t *testing.T) {
	path, reloads := startWatcher(t)
	tmp := path + ".new"
	if err := os.WriteFile(tmp, []byte("version: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	waitReload(t, reloads, "renaming a new file over it")
}

func TestReloadOnSIGHUP(t *testing.T) {
	// Keep SIGHUP from ending the test process should it arrive before the
	// watcher has subscribed; resend until the watcher has seen one.
	guard := make(chan os.Signal, 16)
	signal.Notify(guard, syscall.SIGHUP)
	defer signal.Stop(guard)
	_, reloads := startWatcher(t)
	deadline := time.After(10 * time.Second)
	for {
		if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		select {
		case <-reloads:
			return
		case <-time.After(200 * time.Millisecond):
		case <-deadline:
			t.Fatal("no reload after SIGHUP")
		}
	}
}

func TestOtherFilesIgnored(t *testing.T) {
	path, reloads := startWatcher(t)
	if err := os.WriteFile(filepath.Join(filepath.Dir(path), "notes.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	select {
	case <-reloads:
		t.Fatal("a change to another file in the directory caused a reload")
	case <-time.After(500 * time.Millisecond):
	}
	// The watch is still there for the rule file itself.
	if err := os.WriteFile(path, []byte("version: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitReload(t, reloads, "writing the file")
}
