// Package discordtest is an in-process fake of Discord for tests: the REST API
// (gateway discovery, the bot user, application commands, channel messages
// with nonce dedupe, interaction callbacks, webhooks and follow-ups) and a
// gateway websocket (HELLO, IDENTIFY, READY, heartbeats, RESUME,
// INVALID_SESSION, RECONNECT and INTERACTION_CREATE dispatch).
//
// It serves loopback HTTP under /api/v9/ and /api/v10/, so a client whose
// transport rewrites https://discord.com to Server.URL talks to it unchanged.
// It records every request, answers with realistic per-route rate-limit
// headers, can inject 429s, 5xx answers, stalls and gateway drops, and
// checks every message payload against Discord's published schema and
// documented limits: a violation is answered with Discord's 400 error and
// fails the test.
//
// A test starts the fake, points the bot at it and drives it like a user:
//
//	fake := discordtest.New(t, discordtest.WithMessageRateLimit(5, 200*time.Millisecond))
//	t.Setenv("EMBARGO_DISCORD_API", fake.URL())
//	t.Setenv("DISCORD_TOKEN", fake.Token())
//	// ... start the bot ...
//	res, err := fake.Interact(ctx, discordtest.Interaction{
//		Command:     "subscribe",
//		Options:     []*discordgo.ApplicationCommandInteractionDataOption{discordtest.Opt("category", "labor")},
//		Permissions: discordgo.PermissionManageChannels,
//	})
//	// ... res.Content(), fake.Messages(discordtest.DefaultChannelID) ...
//
// Interaction answers and follow-ups are kept apart from channel messages:
// Messages lists only what was posted with POST /channels/{id}/messages.
package discordtest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// Identifiers the fake uses unless options say otherwise. They are snowflakes
// (decimal strings) because Discord's schema requires that shape.
const (
	DefaultToken     = "discordtest-bot-token"
	DefaultAppID     = "1100000000000000001"
	DefaultBotUserID = "1100000000000000001"
	DefaultGuildID   = "1200000000000000001"
	DefaultChannelID = "1200000000000000002"
	DefaultUserID    = "1300000000000000001"
)

// Server is a running fake Discord. All methods are safe for concurrent use.
type Server struct {
	t       testing.TB
	cfg     config
	http    *httptest.Server
	schemas *schemaSet // nil when the OpenAPI file is absent
	nextID  atomic.Int64

	// wg tracks gateway connections, which httptest.Server.Close does not
	// wait for once they are hijacked by the websocket upgrade.
	wg sync.WaitGroup

	mu           sync.Mutex
	closing      bool          // no new gateway connections
	closed       bool          // the test is over: report nothing more on it
	changed      chan struct{} // closed and replaced on every state change
	requests     []Request
	messages     map[string][]*Message // by channel id, in creation order
	webhookMsgs  map[string][]*Message // by webhook id
	commands     map[string][]discordgo.ApplicationCommand
	commandIDs   map[string]string // "scope/name" -> stable command id
	nonces       map[nonceKey]nonceEntry
	interactions map[string]*pendingInteraction // by interaction token
	forbidden    map[string]bool                // channel ids answering 403
	deleted      map[string]bool                // channel ids answering 404
	deletedHooks map[string]bool                // webhook ids answering 404
	buckets      map[string]*bucket
	rateLimited  map[string]int
	// retryNotBefore is when each bucket's last 429 allows a retry;
	// earlyRetries counts requests that came sooner.
	retryNotBefore map[string]time.Time
	earlyRetries   map[string]int
	faults         faults
	stall          time.Duration
	gw             gatewayState
}

// New starts a fake Discord on a loopback port; t.Cleanup closes it.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	s := &Server{
		t:              t,
		cfg:            cfg,
		changed:        make(chan struct{}),
		messages:       map[string][]*Message{},
		webhookMsgs:    map[string][]*Message{},
		commands:       map[string][]discordgo.ApplicationCommand{},
		commandIDs:     map[string]string{},
		nonces:         map[nonceKey]nonceEntry{},
		interactions:   map[string]*pendingInteraction{},
		forbidden:      map[string]bool{},
		deleted:        map[string]bool{},
		deletedHooks:   map[string]bool{},
		buckets:        map[string]*bucket{},
		rateLimited:    map[string]int{},
		retryNotBefore: map[string]time.Time{},
		earlyRetries:   map[string]int{},
		gw:             newGatewayState(),
	}
	s.nextID.Store(1400000000000000000)
	s.schemas = s.loadSchemas()
	s.http = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	t.Cleanup(s.close)
	return s
}

// URL is the base URL of the fake (http://127.0.0.1:port), the value for
// EMBARGO_DISCORD_API.
func (s *Server) URL() string { return s.http.URL }

// Token is the bot token the fake accepts (without the "Bot " prefix).
func (s *Server) Token() string { return s.cfg.token }

// AppID is the application id announced in READY and expected in command
// routes.
func (s *Server) AppID() string { return s.cfg.appID }

// GatewayURL is the websocket URL that GET /gateway answers.
func (s *Server) GatewayURL() string {
	return "ws" + s.http.URL[len("http"):] + "/gateway-ws"
}

// Client returns an HTTP client whose requests to any host (discord.com
// included) go to this fake. It is a convenience for tests that build a
// discordgo session by hand.
func (s *Server) Client() *http.Client {
	base, _ := url.Parse(s.http.URL)
	return &http.Client{Timeout: 30 * time.Second, Transport: rewriteTransport{base: base}}
}

type rewriteTransport struct{ base *url.URL }

func (rt rewriteTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Scheme = rt.base.Scheme
	r.URL.Host = rt.base.Host
	r.Host = rt.base.Host
	return http.DefaultTransport.RoundTrip(r)
}

// ForbidChannel makes message creation in channelID answer 403 Missing Access.
func (s *Server) ForbidChannel(channelID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forbidden[channelID] = true
}

// DeleteChannel makes every request about channelID answer 404 Unknown Channel.
func (s *Server) DeleteChannel(channelID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deleted[channelID] = true
}

// newID returns a fresh snowflake.
func (s *Server) newID() string {
	return strconv.FormatInt(s.nextID.Add(1), 10)
}

// notifyLocked wakes every waiter; s.mu must be held.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// waitFor blocks until cond (evaluated with s.mu held) is true or ctx ends.
func (s *Server) waitFor(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		if cond() {
			s.mu.Unlock()
			return nil
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// failf reports a broken Discord rule on the test, unless the test is over.
func (s *Server) failf(format string, args ...any) {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if !closed {
		s.t.Errorf("discordtest: "+format, args...)
	}
}

func (s *Server) close() {
	s.mu.Lock()
	s.closing = true
	conns := s.gw.liveConnsLocked()
	s.mu.Unlock()
	for _, c := range conns {
		c.drop()
	}
	s.http.Close()
	s.wg.Wait()
	s.mu.Lock()
	s.closed = true
	s.notifyLocked()
	s.mu.Unlock()
}

var upgrader = websocket.Upgrader{
	ReadBufferSize:  4096,
	WriteBufferSize: 4096,
	CheckOrigin:     func(*http.Request) bool { return true },
}
