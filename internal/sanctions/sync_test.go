package sanctions

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/embargo-watch/embargo/internal/alert"
	"github.com/embargo-watch/embargo/internal/store"
	"github.com/embargo-watch/embargo/rules"
)

// files is an Opener over in-memory files; a missing file fails to open, as
// a server that is down would.
type files map[string]string

func (f files) open(_ context.Context, url string) (io.ReadCloser, error) {
	body, ok := f[url]
	if !ok {
		return nil, fmt.Errorf("GET %s: connection refused", url)
	}
	return io.NopCloser(strings.NewReader(body)), nil
}

type unPerson struct{ ref, name, alias, listedOn string }

// unXML writes a UN Consolidated List of DPRK individuals.
func unXML(people ...unPerson) string {
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CONSOLIDATED_LIST><INDIVIDUALS>\n")
	for _, p := range people {
		first, rest, _ := strings.Cut(p.name, " ")
		fmt.Fprintf(&b, "<INDIVIDUAL><FIRST_NAME>%s</FIRST_NAME><SECOND_NAME>%s</SECOND_NAME>"+
			"<UN_LIST_TYPE>DPRK</UN_LIST_TYPE><REFERENCE_NUMBER>%s</REFERENCE_NUMBER><LISTED_ON>%s</LISTED_ON>"+
			"<INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>%s</ALIAS_NAME></INDIVIDUAL_ALIAS></INDIVIDUAL>\n",
			first, rest, p.ref, p.listedOn, p.alias)
	}
	b.WriteString("</INDIVIDUALS><ENTITIES/></CONSOLIDATED_LIST>\n")
	return b.String()
}

func people(n int) []unPerson {
	out := make([]unPerson, n)
	for i := range out {
		out[i] = unPerson{
			ref:      fmt.Sprintf("KPi.%03d", i+1),
			name:     fmt.Sprintf("KIM Person%c%c", 'A'+i/26, 'A'+i%26),
			alias:    fmt.Sprintf("Kim Alias%03d", i+1),
			listedOn: "2017-12-22",
		}
	}
	return out
}

var unList = rules.List{Name: "un", Format: "un", URL: "https://lists.test/consolidated.xml", Severity: map[string]string{"default": "medium"}}

type syncFixture struct {
	db     *store.DB
	files  files
	syncer *Syncer
	now    time.Time
}

func newSyncFixture(t *testing.T) *syncFixture {
	t.Helper()
	f := &syncFixture{files: files{}, now: time.Date(2026, 2, 27, 9, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return f.now }
	db, err := store.OpenWith(context.Background(), filepath.Join(t.TempDir(), "embargo.db"), store.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f.db = db
	f.syncer = &Syncer{Store: db, Open: f.files.open, Now: clock}
	return f
}

func toChannel(alert.Alert) []string { return []string{store.ChannelTarget("42")} }

func (f *syncFixture) sync(t *testing.T, l rules.List) Result {
	t.Helper()
	res, err := f.syncer.Sync(context.Background(), l, toChannel)
	if err != nil {
		t.Fatalf("Sync: %v", err)
	}
	return res
}

func (f *syncFixture) outbox(t *testing.T) []store.Delivery {
	t.Helper()
	d, err := f.db.DueDeliveries(context.Background(), "", f.now.Add(24*time.Hour), 1000)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (f *syncFixture) activeRefs(t *testing.T, list string) string {
	t.Helper()
	entries, err := f.syncer.Load(context.Background(), list)
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, e := range entries {
		refs = append(refs, e.Ref)
	}
	return strings.Join(refs, ",")
}

func TestSyncBaselineThenChanges(t *testing.T) {
	f := newSyncFixture(t)
	ps := people(10)
	f.files[unList.URL] = unXML(ps...)

	res := f.sync(t, unList)
	if !res.Baseline || res.Count != 10 || len(res.Changes) != 0 {
		t.Fatalf("first sync = %+v, want a baseline of 10 without changes", res)
	}
	if d := f.outbox(t); len(d) != 0 {
		t.Fatalf("baseline queued %d alerts", len(d))
	}

	if res := f.sync(t, unList); !res.Unchanged {
		t.Fatalf("same file again = %+v, want unchanged", res)
	}

	next := append([]unPerson{}, ps[1:]...)                                                // KPi.001 delisted
	next[0].alias = "Kim Renamed"                                                          // KPi.002 amended
	next = append(next, unPerson{"KPi.077", "KIM Chol Nam", "Kim Chol-nam", "2026-02-20"}) // designated
	f.files[unList.URL] = unXML(next...)
	res = f.sync(t, unList)
	var got []string
	for _, c := range res.Changes {
		got = append(got, c.Kind+" "+c.Ref)
	}
	if strings.Join(got, ",") != "added KPi.077,removed KPi.001,amended KPi.002" {
		t.Fatalf("changes = %q", got)
	}
	d := f.outbox(t)
	if len(d) != 3 {
		t.Fatalf("queued %d alerts, want 3", len(d))
	}
	var added alert.Alert
	for _, row := range d {
		if row.Target != "channel:42" || row.Alert.Rule != "designation-un" || row.Alert.Category != "designation" {
			t.Errorf("outbox row %+v", row)
		}
		if strings.Contains(row.Alert.Headline, "KPi.077") {
			added = row.Alert
		}
	}
	checks := []struct{ field, got, want string }{
		{"title", added.Title, "New UN designation"},
		{"headline", added.Headline, "KIM Chol Nam (KPi.077) added to the UN list, DPRK regime"},
		{"severity", added.Severity, "high"},
		{"references", strings.Join(added.References, "|"), "UNSC Consolidated List KPi.077"},
		{"source", added.Source, "un"},
		{"published", added.Published.Format(time.DateOnly), "2026-02-20"},
		{"entity", fmt.Sprint(added.Entities), "[{un KPi.077 KIM Chol Nam  DPRK}]"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("added alert %s = %q, want %q", c.field, c.got, c.want)
		}
	}
	if refs := f.activeRefs(t, "un"); !strings.Contains(refs, "KPi.077") || strings.Contains(refs, "KPi.001,") {
		t.Errorf("active version refs = %s", refs)
	}
}

func TestSyncRejectsBadFilesAndKeepsActiveVersion(t *testing.T) {
	good := unXML(people(10)...)
	tests := []struct {
		name string
		file *string // nil: the URL fails to open
	}{
		{"truncated", ptr(good[:len(good)/2])},
		{"malformed", ptr(strings.Replace(good, "</FIRST_NAME>", "</FIRST>", 1))},
		{"empty list", ptr("<CONSOLIDATED_LIST><INDIVIDUALS/></CONSOLIDATED_LIST>")},
		{"unreachable", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newSyncFixture(t)
			f.files[unList.URL] = good
			f.sync(t, unList)
			before := f.activeRefs(t, "un")
			if tt.file == nil {
				delete(f.files, unList.URL)
			} else {
				f.files[unList.URL] = *tt.file
			}
			if res, err := f.syncer.Sync(context.Background(), unList, toChannel); err == nil {
				t.Fatalf("Sync accepted the %s list: %+v", tt.name, res)
			}
			if after := f.activeRefs(t, "un"); after != before {
				t.Errorf("active version changed: %s → %s", before, after)
			}
			if d := f.outbox(t); len(d) != 0 {
				t.Errorf("a rejected list queued %d alerts", len(d))
			}
			// The next good fetch applies normally.
			f.files[unList.URL] = good
			if res := f.sync(t, unList); !res.Unchanged {
				t.Errorf("after recovery: %+v", res)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestSyncHoldsLargeDropUntilConfirmed(t *testing.T) {
	f := newSyncFixture(t)
	ps := people(10)
	f.files[unList.URL] = unXML(ps...)
	f.sync(t, unList)

	f.files[unList.URL] = unXML(ps[:7]...) // 30% gone
	res := f.sync(t, unList)
	if !res.Held || res.Reason == "" || len(res.Changes) != 0 {
		t.Fatalf("30%% drop = %+v, want held with a reason", res)
	}
	if !strings.Contains(res.Reason, "3 of 10 entries removed") {
		t.Errorf("reason %q does not give the counts", res.Reason)
	}
	if d := f.outbox(t); len(d) != 0 {
		t.Fatalf("held version queued %d alerts", len(d))
	}
	if refs := f.activeRefs(t, "un"); strings.Count(refs, ",") != 9 {
		t.Fatalf("held version was applied: %s", refs)
	}
	if again := f.sync(t, unList); !again.Held || again.VersionID != res.VersionID {
		t.Errorf("re-sync of the held file = %+v, want the same held version %d", again, res.VersionID)
	}

	confirmed, err := f.syncer.Confirm(context.Background(), unList, toChannel)
	if err != nil {
		t.Fatal(err)
	}
	if len(confirmed.Changes) != 3 || confirmed.Changes[0].Kind != Removed {
		t.Fatalf("confirm changes = %+v, want 3 removals", confirmed.Changes)
	}
	if d := f.outbox(t); len(d) != 3 {
		t.Errorf("confirm queued %d alerts, want 3", len(d))
	}
	if refs := f.activeRefs(t, "un"); strings.Count(refs, ",") != 6 {
		t.Errorf("after confirm the active version has %s", refs)
	}
	if _, err := f.syncer.Confirm(context.Background(), unList, toChannel); err == nil {
		t.Error("a second Confirm found something to confirm")
	}
	if res := f.sync(t, unList); !res.Unchanged {
		t.Errorf("sync after confirm = %+v, want unchanged", res)
	}
}

func TestSyncOFAC(t *testing.T) {
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	f := newSyncFixture(t)
	l := rules.List{Name: "ofac", Format: "ofac", URL: "https://ofac.test/downloads/SDN.CSV"}
	f.files["https://ofac.test/downloads/SDN.CSV"] = read("ofac_sdn.csv")
	f.files["https://ofac.test/downloads/ADD.CSV"] = read("ofac_add.csv")
	if _, err := f.syncer.Sync(context.Background(), l, toChannel); err == nil {
		t.Fatal("OFAC sync without ALT.CSV succeeded")
	}
	f.files["https://ofac.test/downloads/ALT.CSV"] = read("ofac_alt.csv")
	if res := f.sync(t, l); !res.Baseline || res.Count != 4 {
		t.Fatalf("OFAC baseline = %+v", res)
	}
	entries, err := f.syncer.LoadAll(context.Background(), []rules.List{unList, l})
	if err != nil || len(entries) != 4 {
		t.Fatalf("LoadAll = %d entries, %v", len(entries), err)
	}
	if hits := NewIndex(entries).Search("Kim Jong-un", SearchOptions{}); len(hits) == 0 || hits[0].Entry.Ref != "20157" {
		t.Errorf("the synced list is not searchable: %+v", hits)
	}
}

func TestLoadWithoutVersion(t *testing.T) {
	f := newSyncFixture(t)
	if _, err := f.syncer.Load(context.Background(), "un"); !errors.Is(err, ErrNoVersion) {
		t.Errorf("Load of a list never synced: %v, want ErrNoVersion", err)
	}
}

func TestSiblingURL(t *testing.T) {
	tests := []struct{ in, kind, want string }{
		{"https://www.treasury.gov/ofac/downloads/sdn.csv", "add", "https://www.treasury.gov/ofac/downloads/add.csv"},
		{"https://www.treasury.gov/ofac/downloads/SDN.CSV", "alt", "https://www.treasury.gov/ofac/downloads/ALT.CSV"},
		{"/data/ofac-2021/sdn.csv", "alt", "/data/ofac-2021/alt.csv"},
		{"file:///data/sdn.csv?v=2", "add", "file:///data/add.csv?v=2"},
		{"https://sdn.example/lists/sdn.csv", "add", "https://sdn.example/lists/add.csv"},
	}
	for _, tt := range tests {
		if got, err := SiblingURL(tt.in, tt.kind); err != nil || got != tt.want {
			t.Errorf("SiblingURL(%q, %q) = %q, %v; want %q", tt.in, tt.kind, got, err, tt.want)
		}
	}
	if _, err := SiblingURL("https://x.test/list.csv", "add"); err == nil {
		t.Error("a URL without sdn was accepted")
	}
}

func TestSeverity(t *testing.T) {
	l := rules.List{Severity: map[string]string{"IRAN": "low", "DPRK2": "critical", "default": "info"}}
	tests := []struct {
		programs []string
		want     string
	}{
		{[]string{"DPRK"}, "high"},
		{[]string{"DPRK2"}, "critical"},
		{[]string{"IRAN"}, "low"},
		{[]string{"NPWMD", "DPRK3"}, "high"},
		{[]string{"SDGT"}, "info"},
		{nil, "info"},
	}
	for _, tt := range tests {
		if got := Severity(l, tt.programs); got != tt.want {
			t.Errorf("Severity(%v) = %q, want %q", tt.programs, got, tt.want)
		}
	}
	if got := Severity(rules.List{}, []string{"SDGT"}); got != "medium" {
		t.Errorf("Severity without configuration = %q, want medium", got)
	}
}

// TestSyncUN2017To2026 applies the real 2026 list over the real 2017 one
// through the store, as a daily sync would after a long gap.
func TestSyncUN2017To2026(t *testing.T) {
	dir := sharedDir(t)
	if dir == "" {
		t.Skip("../shared/data not found beside the repository: real list data unavailable")
	}
	f := newSyncFixture(t)
	f.syncer.Open = func(_ context.Context, path string) (io.ReadCloser, error) { return os.Open(path) }
	l := unList
	l.URL = filepath.Join(dir, "data/un/consolidated-2017-07-03.xml")
	if res := f.sync(t, l); !res.Baseline || res.Count != 1021 {
		t.Fatalf("2017 baseline = %+v", res)
	}
	l.URL = filepath.Join(dir, "data/un/consolidated-2026-02-27.xml")
	// 224 of the 1021 entries of 2017 are gone by 2026, more than the guard
	// lets through at once, though the count only falls to 1003: held.
	held := f.sync(t, l)
	if !held.Held || !strings.Contains(held.Reason, "224 of 1021 entries removed") {
		t.Fatalf("2017 → 2026 = held %v (%q), want held for 224 removals", held.Held, held.Reason)
	}
	if d := f.outbox(t); len(d) != 0 {
		t.Fatalf("the held version queued %d alerts", len(d))
	}
	res, err := f.syncer.Confirm(context.Background(), l, toChannel)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, c := range res.Changes {
		counts[c.Kind]++
	}
	d := f.outbox(t)
	t.Logf("2017 → 2026: %d entries, %v, %d alerts queued", res.Count, counts, len(d))
	if res.Count != 1003 || len(d) != len(res.Changes) || counts[Added] < 150 || counts[Removed] != 224 {
		t.Errorf("confirmed sync = %d entries, %v, %d alerts", res.Count, counts, len(d))
	}
	for _, row := range d {
		a := row.Alert
		if strings.HasPrefix(a.Entities[0].Ref, "KPi.") && a.Severity != "high" {
			t.Errorf("DPRK designation %s has severity %s", a.Entities[0].Ref, a.Severity)
		}
		if strings.HasPrefix(a.Entities[0].Ref, "QDi.") && a.Severity != "medium" {
			t.Errorf("Al-Qaida designation %s has severity %s", a.Entities[0].Ref, a.Severity)
		}
	}
}

// TestSyncHoldsRemovalsHiddenByAdditions: the guard counts removed entries,
// so a version that loses 30% and gains as many is held too.
func TestSyncHoldsRemovalsHiddenByAdditions(t *testing.T) {
	f := newSyncFixture(t)
	ps := people(10)
	f.files[unList.URL] = unXML(ps...)
	f.sync(t, unList)

	next := append([]unPerson{}, ps[3:]...)
	for i := range 3 {
		next = append(next, unPerson{fmt.Sprintf("KPi.%03d", 100+i), fmt.Sprintf("RI New%c", 'A'+i), "", "2026-02-20"})
	}
	f.files[unList.URL] = unXML(next...)
	res := f.sync(t, unList)
	if !res.Held || res.Count != 10 || !strings.Contains(res.Reason, "3 of 10 entries removed") {
		t.Fatalf("3 removed, 3 added = %+v, want held", res)
	}
	confirmed, err := f.syncer.Confirm(context.Background(), unList, toChannel)
	if err != nil {
		t.Fatal(err)
	}
	if len(confirmed.Changes) != 6 || len(f.outbox(t)) != 6 {
		t.Errorf("confirm = %d changes, %d alerts; want 6 and 6", len(confirmed.Changes), len(f.outbox(t)))
	}

	// Two removals of ten stay under the guard and apply at once.
	f.files[unList.URL] = unXML(next[2:]...)
	if res := f.sync(t, unList); res.Held || len(res.Changes) != 2 {
		t.Errorf("2 of 10 removed = %+v, want applied", res)
	}
}

// ofacFixture serves the OFAC testdata files, sdn.csv replaced by sdn.
func ofacFixture(t *testing.T, f *syncFixture, sdn string) rules.List {
	t.Helper()
	for _, name := range []string{"add", "alt"} {
		b, err := os.ReadFile(filepath.Join("testdata", "ofac_"+name+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		f.files["https://ofac.test/"+name+".csv"] = string(b)
	}
	f.files["https://ofac.test/sdn.csv"] = sdn
	f.syncer.MaxDrop = 0.5 // one row of four may go
	return rules.List{Name: "ofac", Format: "ofac", URL: "https://ofac.test/sdn.csv"}
}

// TestSyncOFACEndOfFileMark: OFAC ends its files with 0x1A, so once a
// version came with the mark, an sdn.csv without it was cut short, even at
// a line boundary where it still parses. Files that never had the mark are
// taken as they are.
func TestSyncOFACEndOfFileMark(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "ofac_sdn.csv"))
	if err != nil {
		t.Fatal(err)
	}
	full := string(b)
	if !strings.HasSuffix(full, "\x1a") {
		t.Fatal("testdata/ofac_sdn.csv should end with 0x1A as OFAC's files do")
	}
	body := strings.TrimSuffix(full, "\x1a")
	cut := body[:strings.LastIndex(strings.TrimSuffix(body, "\n"), "\n")+1] // the last row gone

	t.Run("marked then cut", func(t *testing.T) {
		f := newSyncFixture(t)
		l := ofacFixture(t, f, full)
		f.sync(t, l)
		before := f.activeRefs(t, "ofac")
		f.files["https://ofac.test/sdn.csv"] = cut
		_, err := f.syncer.Sync(context.Background(), l, toChannel)
		if !errors.Is(err, ErrTruncated) || !strings.Contains(err.Error(), "sdn.csv") {
			t.Fatalf("Sync of a cut sdn.csv: %v, want ErrTruncated naming sdn.csv", err)
		}
		if after := f.activeRefs(t, "ofac"); after != before || len(f.outbox(t)) != 0 {
			t.Errorf("active %s → %s, %d alerts; want unchanged, none", before, after, len(f.outbox(t)))
		}
		f.files["https://ofac.test/sdn.csv"] = cut + "\x1a" // a real removal, marked
		if res := f.sync(t, l); len(res.Changes) != 1 || res.Changes[0].Kind != Removed {
			t.Errorf("marked file with a row gone = %+v, want one removal", res)
		}
	})
	t.Run("never marked", func(t *testing.T) {
		f := newSyncFixture(t)
		l := ofacFixture(t, f, body)
		f.sync(t, l)
		f.files["https://ofac.test/sdn.csv"] = cut
		if res := f.sync(t, l); len(res.Changes) != 1 || res.Changes[0].Kind != Removed {
			t.Errorf("hand-made file with a row gone = %+v, want one removal", res)
		}
	})
}

// TestDecodeSnapshotFirstForm: versions stored before the snapshot held
// more than the entries still load.
func TestDecodeSnapshotFirstForm(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(`[{"list":"un","ref":"KPi.001","type":"individual","name":"KIM A"}]`))
	zw.Close()
	snap, err := decodeSnapshot(buf.Bytes())
	if err != nil || len(snap.Entries) != 1 || snap.Entries[0].Ref != "KPi.001" || snap.EOFMarked != nil {
		t.Errorf("decodeSnapshot(first form) = %+v, %v", snap, err)
	}
	payload, _, err := encodeSnapshot(snapshot{EOFMarked: []string{"sdn.csv"}, Entries: snap.Entries})
	if err != nil {
		t.Fatal(err)
	}
	if back, err := decodeSnapshot(payload); err != nil || !slices.Equal(back.EOFMarked, []string{"sdn.csv"}) || len(back.Entries) != 1 {
		t.Errorf("round trip = %+v, %v", back, err)
	}
}

func TestSyncRecoveryDropsHeldVersion(t *testing.T) {
	f := newSyncFixture(t)
	good := unXML(people(10)...)
	f.files[unList.URL] = good
	f.sync(t, unList)
	f.files[unList.URL] = unXML(people(5)...)
	if res := f.sync(t, unList); !res.Held {
		t.Fatalf("50%% drop = %+v, want held", res)
	}
	f.files[unList.URL] = good // the upstream export is fixed
	if res := f.sync(t, unList); !res.Unchanged {
		t.Fatalf("back to the active list = %+v, want unchanged", res)
	}
	if _, err := f.syncer.Confirm(context.Background(), unList, toChannel); err == nil {
		t.Error("the superseded held version could still be confirmed")
	}
	if refs := f.activeRefs(t, "un"); strings.Count(refs, ",") != 9 {
		t.Errorf("active version = %s", refs)
	}
}
