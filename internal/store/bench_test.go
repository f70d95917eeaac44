package store

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkSaveBatch stores fetches of 20 new items with one alert each, the
// common shape of a busy feed; ns/item is the cost per item.
func BenchmarkSaveBatch(b *testing.B) {
	db, _ := openTest(b)
	ctx := context.Background()
	const perBatch = 20
	n := 0
	for b.Loop() {
		batch := Batch{Source: "bench", State: SourceState{Name: "bench", LastStatus: "ok"}}
		for range perBatch {
			n++
			key := fmt.Sprintf("guid:%d", n)
			batch.Items = append(batch.Items, BatchItem{
				Item:   item("bench", key, uint64(n)),
				Alerts: []Pending{{Alert: newsAlert("dprk-labor", "bench", "Headline "+key), Targets: []string{TargetConsole}}},
			})
		}
		if _, err := db.SaveBatch(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/item")
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
