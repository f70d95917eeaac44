package source

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Kind classifies a failed fetch or parse, so that callers can decide what to
// do (back off, honour Retry-After, give up) without reading error strings.
type Kind int

// Kinds of failure.
const (
	KindNetwork   Kind = iota + 1 // connection refused, reset, DNS, TLS
	KindTimeout                   // no complete response within Options.Timeout
	KindCanceled                  // the caller's context ended first
	KindStatus                    // an HTTP status other than 2xx or 304
	KindTooLarge                  // the body exceeds Options.MaxBody
	KindRedirect                  // a redirect loop or too many redirects
	KindForbidden                 // refused by the address guard, a bad URL, or files not allowed
	KindFile                      // a local file could not be read
	KindParse                     // the body is not what was expected
)

var kindNames = map[Kind]string{
	KindNetwork:   "network",
	KindTimeout:   "timeout",
	KindCanceled:  "canceled",
	KindStatus:    "status",
	KindTooLarge:  "too large",
	KindRedirect:  "redirect",
	KindForbidden: "forbidden",
	KindFile:      "file",
	KindParse:     "parse",
}

func (k Kind) String() string {
	if name, ok := kindNames[k]; ok {
		return name
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Error is a failed fetch or parse of one URL. Its message is a sentence a
// user can act on, e.g. "GET https://x/feed: 429 Too Many Requests, retry
// after 2m0s".
type Error struct {
	Op         string // "GET", "read" (local file) or "parse"
	URL        string
	Kind       Kind
	Status     int           // KindStatus: the HTTP status
	RetryAfter time.Duration // KindStatus 429 and 503: the server's Retry-After, 0 if absent
	Err        error         // the underlying cause, when there is one
}

func (e *Error) Error() string {
	return e.Op + " " + e.URL + ": " + e.detail()
}

func (e *Error) detail() string {
	switch {
	case e.Kind == KindStatus:
		msg := fmt.Sprintf("%d %s", e.Status, http.StatusText(e.Status))
		if e.RetryAfter > 0 {
			msg += ", retry after " + e.RetryAfter.String()
		}
		return msg
	case e.Err != nil:
		return e.Err.Error()
	default:
		return e.Kind.String()
	}
}

func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the Kind of the first *Error in err's chain, or 0.
func KindOf(err error) Kind {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Kind
	}
	return 0
}

// formatSize writes a byte count the way limits are configured: "10 MiB".
func formatSize(n int64) string {
	const kib, mib = 1 << 10, 1 << 20
	switch {
	case n >= mib && n%mib == 0:
		return fmt.Sprintf("%d MiB", n/mib)
	case n >= kib && n%kib == 0:
		return fmt.Sprintf("%d KiB", n/kib)
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}
