package discordtest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// sendWithNonce posts a message with Discord's nonce fields.
func sendWithNonce(dg *discordgo.Session, channelID, nonce string) (*discordgo.Message, error) {
	body := nonceMessage{Content: "alert " + nonce, AllowedMentions: noPings, Nonce: nonce, EnforceNonce: true}
	endpoint := discordgo.EndpointChannelMessages(channelID)
	raw, err := dg.RequestWithBucketID(http.MethodPost, endpoint, body, endpoint)
	if err != nil {
		return nil, err
	}
	var m discordgo.Message
	return &m, discordgo.Unmarshal(raw, &m)
}

func TestLostAnswerThenNonceResend(t *testing.T) {
	t.Parallel()
	s := New(t)
	dg := restOnly(t, s)
	s.LoseNextAnswers(1)
	if _, err := sendWithNonce(dg, DefaultChannelID, "alert-7:chan-2"); restCode(err) != http.StatusInternalServerError {
		t.Fatalf("first send: %v, want a 500", err)
	}
	m, err := sendWithNonce(dg, DefaultChannelID, "alert-7:chan-2")
	if err != nil {
		t.Fatal(err)
	}
	got := s.Messages(DefaultChannelID)
	if len(got) != 1 || got[0].ID != m.ID {
		t.Errorf("messages = %d (resend answered %s): the nonce should have returned the first", len(got), m.ID)
	}
}

func TestFaultRateLosesNothingForARetryingClient(t *testing.T) {
	t.Parallel()
	s := New(t, WithFaultRetryAfter(5*time.Millisecond), WithMessageRateLimit(1000, time.Second))
	dg := restOnly(t, s)
	dg.MaxRestRetries = 0 // the test retries, so every injected fault shows
	s.FaultRate(0.3)
	const n = 40
	for i := range n {
		nonce := fmt.Sprintf("n-%d", i)
		for attempt := 0; ; attempt++ {
			if _, err := sendWithNonce(dg, DefaultChannelID, nonce); err == nil {
				break
			}
			if attempt > 20 {
				t.Fatalf("message %d: still failing after 20 attempts", i)
			}
		}
	}
	if got := len(s.Messages(DefaultChannelID)); got != n {
		t.Errorf("messages = %d, want %d", got, n)
	}
	seen := map[int]int{}
	for _, r := range s.Requests() {
		seen[r.Status]++
	}
	for _, st := range []int{http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway} {
		if seen[st] == 0 {
			t.Errorf("no %d injected in %d requests: %v", st, len(s.Requests()), seen)
		}
	}
	if rl := s.RateLimited(); len(rl) != 0 {
		t.Errorf("injected 429s counted as bucket 429s: %v", rl)
	}
	if early := s.RetryAfterIgnored(); len(early) != 0 {
		t.Errorf("discordgo retried before retry_after: %v", early)
	}
}

func TestChannelErrors(t *testing.T) {
	t.Parallel()
	s := New(t)
	dg := restOnly(t, s)
	s.ForbidChannel("1500")
	s.DeleteChannel("1501")
	cases := []struct {
		channel string
		status  int
		code    int
	}{
		{"1500", http.StatusForbidden, codeMissingAccess},
		{"1501", http.StatusNotFound, codeUnknownChannel},
	}
	for _, tc := range cases {
		_, err := dg.ChannelMessageSendComplex(tc.channel, &discordgo.MessageSend{Content: "x", AllowedMentions: noPings})
		var re *discordgo.RESTError
		if !errors.As(err, &re) || re.Response.StatusCode != tc.status || re.Message == nil || re.Message.Code != tc.code {
			t.Errorf("channel %s: %v, want %d code %d", tc.channel, err, tc.status, tc.code)
		}
	}
}

func TestChannelMessageEdit(t *testing.T) {
	t.Parallel()
	s := New(t)
	dg := restOnly(t, s)
	m, err := dg.ChannelMessageSendComplex(DefaultChannelID, &discordgo.MessageSend{Content: "v1", AllowedMentions: noPings})
	if err != nil {
		t.Fatal(err)
	}
	edit := discordgo.NewMessageEdit(DefaultChannelID, m.ID).SetContent("v2")
	edit.AllowedMentions = noPings
	if _, err := dg.ChannelMessageEditComplex(edit); err != nil {
		t.Fatal(err)
	}
	got := s.Messages(DefaultChannelID)[0]
	if got.Content != "v2" || got.Edits != 1 || got.ID != m.ID {
		t.Errorf("after edit: %+v", got)
	}
	if _, err := dg.ChannelMessage(DefaultChannelID, "999"); restCode(err) != http.StatusNotFound {
		t.Errorf("unknown message: %v, want 404", err)
	}
}

func TestWebhookExecute(t *testing.T) {
	t.Parallel()
	s := New(t)
	dg := restOnly(t, s)
	const id, token = "1600", "webhook-token"
	m, err := dg.WebhookExecute(id, token, true, &discordgo.WebhookParams{Content: "via webhook", AllowedMentions: noPings})
	if err != nil {
		t.Fatal(err)
	}
	got := s.WebhookMessages(id)
	if len(got) != 1 || got[0].ID != m.ID || got[0].Content != "via webhook" || m.WebhookID != id {
		t.Errorf("webhook messages = %+v, answer %+v", got, m)
	}
	if len(s.Messages(DefaultChannelID)) != 0 {
		t.Error("a webhook message was counted as a channel message")
	}
	s.DeleteWebhook(id)
	if _, err := dg.WebhookExecute(id, token, true, &discordgo.WebhookParams{Content: "x", AllowedMentions: noPings}); restCode(err) != http.StatusNotFound {
		t.Errorf("deleted webhook: %v, want 404", err)
	}
}

func TestFollowupRecorded(t *testing.T) {
	t.Parallel()
	s := New(t)
	dg := connect(t, s, func(dg *discordgo.Session, i *discordgo.InteractionCreate) {
		_ = dg.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource})
		_, _ = dg.FollowupMessageCreate(i.Interaction, true, &discordgo.WebhookParams{Content: "page 1/3", AllowedMentions: noPings})
	})
	registerCommands(t, dg, s)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := s.Interact(ctx, Interaction{Command: "rules"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Followups) != 1 || res.Content() != "page 1/3" {
		t.Errorf("follow-ups = %+v, content %q", res.Followups, res.Content())
	}
}

func TestInteractRefusesWhatDiscordWouldNotSend(t *testing.T) {
	t.Parallel()
	s := New(t)
	dg := connect(t, s, answerWith("ok", nil))
	registerCommands(t, dg, s)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cases := []struct {
		name string
		in   Interaction
	}{
		{"undeclared option", Interaction{Command: "rules", Options: []*discordgo.ApplicationCommandInteractionDataOption{Opt("nope", "x")}}},
		{"wrong type", Interaction{Command: "rules", Options: []*discordgo.ApplicationCommandInteractionDataOption{Opt("id", 3)}}},
		{"not a choice", Interaction{Command: "subscribe", Options: []*discordgo.ApplicationCommandInteractionDataOption{Opt("category", "tea")}}},
		{"no such message", Interaction{Type: discordgo.InteractionMessageComponent, CustomID: "x", MessageID: "42"}},
	}
	for _, tc := range cases {
		if _, err := s.Interact(ctx, tc.in); err == nil {
			t.Errorf("%s: dispatched", tc.name)
		}
	}
}

func TestGuildRoutes(t *testing.T) {
	t.Parallel()
	s := New(t, WithGuilds(Guild{ID: "1800", Name: "sanctions-desk", Channels: []string{"1801", "1802"}}))
	dg := restOnly(t, s)
	g, err := dg.Guild("1800")
	if err != nil || g.Name != "sanctions-desk" {
		t.Fatalf("guild = %+v, %v", g, err)
	}
	chans, err := dg.GuildChannels("1800")
	if err != nil || len(chans) != 2 || chans[1].ID != "1802" || chans[1].GuildID != "1800" {
		t.Errorf("channels = %+v, %v", chans, err)
	}
	if ch, err := dg.Channel("1801"); err != nil || ch.GuildID != "1800" {
		t.Errorf("channel = %+v, %v", ch, err)
	}
	if _, err := dg.Guild("404"); restCode(err) != http.StatusNotFound {
		t.Errorf("unknown guild: %v, want 404", err)
	}
}

func TestWithoutSpecKeepsTheLimitChecks(t *testing.T) {
	t.Parallel()
	rec := &recorderTB{TB: t}
	s := New(rec, WithSpec(filepath.Join(t.TempDir(), "absent.json")))
	if s.schemas != nil {
		t.Fatal("schemas loaded from an absent file")
	}
	// Only the schema knows the color limit: accepted without it.
	if resp := botRequest(t, s, http.MethodPost, "channels/"+DefaultChannelID+"/messages",
		`{"content":"x","embeds":[{"color":16777216}],"allowed_mentions":{"parse":[]}}`); resp.StatusCode != http.StatusOK {
		t.Errorf("status %d without the schema, want 200", resp.StatusCode)
	}
	long := `{"content":"` + strings.Repeat("a", 2001) + `","allowed_mentions":{"parse":[]}}`
	if resp := botRequest(t, s, http.MethodPost, "channels/"+DefaultChannelID+"/messages", long); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("2001 characters answered %d, want 400", resp.StatusCode)
	}
	if !strings.Contains(rec.errors(), "content must be at most 2000") {
		t.Errorf("failures = %q", rec.errors())
	}
}

func TestWaitMessages(t *testing.T) {
	t.Parallel()
	s := New(t)
	dg := restOnly(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	go func() {
		for range 3 {
			_, _ = dg.ChannelMessageSendComplex(DefaultChannelID, &discordgo.MessageSend{Content: "x", AllowedMentions: noPings})
		}
	}()
	got, err := s.WaitMessages(ctx, DefaultChannelID, 3)
	if err != nil || len(got) < 3 {
		t.Fatalf("WaitMessages = %d messages, %v", len(got), err)
	}
	short, cancelShort := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancelShort()
	if _, err := s.WaitMessages(short, DefaultChannelID, 4); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waiting for a fourth: %v, want the deadline", err)
	}
}

func TestSubcommandsAndSingleCreate(t *testing.T) {
	t.Parallel()
	s := New(t)
	got := make(chan string, 1)
	dg := connect(t, s, func(dg *discordgo.Session, i *discordgo.InteractionCreate) {
		sub := i.ApplicationCommandData().Options[0]
		got <- sub.Name + ":" + sub.GetOption("query").StringValue() + ":" + sub.GetOption("by").Value.(string)
		_ = dg.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Content: "found", AllowedMentions: noPings},
		})
	})
	_, err := dg.ApplicationCommandCreate(s.AppID(), "", &discordgo.ApplicationCommand{
		Name: "alerts", Description: "Past alerts",
		Options: []*discordgo.ApplicationCommandOption{{
			Type: discordgo.ApplicationCommandOptionSubCommand, Name: "search", Description: "Search alerts",
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionString, Name: "query", Description: "Words", Required: true},
				{Type: discordgo.ApplicationCommandOptionUser, Name: "by", Description: "Who"},
			},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if cmds := s.Commands(""); len(cmds) != 1 || cmds[0].Options[0].Options[0].Name != "query" {
		t.Fatalf("global commands = %+v", cmds)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := s.Interact(ctx, Interaction{Command: "alerts", Options: []*discordgo.ApplicationCommandInteractionDataOption{
		SubCommand("search", Opt("query", "kursk"), UserOpt("by", DefaultUserID)),
	}})
	if err != nil || res.Content() != "found" {
		t.Fatalf("Interact = %+v, %v", res, err)
	}
	if want := "search:kursk:" + DefaultUserID; <-got != want {
		t.Errorf("options seen by the bot differ from %q", want)
	}
	if _, err := s.Interact(ctx, Interaction{Command: "alerts", Options: []*discordgo.ApplicationCommandInteractionDataOption{SubCommand("search")}}); err == nil {
		t.Error("a subcommand without its required option was dispatched")
	}
}

func TestCustomIdentity(t *testing.T) {
	t.Parallel()
	s := New(t, WithToken("other-token"), WithAppID("1900"))
	dg := restOnly(t, s)
	app, err := dg.Application("@me")
	if err != nil || app.ID != "1900" {
		t.Fatalf("application = %+v, %v", app, err)
	}
	gw, err := dg.GatewayBot()
	if err != nil || gw.URL != s.GatewayURL()+"/" || gw.Shards != 1 {
		t.Errorf("gateway/bot = %+v, %v", gw, err)
	}
	if resp := botRequest(t, s, http.MethodGet, "users/@me", ""); resp.StatusCode != http.StatusOK {
		t.Errorf("bot token answered %d", resp.StatusCode)
	}
	wrong := restOnly(t, New(t))
	wrong.Client = s.Client() // the default token against a server expecting another
	if _, err := wrong.User("@me"); restCode(err) != http.StatusUnauthorized {
		t.Errorf("wrong token: %v, want 401", err)
	}
}

func TestFollowupEditAndDelete(t *testing.T) {
	t.Parallel()
	s := New(t)
	dg := connect(t, s, func(dg *discordgo.Session, i *discordgo.InteractionCreate) {
		_ = dg.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Content: "answer", AllowedMentions: noPings},
		})
		keep, _ := dg.FollowupMessageCreate(i.Interaction, true, &discordgo.WebhookParams{Content: "v1", AllowedMentions: noPings})
		drop, _ := dg.FollowupMessageCreate(i.Interaction, true, &discordgo.WebhookParams{Content: "gone", AllowedMentions: noPings})
		v2 := "v2"
		_, _ = dg.FollowupMessageEdit(i.Interaction, keep.ID, &discordgo.WebhookEdit{Content: &v2, AllowedMentions: noPings})
		_ = dg.FollowupMessageDelete(i.Interaction, drop.ID)
	})
	registerCommands(t, dg, s)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := s.Interact(ctx, Interaction{Command: "rules"})
	if err != nil {
		t.Fatal(err)
	}
	// The callback answers at once; the follow-ups come after it.
	settled := func() bool {
		fs := s.interactions[res.Token].followups
		return len(fs) == 1 && fs[0].Edits == 1
	}
	if err := s.waitFor(ctx, settled); err != nil {
		t.Fatalf("follow-ups never settled: %v", err)
	}
	latest := s.Latest(res)
	if latest.Content() != "answer" || len(latest.Followups) != 1 || latest.Followups[0].Content != "v2" {
		t.Errorf("latest = %q with follow-ups %+v", latest.Content(), latest.Followups)
	}
}

func TestAllowMentionsTurnsTheCheckOff(t *testing.T) {
	t.Parallel()
	rec := &recorderTB{TB: t}
	s := New(rec, AllowMentions())
	if _, err := restOnly(t, s).ChannelMessageSendComplex(DefaultChannelID, &discordgo.MessageSend{Content: "@everyone"}); err != nil {
		t.Fatal(err)
	}
	if got := rec.errors(); got != "" {
		t.Errorf("failures with AllowMentions: %q", got)
	}
}

func TestConcurrentInteractions(t *testing.T) {
	t.Parallel()
	s := New(t)
	dg := connect(t, s, func(dg *discordgo.Session, i *discordgo.InteractionCreate) {
		id := i.ApplicationCommandData().Options[0].StringValue()
		_ = dg.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Content: "rule " + id, AllowedMentions: noPings},
		})
	})
	registerCommands(t, dg, s)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	const n = 8
	errs := make(chan error, n)
	for i := range n {
		go func() {
			id := fmt.Sprintf("r%d", i)
			res, err := s.Interact(ctx, Interaction{Command: "rules", Options: []*discordgo.ApplicationCommandInteractionDataOption{Opt("id", id)}})
			if err == nil && res.Content() != "rule "+id {
				err = fmt.Errorf("interaction %s answered %q", id, res.Content())
			}
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func TestInteractWaitsForRegistration(t *testing.T) {
	t.Parallel()
	s := New(t)
	dg := connect(t, s, answerWith("ok", nil))
	registered := make(chan error, 1)
	go func() { // as a bot does once READY
		_, err := dg.ApplicationCommandBulkOverwrite(s.AppID(), DefaultGuildID, testCommands())
		registered <- err
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := s.Interact(ctx, Interaction{Command: "rules"})
	if err != nil || res.Content() != "ok rules" {
		t.Fatalf("Interact = %+v, %v", res, err)
	}
	if err := <-registered; err != nil {
		t.Fatal(err)
	}
}
