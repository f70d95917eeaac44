// Package delivery drains the outbox: it hands each due delivery to a Sender
// and records the outcome, retrying with backoff. The console sink, the
// webhook and the Discord bot are Senders.
package delivery

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/embargo-watch/embargo/internal/store"
)

// Sender delivers one alert to one target and returns the id of the message it
// created ("" where the target has none, as on the console).
type Sender interface {
	Send(ctx context.Context, d store.Delivery) (messageID string, err error)
}

// RetryAfterError asks for another try no sooner than After (Discord's 429).
type RetryAfterError struct {
	After time.Duration
	Err   error
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("retry after %s: %v", e.After, e.Err)
}
func (e *RetryAfterError) Unwrap() error { return e.Err }

// PermanentError means retrying cannot help (403 missing access, 404 unknown
// channel): the delivery fails with this reason.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// SkipError means the delivery was deliberately not sent (a mute, a removed
// subscription, a filter that no longer matches).
type SkipError struct{ Reason string }

func (e *SkipError) Error() string { return "skipped: " + e.Reason }

// IsPermanent reports whether err is a PermanentError.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}
