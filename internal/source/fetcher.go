package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/embargo-watch/embargo/internal/netguard"
)

// DefaultUserAgent names the project to the sites it polls, with a link that
// tells an operator who is fetching and why.
const DefaultUserAgent = "embargo/0.1 (+https://github.com/embargo-watch/embargo)"

// Defaults for the zero fields of Options.
const (
	DefaultTimeout = 30 * time.Second
	DefaultMaxBody = 10 << 20
	DefaultPerHost = 2
	DefaultWorkers = 16
)

// maxRedirects is how many redirects one fetch follows.
const maxRedirects = 10

const acceptHeader = "application/rss+xml, application/atom+xml, application/feed+json, " +
	"application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.8, */*;q=0.5"

// Options configure a Fetcher; zero fields take the defaults above.
type Options struct {
	UserAgent  string
	Timeout    time.Duration // per request, from sending it to the last body byte
	MaxBody    int64         // bytes, after decompression
	PerHost    int           // concurrent fetches against one host
	Workers    int           // concurrent fetches in all
	Policy     netguard.Policy
	AllowFiles bool // local paths and file:// URLs are read from disk
}

func (o Options) withDefaults() Options {
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.PerHost <= 0 {
		o.PerHost = DefaultPerHost
	}
	if o.Workers <= 0 {
		o.Workers = DefaultWorkers
	}
	return o
}

// Fetcher fetches URLs politely and safely: one shared client and connection
// pool, conditional GET, a timeout and a size cap on every request, a limit
// per host and in all, and every dialled address checked by the guard. It is
// safe for concurrent use.
type Fetcher struct {
	opts    Options
	client  *http.Client
	hosts   *hostLimiter
	workers semaphore
}

// NewFetcher returns a Fetcher with its own connection pool.
func NewFetcher(opts Options) *Fetcher {
	opts = opts.withDefaults()
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	transport := &http.Transport{
		// No proxy: the guard judges the address dialled, and through a proxy
		// that would be the proxy's, never the target's.
		Proxy:       nil,
		DialContext: opts.Policy.DialContext(dialer),
		// A custom DialContext turns HTTP/2 off unless asked for.
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           100,
		MaxIdleConnsPerHost:    opts.PerHost,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    10 * time.Second,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
	return &Fetcher{
		opts:    opts,
		client:  &http.Client{Transport: transport, CheckRedirect: checkRedirect},
		hosts:   newHostLimiter(opts.PerHost),
		workers: make(semaphore, opts.Workers),
	}
}

// CloseIdleConnections closes the pooled connections not in use, as on
// shutdown; the Fetcher stays usable.
func (f *Fetcher) CloseIdleConnections() { f.client.CloseIdleConnections() }

var (
	errRedirectLoop     = errors.New("redirect loop")
	errTooManyRedirects = errors.New("too many redirects")
	errNoResponse       = errors.New("no response in time")
)

// checkRedirect vets every hop: the scheme and credentials here, the address
// in the dialer.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if err := netguard.CheckURL(req.URL.String()); err != nil {
		return fmt.Errorf("redirect to %s: %w", req.URL.Redacted(), err)
	}
	next := req.URL.String()
	for _, prev := range via {
		if prev.URL.String() == next {
			return fmt.Errorf("%w: %s redirects back to itself", errRedirectLoop, req.URL.Redacted())
		}
	}
	if len(via) > maxRedirects {
		return fmt.Errorf("%w (more than %d)", errTooManyRedirects, maxRedirects)
	}
	return nil
}

// Fetch GETs rawURL, sending c's validators. A 304 is a Response whose
// NotModified is true; any other status outside 2xx is an *Error of
// KindStatus. Local paths and file:// URLs are read from disk when the
// Options allow it. Every error is an *Error.
func (f *Fetcher) Fetch(ctx context.Context, rawURL string, c Conditional) (*Response, error) {
	if isLocal(rawURL) {
		return f.readFile(ctx, rawURL, c)
	}
	if err := netguard.CheckURL(rawURL); err != nil {
		return nil, &Error{Op: "GET", URL: redact(rawURL), Kind: KindForbidden, Err: err}
	}
	host := hostKey(rawURL)
	if err := f.hosts.acquire(ctx, host); err != nil {
		return nil, &Error{Op: "GET", URL: redact(rawURL), Kind: KindCanceled, Err: err}
	}
	defer f.hosts.release(host)
	if err := f.workers.acquire(ctx); err != nil {
		return nil, &Error{Op: "GET", URL: redact(rawURL), Kind: KindCanceled, Err: err}
	}
	defer f.workers.release()
	return f.get(ctx, rawURL, c)
}

// get runs one request, redirects included, under Options.Timeout.
func (f *Fetcher) get(ctx context.Context, rawURL string, c Conditional) (*Response, error) {
	reqCtx, cancel := context.WithTimeoutCause(ctx, f.opts.Timeout, errNoResponse)
	defer cancel()
	req, err := f.newRequest(reqCtx, rawURL, c)
	if err != nil {
		return nil, &Error{Op: "GET", URL: redact(rawURL), Kind: KindForbidden, Err: err}
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, f.failure(ctx, reqCtx, rawURL, err)
	}
	defer resp.Body.Close()

	out := &Response{
		URL:         resp.Request.URL.String(),
		Status:      resp.StatusCode,
		ContentType: resp.Header.Get("Content-Type"),
		Header:      resp.Header,
	}
	switch {
	case resp.StatusCode == http.StatusNotModified:
		return out, nil
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		// Read a little of the error page so the connection can be reused.
		_, _ = io.CopyN(io.Discard, resp.Body, 16<<10)
		return nil, statusError(rawURL, resp)
	}
	out.Body, err = readBody(resp.Body, resp.ContentLength, f.opts.MaxBody)
	if err != nil {
		return nil, f.failure(ctx, reqCtx, rawURL, err)
	}
	return out, nil
}

// newRequest builds the GET with the project's User-Agent and the
// validators of the last fetch. Accept-Encoding is left to the transport,
// which then decompresses gzip itself, so that MaxBody counts decoded bytes.
func (f *Fetcher) newRequest(ctx context.Context, rawURL string, c Conditional) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", f.opts.UserAgent)
	req.Header.Set("Accept", acceptHeader)
	if c.ETag != "" {
		req.Header.Set("If-None-Match", c.ETag)
	}
	if c.LastModified != "" {
		req.Header.Set("If-Modified-Since", c.LastModified)
	}
	return req, nil
}

func statusError(rawURL string, resp *http.Response) *Error {
	e := &Error{Op: "GET", URL: redact(rawURL), Kind: KindStatus, Status: resp.StatusCode}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	return e
}

// errTooLarge carries the limit so that the message can name it.
type errTooLarge struct{ limit int64 }

func (e errTooLarge) Error() string { return "body exceeds " + formatSize(e.limit) }

// readBody reads at most limit bytes and fails, without reading further, as
// soon as the body proves longer.
func readBody(r io.Reader, contentLength, limit int64) ([]byte, error) {
	if contentLength > limit {
		return nil, errTooLarge{limit}
	}
	var buf bytes.Buffer
	if contentLength > 0 {
		buf.Grow(int(contentLength))
	}
	n, err := buf.ReadFrom(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if n > limit {
		return nil, errTooLarge{limit}
	}
	return buf.Bytes(), nil
}

// failure turns what the client or body read returned into an *Error whose
// Kind says what went wrong and whose message says it once.
func (f *Fetcher) failure(ctx, reqCtx context.Context, rawURL string, err error) *Error {
	e := &Error{Op: "GET", URL: redact(rawURL), Kind: KindNetwork, Err: unwrapURLError(err)}
	var refused *netguard.AddrError
	var tooLarge errTooLarge
	switch {
	case ctx.Err() != nil:
		e.Kind, e.Err = KindCanceled, context.Cause(ctx)
	case errors.Is(context.Cause(reqCtx), errNoResponse):
		e.Kind, e.Err = KindTimeout, fmt.Errorf("no response within %s", f.opts.Timeout)
	case errors.As(err, &tooLarge):
		e.Kind = KindTooLarge
	case errors.As(err, &refused):
		e.Kind, e.Err = KindForbidden, refused
	case errors.Is(err, netguard.ErrInvalidURL), errors.Is(err, netguard.ErrForbidden):
		e.Kind = KindForbidden
	case errors.Is(err, errRedirectLoop), errors.Is(err, errTooManyRedirects):
		e.Kind = KindRedirect
	case isTimeout(err):
		e.Kind = KindTimeout
	}
	return e
}

func isTimeout(err error) bool {
	var netErr net.Error
	return errors.As(err, &netErr) && netErr.Timeout()
}

// unwrapURLError drops the "Get "url": " prefix that Error already carries.
func unwrapURLError(err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return ue.Err
	}
	return err
}

// hostKey is the per-host limiter's key: host and port, lower case.
func hostKey(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	return strings.ToLower(u.Host)
}

// redact hides credentials in a URL meant for an error message or a log; a
// user name alone may be a token.
func redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.User == nil {
		return rawURL
	}
	u.User = url.User("REDACTED")
	return u.String()
}
