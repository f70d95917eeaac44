// Package console is the sink used when no Discord token or webhook is set:
// it prints each alert from the outbox on a writer, either as readable text
// or, with --json, as one alert.Alert JSON object per line.
package console

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/embargo-watch/embargo/internal/alert"
	"github.com/embargo-watch/embargo/internal/delivery"
	"github.com/embargo-watch/embargo/internal/store"
)

// Sender prints alerts. It is safe for concurrent use: the delivery worker
// sends to several targets at once, and lines of two alerts must not mix.
type Sender struct {
	mu   sync.Mutex
	w    io.Writer
	json bool
}

// NewSender returns a Sender that prints on w, as JSON lines when jsonOut.
func NewSender(w io.Writer, jsonOut bool) delivery.Sender {
	return &Sender{w: w, json: jsonOut}
}

// Send prints one delivery's alert. The console creates no message, so the
// message id is always empty.
func (s *Sender) Send(ctx context.Context, d store.Delivery) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	out, err := s.format(d.Alert)
	if err != nil {
		return "", &delivery.PermanentError{Err: fmt.Errorf("format alert %d: %w", d.Alert.ID, err)}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.w.Write(out); err != nil {
		return "", fmt.Errorf("print alert %d: %w", d.Alert.ID, err)
	}
	return "", nil
}

func (s *Sender) format(a alert.Alert) ([]byte, error) {
	if s.json {
		if a.Input == "" {
			a.Input = a.URL // what the rules read, as in `embargo check --json`
		}
		b, err := json.Marshal(a)
		if err != nil {
			return nil, err
		}
		return append(b, '\n'), nil
	}
	return []byte(Format(a)), nil
}

// Format renders an alert as a few readable lines followed by a blank line.
// Text that came from a feed is stripped of control characters so that a
// hostile feed cannot send escape sequences to the terminal.
func Format(a alert.Alert) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[%s] %s — %s\n", a.Severity, a.Rule, clean(a.Title))
	if a.Headline != "" {
		fmt.Fprintf(&b, "  %s\n", clean(a.Headline))
	}
	if a.URL != "" {
		fmt.Fprintf(&b, "  %s\n", clean(a.URL))
	}
	writeField(&b, "source", sourceLine(a))
	if a.Snippet != "" {
		b.WriteString(wrap(clean(markSnippet(a)), snippetWidth, "  "))
	}
	writeField(&b, "quantities", quantitiesLine(a.Quantities))
	writeField(&b, "entities", entitiesLine(a.Entities))
	writeField(&b, "legal basis", clean(strings.Join(a.References, "; ")))
	b.WriteString("\n")
	return b.String()
}

// snippetWidth is where snippet lines are wrapped, in characters.
const snippetWidth = 100

// wrap breaks text into lines of at most width characters (longer words
// stay whole), each starting with indent and ending with a newline.
func wrap(text string, width int, indent string) string {
	var b strings.Builder
	line := 0
	for _, word := range strings.Fields(text) {
		n := utf8.RuneCountInString(word)
		switch {
		case line == 0:
			b.WriteString(indent)
		case line+1+n > width:
			b.WriteString("\n" + indent)
			line = 0
		default:
			b.WriteByte(' ')
			line++
		}
		b.WriteString(word)
		line += n
	}
	if line > 0 {
		b.WriteByte('\n')
	}
	return b.String()
}

func writeField(b *strings.Builder, name, value string) {
	if value != "" {
		fmt.Fprintf(b, "  %s: %s\n", name, value)
	}
}

func sourceLine(a alert.Alert) string {
	var parts []string
	if a.Source != "" {
		parts = append(parts, clean(a.Source))
	}
	if !a.Published.IsZero() {
		parts = append(parts, "published "+a.Published.UTC().Format(time.RFC3339))
	}
	if len(a.AlsoReportedBy) > 0 {
		parts = append(parts, "also reported by "+clean(strings.Join(a.AlsoReportedBy, ", ")))
	}
	return strings.Join(parts, " · ")
}

func quantitiesLine(qs []alert.Quantity) string {
	texts := make([]string, 0, len(qs))
	for _, q := range qs {
		texts = append(texts, clean(q.Text))
	}
	return strings.Join(texts, ", ")
}

func entitiesLine(es []alert.Entity) string {
	texts := make([]string, 0, len(es))
	for _, e := range es {
		ref := strings.TrimSpace(e.List + " " + e.Ref)
		if e.Program != "" {
			ref += ", " + e.Program
		}
		texts = append(texts, fmt.Sprintf("%s (%s)", clean(e.Name), clean(ref)))
	}
	return strings.Join(texts, "; ")
}

// markSnippet wraps the matched words of the snippet in ** … **: at the
// alert's highlights, or, for alerts that carry none, wherever the matched
// texts occur (match offsets point into the full text, not the snippet).
func markSnippet(a alert.Alert) string {
	marked := make([]bool, len(a.Snippet)+1)
	if len(a.Highlights) > 0 {
		for _, h := range a.Highlights {
			for i := max(h.Start, 0); i < min(h.End, len(a.Snippet)); i++ {
				marked[i] = true
			}
		}
	} else {
		markTexts(a.Snippet, a.Matches, marked)
	}
	var b strings.Builder
	inside := false
	for i := 0; i <= len(a.Snippet); i++ {
		if marked[i] != inside {
			b.WriteString("**")
			inside = marked[i]
		}
		if i < len(a.Snippet) {
			b.WriteByte(a.Snippet[i])
		}
	}
	return b.String()
}

func markTexts(snippet string, matches []alert.Match, marked []bool) {
	for _, m := range matches {
		if m.Text == "" {
			continue
		}
		for from := 0; ; {
			i := strings.Index(snippet[from:], m.Text)
			if i < 0 {
				break
			}
			start := from + i
			for j := start; j < start+len(m.Text); j++ {
				marked[j] = true
			}
			from = start + len(m.Text)
		}
	}
}

// clean drops control and bidirectional formatting characters and folds
// line breaks into spaces, so that each field stays on its line.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case unicode.IsControl(r), unicode.Is(unicode.Bidi_Control, r):
			return -1
		}
		return r
	}, s)
}
