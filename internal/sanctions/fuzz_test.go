package sanctions

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// The parsers either fail or return a complete, non-empty list whose entries
// all have a reference and a name; they never panic.

func FuzzParseUN(f *testing.F) {
	for _, name := range []string{"un_small.xml", "un_truncated.xml", "un_empty.xml"} {
		f.Add(readTestdata(f, name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := ParseUN(bytes.NewReader(data), "un")
		checkParsed(t, entries, err)
	})
}

func FuzzParseOFAC(f *testing.F) {
	f.Add(readTestdata(f, "ofac_sdn.csv"), readTestdata(f, "ofac_alt.csv"))
	f.Add(readTestdata(f, "ofac_sdn_malformed.csv"), []byte{})
	f.Fuzz(func(t *testing.T, sdn, alt []byte) {
		entries, err := ParseOFAC(bytes.NewReader(sdn), nil, bytes.NewReader(alt), "ofac")
		checkParsed(t, entries, err)
	})
}

func checkParsed(t *testing.T, entries []Entry, err error) {
	t.Helper()
	if err != nil {
		if entries != nil {
			t.Fatalf("error %v came with %d entries", err, len(entries))
		}
		return
	}
	if len(entries) == 0 {
		t.Fatal("no error and no entries")
	}
	for _, e := range entries {
		if e.Ref == "" || e.Name == "" {
			t.Fatalf("entry without reference or name: %+v", e)
		}
	}
	NewIndex(entries).Search(entries[0].Name, SearchOptions{}) // must not panic
	WatchTerms(entries)
}

func readTestdata(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return data
}
