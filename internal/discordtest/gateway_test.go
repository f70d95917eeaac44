package discordtest

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// rawGateway speaks the gateway protocol by hand, to test what discordgo
// does not show: sequence numbers, replay and close codes.
type rawGateway struct {
	t  *testing.T
	ws *websocket.Conn
}

func dialGateway(t *testing.T, s *Server) *rawGateway {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(s.GatewayURL()+"/?v=9&encoding=json", nil)
	if err != nil {
		t.Fatalf("dial gateway: %v", err)
	}
	t.Cleanup(func() { _ = ws.Close() })
	g := &rawGateway{t: t, ws: ws}
	if hello := g.read(); hello.Op != opHello {
		t.Fatalf("first event op %d, want HELLO", hello.Op)
	}
	return g
}

func (g *rawGateway) send(op int, d any) {
	g.t.Helper()
	raw, err := json.Marshal(d)
	if err != nil {
		g.t.Fatal(err)
	}
	if err := g.ws.WriteJSON(clientOp{Op: op, Data: raw}); err != nil {
		g.t.Fatalf("write op %d: %v", op, err)
	}
}

func (g *rawGateway) read() gatewayEvent {
	g.t.Helper()
	_ = g.ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	var e gatewayEvent
	if err := g.ws.ReadJSON(&e); err != nil {
		g.t.Fatalf("read gateway: %v", err)
	}
	return e
}

// readDispatch reads the next event and checks it is dispatch typ.
func (g *rawGateway) readDispatch(typ string) gatewayEvent {
	g.t.Helper()
	e := g.read()
	if e.Op != opDispatch || e.Type == nil || *e.Type != typ {
		g.t.Fatalf("got op %d type %v, want dispatch %s", e.Op, e.Type, typ)
	}
	return e
}

func TestGatewayHeartbeatAndResumeReplay(t *testing.T) {
	t.Parallel()
	s := New(t)
	g := dialGateway(t, s)
	g.send(opHeartbeat, nil)
	if ack := g.read(); ack.Op != opHeartbeatACK {
		t.Fatalf("heartbeat answered op %d, want ACK", ack.Op)
	}
	g.send(opIdentify, map[string]any{"token": "Bot " + s.Token(), "intents": 1})
	ready := g.readDispatch("READY")
	var r struct {
		SessionID string `json:"session_id"`
	}
	if err := json.Unmarshal(ready.Data, &r); err != nil || r.SessionID == "" {
		t.Fatalf("READY data %s: %v", ready.Data, err)
	}
	last := g.readDispatch("GUILD_CREATE")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}

	// Drop the connection, dispatch while the client is away, and resume.
	_ = g.ws.Close()
	if err := s.waitFor(ctx, func() bool { return !s.readyLocked() }); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	sess := s.gw.current
	s.mu.Unlock()
	if err := sess.dispatch("TEST_MISSED", map[string]string{"x": "y"}); err != nil {
		t.Fatal(err)
	}

	g2 := dialGateway(t, s)
	g2.send(opResume, map[string]any{"token": "Bot " + s.Token(), "session_id": r.SessionID, "seq": *last.Seq})
	missed := g2.readDispatch("TEST_MISSED")
	resumed := g2.readDispatch("RESUMED")
	if *missed.Seq != *last.Seq+1 || *resumed.Seq != *missed.Seq+1 {
		t.Errorf("sequence after %d: missed %d, resumed %d", *last.Seq, *missed.Seq, *resumed.Seq)
	}
	if st := s.GatewayStats(); st.Resumes != 1 || st.Identifies != 1 || st.Connections != 2 {
		t.Errorf("stats = %+v", st)
	}
}

func TestGatewayRefusals(t *testing.T) {
	t.Parallel()
	s := New(t)

	unknown := dialGateway(t, s)
	unknown.send(opResume, map[string]any{"token": s.Token(), "session_id": "404", "seq": 1})
	if e := unknown.read(); e.Op != opInvalidSession || string(e.Data) != "false" {
		t.Errorf("resume of an unknown session answered op %d %s, want INVALID_SESSION false", e.Op, e.Data)
	}

	bad := dialGateway(t, s)
	bad.send(opIdentify, map[string]any{"token": "Bot wrong", "intents": 1})
	_ = bad.ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, _, err := bad.ws.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != 4004 {
		t.Errorf("identify with a wrong token: %v, want close 4004", err)
	}
}

func TestHelloAnnouncesTheHeartbeatInterval(t *testing.T) {
	t.Parallel()
	s := New(t, WithHeartbeatInterval(250*time.Millisecond))
	ws, _, err := websocket.DefaultDialer.Dial(s.GatewayURL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	var hello struct {
		Op   int `json:"op"`
		Data struct {
			HeartbeatInterval int `json:"heartbeat_interval"`
		} `json:"d"`
	}
	if err := ws.ReadJSON(&hello); err != nil || hello.Op != opHello || hello.Data.HeartbeatInterval != 250 {
		t.Errorf("HELLO = %+v, %v; want op 10 with heartbeat_interval 250", hello, err)
	}
}

func TestSilentClientIsDisconnected(t *testing.T) {
	t.Parallel()
	s := New(t, WithHeartbeatInterval(50*time.Millisecond))
	g := dialGateway(t, s)
	_ = g.ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, _, err := g.ws.ReadMessage(); err == nil {
		t.Error("a client that never heartbeats kept its connection")
	}
}
