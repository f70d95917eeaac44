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
