// Package logging builds embargo's slog logger: text or JSON, and with every
// secret (the Discord token, the webhook URL) masked wherever it would appear,
// in messages and attributes alike, whatever component logged it.
package logging

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// Mask replaces a secret in log output.
const Mask = "[REDACTED]"

// New returns a logger writing to w in format "text" or "json" at level
// ("debug", "info", "warn", "error"), masking each non-empty secret.
func New(w io.Writer, format, level string, secrets ...string) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lvl}
	var h slog.Handler
	switch format {
	case "text", "":
		h = slog.NewTextHandler(w, opts)
	case "json":
		h = slog.NewJSONHandler(w, opts)
	default:
		return nil, fmt.Errorf("log format %q: want text or json", format)
	}
	return slog.New(Redact(h, secrets...)), nil
}

// Redact wraps h so that no secret reaches it.
func Redact(h slog.Handler, secrets ...string) slog.Handler {
	var pairs []string
	for _, s := range secrets {
		if len(s) >= 8 { // shorter values would mask ordinary words
			pairs = append(pairs, s, Mask)
		}
	}
	if len(pairs) == 0 {
		return h
	}
	return &redactor{next: h, r: strings.NewReplacer(pairs...)}
}

type redactor struct {
	next slog.Handler
	r    *strings.Replacer
}

func (h *redactor) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h *redactor) Handle(ctx context.Context, rec slog.Record) error {
	clean := slog.NewRecord(rec.Time, rec.Level, h.r.Replace(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		clean.AddAttrs(h.attr(a))
		return true
	})
	return h.next.Handle(ctx, clean)
}

func (h *redactor) WithAttrs(attrs []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		clean[i] = h.attr(a)
	}
	return &redactor{next: h.next.WithAttrs(clean), r: h.r}
}

func (h *redactor) WithGroup(name string) slog.Handler {
	return &redactor{next: h.next.WithGroup(name), r: h.r}
}

// attr masks secrets in an attribute's value, rendering errors and other
// values to text first so that a secret inside an error message is caught.
func (h *redactor) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindGroup:
		group := v.Group()
		clean := make([]any, len(group))
		for i, g := range group {
			clean[i] = h.attr(g)
		}
		return slog.Group(a.Key, clean...)
	case slog.KindString:
		return slog.String(a.Key, h.r.Replace(v.String()))
	case slog.KindAny:
		return slog.String(a.Key, h.r.Replace(fmt.Sprint(v.Any())))
	default:
		return slog.Attr{Key: a.Key, Value: v}
	}
}
