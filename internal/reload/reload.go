// Package reload tells when the rule file should be read again: on SIGHUP
// and whenever the file changes on disk.
package reload

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Watcher calls Reload when the file at Path changes or the process gets
// SIGHUP. Bursts of events (an editor's write, rename and chmod) within
// Settle become one reload.
type Watcher struct {
	Path   string
	Reload func(ctx context.Context)
	Settle time.Duration // default 300ms
	Log    *slog.Logger
}

// Run watches until ctx is done. It watches the file's directory, not the
// file, because editors and config tools replace a file by renaming a new one
// over it, which ends a watch on the old inode.
func (w *Watcher) Run(ctx context.Context) error {
	if w.Settle <= 0 {
		w.Settle = 300 * time.Millisecond
	}
	if w.Log == nil {
		w.Log = slog.New(slog.DiscardHandler)
	}
	abs, err := filepath.Abs(w.Path)
	if err != nil {
		return fmt.Errorf("watch %s: %w", w.Path, err)
	}
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch %s: %w", w.Path, err)
	}
	defer fw.Close()
	if err := fw.Add(filepath.Dir(abs)); err != nil {
		return fmt.Errorf("watch %s: %w", filepath.Dir(abs), err)
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	return w.loop(ctx, abs, fw, hup)
}

func (w *Watcher) loop(ctx context.Context, abs string, fw *fsnotify.Watcher, hup <-chan os.Signal) error {
	settle := time.NewTimer(time.Hour)
	settle.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-hup:
			w.Log.Info("reloading rules on SIGHUP", "path", w.Path)
			w.Reload(ctx)
		case ev, ok := <-fw.Events:
			if !ok {
				return nil
			}
			if filepath.Clean(ev.Name) == abs && ev.Op&(fsnotify.Write|fsnotify.Create|fsnotify.Rename) != 0 {
				settle.Reset(w.Settle)
			}
		case err, ok := <-fw.Errors:
			if !ok {
				return nil
			}
			w.Log.Warn("watching the rule file", "path", w.Path, "err", err)
		case <-settle.C:
			w.Log.Info("reloading rules: the file changed", "path", w.Path)
			w.Reload(ctx)
		}
	}
}
