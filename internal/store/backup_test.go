package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestBackupAndRestore(t *testing.T) {
	t.Parallel()
	db, _ := openTest(t)
	ctx := context.Background()
	stored := mustSaveBatch(t, db, batchOf("yonhap", "guid:a"))
	dest := filepath.Join(t.TempDir(), "backup.db")
	if err := db.Backup(ctx, dest); err != nil {
		t.Fatal(err)
	}
	if err := db.Backup(ctx, dest); !errors.Is(err, os.ErrExist) {
		t.Errorf("backup over an existing file: %v, want ErrExist", err)
	}
	mustSaveBatch(t, db, batchOf("yonhap", "guid:after-backup"))

	restored, err := Open(ctx, dest)
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	if err := restored.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
	seen, err := restored.SeenKeys(ctx, []string{"guid:a", "guid:after-backup"})
	if err != nil || !seen["guid:a"] || seen["guid:after-backup"] {
		t.Errorf("backup holds %v, %v; want the state at backup time", seen, err)
	}
	if found, err := restored.SearchAlerts(ctx, AlertQuery{Text: "workers"}); err != nil || len(found) != 1 || found[0].ID != stored[0].ID {
		t.Errorf("search in the backup = %+v, %v", found, err)
	}
}
