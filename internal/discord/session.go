package discord

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

const (
	// restTimeout bounds every REST request, body included.
	restTimeout = 15 * time.Second
	// maxResponseBytes caps what is read of any REST response.
	maxResponseBytes = 4 << 20
	// handshakeTimeout bounds the gateway's websocket handshake.
	handshakeTimeout = 10 * time.Second
)

// NewSession returns a discordgo session for a bot token, with the least
// intents the bot needs (guilds: slash commands arrive without message
// content), a timeout and a size cap on every REST response, and, when apiBase
// is set, every REST request sent to that Discord-compatible server instead of
// discord.com. The gateway URL is then whatever that server's /gateway
// answers. discordgo's endpoint variables are left alone: the rewrite happens
// in the HTTP transport.
func NewSession(token, apiBase string) (*discordgo.Session, error) {
	return newSession(token, apiBase, http.DefaultTransport)
}

// newSession is NewSession over a given base transport.
func newSession(token, apiBase string, base http.RoundTripper) (*discordgo.Session, error) {
	if strings.TrimSpace(token) == "" {
		return nil, errors.New("discord: empty bot token")
	}
	if !strings.HasPrefix(token, "Bot ") {
		token = "Bot " + token
	}
	transport, err := newTransport(base, apiBase)
	if err != nil {
		return nil, err
	}
	s, err := discordgo.New(token)
	if err != nil {
		return nil, fmt.Errorf("discord session: %w", err)
	}
	s.Identify.Intents = discordgo.IntentsGuilds
	s.Client = &http.Client{Timeout: restTimeout, Transport: transport}
	s.Dialer = &websocket.Dialer{Proxy: http.ProxyFromEnvironment, HandshakeTimeout: handshakeTimeout}
	s.StateEnabled = false // the bot keeps no guild state; it reads the store
	s.LogLevel = discordgo.LogError
	return s, nil
}

// transport sends REST requests to a Discord-compatible server and caps the
// size of what it answers.
type transport struct {
	next http.RoundTripper
	base *url.URL // nil: leave requests as they are
}

func newTransport(next http.RoundTripper, apiBase string) (*transport, error) {
	base, err := optionalBase(apiBase)
	if err != nil {
		return nil, err
	}
	return &transport{next: next, base: base}, nil
}

// optionalBase parses an EMBARGO_DISCORD_API value; "" means discord.com
// itself, and nil.
func optionalBase(apiBase string) (*url.URL, error) {
	if apiBase == "" {
		return nil, nil
	}
	return parseBase(apiBase)
}

// parseBase checks an EMBARGO_DISCORD_API value.
func parseBase(apiBase string) (*url.URL, error) {
	base, err := url.Parse(apiBase)
	if err != nil || base.Host == "" || (base.Scheme != "http" && base.Scheme != "https") {
		return nil, fmt.Errorf("discord API base %q: want an http(s) URL", apiBase)
	}
	return base, nil
}

// RoundTrip implements http.RoundTripper.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.base != nil {
		req = req.Clone(req.Context())
		rewrite(req.URL, t.base)
		req.Host = ""
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resp.Body = capBody(resp.Body, maxResponseBytes)
	return resp, nil
}

// rewrite points u at base: its scheme and host, with base's path (if any)
// in front of u's path.
func rewrite(u, base *url.URL) {
	u.Scheme = base.Scheme
	u.Host = base.Host
	if prefix := strings.TrimSuffix(base.Path, "/"); prefix != "" {
		u.Path = prefix + u.Path
		u.RawPath = ""
	}
}

// rewriteURL applies rewrite to a URL string; apiBase "" leaves it as it is.
func rewriteURL(raw, apiBase string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("parse %q: %w", redactURL(raw), err)
	}
	if apiBase == "" {
		return u.String(), nil
	}
	base, err := parseBase(apiBase)
	if err != nil {
		return "", err
	}
	rewrite(u, base)
	return u.String(), nil
}

// errBodyTooLarge is returned when a response is larger than we read.
var errBodyTooLarge = errors.New("response body too large")

// capBody lets at most limit bytes be read from body and fails beyond.
func capBody(body io.ReadCloser, limit int64) io.ReadCloser {
	return &cappedBody{ReadCloser: body, left: limit}
}

type cappedBody struct {
	io.ReadCloser
	left int64
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One byte more tells a body of exactly the limit from a longer one.
		var one [1]byte
		n, err := b.ReadCloser.Read(one[:])
		if n > 0 {
			return 0, errBodyTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	return n, err
}

// redactURL hides the secret part of a webhook or interaction URL (its
// token) for logs and errors.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "<unparsable URL>"
	}
	parts := strings.Split(strings.TrimSuffix(u.Path, "/"), "/")
	for i, p := range parts {
		if (p == "webhooks" || p == "interactions") && i+2 < len(parts) {
			parts[i+2] = "redacted" // "<token>" would be escaped in the URL
		}
	}
	u.Path = strings.Join(parts, "/")
	u.RawPath = ""
	u.RawQuery = ""
	return u.String()
}

// unwrapURLError drops the URL that net/http puts in its errors, for URLs
// that carry a secret (webhook and interaction tokens).
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// sentTo makes the URL that net/http names in a failed request's error say
// where the request went. discordgo asks for https://discord.com/api/...;
// the transport sends it to base (EMBARGO_DISCORD_API) instead, but the
// client's error names the URL it was given, which would send whoever reads
// the log to the wrong server. Tokens in the URL are hidden too. Errors
// without a URL are returned as they are.
func sentTo(err error, base *url.URL) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	where := "<unparsable URL>"
	if u, perr := url.Parse(ue.URL); perr == nil {
		if base != nil {
			rewrite(u, base)
		}
		where = redactURL(u.String())
	}
	if err == error(ue) {
		return &url.Error{Op: ue.Op, URL: where, Err: ue.Err}
	}
	// Wrapped: keep the wrapping text, and unwrap to the cause only, so
	// that the original URL cannot be reached through errors.As.
	return &requestError{msg: strings.ReplaceAll(err.Error(), ue.URL, where), cause: ue.Err}
}

// requestError is an error whose text had its URL rewritten by sentTo.
type requestError struct {
	msg   string
	cause error
}

func (e *requestError) Error() string { return e.msg }
func (e *requestError) Unwrap() error { return e.cause }
