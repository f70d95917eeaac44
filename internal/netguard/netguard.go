// Package netguard refuses outgoing connections to addresses that a URL typed
// by a user, or found in a feed, must never reach: loopback, private networks,
// link-local and cloud metadata endpoints, and the IPv6 forms that embed them.
//
// The check runs on the address actually dialled, after DNS resolution, so a
// host name that resolves to a private address, a DNS answer that changes
// between two lookups (rebinding) and a redirect to an internal host are all
// refused on every hop. CheckURL adds the checks that need no resolution.
package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"syscall"
)

// ErrForbidden matches (with errors.Is) every refusal of an address.
var ErrForbidden = errors.New("forbidden address")

// ErrInvalidURL matches (with errors.Is) every URL that CheckURL refuses.
var ErrInvalidURL = errors.New("invalid URL")

// AddrError is the refusal of one address, naming it and why.
type AddrError struct {
	Addr   netip.Addr
	Reason string // e.g. "loopback", "cloud metadata endpoint", "embeds private 10.0.0.1"
}

func (e *AddrError) Error() string {
	return fmt.Sprintf("refusing to connect to %s (%s)", e.Addr, e.Reason)
}

// Is makes errors.Is(err, ErrForbidden) true.
func (e *AddrError) Is(target error) bool { return target == ErrForbidden }

// Policy says which addresses may be dialled. The zero value refuses every
// non-public address; see CheckAddr.
type Policy struct {
	// AllowPrivate permits loopback, private (RFC 1918, ULA), link-local and
	// shared (CGNAT) addresses, for deployments that watch intranet sources.
	// Cloud metadata endpoints stay refused unless listed in Allow.
	AllowPrivate bool
	// Allow lists prefixes that are always permitted, whatever else applies.
	Allow []netip.Prefix
}

type blockedRange struct {
	prefix netip.Prefix
	reason string
}

// metadata are cloud instance-metadata endpoints: credentials live there, so
// AllowPrivate alone does not open them.
var metadata = []blockedRange{
	{netip.MustParsePrefix("169.254.169.254/32"), "cloud metadata endpoint"}, // AWS, GCP (metadata.google.internal), Azure, OpenStack
	{netip.MustParsePrefix("169.254.170.2/32"), "cloud metadata endpoint"},   // AWS ECS task credentials
	{netip.MustParsePrefix("100.100.100.200/32"), "cloud metadata endpoint"}, // Alibaba Cloud
	{netip.MustParsePrefix("192.0.0.192/32"), "cloud metadata endpoint"},     // Oracle Cloud
	{netip.MustParsePrefix("fd00:ec2::254/128"), "cloud metadata endpoint"},  // AWS over IPv6
	{netip.MustParsePrefix("fd20:ce::254/128"), "cloud metadata endpoint"},   // GCP over IPv6
}

// private are the ranges AllowPrivate opens.
var private = []blockedRange{
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
	{netip.MustParsePrefix("::1/128"), "loopback"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private network"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private network"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private network"},
	{netip.MustParsePrefix("fc00::/7"), "private (ULA)"},
	{netip.MustParsePrefix("fec0::/10"), "site-local"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local"},
	{netip.MustParsePrefix("fe80::/10"), "link-local"},
	{netip.MustParsePrefix("100.64.0.0/10"), "shared (CGNAT)"},
}

// reserved are ranges no fetch has a reason to reach, whatever the policy.
var reserved = []blockedRange{
	{netip.MustParsePrefix("0.0.0.0/8"), "unspecified"}, // 0.0.0.0 reaches the local host on Linux
	{netip.MustParsePrefix("::/128"), "unspecified"},
	{netip.MustParsePrefix("::/96"), "IPv4-compatible"}, // deprecated ::a.b.c.d form
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast"},
	{netip.MustParsePrefix("ff00::/8"), "multicast"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved"}, // includes broadcast 255.255.255.255
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol assignment"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking"},
	{netip.MustParsePrefix("100::/64"), "discard"},
}

// Embedded IPv4 in IPv6 translation prefixes: the IPv4 address inside is what
// the packet finally reaches, so it is checked as well.
var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	nat64Loc  = netip.MustParsePrefix("64:ff9b:1::/48")
	sixToFour = netip.MustParsePrefix("2002::/16")
)

// CheckAddr returns nil when ip may be dialled and an *AddrError (matching
// ErrForbidden) when it may not. IPv4-mapped IPv6 addresses are judged as the
// IPv4 address they carry; NAT64 and 6to4 addresses by their embedded IPv4.
func (p Policy) CheckAddr(ip netip.Addr) error {
	if !ip.IsValid() {
		return &AddrError{Addr: ip, Reason: "invalid"}
	}
	ip = ip.WithZone("").Unmap()
	if p.allowed(ip) {
		return nil
	}
	if reason, ok := lookup(metadata, ip); ok {
		return &AddrError{Addr: ip, Reason: reason}
	}
	if reason, ok := lookup(private, ip); ok {
		if p.AllowPrivate {
			return nil
		}
		return &AddrError{Addr: ip, Reason: reason}
	}
	if reason, ok := lookup(reserved, ip); ok {
		return &AddrError{Addr: ip, Reason: reason}
	}
	if v4, ok := embeddedIPv4(ip); ok {
		var refused *AddrError
		if errors.As(p.CheckAddr(v4), &refused) {
			return &AddrError{Addr: ip, Reason: "embeds " + refused.Reason + " " + v4.String()}
		}
	}
	return nil
}

func (p Policy) allowed(ip netip.Addr) bool {
	for _, prefix := range p.Allow {
		if prefix.Contains(ip) {
			return true
		}
	}
	return false
}

func lookup(ranges []blockedRange, ip netip.Addr) (reason string, found bool) {
	for _, r := range ranges {
		if r.prefix.Contains(ip) {
			return r.reason, true
		}
	}
	return "", false
}

// embeddedIPv4 returns the IPv4 address carried by a NAT64 or 6to4 address.
func embeddedIPv4(ip netip.Addr) (netip.Addr, bool) {
	b := ip.As16()
	switch {
	case nat64.Contains(ip), nat64Loc.Contains(ip):
		return netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}), true
	case sixToFour.Contains(ip):
		return netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}), true
	}
	return netip.Addr{}, false
}

// CheckHostPort checks a dialled "host:port" whose host is an IP literal, as
// the dialer hands it over once DNS is resolved.
func (p Policy) CheckHostPort(address string) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("%w: %q: %w", ErrForbidden, address, err)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("%w: %q is not an IP address", ErrForbidden, host)
	}
	return p.CheckAddr(ip)
}

// Control is a net.Dialer ControlContext hook: it runs after resolution and
// before connecting, once for every address the dialer tries.
func (p Policy) Control(_ context.Context, _, address string, _ syscall.RawConn) error {
	return p.CheckHostPort(address)
}

// DialContext returns d's DialContext guarded by the policy: every address the
// dialer is about to connect to is checked first. d itself is not modified;
// a Control or ControlContext hook already on d still runs after the check.
func (p Policy) DialContext(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	guarded := *d
	guarded.Control = nil
	guarded.ControlContext = func(ctx context.Context, network, address string, c syscall.RawConn) error {
		if err := p.Control(ctx, network, address, c); err != nil {
			return err
		}
		switch {
		case d.ControlContext != nil:
			return d.ControlContext(ctx, network, address, c)
		case d.Control != nil:
			return d.Control(network, address, c)
		}
		return nil
	}
	return guarded.DialContext
}

// CheckURL refuses what a fetched URL must never be, before any resolution:
// a scheme other than http or https, a missing host, and credentials in the
// URL (user:password@host), which would be sent to whoever serves it and
// logged with it. An IP literal host is checked by the dialer, not here.
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidURL, err)
	}
	switch u.Scheme {
	case "http", "https":
	case "":
		return fmt.Errorf("%w: %q has no scheme (want http or https)", ErrInvalidURL, raw)
	default:
		return fmt.Errorf("%w: scheme %q not allowed (want http or https)", ErrInvalidURL, u.Scheme)
	}
	if u.Hostname() == "" {
		return fmt.Errorf("%w: %s has no host", ErrInvalidURL, u.Redacted())
	}
	if u.User != nil {
		return fmt.Errorf("%w: %s carries credentials", ErrInvalidURL, u.Redacted())
	}
	return nil
}
