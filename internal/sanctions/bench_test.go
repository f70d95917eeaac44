package sanctions

import (
	"bytes"
	"os"
	"runtime"
	"slices"
	"testing"
	"time"
)

func BenchmarkParseUN(b *testing.B) {
	data := readShared(b, "un/consolidated-2026-02-27.xml")
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParseUN(bytesReader(data), "un"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseOFAC(b *testing.B) {
	sdn, add, alt := readShared(b, "ofac-2021/sdn.csv"), readShared(b, "ofac-2021/add.csv"), readShared(b, "ofac-2021/alt.csv")
	b.SetBytes(int64(len(sdn) + len(add) + len(alt)))
	for b.Loop() {
		if _, err := ParseOFAC(bytesReader(sdn), bytesReader(add), bytesReader(alt), "ofac"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuildIndex builds the index of UN 2026 + OFAC 2021 and reports
// the CPU time per build and the heap the index holds.
func BenchmarkBuildIndex(b *testing.B) {
	entries := realLists(b)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var ix *Index
	startCPU := threadCPU()
	for b.Loop() {
		ix = NewIndex(entries)
	}
	b.ReportMetric(float64((threadCPU()-startCPU).Milliseconds())/float64(b.N), "cpu-ms/op")
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	ix = NewIndex(entries)
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "heap-MB")
	b.ReportMetric(float64(ix.Len()), "entries")
	runtime.KeepAlive(ix)
}

// BenchmarkSearch runs a mixed query set (listed names and their variants,
// aliases, names on no list, IMO numbers) and reports latency percentiles:
// wall clock, and CPU time of the searching thread, which a busy shared
// machine inflates less.
func BenchmarkSearch(b *testing.B) {
	entries := realLists(b)
	ix := NewIndex(entries)
	queries := benchQueries(b, entries)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	wall := make([]time.Duration, 0, b.N)
	cpu := make([]time.Duration, 0, b.N)
	i := 0
	for b.Loop() {
		start, startCPU := time.Now(), threadCPU()
		ix.Search(queries[i%len(queries)], SearchOptions{})
		cpu = append(cpu, threadCPU()-startCPU)
		wall = append(wall, time.Since(start))
		i++
	}
	reportPercentiles(b, "", wall)
	reportPercentiles(b, "cpu-", cpu)
}

func reportPercentiles(b *testing.B, prefix string, d []time.Duration) {
	slices.Sort(d)
	at := func(p float64) float64 { return float64(d[int(p*float64(len(d)-1))].Nanoseconds()) / 1e3 }
	b.ReportMetric(at(0.50), prefix+"p50-µs")
	b.ReportMetric(at(0.99), prefix+"p99-µs")
}

func benchQueries(b *testing.B, entries []Entry) []string {
	var queries []string
	for _, q := range generatedQueries(entries, 400) {
		queries = append(queries, q.text)
	}
	for _, q := range aliasQueries(entries, 200) {
		queries = append(queries, q.text)
	}
	names, err := readLines("testdata/eval_not_listed.txt")
	if err != nil {
		b.Fatal(err)
	}
	queries = append(queries, names...)
	queries = append(queries, "IMO 9187629", "Kim Jong Un", "Mohammed", "Al Qaida", "Korea Trading Company", "김정은")
	return queries
}

func bytesReader(data []byte) *bytes.Reader { return bytes.NewReader(data) }

func readShared(b *testing.B, rel string) []byte {
	f := sharedFile(b, rel)
	data, err := os.ReadFile(f.Name())
	if err != nil {
		b.Fatal(err)
	}
	return data
}
