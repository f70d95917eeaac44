package discordtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// Gateway opcodes.
const (
	opDispatch       = 0
	opHeartbeat      = 1
	opIdentify       = 2
	opResume         = 6
	opReconnect      = 7
	opInvalidSession = 9
	opHello          = 10
	opHeartbeatACK   = 11
)

// maxReplay bounds the events a session keeps for RESUME.
const maxReplay = 1000

// writeTimeout bounds every gateway write, so a stuck client cannot hang
// the fake.
const writeTimeout = 5 * time.Second

// GatewayStats counts what happened on the gateway.
type GatewayStats struct {
	Connections int   // websocket connections accepted
	Identifies  int   // IDENTIFY accepted (each starts a session)
	Resumes     int   // RESUME accepted
	Intents     int64 // intents of the last IDENTIFY
}

// gatewayState is the fake's gateway bookkeeping, guarded by Server.mu.
type gatewayState struct {
	stats    GatewayStats
	sessions map[string]*gatewaySession
	conns    map[*gatewayConn]bool // open connections
	current  *gatewaySession       // the session of the last IDENTIFY
}

func newGatewayState() gatewayState {
	return gatewayState{sessions: map[string]*gatewaySession{}, conns: map[*gatewayConn]bool{}}
}

func (g *gatewayState) liveConnsLocked() []*gatewayConn {
	out := make([]*gatewayConn, 0, len(g.conns))
	for c := range g.conns {
		out = append(out, c)
	}
	return out
}

// gatewaySession is a gateway session: it outlives connections so a client
// can RESUME and receive what it missed.
type gatewaySession struct {
	id string

	// mu serialises sequence numbers, the replay log and writes, so events
	// reach the client in sequence order.
	mu     sync.Mutex
	seq    int64
	events []gatewayEvent

	// invalid sessions cannot be resumed. Like conn it is read without mu:
	// no lock of the fake is ever taken while holding Server.mu and then mu.
	invalid atomic.Bool

	// conn carries the session, nil while none does. It is written under mu
	// and read without it, so checking readiness never waits on a write.
	conn atomic.Pointer[gatewayConn]
}

type gatewayEvent struct {
	Op   int             `json:"op"`
	Data json.RawMessage `json:"d"`
	Seq  *int64          `json:"s"`
	Type *string         `json:"t"`
}

// gatewayConn is one websocket connection.
type gatewayConn struct {
	ws  *websocket.Conn
	wmu sync.Mutex
}

func (c *gatewayConn) send(v any) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.ws.SetWriteDeadline(time.Now().Add(writeTimeout)); err != nil {
		return fmt.Errorf("set gateway write deadline: %w", err)
	}
	if err := c.ws.WriteJSON(v); err != nil {
		return fmt.Errorf("write gateway event: %w", err)
	}
	return nil
}

// closeWith sends a close frame with code and closes the connection.
func (c *gatewayConn) closeWith(code int, reason string) {
	c.wmu.Lock()
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
	c.wmu.Unlock()
	_ = c.ws.Close()
}

// drop closes the connection abruptly, without a close frame.
func (c *gatewayConn) drop() { _ = c.ws.Close() }

// GatewayStats returns the gateway counters.
func (s *Server) GatewayStats() GatewayStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gw.stats
}

// GatewayConnections is the number of websocket connections accepted so far.
func (s *Server) GatewayConnections() int { return s.GatewayStats().Connections }

// WaitReady blocks until a client has identified (or resumed) and its
// connection is open, or ctx ends.
func (s *Server) WaitReady(ctx context.Context) error {
	if err := s.waitFor(ctx, s.readyLocked); err != nil {
		return fmt.Errorf("wait for gateway READY: %w", err)
	}
	return nil
}

// readyLocked reports whether the current session is valid and has a live
// connection.
func (s *Server) readyLocked() bool {
	sess := s.gw.current
	if sess == nil || sess.invalid.Load() {
		return false
	}
	c := sess.conn.Load()
	return c != nil && s.gw.conns[c]
}

// DropGateway closes every gateway connection abruptly, as a network
// failure would; the client must reconnect (RESUME or IDENTIFY).
func (s *Server) DropGateway() {
	s.mu.Lock()
	conns := s.gw.liveConnsLocked()
	s.mu.Unlock()
	for _, c := range conns {
		c.drop()
	}
}

// RequestReconnect sends RECONNECT (op 7) on every connection.
func (s *Server) RequestReconnect() {
	s.mu.Lock()
	conns := s.gw.liveConnsLocked()
	s.mu.Unlock()
	for _, c := range conns {
		_ = c.send(gatewayEvent{Op: opReconnect, Data: json.RawMessage("null")})
	}
}

// InvalidateSessions makes every session unresumable and sends INVALID_SESSION
// (op 9, not resumable) on every connection: the client must IDENTIFY again.
func (s *Server) InvalidateSessions() {
	s.mu.Lock()
	for _, sess := range s.gw.sessions {
		sess.invalid.Store(true)
	}
	conns := s.gw.liveConnsLocked()
	s.mu.Unlock()
	for _, c := range conns {
		_ = c.send(gatewayEvent{Op: opInvalidSession, Data: json.RawMessage("false")})
	}
}

// serveGateway runs one websocket connection: HELLO, then the client's ops.
func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		http.Error(w, "closed", http.StatusServiceUnavailable)
		return
	}
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()

	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered the client
	}
	c := &gatewayConn{ws: ws}
	ws.SetReadLimit(1 << 20)
	s.mu.Lock()
	if s.closing { // close() has already dropped the connections it knew
		s.mu.Unlock()
		_ = ws.Close()
		return
	}
	s.gw.conns[c] = true
	s.gw.stats.Connections++
	s.notifyLocked()
	s.mu.Unlock()
	defer s.forget(c)

	hello, _ := json.Marshal(map[string]int64{"heartbeat_interval": s.cfg.heartbeatInterval.Milliseconds()})
	if c.send(gatewayEvent{Op: opHello, Data: hello}) != nil {
		return
	}
	s.readLoop(c)
}

// forget detaches a closed connection from the fake and its session.
func (s *Server) forget(c *gatewayConn) {
	_ = c.ws.Close()
	s.mu.Lock()
	delete(s.gw.conns, c)
	for _, sess := range s.gw.sessions {
		sess.conn.CompareAndSwap(c, nil)
	}
	s.notifyLocked()
	s.mu.Unlock()
}

type clientOp struct {
	Op   int             `json:"op"`
	Data json.RawMessage `json:"d"`
}

// minSilence is the least silence after which a connection is given up, so
// a short heartbeat interval on a busy machine does not cost connections.
const minSilence = 3 * time.Second

// readLoop answers the client's ops. Like Discord it gives up on a client
// silent for two heartbeat intervals (a zombie connection).
func (s *Server) readLoop(c *gatewayConn) {
	silence := max(2*s.cfg.heartbeatInterval, minSilence)
	for {
		if c.ws.SetReadDeadline(time.Now().Add(silence)) != nil {
			return
		}
		var op clientOp
		if err := c.ws.ReadJSON(&op); err != nil {
			return
		}
		var err error
		switch op.Op {
		case opHeartbeat:
			err = c.send(gatewayEvent{Op: opHeartbeatACK, Data: json.RawMessage("null")})
		case opIdentify:
			err = s.identify(c, op.Data)
		case opResume:
			err = s.resume(c, op.Data)
		}
		if err != nil {
			return
		}
	}
}

var errAuthFailed = errors.New("gateway authentication failed")

func (s *Server) tokenOK(token string) bool {
	return token == s.cfg.token || token == "Bot "+s.cfg.token
}

// identify starts a session: READY, then GUILD_CREATE for each guild.
func (s *Server) identify(c *gatewayConn, data json.RawMessage) error {
	var id struct {
		Token   string `json:"token"`
		Intents int64  `json:"intents"`
	}
	if err := json.Unmarshal(data, &id); err != nil || !s.tokenOK(id.Token) {
		c.closeWith(4004, "Authentication failed.")
		return errAuthFailed
	}
	s.mu.Lock()
	s.gw.stats.Identifies++
	s.gw.stats.Intents = id.Intents
	s.mu.Unlock()
	sess := &gatewaySession{id: s.newID()}
	sess.conn.Store(c)
	if err := sess.dispatch("READY", s.readyPayload(sess.id)); err != nil {
		return err
	}
	for _, g := range s.cfg.guilds {
		if err := sess.dispatch("GUILD_CREATE", s.guildPayload(g)); err != nil {
			return err
		}
	}
	// Only now may Interact dispatch on the session: READY comes first.
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, old := range s.gw.sessions {
		old.conn.CompareAndSwap(c, nil) // a connection carries one session
	}
	s.gw.sessions[sess.id] = sess
	s.gw.current = sess
	s.notifyLocked()
	return nil
}

func (s *Server) readyPayload(sessionID string) any {
	guilds := make([]map[string]any, len(s.cfg.guilds))
	for i, g := range s.cfg.guilds {
		guilds[i] = map[string]any{"id": g.ID, "unavailable": true}
	}
	return map[string]any{
		"v":                  10,
		"user":               s.botUser(),
		"guilds":             guilds,
		"session_id":         sessionID,
		"resume_gateway_url": s.GatewayURL(),
		"application":        map[string]any{"id": s.cfg.appID, "flags": 0},
		"private_channels":   []any{},
	}
}

func (s *Server) guildPayload(g Guild) any {
	channels := guildChannels(g)
	name := g.Name
	if name == "" {
		name = "guild-" + g.ID
	}
	return map[string]any{
		"id": g.ID, "name": name, "unavailable": false, "member_count": 2,
		"channels": channels, "roles": []any{}, "members": []any{},
		"joined_at": time.Now().UTC().Format(time.RFC3339),
	}
}

// resume reattaches a session to this connection and replays what the
// client missed, or answers INVALID_SESSION when it cannot.
func (s *Server) resume(c *gatewayConn, data json.RawMessage) error {
	var r struct {
		Token     string `json:"token"`
		SessionID string `json:"session_id"`
		Seq       int64  `json:"seq"`
	}
	if err := json.Unmarshal(data, &r); err != nil || !s.tokenOK(r.Token) {
		c.closeWith(4004, "Authentication failed.")
		return errAuthFailed
	}
	s.mu.Lock()
	sess := s.gw.sessions[r.SessionID]
	s.mu.Unlock()
	countResume := func() {
		s.mu.Lock()
		s.gw.stats.Resumes++
		s.mu.Unlock()
	}
	if sess == nil || !sess.reattach(c, r.Seq, countResume) {
		return c.send(gatewayEvent{Op: opInvalidSession, Data: json.RawMessage("false")})
	}
	s.mu.Lock()
	s.gw.current = sess
	s.notifyLocked()
	s.mu.Unlock()
	return nil
}

// reattach moves the session to c, replays events after seq and sends
// RESUMED; accepted runs before the replay. It reports false for an
// invalidated session.
func (g *gatewaySession) reattach(c *gatewayConn, seq int64, accepted func()) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.invalid.Load() {
		return false
	}
	accepted()
	if old := g.conn.Swap(c); old != nil && old != c {
		old.drop()
	}
	for _, e := range g.events {
		if *e.Seq > seq {
			if c.send(e) != nil {
				return true // the read loop sees the broken connection
			}
		}
	}
	_ = g.dispatchLocked("RESUMED", map[string]any{})
	return true
}

// dispatch sends an event (op 0) with the session's next sequence number and
// keeps it for RESUME. Without a connection the event waits in the log.
func (g *gatewaySession) dispatch(typ string, data any) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.dispatchLocked(typ, data)
}

func (g *gatewaySession) dispatchLocked(typ string, data any) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("encode %s: %w", typ, err)
	}
	g.seq++
	seq, t := g.seq, typ
	e := gatewayEvent{Op: opDispatch, Data: raw, Seq: &seq, Type: &t}
	g.events = append(g.events, e)
	if len(g.events) > maxReplay {
		g.events = g.events[len(g.events)-maxReplay:]
	}
	c := g.conn.Load()
	if c == nil {
		return nil
	}
	return c.send(e)
}
