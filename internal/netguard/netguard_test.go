package netguard

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestCheckAddr(t *testing.T) {
	allowLoopback := Policy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}
	tests := []struct {
		addr   string
		policy Policy
		reason string // "" means allowed
	}{
		{"93.184.215.14", Policy{}, ""},
		{"2606:2800:21f:cb07:6820:80da:af6b:8b2c", Policy{}, ""},
		{"8.8.8.8", Policy{}, ""},
		{"127.0.0.1", Policy{}, "loopback"},
		{"127.1.2.3", Policy{}, "loopback"},
		{"::1", Policy{}, "loopback"},
		{"::ffff:127.0.0.1", Policy{}, "loopback"},
		{"10.1.2.3", Policy{}, "private network"},
		{"172.16.0.1", Policy{}, "private network"},
		{"172.31.255.255", Policy{}, "private network"},
		{"172.32.0.1", Policy{}, ""},
		{"192.168.1.1", Policy{}, "private network"},
		{"::ffff:192.168.1.1", Policy{}, "private network"},
		{"::ffff:10.0.0.1", Policy{}, "private network"},
		{"fc00::1", Policy{}, "private (ULA)"},
		{"fd12:3456::1", Policy{}, "private (ULA)"},
		{"169.254.1.1", Policy{}, "link-local"},
		{"fe80::1", Policy{}, "link-local"},
		{"fe80::1%eth0", Policy{}, "link-local"},
		{"100.64.0.1", Policy{}, "shared (CGNAT)"},
		{"100.127.255.254", Policy{}, "shared (CGNAT)"},
		{"0.0.0.0", Policy{}, "unspecified"},
		{"::", Policy{}, "unspecified"},
		{"224.0.0.1", Policy{}, "multicast"},
		{"ff02::1", Policy{}, "multicast"},
		{"255.255.255.255", Policy{}, "reserved"},
		{"169.254.169.254", Policy{}, "cloud metadata endpoint"},
		{"::ffff:169.254.169.254", Policy{}, "cloud metadata endpoint"},
		{"fd00:ec2::254", Policy{}, "cloud metadata endpoint"},
		{"100.100.100.200", Policy{}, "cloud metadata endpoint"},
		{"64:ff9b::7f00:1", Policy{}, "embeds loopback 127.0.0.1"},
		{"64:ff9b::a9fe:a9fe", Policy{}, "embeds cloud metadata endpoint 169.254.169.254"},
		{"64:ff9b::808:808", Policy{}, ""},
		{"2002:c0a8:0101::1", Policy{}, "embeds private network 192.168.1.1"},
		{"::7f00:1", Policy{}, "IPv4-compatible"},

		// AllowPrivate opens private ranges but never metadata or multicast.
		{"127.0.0.1", Policy{AllowPrivate: true}, ""},
		{"::1", Policy{AllowPrivate: true}, ""},
		{"10.0.0.1", Policy{AllowPrivate: true}, ""},
		{"::ffff:192.168.0.1", Policy{AllowPrivate: true}, ""},
		{"169.254.169.254", Policy{AllowPrivate: true}, "cloud metadata endpoint"},
		{"fd00:ec2::254", Policy{AllowPrivate: true}, "cloud metadata endpoint"},
		{"224.0.0.1", Policy{AllowPrivate: true}, "multicast"},

		// Allow opens exactly its prefixes, including metadata if asked.
		{"127.0.0.1", allowLoopback, ""},
		{"::ffff:127.0.0.1", allowLoopback, ""},
		{"127.0.0.2", allowLoopback, "loopback"},
		{"::1", allowLoopback, "loopback"},
		{"169.254.169.254", Policy{Allow: []netip.Prefix{netip.MustParsePrefix("169.254.169.254/32")}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			err := tt.policy.CheckAddr(netip.MustParseAddr(tt.addr))
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("CheckAddr(%s) = %v, want allowed", tt.addr, err)
				}
				return
			}
			if !errors.Is(err, ErrForbidden) {
				t.Fatalf("CheckAddr(%s) = %v, want ErrForbidden", tt.addr, err)
			}
			var refused *AddrError
			if !errors.As(err, &refused) || refused.Reason != tt.reason {
				t.Fatalf("CheckAddr(%s) = %v, want reason %q", tt.addr, err, tt.reason)
			}
			if !strings.Contains(err.Error(), refused.Addr.String()) {
				t.Errorf("error %q does not name the address", err)
			}
		})
	}
}

func TestCheckAddrInvalid(t *testing.T) {
	if err := (Policy{AllowPrivate: true}).CheckAddr(netip.Addr{}); !errors.Is(err, ErrForbidden) {
		t.Fatalf("zero Addr: got %v, want ErrForbidden", err)
	}
}

func TestCheckURL(t *testing.T) {
	tests := []struct {
		url  string
		want string // substring of the error; "" means accepted
	}{
		{"https://www.un.org/press/en", ""},
		{"http://example.com:8080/feed.xml?x=1", ""},
		{"HTTPS://EXAMPLE.COM/", ""},
		{"ftp://example.com/feed", `scheme "ftp"`},
		{"file:///etc/passwd", `scheme "file"`},
		{"javascript:alert(1)", `scheme "javascript"`},
		{"gopher://example.com", `scheme "gopher"`},
		{"example.com/feed", "no scheme"},
		{"http:///path", "no host"},
		{"https://user:secret@example.com/", "carries credentials"},
		{"https://token@example.com/", "carries credentials"},
		{"http://[::1", "invalid URL"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			err := CheckURL(tt.url)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("CheckURL(%q) = %v, want nil", tt.url, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("CheckURL(%q) = %v, want error containing %q", tt.url, err, tt.want)
			}
			if !errors.Is(err, ErrInvalidURL) {
				t.Errorf("CheckURL(%q) error does not match ErrInvalidURL", tt.url)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error %q leaks the password", err)
			}
		})
	}
}

// dialClient is an HTTP client whose every connection goes through the guard.
func dialClient(p Policy, d *net.Dialer) *http.Client {
	return &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{DialContext: p.DialContext(d), Proxy: nil},
	}
}

func TestDialContextRefusesLoopbackByName(t *testing.T) {
	if _, err := net.LookupHost("localhost"); err != nil {
		t.Skipf("localhost does not resolve here: %v", err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("the guarded client reached the server")
	}))
	defer srv.Close()
	// "localhost" passes CheckURL; only the resolved address betrays it.
	target := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	if err := CheckURL(target); err != nil {
		t.Fatalf("CheckURL(%s) = %v", target, err)
	}
	_, err := dialClient(Policy{}, &net.Dialer{}).Get(target)
	if !errors.Is(err, ErrForbidden) {
		t.Fatalf("GET %s: got %v, want ErrForbidden", target, err)
	}
}

func TestDialContextAllowsListedPrefix(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("ok"))
	}))
	defer srv.Close()
	p := Policy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}
	resp, err := dialClient(p, &net.Dialer{}).Get(srv.URL)
	if err != nil {
		t.Fatalf("GET allowed loopback: %v", err)
	}
	_ = resp.Body.Close()
}

func TestDialContextRefusesRedirectToForbiddenHost(t *testing.T) {
	// The allowed server redirects to another loopback address that the
	// policy does not list; the hop must be refused before connecting.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://127.0.0.2:1/latest-metadata", http.StatusFound)
	}))
	defer srv.Close()
	p := Policy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}
	_, err := dialClient(p, &net.Dialer{}).Get(srv.URL)
	var refused *AddrError
	if !errors.As(err, &refused) || refused.Addr != netip.MustParseAddr("127.0.0.2") {
		t.Fatalf("redirect to 127.0.0.2: got %v, want refusal naming 127.0.0.2", err)
	}
}

func TestDialContextKeepsExistingControl(t *testing.T) {
	called := false
	d := &net.Dialer{Control: func(network, address string, c syscall.RawConn) error {
		called = true
		return nil
	}}
	p := Policy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	conn, err := p.DialContext(d)(context.Background(), "tcp", ln.Addr().String())
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	_ = conn.Close()
	if !called {
		t.Error("the dialer's own Control hook was not run")
	}
	if d.ControlContext != nil {
		t.Error("DialContext modified the caller's dialer")
	}
}

func TestCheckHostPort(t *testing.T) {
	if err := (Policy{}).CheckHostPort("not-an-address"); !errors.Is(err, ErrForbidden) {
		t.Errorf("malformed address: got %v, want ErrForbidden", err)
	}
	if err := (Policy{}).CheckHostPort("example.com:80"); !errors.Is(err, ErrForbidden) {
		t.Errorf("unresolved name: got %v, want ErrForbidden", err)
	}
	if err := (Policy{}).CheckHostPort("[2001:4860:4860::8888]:443"); err != nil {
		t.Errorf("public v6: got %v, want nil", err)
	}
}
