package source

import (
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Conditional holds the validators of the previous successful fetch, sent as
// If-None-Match and If-Modified-Since so that an unchanged feed costs a 304.
type Conditional struct {
	ETag         string
	LastModified string
}

// Response is a completed fetch: a 2xx with its body, or a 304.
type Response struct {
	URL         string // after redirects
	Status      int
	Body        []byte // nil on 304
	ContentType string
	Header      http.Header
}

// NotModified reports a 304: the source has not changed since Conditional.
func (r *Response) NotModified() bool { return r.Status == http.StatusNotModified }

// ETag is the validator to send next time.
func (r *Response) ETag() string {
	// Ignore caching headers for feeds that ask not to be cached.
	if r.noCache() {
		return ""
	}
	return r.Header.Get("ETag")
}

// LastModified is the date to send as If-Modified-Since next time.
func (r *Response) LastModified() string {
	if r.noCache() {
		return ""
	}
	return r.Header.Get("Last-Modified")
}

func (r *Response) noCache() bool { return r.Header.Get("Expires") == "0" }

// Charset is the charset parameter of the Content-Type header, lower case,
// "" when absent.
func (r *Response) Charset() string { return charsetOf(r.ContentType) }

func charsetOf(contentType string) string {
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(params["charset"]))
}

// maxRetryAfter bounds what a server may ask for: a misconfigured Retry-After
// of a year must not silence a source for a year.
const maxRetryAfter = 24 * time.Hour

// parseRetryAfter reads Retry-After as delay-seconds or an HTTP date relative
// to now; 0 when absent, malformed or in the past.
func parseRetryAfter(value string, now time.Time) time.Duration {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0
	}
	var d time.Duration
	if seconds, err := strconv.ParseInt(value, 10, 64); err == nil {
		d = time.Duration(min(seconds, int64(maxRetryAfter/time.Second))) * time.Second
	} else if at, err := http.ParseTime(value); err == nil {
		d = at.Sub(now).Truncate(time.Second)
	}
	return min(max(d, 0), maxRetryAfter)
}
