package store

import (
	"context"
	"testing"
	"time"

	"github.com/embargo-watch/embargo/internal/alert"
)

// seedSearch stores three alerts, one minute apart, and returns them.
func seedSearch(t *testing.T) (*DB, []alert.Alert) {
	t.Helper()
	db, clock := openTest(t)
	texts := []struct{ rule, headline, snippet string }{
		{"dprk-labor", "North Korea sends 6,000 workers to Kursk", "military engineers to rebuild the région"},
		{"dprk-arms", "Shells shipped from Rason", "containers of artillery shells"},
		{"dprk-labor", "북한 노동자 러시아 파견", "Vladivostok construction sites"},
	}
	var stored []alert.Alert
	for i, tx := range texts {
		a := newsAlert(tx.rule, "src", tx.headline)
		a.Snippet = tx.snippet
		b := Batch{Source: "src", Items: []BatchItem{{
			Item:   item("src", "guid:"+tx.headline, uint64(i)),
			Alerts: []Pending{{Alert: a, Targets: []string{TargetConsole}}},
		}}}
		stored = append(stored, mustSaveBatch(t, db, b)...)
		clock.Advance(time.Minute)
	}
	return db, stored
}

func TestSearchAlerts(t *testing.T) {
	t.Parallel()
	db, stored := seedSearch(t)
	tests := []struct {
		name string
		q    AlertQuery
		want []int // indexes into stored, newest first
	}{
		{"all", AlertQuery{}, []int{2, 1, 0}},
		{"word in headline", AlertQuery{Text: "kursk"}, []int{0}},
		{"word in snippet", AlertQuery{Text: "artillery"}, []int{1}},
		{"number as phrase", AlertQuery{Text: "6,000"}, []int{0}},
		{"two words are ANDed", AlertQuery{Text: "shells Rason"}, []int{1}},
		{"words from different alerts", AlertQuery{Text: "Kursk Rason"}, nil},
		{"prefix", AlertQuery{Text: "Vladi*"}, []int{2}},
		{"diacritics folded", AlertQuery{Text: "region"}, []int{0}},
		{"hangul", AlertQuery{Text: "노동자"}, []int{2}},
		{"matched term", AlertQuery{Text: "workers"}, []int{2, 1, 0}},
		{"entity", AlertQuery{Text: "KPe.001"}, []int{2, 1, 0}},
		{"rule", AlertQuery{Rule: "dprk-labor"}, []int{2, 0}},
		{"rule and text", AlertQuery{Rule: "dprk-labor", Text: "Kursk"}, []int{0}},
		{"since", AlertQuery{Since: t0.Add(time.Minute)}, []int{2, 1}},
		{"limit", AlertQuery{Limit: 1}, []int{2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			found, err := db.SearchAlerts(context.Background(), tt.q)
			if err != nil {
				t.Fatal(err)
			}
			assertAlerts(t, found, stored, tt.want)
		})
	}
}

// Whatever a user types into /alerts, the search answers without an SQL or
// FTS5 syntax error.
func TestSearchAlertsHostileQueries(t *testing.T) {
	t.Parallel()
	db, stored := seedSearch(t)
	tests := []struct {
		text string
		want []int
	}{
		{`"`, nil},
		{`""`, nil},
		{`"Kursk`, []int{0}},
		{`Kursk"`, []int{0}},
		{`AND OR`, nil},
		{`NOT`, nil},
		{`Kursk AND`, nil}, // "and" is a word that no alert contains
		{`*`, nil},
		{`**Kursk`, []int{0}},
		{`-`, nil},
		{`-Kursk`, []int{0}},
		{`Kursk -Rason`, nil},
		{`NEAR(Kursk workers)`, nil}, // "near" is a word too
		{`headline:Kursk`, nil},
		{`{headline snippet}: Kursk`, nil},
		{`'; DROP TABLE alerts; --`, nil},
		{`^Kursk`, []int{0}},
		{`(Kursk`, []int{0}},
		{`🚢`, nil},
		{"\x00", nil},
		{"Kursk\x00\"", []int{0}},
		{"\xffKursk\xfe", []int{0}},
		{`노동자*`, []int{2}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			found, err := db.SearchAlerts(context.Background(), AlertQuery{Text: tt.text})
			if err != nil {
				t.Fatalf("query %q: %v", tt.text, err)
			}
			assertAlerts(t, found, stored, tt.want)
		})
	}
	if all, _ := db.SearchAlerts(context.Background(), AlertQuery{}); len(all) != 3 {
		t.Errorf("alerts table damaged: %d alerts left", len(all))
	}
}

func assertAlerts(t *testing.T, found, stored []alert.Alert, want []int) {
	t.Helper()
	var got, wantIDs []int64
	for _, a := range found {
		got = append(got, a.ID)
	}
	for _, i := range want {
		wantIDs = append(wantIDs, stored[i].ID)
	}
	if len(got) != len(wantIDs) {
		t.Fatalf("found alerts %v, want %v", got, wantIDs)
	}
	for i := range got {
		if got[i] != wantIDs[i] {
			t.Fatalf("found alerts %v, want %v", got, wantIDs)
		}
	}
}

func TestFTSQuery(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"kursk workers", `"kursk" "workers"`},
		{`say "hi"`, `"say" """hi"""`},
		{"vladi*", `"vladi"*`},
		{"* - AND", `"AND"`},
		{"  ", ""},
		{"a\x00b\tc", `"a" "b" "c"`},
		{"\xffab", `"ab"`},
	}
	for _, tt := range tests {
		if got := ftsQuery(tt.in); got != tt.want {
			t.Errorf("ftsQuery(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestSearchLimit(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want int }{{0, DefaultSearchLimit}, {-1, DefaultSearchLimit}, {7, 7}, {1e6, MaxSearchLimit}} {
		if got := searchLimit(tt.in); got != tt.want {
			t.Errorf("searchLimit(%d) = %d, want %d", tt.in, got, tt.want)
		}
	}
}
