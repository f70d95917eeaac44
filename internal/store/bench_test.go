package store

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

// BenchmarkSaveBatch stores fetches of 20 new items, each with one alert
// (the shape of a busy, relevant feed) or none (the common case); ns/item is
// the cost per item.
func BenchmarkSaveBatch(b *testing.B) {
	for _, alerts := range []int{1, 0} {
		b.Run(fmt.Sprintf("alerts=%d", alerts), func(b *testing.B) {
			benchmarkSaveBatch(b, alerts)
		})
	}
}

func benchmarkSaveBatch(b *testing.B, alertsPerItem int) {
	db, _ := openTest(b)
	ctx := context.Background()
	const perBatch = 20
	n := 0
	var took []time.Duration
	for b.Loop() {
		batch := Batch{Source: "bench", State: SourceState{Name: "bench", LastStatus: "ok"}}
		for range perBatch {
			n++
			key := fmt.Sprintf("guid:%d", n)
			bi := BatchItem{Item: item("bench", key, uint64(n))}
			for range alertsPerItem {
				bi.Alerts = append(bi.Alerts, Pending{
					Alert:   newsAlert("dprk-labor", "bench", "Headline "+key),
					Targets: []string{TargetConsole},
				})
			}
			batch.Items = append(batch.Items, bi)
		}
		start := time.Now()
		if _, err := db.SaveBatch(ctx, batch); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(start))
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/item")
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Nanoseconds()), "p50-ns/batch")
	b.ReportMetric(float64(took[len(took)*99/100].Nanoseconds()), "p99-ns/batch")
}

// BenchmarkSeenKeys asks which of a feed's 20 keys are stored, half of them.
func BenchmarkSeenKeys(b *testing.B) {
	db, _ := openTest(b)
	ctx := context.Background()
	batch := batchOf("bench")
	var keys []string
	for i := range 20 {
		key := fmt.Sprintf("guid:%d", i)
		keys = append(keys, key)
		if i%2 == 0 {
			batch.Items = append(batch.Items, BatchItem{Item: item("bench", key, uint64(i))})
		}
	}
	mustSaveBatch(b, db, batch)
	for b.Loop() {
		if seen, err := db.SeenKeys(ctx, keys); err != nil || len(seen) != 10 {
			b.Fatalf("seen %d, %v", len(seen), err)
		}
	}
}

// BenchmarkDueDeliveries polls a backlog of 20 pending deliveries behind a
// history of 20,000 delivered ones: the poll's cost must follow the backlog.
func BenchmarkDueDeliveries(b *testing.B) {
	db, _ := openTest(b)
	ctx := context.Background()
	const history, backlog = 20000, 20
	var ps []Pending
	for i := range history + backlog {
		ps = append(ps, Pending{
			Alert:   newsAlert("dprk-labor", "bench", fmt.Sprintf("Headline %d", i)),
			Targets: []string{ChannelTarget(fmt.Sprint(i % 7))},
		})
	}
	if _, err := db.SaveAlerts(ctx, ps); err != nil {
		b.Fatal(err)
	}
	_, err := db.write.ExecContext(ctx, `UPDATE outbox SET status = 'delivered' WHERE id <= ?`, history)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		due, err := db.DueDeliveries(ctx, "channel:", t0, 100)
		if err != nil || len(due) != backlog {
			b.Fatalf("due %d, %v", len(due), err)
		}
	}
}

// BenchmarkStoriesByURL looks up the article URLs of a feed's 20 new items,
// half of them stored, among 20,000 items (days of a busy monitor): the
// index on canonical_url keeps it from growing with the table.
func BenchmarkStoriesByURL(b *testing.B) {
	db, _ := openTest(b)
	ctx := context.Background()
	const stored = 20000
	for start := 0; start < stored; start += 500 {
		batch := Batch{Source: "bench"}
		for i := start; i < start+500; i++ {
			it := item("bench", fmt.Sprintf("guid:%d", i), uint64(i))
			it.CanonicalURL = it.URL
			batch.Items = append(batch.Items, BatchItem{Item: it})
		}
		mustSaveBatch(b, db, batch)
	}
	var urls []string
	for i := range 20 {
		urls = append(urls, fmt.Sprintf("https://news.example/guid:%d", stored-10+i))
	}
	for b.Loop() {
		if found, err := db.StoriesByURL(ctx, urls, t0.Add(-72*time.Hour)); err != nil || len(found) != 10 {
			b.Fatalf("found %d, %v", len(found), err)
		}
	}
}
