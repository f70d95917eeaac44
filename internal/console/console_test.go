package console

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/embargo-watch/embargo/internal/alert"
	"github.com/embargo-watch/embargo/internal/delivery"
	"github.com/embargo-watch/embargo/internal/store"
)

func kurskAlert() alert.Alert {
	return alert.Alert{
		ID:         7,
		Rule:       "dprk-labor-abroad",
		Title:      "DPRK workers earning income abroad",
		Category:   "labor",
		Severity:   "high",
		References: []string{"UNSCR 2397 (2017) OP8", "UNSCR 2375 (2017) OP17"},
		Headline:   "North Korea to send 6,000 workers to Kursk",
		URL:        "https://news.example.org/kursk",
		Source:     "nknews",
		Published:  time.Date(2026, 6, 17, 9, 30, 0, 0, time.UTC),
		Snippet:    "…North Korea will send 6,000 workers to Russia's Kursk region…",
		Matches: []alert.Match{
			{Group: "dprk", Term: "North Korea", Text: "North Korea", Start: 0, End: 11},
			{Group: "workers", Term: "worker*", Text: "workers", Start: 30, End: 37},
		},
		Quantities:     []alert.Quantity{{Text: "6,000 workers", Value: 6000, Group: "workers"}},
		Entities:       []alert.Entity{{List: "un", Ref: "KPe.001", Name: "KOREA MINING DEVELOPMENT TRADING CORPORATION", Program: "DPRK"}},
		AlsoReportedBy: []string{"yonhap"},
	}
}

func send(t *testing.T, s delivery.Sender, a alert.Alert) {
	t.Helper()
	id, err := s.Send(context.Background(), store.Delivery{ID: 1, Target: store.TargetConsole, Alert: a})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if id != "" {
		t.Errorf("message id = %q, want empty on the console", id)
	}
}

func TestReadableOutput(t *testing.T) {
	var out bytes.Buffer
	send(t, NewSender(&out, false), kurskAlert())
	got := out.String()
	for _, want := range []string{
		"[high] dprk-labor-abroad — DPRK workers earning income abroad\n",
		"  North Korea to send 6,000 workers to Kursk\n",
		"  https://news.example.org/kursk\n",
		"source: nknews · published 2026-06-17T09:30:00Z · also reported by yonhap",
		"…**North Korea** will send 6,000 **workers** to Russia's Kursk region…",
		"quantities: 6,000 workers",
		"entities: KOREA MINING DEVELOPMENT TRADING CORPORATION (un KPe.001, DPRK)",
		"legal basis: UNSCR 2397 (2017) OP8; UNSCR 2375 (2017) OP17",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q\n%s", want, got)
		}
	}
}

func TestReadableOutputDropsTerminalControls(t *testing.T) {
	a := kurskAlert()
	a.Headline = "Evil\x1b[2J headline\u202e reversed\nsecond line"
	var out bytes.Buffer
	send(t, NewSender(&out, false), a)
	got := out.String()
	if strings.ContainsAny(got, "\x1b\u202e") {
		t.Errorf("control characters reached the terminal: %q", got)
	}
	if !strings.Contains(got, "  Evil[2J headline reversed second line\n") {
		t.Errorf("headline not cleaned onto one line:\n%s", got)
	}
}

func TestMarkSnippet(t *testing.T) {
	tests := []struct {
		name       string
		snippet    string
		highlights []alert.Span
		texts      []string
		want       string
	}{
		{"none", "nothing here", nil, nil, "nothing here"},
		{"highlights", "North Korea sends workers", []alert.Span{{Start: 0, End: 11}, {Start: 18, End: 25}}, nil, "**North Korea** sends **workers**"},
		{"highlights win over texts", "workers and workers", []alert.Span{{Start: 12, End: 19}}, []string{"workers"}, "workers and **workers**"},
		{"highlight out of range is cut", "workers", []alert.Span{{Start: 0, End: 99}}, nil, "**workers**"},
		{"texts: each occurrence", "workers and workers", nil, []string{"workers"}, "**workers** and **workers**"},
		{"texts: overlapping merge", "6,000 workers", nil, []string{"6,000 workers", "workers"}, "**6,000 workers**"},
		{"texts: non-ASCII", "북한 노동자들이", nil, []string{"북한", "노동자"}, "**북한** **노동자**들이"},
		{"texts: absent", "short", nil, []string{"missing"}, "short"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := alert.Alert{Snippet: tt.snippet, Highlights: tt.highlights}
			for _, x := range tt.texts {
				a.Matches = append(a.Matches, alert.Match{Text: x})
			}
			if got := markSnippet(a); got != tt.want {
				t.Errorf("markSnippet(%q) = %q, want %q", tt.snippet, got, tt.want)
			}
		})
	}
}

func TestWrap(t *testing.T) {
	tests := []struct {
		text  string
		width int
		want  string
	}{
		{"", 10, ""},
		{"one two three", 20, "> one two three\n"},
		{"one two three", 6, "> one\n> two\n> three\n"},
		{"one two three", 8, "> one two\n> three\n"},
		{"a verylongwordindeed b", 5, "> a\n> verylongwordindeed\n> b\n"},
		{"북한 노동자들이 파견", 8, "> 북한 노동자들이\n> 파견\n"},
		{"  spaces   collapse  ", 20, "> spaces collapse\n"},
	}
	for _, tt := range tests {
		if got := wrap(tt.text, tt.width, "> "); got != tt.want {
			t.Errorf("wrap(%q, %d) = %q, want %q", tt.text, tt.width, got, tt.want)
		}
	}
}

func TestJSONOutputIsTheAlert(t *testing.T) {
	var out bytes.Buffer
	want := kurskAlert()
	send(t, NewSender(&out, true), want)
	if n := strings.Count(out.String(), "\n"); n != 1 {
		t.Fatalf("want one line, got %d: %q", n, out.String())
	}
	var fields map[string]any
	if err := json.Unmarshal(out.Bytes(), &fields); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	for _, k := range []string{"id", "rule", "category", "severity", "title", "url", "source", "published", "references", "matches", "quantities", "entities"} {
		if _, ok := fields[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, out.String())
		}
	}
	var got alert.Alert
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.ID != want.ID || got.Rule != want.Rule || !got.Published.Equal(want.Published) || got.Quantities[0].Value != 6000 {
		t.Errorf("round trip: got %+v", got)
	}
}

// lineWriter records each Write call, so a test can see whether two alerts
// were written in pieces that interleave.
type lineWriter struct {
	mu         sync.Mutex
	writes     [][]byte
	busy       bool
	overlapped bool
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	if w.busy {
		w.overlapped = true
	}
	w.busy = true
	w.writes = append(w.writes, append([]byte(nil), p...))
	w.mu.Unlock()
	w.mu.Lock()
	w.busy = false
	w.mu.Unlock()
	return len(p), nil
}

func TestConcurrentSendsWriteWholeLines(t *testing.T) {
	w := &lineWriter{}
	s := NewSender(w, true)
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			a := kurskAlert()
			a.ID = int64(i + 1)
			if _, err := s.Send(context.Background(), store.Delivery{Alert: a}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if w.overlapped {
		t.Error("two writes overlapped")
	}
	seen := map[int64]bool{}
	for _, p := range w.writes {
		sc := bufio.NewScanner(bytes.NewReader(p))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var a alert.Alert
			if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
				t.Fatalf("broken line %q: %v", sc.Text(), err)
			}
			seen[a.ID] = true
		}
	}
	if len(seen) != 50 {
		t.Errorf("printed %d distinct alerts, want 50", len(seen))
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestWriteErrorIsRetryable(t *testing.T) {
	_, err := NewSender(failingWriter{}, false).Send(context.Background(), store.Delivery{Alert: kurskAlert()})
	if err == nil || delivery.IsPermanent(err) || !strings.Contains(err.Error(), "broken pipe") {
		t.Errorf("err = %v, want a retryable error naming the cause", err)
	}
}

func TestCancelledContextPrintsNothing(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	if _, err := NewSender(&out, false).Send(ctx, store.Delivery{Alert: kurskAlert()}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if out.Len() != 0 {
		t.Errorf("printed %q after cancel", out.String())
	}
}
