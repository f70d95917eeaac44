package rules

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// referenceNormalize is the normalization spelled out with x/text alone:
// NFKC, full case folding, separators to one space, format characters
// dropped.
func referenceNormalize(s string) string {
	folded := cases.Fold().String(norm.NFKC.String(strings.ToValidUTF8(s, "\uFFFD")))
	var b strings.Builder
	for _, r := range folded {
		switch {
		case isSeparator(r):
			if str := b.String(); len(str) > 0 && !strings.HasSuffix(str, " ") {
				b.WriteByte(' ')
			}
		case unicode.Is(unicode.Cf, r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// TestNormalizeAgreesWithReference checks the table-driven fast path
// against x/text for every character of the Basic Multilingual Plane (the
// plane the table covers) between letters, and for a sample of the rest.
func TestNormalizeAgreesWithReference(t *testing.T) {
	n := newNormalizer(true)
	bad := 0
	for r := rune(0x80); r < 0x30000 && bad < 10; r++ {
		if !utf8.ValidRune(r) || r >= 0x10000 && r%97 != 0 {
			continue
		}
		for _, s := range []string{"a" + string(r) + "b", "e" + string(r)} {
			n.normalize(s)
			if got, want := string(n.text), referenceNormalize(s); got != want {
				t.Errorf("%U in %+q: got %+q, want %+q", r, s, got, want)
				bad++
			}
			if len(n.src) != len(n.text)+1 || n.src[len(n.src)-1] != int32(len(s)) {
				t.Fatalf("%U: offset map of %d entries for %d bytes", r, len(n.src), len(n.text))
			}
		}
	}
}

func TestNormalizeOffsets(t *testing.T) {
	tests := []struct {
		in   string
		want string
		src  []int32
	}{
		{"Ab  C", "ab c", []int32{0, 1, 2, 4, 5}},
		{"ﬁx", "fix", []int32{0, 0, 3, 4}},
		{"e\u0301t", "ét", []int32{0, 0, 3, 4}},
		{"\xffa", "\uFFFDa", []int32{0, 0, 0, 1, 2}},
		{"Ｎ-\u00adＫ", "n k", []int32{0, 3, 6, 9}},
	}
	n := newNormalizer(true)
	for _, tt := range tests {
		n.normalize(tt.in)
		if string(n.text) != tt.want {
			t.Errorf("%+q: got %+q, want %+q", tt.in, n.text, tt.want)
			continue
		}
		for i, want := range tt.src {
			if n.src[i] != want {
				t.Errorf("%+q: src = %v, want %v", tt.in, n.src, tt.src)
				break
			}
		}
	}
}
