package store

import (
	"context"
	"regexp"
	"testing"
	"time"
)

// A full scan of a table that keeps growing (the outbox keeps delivered
// rows, alerts stay searchable) would make the hot queries slower every day.
func TestHotQueriesUseIndexes(t *testing.T) {
	t.Parallel()
	db, _ := openTest(t)
	type built struct {
		name  string
		query string
		args  []any
	}
	var queries []built
	for _, prefix := range []string{"", "channel:", TargetConsole} {
		q, args := dueQuery(prefix, t0, 10)
		queries = append(queries, built{"due " + prefix, q, args})
	}
	for _, aq := range []AlertQuery{
		{}, {Text: "kursk"}, {Rule: "dprk-labor"}, {Since: t0.Add(-time.Hour)}, {Rule: "r", Since: t0},
	} {
		q, args, _ := searchQuery(aq)
		queries = append(queries, built{"search " + aq.Text + aq.Rule, q, args})
	}
	q, args := storiesByURLQuery([]string{"https://news.example/a", "https://news.example/b"}, t0)
	queries = append(queries, built{"stories by url", q, args})
	fullScan := regexp.MustCompile(`^SCAN (o|a|outbox|alerts|items|stories)$`)
	for _, b := range queries {
		for _, step := range queryPlan(t, db, b.query, b.args) {
			if fullScan.MatchString(step) {
				t.Errorf("%s: plan has %q\n%s", b.name, step, b.query)
			}
		}
	}
}

func queryPlan(t *testing.T, db *DB, query string, args []any) []string {
	t.Helper()
	rows, err := db.read.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var steps []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		steps = append(steps, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return steps
}
