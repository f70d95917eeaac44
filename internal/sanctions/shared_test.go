package sanctions

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// sharedDir is ../shared beside the repository root, where the real lists
// live; "" when it is absent.
func sharedDir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
	shared := filepath.Join(filepath.Dir(dir), "shared")
	if _, err := os.Stat(filepath.Join(shared, "data")); err != nil {
		return ""
	}
	return shared
}

// sharedFile opens a file under ../shared/data, skipping the test when the
// shared data is not there.
func sharedFile(tb testing.TB, rel string) *os.File {
	tb.Helper()
	dir := sharedDir(tb)
	if dir == "" {
		tb.Skip("../shared/data not found beside the repository: real list data unavailable")
	}
	f, err := os.Open(filepath.Join(dir, "data", rel))
	if err != nil {
		tb.Skipf("shared list data unavailable: %v", err)
	}
	tb.Cleanup(func() { f.Close() })
	return f
}

func parseUNFile(tb testing.TB, rel string) []Entry {
	tb.Helper()
	entries, err := ParseUN(sharedFile(tb, rel), "un")
	if err != nil {
		tb.Fatalf("ParseUN(%s): %v", rel, err)
	}
	return entries
}

func parseOFACFiles(tb testing.TB) []Entry {
	tb.Helper()
	entries, err := ParseOFAC(sharedFile(tb, "ofac-2021/sdn.csv"), sharedFile(tb, "ofac-2021/add.csv"), sharedFile(tb, "ofac-2021/alt.csv"), "ofac")
	if err != nil {
		tb.Fatalf("ParseOFAC: %v", err)
	}
	return entries
}

var (
	realOnce    sync.Once
	realEntries []Entry // UN 2026 + OFAC 2021, parsed once per test binary
)

// realLists returns the real UN 2026 and OFAC 2021 entries, or skips.
func realLists(tb testing.TB) []Entry {
	tb.Helper()
	if sharedDir(tb) == "" {
		tb.Skip("../shared/data not found beside the repository: real list data unavailable")
	}
	realOnce.Do(func() {
		realEntries = append(parseUNFile(tb, "un/consolidated-2026-02-27.xml"), parseOFACFiles(tb)...)
	})
	if len(realEntries) == 0 {
		tb.Fatal("real lists failed to parse earlier")
	}
	return realEntries
}
