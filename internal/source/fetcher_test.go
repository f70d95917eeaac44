package source

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/embargo-watch/embargo/internal/netguard"
)

// loopbackOnly lets tests reach their httptest servers on 127.0.0.1 and
// nothing else that the guard refuses.
var loopbackOnly = netguard.Policy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}

func newTestFetcher(opts Options) *Fetcher {
	if opts.Policy.Allow == nil && !opts.Policy.AllowPrivate {
		opts.Policy = loopbackOnly
	}
	return NewFetcher(opts)
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// wantKind fails the test unless err is an *Error of kind whose message
// contains each of the given fragments.
func wantKind(t *testing.T, err error, kind Kind, fragments ...string) *Error {
	t.Helper()
	var fe *Error
	if !errors.As(err, &fe) {
		t.Fatalf("got %v (%T), want *Error of kind %s", err, err, kind)
	}
	if fe.Kind != kind {
		t.Fatalf("got kind %s (%v), want %s", fe.Kind, err, kind)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q does not contain %q", err, f)
		}
	}
	return fe
}

func TestFetchConditionalGET(t *testing.T) {
	const etag = `"rss-v7"`
	const modified = "Thu, 26 Nov 2026 18:05:00 GMT"
	feed := readFixture(t, "rss.xml")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", modified)
		if r.Header.Get("If-None-Match") == etag || r.Header.Get("If-Modified-Since") == modified {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		_, _ = w.Write(feed)
	}))
	defer srv.Close()
	f := newTestFetcher(Options{})

	first, err := f.Fetch(context.Background(), srv.URL, Conditional{})
	if err != nil {
		t.Fatal(err)
	}
	if first.NotModified() || !bytes.Equal(first.Body, feed) {
		t.Fatalf("first fetch: status %d, %d bytes; want 200 with the feed", first.Status, len(first.Body))
	}
	if first.ETag() != etag || first.LastModified() != modified {
		t.Fatalf("validators = %q, %q; want %q, %q", first.ETag(), first.LastModified(), etag, modified)
	}
	if first.Charset() != "utf-8" {
		t.Errorf("Charset() = %q, want utf-8", first.Charset())
	}

	for name, c := range map[string]Conditional{
		"etag":          {ETag: first.ETag()},
		"last-modified": {LastModified: first.LastModified()},
	} {
		t.Run(name, func(t *testing.T) {
			again, err := f.Fetch(context.Background(), srv.URL, c)
			if err != nil {
				t.Fatal(err)
			}
			if !again.NotModified() || again.Body != nil {
				t.Fatalf("conditional fetch: status %d, %d bytes; want 304 and no body", again.Status, len(again.Body))
			}
		})
	}
}

func TestResponseIgnoresValidatorsWhenExpiresZero(t *testing.T) {
	r := &Response{Header: http.Header{"Etag": {`"x"`}, "Last-Modified": {"Mon, 02 Jan 2006 15:04:05 GMT"}, "Expires": {"0"}}}
	if r.ETag() != "" || r.LastModified() != "" {
		t.Errorf("validators %q, %q kept despite Expires: 0", r.ETag(), r.LastModified())
	}
}

func TestFetchGzipAndUserAgent(t *testing.T) {
	feed := readFixture(t, "atom.xml")
	var userAgent atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		userAgent.Store(r.Header.Get("User-Agent"))
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			t.Error("request does not accept gzip")
		}
		w.Header().Set("Content-Type", "application/atom+xml")
		w.Header().Set("Content-Encoding", "gzip")
		gz := gzip.NewWriter(w)
		_, _ = gz.Write(feed)
		_ = gz.Close()
	}))
	defer srv.Close()

	resp, err := newTestFetcher(Options{}).Fetch(context.Background(), srv.URL, Conditional{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(resp.Body, feed) {
		t.Fatalf("body is %d bytes, want the %d-byte feed decompressed", len(resp.Body), len(feed))
	}
	ua, _ := userAgent.Load().(string)
	if ua != DefaultUserAgent || !strings.HasPrefix(ua, "embargo/") {
		t.Errorf("User-Agent = %q, want %q", ua, DefaultUserAgent)
	}
}

func TestFetchGzipBombIsCappedAfterDecompression(t *testing.T) {
	var packed bytes.Buffer
	gz := gzip.NewWriter(&packed)
	_, _ = gz.Write(make([]byte, 4<<20)) // 4 MiB of zeros, a few KiB packed
	_ = gz.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(packed.Bytes())
	}))
	defer srv.Close()
	_, err := newTestFetcher(Options{MaxBody: 1 << 20}).Fetch(context.Background(), srv.URL, Conditional{})
	wantKind(t, err, KindTooLarge, "body exceeds 1 MiB")
}

func TestFetchStatusAndRetryAfter(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name       string
		status     int
		retryAfter string
		want       time.Duration // lower bound of RetryAfter
		upTo       time.Duration // upper bound
		message    string
	}{
		{"429 seconds", 429, "120", 2 * time.Minute, 2 * time.Minute, "429 Too Many Requests, retry after 2m0s"},
		{"503 date", 503, now.Add(90 * time.Second).UTC().Format(http.TimeFormat), 60 * time.Second, 90 * time.Second, "503 Service Unavailable, retry after"},
		{"429 without header", 429, "", 0, 0, "429 Too Many Requests"},
		{"429 date in the past", 429, now.Add(-time.Hour).UTC().Format(http.TimeFormat), 0, 0, "429 Too Many Requests"},
		{"429 garbage", 429, "soon", 0, 0, "429 Too Many Requests"},
		{"429 absurd", 429, "99999999999", maxRetryAfter, maxRetryAfter, "retry after 24h0m0s"},
		{"500 ignores Retry-After", 500, "30", 0, 0, "500 Internal Server Error"},
		{"404", 404, "", 0, 0, "404 Not Found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				w.WriteHeader(tt.status)
			}))
			defer srv.Close()
			_, err := newTestFetcher(Options{}).Fetch(context.Background(), srv.URL+"/feed", Conditional{})
			fe := wantKind(t, err, KindStatus, "GET "+srv.URL+"/feed: ", tt.message)
			if fe.Status != tt.status {
				t.Errorf("Status = %d, want %d", fe.Status, tt.status)
			}
			if fe.RetryAfter < tt.want || fe.RetryAfter > tt.upTo {
				t.Errorf("RetryAfter = %s, want between %s and %s", fe.RetryAfter, tt.want, tt.upTo)
			}
		})
	}
}

// streamingServer streams size bytes of feed-like text and records how many
// bytes it managed to write before the client hung up.
func streamingServer(t *testing.T, size int64, declareLength bool) (*httptest.Server, func() int64) {
	var written atomic.Int64
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(done)
		if declareLength {
			w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		chunk := bytes.Repeat([]byte("<item><title>x</title></item>\n"), 1024)
		for written.Load() < size {
			n, err := w.Write(chunk[:min(int64(len(chunk)), size-written.Load())])
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	return srv, func() int64 { <-done; return written.Load() }
}

func TestFetchStopsAtMaxBody(t *testing.T) {
	const size = 50 << 20
	for _, declared := range []bool{false, true} {
		t.Run(fmt.Sprintf("Content-Length declared %v", declared), func(t *testing.T) {
			srv, written := streamingServer(t, size, declared)
			f := newTestFetcher(Options{MaxBody: 1 << 20})

			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := f.Fetch(context.Background(), srv.URL, Conditional{})
			var after runtime.MemStats
			runtime.ReadMemStats(&after)

			wantKind(t, err, KindTooLarge, "GET "+srv.URL+": body exceeds 1 MiB")
			// The client stopped reading at the cap and hung up; what the
			// server still wrote fits in socket buffers, far from 50 MB.
			if n := written(); n >= size/2 {
				t.Errorf("server wrote %d bytes before the fetch gave up, want far less than %d", n, size)
			}
			if allocated := after.TotalAlloc - before.TotalAlloc; allocated > 16<<20 {
				t.Errorf("fetch allocated %d bytes for a 1 MiB cap", allocated)
			}
		})
	}
}

// silentServer accepts requests and never answers until the client leaves.
func silentServer(t *testing.T) (*httptest.Server, <-chan struct{}) {
	arrived := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	return srv, arrived
}

func TestFetchTimeout(t *testing.T) {
	srv, _ := silentServer(t)
	f := newTestFetcher(Options{Timeout: 50 * time.Millisecond})
	_, err := f.Fetch(context.Background(), srv.URL, Conditional{})
	wantKind(t, err, KindTimeout, "GET "+srv.URL+": no response within 50ms")
}

func TestFetchTimeoutWhileReadingBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		_, _ = w.Write([]byte(`<?xml version="1.0"?><rss version="2.0"><channel>`))
		w.(http.Flusher).Flush()
		<-r.Context().Done() // headers and a first chunk, then nothing
	}))
	defer srv.Close()
	f := newTestFetcher(Options{Timeout: 100 * time.Millisecond})
	_, err := f.Fetch(context.Background(), srv.URL, Conditional{})
	wantKind(t, err, KindTimeout, "no response within 100ms")
}

func TestFetchCanceledByContext(t *testing.T) {
	srv, arrived := silentServer(t)
	f := newTestFetcher(Options{Timeout: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-arrived
		cancel()
	}()
	_, err := f.Fetch(ctx, srv.URL, Conditional{})
	wantKind(t, err, KindCanceled, "context canceled")
}

func TestFetchRedirects(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/a", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/b", http.StatusFound) })
	mux.HandleFunc("/b", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/a", http.StatusMovedPermanently) })
	mux.HandleFunc("/chain/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.PathValue("n"))
		http.Redirect(w, r, fmt.Sprintf("/chain/%d", n+1), http.StatusFound)
	})
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/feed", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/feed", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("<rss/>")) })
	mux.HandleFunc("/to-ftp", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "ftp://files.example.org/feed", http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	f := newTestFetcher(Options{})

	t.Run("followed", func(t *testing.T) {
		resp, err := f.Fetch(context.Background(), srv.URL+"/moved", Conditional{})
		if err != nil {
			t.Fatal(err)
		}
		if resp.URL != srv.URL+"/feed" {
			t.Errorf("final URL = %q, want %q", resp.URL, srv.URL+"/feed")
		}
	})
	t.Run("loop", func(t *testing.T) {
		_, err := f.Fetch(context.Background(), srv.URL+"/a", Conditional{})
		wantKind(t, err, KindRedirect, "redirect loop")
	})
	t.Run("too many", func(t *testing.T) {
		_, err := f.Fetch(context.Background(), srv.URL+"/chain/0", Conditional{})
		wantKind(t, err, KindRedirect, "too many redirects (more than 10)")
	})
	t.Run("to another scheme", func(t *testing.T) {
		_, err := f.Fetch(context.Background(), srv.URL+"/to-ftp", Conditional{})
		wantKind(t, err, KindForbidden, `scheme "ftp" not allowed`)
	})
}

func TestFetchGuardedAddresses(t *testing.T) {
	hits := atomic.Int32{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, port, _ := strings.Cut(r.Host, ":")
		// From an allowed address to a loopback address the policy does not list.
		http.Redirect(w, r, "http://127.0.0.2:"+port+"/internal", http.StatusFound)
	}))
	defer srv.Close()

	t.Run("redirect to a forbidden address", func(t *testing.T) {
		_, err := newTestFetcher(Options{}).Fetch(context.Background(), srv.URL, Conditional{})
		wantKind(t, err, KindForbidden, "refusing to connect to 127.0.0.2 (loopback)")
		if hits.Load() != 1 {
			t.Errorf("server answered %d requests, want only the first hop", hits.Load())
		}
	})
	t.Run("default policy refuses loopback", func(t *testing.T) {
		f := NewFetcher(Options{})
		_, err := f.Fetch(context.Background(), srv.URL, Conditional{})
		wantKind(t, err, KindForbidden, "refusing to connect to 127.0.0.1 (loopback)")
	})
	t.Run("default policy refuses a name resolving to loopback", func(t *testing.T) {
		if _, err := net.LookupHost("localhost"); err != nil {
			t.Skipf("localhost does not resolve here: %v", err)
		}
		f := NewFetcher(Options{})
		_, err := f.Fetch(context.Background(), strings.Replace(srv.URL, "127.0.0.1", "localhost", 1), Conditional{})
		wantKind(t, err, KindForbidden, "refusing to connect to")
	})
	t.Run("credentials in the URL", func(t *testing.T) {
		_, err := newTestFetcher(Options{}).Fetch(context.Background(), "https://bot:hunter2@example.com/feed", Conditional{})
		fe := wantKind(t, err, KindForbidden, "carries credentials")
		if strings.Contains(fe.Error(), "hunter2") {
			t.Errorf("error %q leaks the password", fe)
		}
	})
}

func TestFetchLocalFile(t *testing.T) {
	path := filepath.Join("testdata", "rss.xml")
	abs, _ := filepath.Abs(path)
	want := readFixture(t, "rss.xml")
	f := newTestFetcher(Options{AllowFiles: true})

	for _, raw := range []string{path, "file://" + abs} {
		t.Run(raw, func(t *testing.T) {
			resp, err := f.Fetch(context.Background(), raw, Conditional{})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(resp.Body, want) || resp.URL != "file://"+abs {
				t.Fatalf("got %d bytes from %s, want %d from file://%s", len(resp.Body), resp.URL, len(want), abs)
			}
			if resp.ContentType != "text/xml" || resp.Charset() != "" {
				t.Errorf("ContentType = %q, want text/xml without a guessed charset", resp.ContentType)
			}
			again, err := f.Fetch(context.Background(), raw, Conditional{LastModified: resp.LastModified()})
			if err != nil || !again.NotModified() {
				t.Fatalf("unchanged file: %v, status %d; want 304", err, again.Status)
			}
		})
	}

	t.Run("not allowed", func(t *testing.T) {
		_, err := newTestFetcher(Options{}).Fetch(context.Background(), path, Conditional{})
		wantKind(t, err, KindForbidden, "read testdata/rss.xml: local files are not allowed")
	})
	t.Run("missing", func(t *testing.T) {
		_, err := f.Fetch(context.Background(), "testdata/absent.xml", Conditional{})
		wantKind(t, err, KindFile, "no such file")
	})
	t.Run("too large", func(t *testing.T) {
		small := newTestFetcher(Options{AllowFiles: true, MaxBody: 1 << 10})
		_, err := small.Fetch(context.Background(), path, Conditional{})
		wantKind(t, err, KindTooLarge, "body exceeds 1 KiB")
	})
	t.Run("remote host", func(t *testing.T) {
		_, err := f.Fetch(context.Background(), "file://fileserver/share/feed.xml", Conditional{})
		wantKind(t, err, KindFile, `names host "fileserver"`)
	})
}

// gatedServer counts requests in flight and holds each until release closes.
type gatedServer struct {
	*httptest.Server
	release chan struct{}
	own     gauge  // this server's requests
	all     *gauge // requests to every server sharing it; may be nil
}

// gauge counts requests in flight and their peak.
type gauge struct {
	mu       sync.Mutex
	inFlight int
	peak     int
}

func (g *gauge) add(n int) {
	if g == nil {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.inFlight += n
	g.peak = max(g.peak, g.inFlight)
}

func (g *gauge) counts() (inFlight, peak int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.inFlight, g.peak
}

func newGatedServer(t *testing.T) *gatedServer { return newGatedServerCounting(t, nil) }

// newGatedServerCounting is a server whose requests wait for release, also
// counted in all so that servers can be measured together.
func newGatedServerCounting(t *testing.T, all *gauge) *gatedServer {
	g := &gatedServer{release: make(chan struct{}), all: all}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.own.add(1)
		g.all.add(1)
		<-g.release
		g.own.add(-1)
		g.all.add(-1)
	}))
	t.Cleanup(g.Close)
	return g
}

func (g *gatedServer) counts() (inFlight, peak int) { return g.own.counts() }

// waitUntil polls cond; the test's own deadline bounds it.
func waitUntil(cond func() bool) {
	for !cond() {
		time.Sleep(time.Millisecond)
	}
}

func TestFetchPerHostLimit(t *testing.T) {
	srv := newGatedServer(t)
	f := newTestFetcher(Options{PerHost: 2, Workers: 16})
	host := hostKey(srv.URL)

	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			if _, err := f.Fetch(context.Background(), srv.URL, Conditional{}); err != nil {
				t.Error(err)
			}
		})
	}
	// Once all six hold or await the host, exactly two may be at the server.
	waitUntil(func() bool { return f.hosts.refs(host) == 6 })
	waitUntil(func() bool { n, _ := srv.counts(); return n == 2 })
	close(srv.release)
	wg.Wait()
	if _, peak := srv.counts(); peak != 2 {
		t.Errorf("peak concurrency against one host = %d, want 2", peak)
	}
	if f.hosts.size() != 0 {
		t.Errorf("limiter keeps %d idle hosts, want none", f.hosts.size())
	}
}

func TestFetchWorkerLimit(t *testing.T) {
	all := &gauge{}
	a, b := newGatedServerCounting(t, all), newGatedServerCounting(t, all)
	f := newTestFetcher(Options{PerHost: 10, Workers: 3})
	var wg sync.WaitGroup
	for i := range 8 {
		target := []*gatedServer{a, b}[i%2]
		wg.Go(func() { _, _ = f.Fetch(context.Background(), target.URL, Conditional{}) })
	}
	waitUntil(func() bool { return f.hosts.refs(hostKey(a.URL))+f.hosts.refs(hostKey(b.URL)) == 8 })
	waitUntil(func() bool { x, _ := a.counts(); y, _ := b.counts(); return x+y == 3 })
	close(a.release)
	close(b.release)
	wg.Wait()
	// Measured across both servers at once: each server's own peak can come
	// at a different moment, so their sum says nothing.
	if _, peak := all.counts(); peak > 3 {
		t.Errorf("%d fetches ran at once across two hosts, more than the 3 workers", peak)
	}
}

func TestFetchWaitingIsCanceledWithItsContext(t *testing.T) {
	srv := newGatedServer(t)
	f := newTestFetcher(Options{PerHost: 1})
	first := make(chan error, 1)
	go func() {
		_, err := f.Fetch(context.Background(), srv.URL, Conditional{})
		first <- err
	}()
	waitUntil(func() bool { n, _ := srv.counts(); return n == 1 })

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := f.Fetch(ctx, srv.URL, Conditional{})
	wantKind(t, err, KindCanceled)
	if refs := f.hosts.refs(hostKey(srv.URL)); refs != 1 {
		t.Errorf("host references after the canceled wait = %d, want 1", refs)
	}
	close(srv.release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
}

func TestErrorKindOf(t *testing.T) {
	err := fmt.Errorf("poll: %w", &Error{Op: "GET", URL: "https://x/feed", Kind: KindTooLarge, Err: errTooLarge{DefaultMaxBody}})
	if KindOf(err) != KindTooLarge {
		t.Errorf("KindOf = %s, want %s", KindOf(err), KindTooLarge)
	}
	if got, want := errors.Unwrap(err).Error(), "GET https://x/feed: body exceeds 10 MiB"; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
	if KindOf(errors.New("other")) != 0 {
		t.Error("KindOf(plain error) != 0")
	}
}

func TestFormatSizeAndKindNames(t *testing.T) {
	sizes := map[int64]string{10 << 20: "10 MiB", 2048: "2 KiB", 1536: "1536 bytes", 100: "100 bytes", 3<<20 + 1: "3145729 bytes"}
	for n, want := range sizes {
		if got := formatSize(n); got != want {
			t.Errorf("formatSize(%d) = %q, want %q", n, got, want)
		}
	}
	for k := KindNetwork; k <= KindParse; k++ {
		if strings.HasPrefix(k.String(), "Kind(") {
			t.Errorf("kind %d has no name", int(k))
		}
	}
	if Kind(99).String() != "Kind(99)" {
		t.Errorf("unknown kind prints %q", Kind(99).String())
	}
}
