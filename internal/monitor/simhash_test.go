package monitor

import (
	"math/bits"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const kurskLead = `North Korea will send 6,000 military builders and deminers to Russia's
Kursk region to help rebuild infrastructure destroyed in fighting with Ukraine, Russian
Security Council Secretary Sergei Shoigu said on Tuesday after talks with Kim Jong Un in
Pyongyang. Shoigu said 1,000 of them would be military engineers who would clear mines,
while 5,000 military builders would restore destroyed infrastructure. It was Shoigu's second
visit to Pyongyang in two weeks, underscoring the deepening military cooperation between the
two countries since Pyongyang sent troops to fight alongside Russian forces.`

func TestFingerprintNearDuplicates(t *testing.T) {
	base := Fingerprint("North Korea to send 6,000 workers to rebuild Russia's Kursk", kurskLead)
	tests := []struct {
		name     string
		title    string
		body     string
		nearWant bool
	}{
		{"identical", "North Korea to send 6,000 workers to rebuild Russia's Kursk", kurskLead, true},
		{"case and punctuation", "NORTH KOREA TO SEND 6,000 WORKERS TO REBUILD RUSSIA'S KURSK!", kurskLead, true},
		{"one word of the title changed", "North Korea to send 6,000 builders to rebuild Russia's Kursk", kurskLead, true},
		{"outlet's own title, same wire copy", "N. Korea to send 6,000 workers to rebuild Kursk", kurskLead, true},
		{"wire copy with a dateline", "North Korea to send 6,000 workers to rebuild Russia's Kursk", "MOSCOW (Reuters) - " + kurskLead, true},
		{"another story on the same subject", "North Korean workers seen at Vladivostok construction sites",
			`Dozens of North Korean laborers have been working at apartment construction sites in
Vladivostok despite a UN ban, according to satellite imagery and interviews with local residents.
The workers arrived on student visas last year, the residents said, and live in dormitories on site.`, false},
		{"unrelated story", "Oil prices rise as OPEC+ extends cuts",
			`Oil prices rose on Monday after OPEC+ agreed to extend its output cuts into the next quarter,
tightening supply as demand in Asia recovers.`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Hamming(base, Fingerprint(tt.title, tt.body))
			t.Logf("distance %d", d)
			if got := d <= nearDuplicate; got != tt.nearWant {
				t.Errorf("distance %d: near duplicate = %v, want %v", d, got, tt.nearWant)
			}
		})
	}
}

func TestFingerprintIsStable(t *testing.T) {
	// Fingerprints are stored: a change of hash or tokenizer would make every
	// stored story unrecognisable. This value pins them.
	const want = uint64(0xa5c58d3802d4f160)
	got := Fingerprint("North Korea to send 6,000 workers to rebuild Russia's Kursk", kurskLead)
	if got != want {
		t.Errorf("Fingerprint changed: %#x, want %#x", got, want)
	}
}

func TestFingerprintLeadIsBounded(t *testing.T) {
	lead := strings.Repeat(kurskLead+" ", 2) // longer than leadWords
	if n := len(strings.Fields(lead)); n <= leadWords {
		t.Fatalf("lead of %d words is too short for this test", n)
	}
	long := lead
	for range 20 {
		long += " Unrelated paragraph about the weather in Moscow and the price of bread."
	}
	a := Fingerprint("Kursk workers", lead)
	b := Fingerprint("Kursk workers", long)
	if a != b {
		t.Errorf("text after the first %d words changed the fingerprint (%d bits)", leadWords, Hamming(a, b))
	}
}

func TestHash64SpreadsBits(t *testing.T) {
	// Every bit of the hash must be set about half the time, or SimHash
	// fingerprints lean towards fixed values.
	var ones [64]int
	const n = 4000
	for i := range n {
		h := hash64(string(rune('a'+i%26)) + " " + string(rune('a'+i/26%26)) + string(rune('0'+i/676)))
		for bit := range 64 {
			ones[bit] += int(h >> bit & 1)
		}
	}
	for bit, c := range ones {
		if c < n*4/10 || c > n*6/10 {
			t.Errorf("bit %d set %d of %d times", bit, c, n)
		}
	}
}

func TestHamming(t *testing.T) {
	for _, tt := range []struct {
		a, b uint64
		want int
	}{{0, 0, 0}, {0, 1, 1}, {0xff, 0x0f, 4}, {0, ^uint64(0), 64}} {
		if got := Hamming(tt.a, tt.b); got != tt.want || got != bits.OnesCount64(tt.a^tt.b) {
			t.Errorf("Hamming(%#x, %#x) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func BenchmarkFingerprint(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Fingerprint("North Korea to send 6,000 workers to rebuild Russia's Kursk", kurskLead)
	}
}

// TestDifferentStoriesStayApart fingerprints the news texts that the default
// rule pack is evaluated on (rules/testdata/news: many stories on the same
// few subjects, in several languages): no two of them may be taken for one
// story.
func TestDifferentStoriesStayApart(t *testing.T) {
	files, err := filepath.Glob("../../rules/testdata/news/*.txt")
	if err != nil || len(files) < 10 {
		t.Skip("the news texts of rules/testdata/news are not here")
	}
	fps := make([]uint64, len(files))
	for i, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		for strings.HasPrefix(text, "#") { // the evaluation's annotations
			_, text, _ = strings.Cut(text, "\n")
		}
		title, body, _ := strings.Cut(strings.TrimSpace(text), "\n")
		fps[i] = Fingerprint(title, body)
	}
	closest := 64
	for i := range fps {
		for j := i + 1; j < len(fps); j++ {
			d := Hamming(fps[i], fps[j])
			closest = min(closest, d)
			if d <= nearDuplicate {
				t.Errorf("%s and %s are %d bits apart: taken for one story", filepath.Base(files[i]), filepath.Base(files[j]), d)
			}
		}
	}
	t.Logf("%d texts, closest pair %d bits apart", len(files), closest)
}
