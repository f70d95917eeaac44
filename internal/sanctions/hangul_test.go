package sanctions

import (
	"strings"
	"testing"
)

func TestRomanizeHangul(t *testing.T) {
	tests := []struct{ in, want, canonical string }{
		{"김정은", "gim jeong eun", "kim chong un"},
		{"리성혁", "ri seong hyeok", "ri song hyok"},
		{"이성혁", "ri seong hyeok", "ri song hyok"},
		{"최룡해", "choe ryong hae", "choe ryong hae"},
		{"박 일규", "bak il gyu", "pak il kyu"},
		{"KIM 철", "kim cheol", "kim chol"},
	}
	for _, tt := range tests {
		got := romanizeHangul(tokenize(tt.in))
		if strings.Join(got, " ") != tt.want {
			t.Errorf("romanizeHangul(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if c := strings.Join(romanizeAll(got), " "); c != tt.canonical {
			t.Errorf("romanized %q normalizes to %q, want %q", tt.in, c, tt.canonical)
		}
	}
	if got := romanizeHangul([]string{"kim", "jong"}); got != nil {
		t.Errorf("Latin tokens romanized to %q", got)
	}
}
