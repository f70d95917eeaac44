package discordtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// noPings is what every message must carry.
var noPings = &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}

// connect opens a real discordgo session against s and closes it when the
// test ends. handler, if not nil, answers interactions.
func connect(t *testing.T, s *Server, handler func(*discordgo.Session, *discordgo.InteractionCreate)) *discordgo.Session {
	t.Helper()
	dg, err := discordgo.New("Bot " + s.Token())
	if err != nil {
		t.Fatalf("discordgo.New: %v", err)
	}
	dg.Client = s.Client()
	dg.Identify.Intents = discordgo.IntentsGuilds
	dg.LogLevel = -1 // the fake's drops make discordgo log; keep test output quiet
	if handler != nil {
		dg.AddHandler(handler)
	}
	if err := dg.Open(); err != nil {
		t.Fatalf("open gateway: %v", err)
	}
	t.Cleanup(func() { _ = dg.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	return dg
}

// restOnly is a discordgo session that never opens the gateway.
func restOnly(t *testing.T, s *Server) *discordgo.Session {
	t.Helper()
	dg, err := discordgo.New("Bot " + s.Token())
	if err != nil {
		t.Fatalf("discordgo.New: %v", err)
	}
	dg.Client = s.Client()
	return dg
}

func testCommands() []*discordgo.ApplicationCommand {
	manage := int64(discordgo.PermissionManageChannels)
	return []*discordgo.ApplicationCommand{
		{
			Name: "subscribe", Description: "Post matching alerts in a channel",
			DefaultMemberPermissions: &manage,
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionString, Name: "category", Description: "Alert category",
					Choices: []*discordgo.ApplicationCommandOptionChoice{{Name: "labor", Value: "labor"}}},
				{Type: discordgo.ApplicationCommandOptionChannel, Name: "channel", Description: "Where to post"},
			},
		},
		{
			Name: "rules", Description: "Show the rules",
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionString, Name: "id", Description: "Rule id", Autocomplete: true},
			},
		},
	}
}

func TestReadyAndCommandsRecorded(t *testing.T) {
	t.Parallel()
	s := New(t)
	ready := make(chan *discordgo.Ready, 1)
	dg, err := discordgo.New("Bot " + s.Token())
	if err != nil {
		t.Fatal(err)
	}
	dg.Client = s.Client()
	dg.Identify.Intents = discordgo.IntentsGuilds
	dg.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) { ready <- r })
	if err := dg.Open(); err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { _ = dg.Close() })

	select {
	case r := <-ready:
		if r.Application == nil || r.Application.ID != s.AppID() || r.SessionID == "" || r.User == nil || !r.User.Bot {
			t.Fatalf("READY = %+v, want application %s, a session id and a bot user", r, s.AppID())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no READY within 10 s")
	}
	if st := s.GatewayStats(); st.Identifies != 1 || st.Intents != int64(discordgo.IntentsGuilds) {
		t.Fatalf("gateway stats = %+v, want 1 identify with intents %d", st, discordgo.IntentsGuilds)
	}

	created, err := dg.ApplicationCommandBulkOverwrite(s.AppID(), DefaultGuildID, testCommands())
	if err != nil {
		t.Fatalf("bulk overwrite: %v", err)
	}
	got := s.Commands(DefaultGuildID)
	if len(got) != 2 || len(created) != 2 || got[0].Name != "subscribe" || got[1].Name != "rules" {
		t.Fatalf("commands recorded = %+v", got)
	}
	if got[0].ID == "" || got[0].ID != created[0].ID {
		t.Errorf("command id recorded %q, answered %q", got[0].ID, created[0].ID)
	}
	if p := got[0].DefaultMemberPermissions; p == nil || *p != discordgo.PermissionManageChannels {
		t.Errorf("default_member_permissions = %v, want Manage Channels", p)
	}
	if len(s.Commands("")) != 0 {
		t.Errorf("guild overwrite leaked into global commands")
	}

	// A second overwrite keeps the id of a command that keeps its name.
	again, err := dg.ApplicationCommandBulkOverwrite(s.AppID(), DefaultGuildID, testCommands()[:1])
	if err != nil {
		t.Fatal(err)
	}
	if again[0].ID != created[0].ID || len(s.Commands(DefaultGuildID)) != 1 {
		t.Errorf("second overwrite: id %s (was %s), %d commands", again[0].ID, created[0].ID, len(s.Commands(DefaultGuildID)))
	}
}

func TestMessagesRecorded(t *testing.T) {
	t.Parallel()
	s := New(t)
	dg := restOnly(t, s)
	send := &discordgo.MessageSend{
		Content:         "DPRK workers to Kursk",
		Embeds:          []*discordgo.MessageEmbed{{Title: "UNSCR 2397 OP8", Description: "**6,000 workers**"}},
		AllowedMentions: noPings,
	}
	m, err := dg.ChannelMessageSendComplex(DefaultChannelID, send)
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	got := s.Messages(DefaultChannelID)
	if len(got) != 1 {
		t.Fatalf("messages = %d, want 1", len(got))
	}
	g := got[0]
	if g.ID != m.ID || g.Content != send.Content || len(g.Embeds) != 1 || g.Embeds[0].Title != "UNSCR 2397 OP8" {
		t.Errorf("recorded %+v, answered id %s", g, m.ID)
	}
	if g.AllowedMentions == nil || g.AllowedMentions.Parse == nil || len(g.AllowedMentions.Parse) != 0 {
		t.Errorf("allowed_mentions = %+v, want parse []", g.AllowedMentions)
	}
	if m.ChannelID != DefaultChannelID || m.Author == nil || !m.Author.Bot {
		t.Errorf("answer = %+v", m)
	}
	reqs := s.Requests()
	last := reqs[len(reqs)-1]
	if last.Method != http.MethodPost || last.Route != "channels/"+DefaultChannelID+"/messages" || last.Status != http.StatusOK {
		t.Errorf("last request = %s", last)
	}
	if strings.Contains(last.String(), s.Token()) {
		t.Errorf("request string shows the token: %s", last)
	}
	for _, h := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-RateLimit-Reset-After", "X-RateLimit-Bucket"} {
		if !hasHeaderAnswer(t, s, h) {
			t.Errorf("answer lacks %s", h)
		}
	}
}

// hasHeaderAnswer sends a plain request and reports whether the answer has h.
func hasHeaderAnswer(t *testing.T, s *Server, h string) bool {
	t.Helper()
	resp := botRequest(t, s, http.MethodGet, "users/@me", "")
	return resp.Header.Get(h) != ""
}

// botRequest sends a request with the bot's token and returns the answer
// with its body closed.
func botRequest(t *testing.T, s *Server, method, route, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, s.URL()+"/api/v10/"+route, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bot "+s.Token())
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// nonceMessage is a message create with Discord's nonce fields, which
// discordgo's MessageSend lacks.
type nonceMessage struct {
	Content         string                            `json:"content"`
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions"`
	Nonce           string                            `json:"nonce"`
	EnforceNonce    bool                              `json:"enforce_nonce"`
}

func TestNonceDedupe(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		enforce  bool
		wantMsgs int
	}{
		{"enforced nonce returns the existing message", true, 1},
		{"unenforced nonce creates another", false, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := New(t)
			dg := restOnly(t, s)
			body := nonceMessage{Content: "alert", AllowedMentions: noPings, Nonce: "a1b2c3-1200000000000000002", EnforceNonce: tc.enforce}
			body.Nonce = body.Nonce[:25]
			var ids []string
			for range 2 {
				raw, err := dg.RequestWithBucketID(http.MethodPost, discordgo.EndpointChannelMessages(DefaultChannelID), body, discordgo.EndpointChannelMessages(DefaultChannelID))
				if err != nil {
					t.Fatalf("send: %v", err)
				}
				var m discordgo.Message
				if err := json.Unmarshal(raw, &m); err != nil {
					t.Fatal(err)
				}
				ids = append(ids, m.ID)
			}
			if got := len(s.Messages(DefaultChannelID)); got != tc.wantMsgs {
				t.Errorf("messages = %d, want %d", got, tc.wantMsgs)
			}
			if same := ids[0] == ids[1]; same != tc.enforce {
				t.Errorf("ids %v: same = %v, want %v", ids, same, tc.enforce)
			}
		})
	}
}

func TestRateLimitedThenRetried(t *testing.T) {
	t.Parallel()
	s := New(t, WithMessageRateLimit(5, 200*time.Millisecond), WithFaultRetryAfter(20*time.Millisecond))
	dg := restOnly(t, s)
	s.FailNext(1, http.StatusTooManyRequests)
	if _, err := dg.ChannelMessageSendComplex(DefaultChannelID, &discordgo.MessageSend{Content: "x", AllowedMentions: noPings}); err != nil {
		t.Fatalf("send after a 429: %v", err)
	}
	var statuses []int
	for _, r := range s.Requests() {
		statuses = append(statuses, r.Status)
	}
	if len(statuses) != 2 || statuses[0] != http.StatusTooManyRequests || statuses[1] != http.StatusOK {
		t.Fatalf("statuses = %v, want [429 200]", statuses)
	}
	if first := s.Requests()[0]; !strings.Contains(string(first.Body), `"content":"x"`) {
		t.Errorf("the refused request was recorded without its payload: %s", first.Body)
	}
	if n := len(s.Messages(DefaultChannelID)); n != 1 {
		t.Errorf("messages = %d, want 1", n)
	}
	if early := s.RetryAfterIgnored(); len(early) != 0 {
		t.Errorf("discordgo retried before retry_after: %v", early)
	}
}

func TestBucketHeadersKeepDiscordgoUnderTheLimit(t *testing.T) {
	t.Parallel()
	s := New(t, WithMessageRateLimit(3, 100*time.Millisecond))
	dg := restOnly(t, s)
	const n = 10
	for i := range n {
		if _, err := dg.ChannelMessageSendComplex(DefaultChannelID, &discordgo.MessageSend{Content: "m", AllowedMentions: noPings}); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	if got := len(s.Messages(DefaultChannelID)); got != n {
		t.Errorf("messages = %d, want %d", got, n)
	}
	if rl := s.RateLimited(); len(rl) != 0 {
		t.Errorf("429s = %v, want none: the headers should pace the client", rl)
	}
}

func TestBucketAnswers429WhenExceeded(t *testing.T) {
	t.Parallel()
	s := New(t, WithMessageRateLimit(2, time.Minute))
	body := `{"content":"x","allowed_mentions":{"parse":[]}}`
	var last *http.Response
	for range 3 {
		last = botRequest(t, s, http.MethodPost, "channels/"+DefaultChannelID+"/messages", body)
	}

	if last.StatusCode != http.StatusTooManyRequests || last.Header.Get("Retry-After") == "" || last.Header.Get("X-RateLimit-Remaining") != "0" {
		t.Fatalf("third send: %d, headers %v", last.StatusCode, last.Header)
	}
	if got := s.RateLimited()["POST channels/{}/messages "+DefaultChannelID]; got != 1 {
		t.Errorf("RateLimited = %v, want 1 on the channel's bucket", s.RateLimited())
	}
	if n := len(s.Messages(DefaultChannelID)); n != 2 {
		t.Errorf("messages = %d, want 2", n)
	}
	// A client that ignores the 429 and asks again at once is noticed.
	botRequest(t, s, http.MethodPost, "channels/"+DefaultChannelID+"/messages", body)
	if got := s.RetryAfterIgnored()["POST channels/{}/messages "+DefaultChannelID]; got != 1 {
		t.Errorf("RetryAfterIgnored = %v, want 1 on the channel's bucket", s.RetryAfterIgnored())
	}
}

func TestServerErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		status   int
		wantErr  bool
		wantMsgs int
	}{
		{http.StatusBadGateway, false, 1},         // discordgo retries 502 itself
		{http.StatusInternalServerError, true, 0}, // and gives up on 500
	}
	for _, tc := range cases {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			s := New(t)
			dg := restOnly(t, s)
			s.FailNext(1, tc.status)
			_, err := dg.ChannelMessageSendComplex(DefaultChannelID, &discordgo.MessageSend{Content: "x", AllowedMentions: noPings})
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if n := len(s.Messages(DefaultChannelID)); n != tc.wantMsgs {
				t.Errorf("messages = %d, want %d", n, tc.wantMsgs)
			}
		})
	}
}

func TestStallHonoursCancellation(t *testing.T) {
	t.Parallel()
	s := New(t)
	dg := restOnly(t, s)
	s.Stall(time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := dg.ChannelMessageSendComplex(DefaultChannelID, &discordgo.MessageSend{Content: "x", AllowedMentions: noPings}, discordgo.WithContext(ctx))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the client's deadline", err)
	}
	s.Stall(0)
	ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel2()
	// The stalled request is recorded once the fake notices the cancellation.
	if err := s.waitFor(ctx2, func() bool { return len(s.requests) == 1 }); err != nil {
		t.Fatal(err)
	}
	if r := s.Requests()[0]; r.Status != 499 || len(s.Messages(DefaultChannelID)) != 0 {
		t.Errorf("stalled request = %s, messages %d", r, len(s.Messages(DefaultChannelID)))
	}
}

// answerWith returns an interaction handler that answers every command
// with content, recording any error of the callback.
func answerWith(content string, errs chan<- error) func(*discordgo.Session, *discordgo.InteractionCreate) {
	return func(dg *discordgo.Session, i *discordgo.InteractionCreate) {
		err := dg.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Content: content + " " + i.ApplicationCommandData().Name, AllowedMentions: noPings},
		})
		if errs != nil {
			errs <- err
		}
	}
}

func registerCommands(t *testing.T, dg *discordgo.Session, s *Server) {
	t.Helper()
	if _, err := dg.ApplicationCommandBulkOverwrite(s.AppID(), DefaultGuildID, testCommands()); err != nil {
		t.Fatalf("register commands: %v", err)
	}
}

func TestInteractionAnswered(t *testing.T) {
	t.Parallel()
	s := New(t)
	seen := make(chan *discordgo.Interaction, 1)
	dg := connect(t, s, func(dg *discordgo.Session, i *discordgo.InteractionCreate) {
		seen <- i.Interaction
		answerWith("ok", nil)(dg, i)
	})
	registerCommands(t, dg, s)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	res, err := s.Interact(ctx, Interaction{
		Command:     "subscribe",
		Options:     []*discordgo.ApplicationCommandInteractionDataOption{Opt("category", "labor"), ChannelOpt("channel", DefaultChannelID)},
		Permissions: discordgo.PermissionManageChannels,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Type != discordgo.InteractionResponseChannelMessageWithSource || res.Content() != "ok subscribe" {
		t.Errorf("result = %+v, content %q", res, res.Content())
	}
	i := <-seen
	data := i.ApplicationCommandData()
	if i.Member == nil || i.Member.Permissions != discordgo.PermissionManageChannels || i.GuildID != DefaultGuildID {
		t.Errorf("member/guild = %+v / %s", i.Member, i.GuildID)
	}
	if data.GetOption("category").StringValue() != "labor" || data.GetOption("channel").ChannelValue(nil).ID != DefaultChannelID {
		t.Errorf("options = %+v", data.Options)
	}
	if data.ID != s.Commands(DefaultGuildID)[0].ID {
		t.Errorf("command id %s, registered %s", data.ID, s.Commands(DefaultGuildID)[0].ID)
	}

	short, cancelShort := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancelShort()
	if _, err := s.Interact(short, Interaction{Command: "unregistered"}); err == nil {
		t.Error("an unregistered command was dispatched")
	}
}

func TestDeferredAnswerReturnsTheEdit(t *testing.T) {
	t.Parallel()
	s := New(t)
	dg := connect(t, s, func(dg *discordgo.Session, i *discordgo.InteractionCreate) {
		_ = dg.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral},
		})
		final := "3 rules"
		_, _ = dg.InteractionResponseEdit(i.Interaction, &discordgo.WebhookEdit{Content: &final, AllowedMentions: noPings})
	})
	registerCommands(t, dg, s)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := s.Interact(ctx, Interaction{Command: "rules"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource || res.Content() != "3 rules" || !res.Ephemeral() {
		t.Errorf("result type %d content %q ephemeral %v", res.Type, res.Content(), res.Ephemeral())
	}
}

func TestAutocompleteChoices(t *testing.T) {
	t.Parallel()
	s := New(t)
	dg := connect(t, s, func(dg *discordgo.Session, i *discordgo.InteractionCreate) {
		typed := i.ApplicationCommandData().Options[0].StringValue()
		_ = dg.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{
			Type: discordgo.InteractionApplicationCommandAutocompleteResult,
			Data: &discordgo.InteractionResponseData{Choices: []*discordgo.ApplicationCommandOptionChoice{{Name: typed + "-workers", Value: typed + "-workers"}}},
		})
	})
	registerCommands(t, dg, s)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := s.Interact(ctx, Interaction{Type: discordgo.InteractionApplicationCommandAutocomplete, Command: "rules",
		Options: []*discordgo.ApplicationCommandInteractionDataOption{Focused("id", "dprk")}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Choices) != 1 || res.Choices[0].Name != "dprk-workers" {
		t.Errorf("choices = %+v", res.Choices)
	}
}

func TestButtonPressUpdatesMessage(t *testing.T) {
	t.Parallel()
	s := New(t)
	dg := connect(t, s, func(dg *discordgo.Session, i *discordgo.InteractionCreate) {
		if i.Type != discordgo.InteractionMessageComponent || i.Message == nil {
			return
		}
		_ = dg.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseUpdateMessage,
			Data: &discordgo.InteractionResponseData{Content: "page 2 of " + i.Message.ID, AllowedMentions: noPings},
		})
	})
	m, err := dg.ChannelMessageSendComplex(DefaultChannelID, &discordgo.MessageSend{
		Content: "page 1", AllowedMentions: noPings,
		Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.Button{Label: "Next", Style: discordgo.PrimaryButton, CustomID: "alerts:page:2"},
		}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := s.Interact(ctx, Interaction{Type: discordgo.InteractionMessageComponent, CustomID: "alerts:page:2", MessageID: m.ID})
	if err != nil {
		t.Fatal(err)
	}
	want := "page 2 of " + m.ID
	if res.Type != discordgo.InteractionResponseUpdateMessage || res.Content() != want || s.Messages(DefaultChannelID)[0].Content != want {
		t.Errorf("result %q, stored %q, want %q", res.Content(), s.Messages(DefaultChannelID)[0].Content, want)
	}
}

func TestCallbackRules(t *testing.T) {
	t.Parallel()
	s := New(t, WithInteractionDeadline(time.Second))
	secondErr := make(chan error, 1)
	release := make(chan struct{})
	lateErr := make(chan error, 1)
	dg := connect(t, s, func(dg *discordgo.Session, i *discordgo.InteractionCreate) {
		resp := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Content: "ok", AllowedMentions: noPings}}
		if i.ApplicationCommandData().Name == "rules" {
			_ = dg.InteractionRespond(i.Interaction, resp)
			secondErr <- dg.InteractionRespond(i.Interaction, resp)
			return
		}
		<-release // answer only after the deadline has passed
		lateErr <- dg.InteractionRespond(i.Interaction, resp)
	})
	registerCommands(t, dg, s)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	if _, err := s.Interact(ctx, Interaction{Command: "rules"}); err != nil {
		t.Fatal(err)
	}
	if code := restCode(<-secondErr); code != http.StatusBadRequest {
		t.Errorf("second callback answered %d, want 400", code)
	}

	_, err := s.Interact(ctx, Interaction{Command: "subscribe"})
	close(release)
	if !errors.Is(err, ErrNoCallback) {
		t.Errorf("Interact = %v, want ErrNoCallback", err)
	}
	if code := restCode(<-lateErr); code != http.StatusNotFound {
		t.Errorf("late callback answered %d, want 404", code)
	}
}

func restCode(err error) int {
	var re *discordgo.RESTError
	if errors.As(err, &re) {
		return re.Response.StatusCode
	}
	return 0
}

func TestGatewayFaultsKeepInteractionsAnswered(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name          string
		fault         func(*Server)
		waitReconnect bool
	}{
		// Dispatched at once, the interaction may reach the client only
		// through the replay that follows its RESUME.
		{"drop then interact at once", (*Server).DropGateway, false},
		{"drop then interact after reconnecting", (*Server).DropGateway, true},
		{"RECONNECT op 7", (*Server).RequestReconnect, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// discordgo waits a second before reconnecting: the deadline
			// leaves room for it on a busy machine.
			s := New(t, WithInteractionDeadline(15*time.Second))
			dg := connect(t, s, answerWith("ok", nil))
			registerCommands(t, dg, s)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if _, err := s.Interact(ctx, Interaction{Command: "rules"}); err != nil {
				t.Fatal(err)
			}

			tc.fault(s)
			if tc.waitReconnect {
				if err := s.waitFor(ctx, func() bool { return s.gw.stats.Connections >= 2 && s.readyLocked() }); err != nil {
					t.Fatalf("no reconnection: %v", err)
				}
			}
			res, err := s.Interact(ctx, Interaction{Command: "rules"})
			if err != nil {
				t.Fatalf("interaction after the fault: %v", err)
			}
			if res.Content() != "ok rules" {
				t.Errorf("content = %q", res.Content())
			}
			if st := s.GatewayStats(); st.Connections < 2 || st.Resumes+st.Identifies < 2 {
				t.Errorf("stats = %+v, want a new connection with a RESUME or a second IDENTIFY", st)
			}
		})
	}
}

func TestInvalidSessionMakesClientIdentify(t *testing.T) {
	t.Parallel()
	s := New(t)
	dg := connect(t, s, answerWith("ok", nil))
	registerCommands(t, dg, s)
	s.InvalidateSessions()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.waitFor(ctx, func() bool { return s.gw.stats.Identifies >= 2 }); err != nil {
		t.Fatalf("client did not identify again: %v", err)
	}
	if _, err := s.Interact(ctx, Interaction{Command: "rules"}); err != nil {
		t.Fatal(err)
	}
}

// recorderTB captures Errorf so a test can assert that the fake failed it.
type recorderTB struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recorderTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recorderTB) errors() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.errs, "\n")
}

func TestInvalidPayloadFailsTheTest(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		send       *discordgo.MessageSend
		wantStatus int
		wantRule   string
	}{
		{"content over 2000", &discordgo.MessageSend{Content: strings.Repeat("a", 2001), AllowedMentions: noPings},
			http.StatusBadRequest, "content must be at most 2000 characters"},
		{"embed title over 256", &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Title: strings.Repeat("t", 257)}}, AllowedMentions: noPings},
			http.StatusBadRequest, "embed title must be at most 256"},
		{"empty message", &discordgo.MessageSend{AllowedMentions: noPings},
			http.StatusBadRequest, "empty message"},
		{"javascript embed link", &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Title: "x", URL: "javascript:alert(1)"}}, AllowedMentions: noPings},
			http.StatusBadRequest, `scheme "javascript" is not supported`},
		{"no allowed_mentions", &discordgo.MessageSend{Content: "@everyone"},
			http.StatusOK, "message without allowed_mentions"},
		{"empty allowed_mentions marshals parse null", &discordgo.MessageSend{Content: "x", AllowedMentions: &discordgo.MessageAllowedMentions{}},
			http.StatusOK, "parse is null"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorderTB{TB: t}
			s := New(rec)
			_, err := restOnly(t, s).ChannelMessageSendComplex(DefaultChannelID, tc.send)
			status := http.StatusOK
			if err != nil {
				status = restCode(err)
			}
			if status != tc.wantStatus {
				t.Errorf("status = %d (%v), want %d", status, err, tc.wantStatus)
			}
			if got := rec.errors(); !strings.Contains(got, tc.wantRule) {
				t.Errorf("test failures = %q, want one naming %q", got, tc.wantRule)
			}
		})
	}
}

func TestValidPayloadPassesUnnoticed(t *testing.T) {
	t.Parallel()
	rec := &recorderTB{TB: t}
	s := New(rec)
	dg := restOnly(t, s)
	embed := &discordgo.MessageEmbed{Title: strings.Repeat("t", 256), Description: strings.Repeat("d", 4000),
		Fields: []*discordgo.MessageEmbedField{{Name: "Rule", Value: "dprk-labor"}}, Footer: &discordgo.MessageEmbedFooter{Text: "dprk-labor"}}
	if _, err := dg.ChannelMessageSendComplex(DefaultChannelID, &discordgo.MessageSend{Content: strings.Repeat("c", 2000), Embeds: []*discordgo.MessageEmbed{embed}, AllowedMentions: noPings}); err != nil {
		t.Fatal(err)
	}
	if _, err := dg.ApplicationCommandBulkOverwrite(s.AppID(), "", testCommands()); err != nil {
		t.Fatal(err)
	}
	if got := rec.errors(); got != "" {
		t.Errorf("valid payloads failed the test: %s", got)
	}
}
