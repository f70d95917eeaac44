package store

import (
	"context"
	"testing"
)

// FuzzSearchAlerts checks that no text typed into /alerts makes the search
// fail: every input is either a valid FTS5 query or no query at all.
func FuzzSearchAlerts(f *testing.F) {
	for _, seed := range []string{
		`kursk`, `"`, `AND OR`, `*`, `-`, `NEAR(a b)`, `a:b`, `{a}: b`, `^x`, `"a" OR "b"`,
		`노동자*`, "\x00", `'); DROP TABLE alerts; --`, `a**`, `(`, `)`, `+`, `""""`,
	} {
		f.Add(seed)
	}
	db, _ := openTest(f)
	mustSaveBatch(f, db, batchOf("yonhap", "guid:a"))
	f.Fuzz(func(t *testing.T, text string) {
		if _, err := db.SearchAlerts(context.Background(), AlertQuery{Text: text}); err != nil {
			t.Fatalf("search %q (FTS5 %s): %v", text, ftsQuery(text), err)
		}
	})
}
