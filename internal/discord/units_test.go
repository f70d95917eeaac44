package discord

import (
	"strings"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr string
	}{
		{in: "2h", want: 2 * time.Hour},
		{in: "3d", want: 72 * time.Hour},
		{in: "1w", want: 7 * 24 * time.Hour},
		{in: "90m", want: 90 * time.Minute},
		{in: "1d12h", want: 36 * time.Hour},
		{in: " 1D 2H ", want: 26 * time.Hour},
		{in: "90d", want: 90 * 24 * time.Hour},
		{in: "", wantErr: "needed"},
		{in: "2", wantErr: "unit"},
		{in: "h", wantErr: "unit"},
		{in: "2y", wantErr: "unit"},
		{in: "-2h", wantErr: "unit"},
		{in: "0m", wantErr: "at least"},
		{in: "91d", wantErr: "at most"},
		{in: "99999999999999999999w", wantErr: "unit"},
		{in: "14w", wantErr: "at most"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDuration(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseDuration(%q) = %v, %v; want error with %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseDuration(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestNonce(t *testing.T) {
	a := Nonce(42, "1001")
	if a != Nonce(42, "1001") {
		t.Fatal("nonce differs between calls")
	}
	seen := map[string]bool{}
	for alertID := int64(1); alertID <= 200; alertID++ {
		for _, ch := range []string{"1001", "1002", "1003"} {
			n := Nonce(alertID, ch)
			if len(n) > maxNonce || len(n) == 0 {
				t.Fatalf("nonce %q is %d long", n, len(n))
			}
			if seen[n] {
				t.Fatalf("nonce %q repeats", n)
			}
			seen[n] = true
		}
	}
}

func TestPageIDRoundTrip(t *testing.T) {
	id := pageID("alerts", 3, "d=7&q=kursk")
	cmd, page, args, ok := parsePageID(id)
	if !ok || cmd != "alerts" || page != 3 || args != "d=7&q=kursk" {
		t.Fatalf("parsePageID(%q) = %q %d %q %v", id, cmd, page, args, ok)
	}
	for _, bad := range []string{"", "page:x", "other:alerts:1:", "page:alerts:-1:", "page:alerts:x:"} {
		if _, _, _, ok := parsePageID(bad); ok {
			t.Errorf("parsePageID(%q) accepted", bad)
		}
	}
}

func TestPagedList(t *testing.T) {
	var lines []string
	for i := range 25 {
		lines = append(lines, strings.Repeat("x", 10)+string(rune('a'+i)))
	}
	first := pagedList("T", lines, 0, "rules", "")
	if got := strings.Count(first.Embeds[0].Description, "\n") + 1; got != pageLines {
		t.Errorf("first page has %d lines", got)
	}
	if len(first.Components) != 1 || first.Embeds[0].Footer.Text != "Page 1 of 3" {
		t.Fatalf("components %v footer %+v", first.Components, first.Embeds[0].Footer)
	}
	last := pagedList("T", lines, 7, "rules", "")
	if last.Embeds[0].Footer.Text != "Page 3 of 3" || !strings.HasSuffix(last.Embeds[0].Description, "xy") {
		t.Errorf("last page: %q %q", last.Embeds[0].Footer.Text, last.Embeds[0].Description)
	}
	long := pagedList("T", lines, 0, "alerts", strings.Repeat("q", 100))
	if len(long.Components) != 0 || !strings.Contains(long.Embeds[0].Footer.Text, "narrow") {
		t.Errorf("custom id over 100 characters not avoided: %+v", long.Components)
	}
	single := pagedList("T", lines[:3], 0, "rules", "")
	if len(single.Components) != 0 || single.Embeds[0].Footer != nil {
		t.Errorf("one page has buttons or a footer")
	}
}
