package rules

import (
	"fmt"
	"syscall"
	"testing"
	"time"
)

func cpuNow() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestAdhocCPU(t *testing.T) {
	b := &testing.B{}
	text := newsText(b)
	s, name := benchPack(b)
	packs := map[string]*Set{name: s, "100": mustParse(t, termPack(100)), "20000": mustParse(t, termPack(20000))}
	for name, s := range packs {
		s.Match(text)
		const n = 200
		c0 := cpuNow()
		for range n {
			s.Match(text)
		}
		d := (cpuNow() - c0) / n
		fmt.Printf("%s: %v cpu/doc, %.1f MB/s\n", name, d, float64(len(text))/d.Seconds()/1e6)
	}
	y := []byte(termPack(20000))
	c0 := cpuNow()
	Parse("x", y)
	fmt.Println("compile 20000:", cpuNow()-c0)
}

func TestAdhocNormalize(t *testing.T) {
	b := &testing.B{}
	text := newsText(b)
	n := newNormalizer(true)
	nonASCII := 0
	for _, r := range text {
		if r >= 0x80 {
			nonASCII++
		}
	}
	c0 := cpuNow()
	for range 200 {
		n.normalize(text)
	}
	d := (cpuNow() - c0) / 200
	fmt.Printf("normalize: %v/doc %.1f MB/s, %d bytes, %d non-ASCII runes\n", d, float64(len(text))/d.Seconds()/1e6, len(text), nonASCII)
	sc := newScratch(mustParse(t, termPack(100)))
	c0 = cpuNow()
	for range 200 {
		sc.words = wordStarts(n.text, sc.words[:0])
	}
	d = (cpuNow() - c0) / 200
	fmt.Printf("wordStarts: %v/doc\n", d)
}

func TestAdhocStats(t *testing.T) {
	s, _ := benchPack(&testing.B{})
	text := newsText(&testing.B{})
	sc := s.prepare(text)
	fmt.Printf("states %d rows %d classes %d patterns %d variants %d slots %d hits %d raw %d\n", len(s.auto.fail), len(s.auto.rows)/s.auto.classes, s.auto.classes, len(s.auto.patLen), len(s.variants), len(s.slotGroup), len(sc.hits), len(sc.raw))
	s.release(sc)
}
