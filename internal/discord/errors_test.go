package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/embargo-watch/embargo/internal/store"
	"github.com/embargo-watch/embargo/rules"
)

var errUnreachable = errors.New("connection refused")

func TestSentToNamesTheServerUsed(t *testing.T) {
	const interaction = "https://discord.com/api/v9/interactions/111/SECRET-TOKEN/callback"
	refused := &url.Error{Op: "Post", URL: interaction, Err: errUnreachable}
	tests := []struct {
		name string
		err  error
		base string
		want string
	}{
		{"rewritten to the base", refused, "http://127.0.0.1:5005",
			`Post "http://127.0.0.1:5005/api/v9/interactions/111/redacted/callback": connection refused`},
		{"base with a path", refused, "https://proxy.example/discord/",
			`Post "https://proxy.example/discord/api/v9/interactions/111/redacted/callback": connection refused`},
		{"discord.com itself", refused, "",
			`Post "https://discord.com/api/v9/interactions/111/redacted/callback": connection refused`},
		{"wrapped", fmt.Errorf("register: %w", &url.Error{Op: "Get", URL: "https://discord.com/api/v9/gateway", Err: errUnreachable}),
			"http://fake.test", `register: Get "http://fake.test/api/v9/gateway": connection refused`},
		{"webhook token and query", &url.Error{Op: "Post", URL: "https://discord.com/api/webhooks/1/HOOK-SECRET?wait=true", Err: errUnreachable},
			"http://fake.test", `Post "http://fake.test/api/webhooks/1/redacted": connection refused`},
		{"no URL", errUnreachable, "http://fake.test", "connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, err := optionalBase(tt.base)
			if err != nil {
				t.Fatal(err)
			}
			got := sentTo(tt.err, base)
			if got.Error() != tt.want {
				t.Errorf("error = %s\nwant    %s", got, tt.want)
			}
			if !errors.Is(got, errUnreachable) {
				t.Errorf("%v no longer wraps its cause", got)
			}
			var ue *url.Error
			if errors.As(got, &ue) && (strings.Contains(ue.URL, "SECRET") || tt.base != "" && strings.Contains(ue.URL, "discord.com")) {
				t.Errorf("the original URL is reachable through errors.As: %s", ue.URL)
			}
		})
	}
}

// failing refuses the requests that fail says should fail and sends the
// others on.
type failing struct {
	fail func(*http.Request) bool
}

func (f failing) RoundTrip(r *http.Request) (*http.Response, error) {
	if f.fail(r) {
		return nil, errUnreachable
	}
	return http.DefaultTransport.RoundTrip(r)
}

// assertNamesBase fails unless err names the server at base, and never
// discord.com or a token.
func assertNamesBase(t *testing.T, err error, base string, secrets ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	host := strings.TrimPrefix(base, "http://")
	if !strings.Contains(err.Error(), host) || strings.Contains(err.Error(), "discord.com") {
		t.Errorf("error does not name the server used, %s: %v", host, err)
	}
	for _, s := range secrets {
		if strings.Contains(err.Error(), s) {
			t.Errorf("error shows a secret: %v", err)
		}
	}
}

func TestStartErrorNamesTheAPIBase(t *testing.T) {
	const base = "http://discord-proxy.test:8080"
	bot, err := NewBot(Config{
		Token: "bot-secret", APIBase: base, Store: openStore(t),
		Rules:     func() *rules.Set { return nil },
		Transport: failing{fail: func(*http.Request) bool { return true }},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer bot.Close()
	assertNamesBase(t, bot.Start(testContext(t)), base, "bot-secret")
}

func TestChannelSendErrorNamesTheAPIBase(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, func(cfg *Config) {
		cfg.Transport = failing{fail: func(r *http.Request) bool {
			return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/messages")
		}}
	})
	h.subscribe()
	_, err := h.bot.Sender().Send(testContext(t), store.Delivery{Target: store.ChannelTarget(channelID), Alert: kursk()})
	assertNamesBase(t, err, h.fake.URL(), h.fake.Token())
	if !errors.Is(err, errUnreachable) {
		t.Errorf("send error lost its cause: %v", err)
	}
}

func TestInteractionErrorNamesTheAPIBase(t *testing.T) {
	const base = "http://discord-proxy.test:8080"
	bot, err := NewBot(Config{
		Token: "bot-secret", APIBase: base, Store: openStore(t),
		Rules:     func() *rules.Set { return nil },
		Transport: failing{fail: func(*http.Request) bool { return true }},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer bot.Close()
	r := &request{bot: bot, i: &discordgo.Interaction{ID: "111", Token: "INTERACTION-SECRET"}}
	ctx := context.Background()
	err = r.callbackLocked(ctx, discordgo.InteractionResponseChannelMessageWithSource, MessagePayload{Content: "hi"})
	assertNamesBase(t, err, base, "INTERACTION-SECRET", "bot-secret")
	assertNamesBase(t, r.editOriginalLocked(ctx, MessagePayload{Content: "hi"}), base, "INTERACTION-SECRET")
	assertNamesBase(t, r.replaceWithEphemeralLocked(ctx, MessagePayload{Content: "hi"}), base, "INTERACTION-SECRET")
}
