package discord

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/embargo-watch/embargo/internal/discordtest"
)

// hostile is what a user might type, or a feed might say, to ping people or
// slip a link into an answer.
const hostile = "@everyone @here <@&1200> <@42> [click](https://evil.example) ||spoiler||"

// injection finds what renders as a mention or a masked link: an unescaped
// @everyone or @here, a mention in angle brackets, or "](".
var injection = regexp.MustCompile(`(^|[^\\])@(everyone|here)|<@|\]\(`)

// assertNoPings fails when an answer's text could ping someone or hide a link.
func assertNoPings(t *testing.T, what, text string) {
	t.Helper()
	if loc := injection.FindStringIndex(text); loc != nil {
		t.Errorf("%s renders %q as markdown:\n%s", what, text[loc[0]:loc[1]], text)
	}
}

func TestUserTextEchoedInert(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, func(c *Config) {
		c.Lookup = func(_ context.Context, name, _ string, _ int) ([]LookupResult, error) {
			return []LookupResult{{List: "un", Ref: "KPi.033", Name: name, Matched: name + " (as typed)", Aliases: []string{name}, Score: 0.5}}, nil
		}
		c.FetchText = func(_ context.Context, u string) (string, error) {
			return "", fmt.Errorf("fetch %s: refused: %s", u, hostile)
		}
	})
	tests := []struct {
		name, cmd, want string
		opts            []*discordgo.ApplicationCommandInteractionDataOption
		perm            int64
		echoed          bool // the answer shows the hostile text (escaped)
	}{
		{"check text", "check", "dprk: **North Korea**",
			opts(discordtest.Opt("text", hostile+" North Korea will send 6,000 workers "+hostile)), 0, false},
		{"check URL", "check", "Could not fetch that URL",
			opts(discordtest.Opt("text", "https://evil.example/@everyone")), 0, true},
		{"lookup", "lookup", "Lookup",
			opts(discordtest.Opt("name", hostile)), 0, true},
		{"unknown rule", "rules", "There is no rule",
			opts(discordtest.Opt("id", hostile)), 0, true},
		{"mute reason", "mute", "Reason",
			opts(discordtest.Opt("rule", "dprk-arms"), discordtest.Opt("duration", "2h"), discordtest.Opt("reason", hostile)), adminPerm, true},
		{"mute duration", "mute", "duration",
			opts(discordtest.Opt("rule", "dprk-arms"), discordtest.Opt("duration", hostile)), adminPerm, true},
	}
	for _, tt := range tests {
		got := answer(h.interact(tt.perm, tt.cmd, tt.opts...))
		if !strings.Contains(got, tt.want) {
			t.Errorf("%s: answer lacks %q:\n%s", tt.name, tt.want, got)
		}
		if tt.echoed && !strings.Contains(got, `\@everyone`) {
			t.Errorf("%s: the typed text is not shown escaped:\n%s", tt.name, got)
		}
		assertNoPings(t, tt.name, got)
	}
}

func opts(o ...*discordgo.ApplicationCommandInteractionDataOption) []*discordgo.ApplicationCommandInteractionDataOption {
	return o
}

// TestEveryMessagePathAllowsNoMentions drives every way the bot writes a
// message (first answers, deferrals, edits of a deferred answer, ephemeral
// follow-ups, button updates, channel posts) and checks each request body
// that carries a message.
func TestEveryMessagePathAllowsNoMentions(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, func(c *Config) {
		c.FetchText = func(_ context.Context, u string) (string, error) {
			if strings.Contains(u, "fails") {
				return "", fmt.Errorf("fetch %s: refused", u)
			}
			return "North Korea shipped artillery shells to Russia. " + hostile, nil
		}
	})
	h.subscribe()                                                                 // a first answer
	h.interact(0, "check", discordtest.Opt("text", "https://news.example/story")) // deferred, then edited
	h.interact(0, "check", discordtest.Opt("text", "https://news.example/fails")) // deferred, then a follow-up
	h.interact(0, "lookup", discordtest.Opt("name", "x"))                         // an error answer
	h.mu.Lock()
	h.rules = manyRules(t, 23)
	h.mu.Unlock()
	first := h.interact(0, "rules")
	if _, err := h.fake.Interact(testContext(t), discordtest.Interaction{
		Type: discordgo.InteractionMessageComponent, CustomID: pageID("rules", 1, ""),
		MessageID: first.Original.ID, GuildID: guildID, ChannelID: channelID,
	}); err != nil {
		t.Fatal(err)
	}
	h.queue(kursk())
	h.drain(h.worker()) // a channel post

	seen := map[string]int{}
	for _, r := range h.fake.Requests() {
		kind, msg := messageOf(t, r)
		if kind == "" {
			continue
		}
		seen[kind]++
		if string(msg["allowed_mentions"]) != `{"parse":[]}` {
			t.Errorf("%s %s: allowed_mentions %s", r.Method, r.Route, msg["allowed_mentions"])
		}
	}
	for _, kind := range []string{"callback 4", "callback 5", "callback 7", "edit", "follow-up", "post"} {
		if seen[kind] == 0 {
			t.Errorf("no %s was checked (checked %v)", kind, seen)
		}
	}
}

// messageOf returns the message a request carries, and what kind of request
// it is; "" when it carries none (autocomplete choices, deletes, reads).
func messageOf(t *testing.T, r discordtest.Request) (string, map[string]json.RawMessage) {
	t.Helper()
	if r.Method != http.MethodPost && r.Method != http.MethodPatch || len(r.Body) == 0 {
		return "", nil
	}
	var kind string
	switch {
	case strings.HasSuffix(r.Route, "/callback"):
		var cb struct {
			Type int                        `json:"type"`
			Data map[string]json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(r.Body, &cb); err != nil {
			t.Fatalf("callback body %s: %v", r.Body, err)
		}
		if cb.Type == int(discordgo.InteractionApplicationCommandAutocompleteResult) {
			return "", nil
		}
		return fmt.Sprintf("callback %d", cb.Type), cb.Data
	case strings.HasPrefix(r.Route, "webhooks/") && r.Method == http.MethodPatch:
		kind = "edit"
	case strings.HasPrefix(r.Route, "webhooks/"):
		kind = "follow-up"
	case strings.HasPrefix(r.Route, "channels/") && strings.HasSuffix(r.Route, "/messages"):
		kind = "post"
	default:
		return "", nil
	}
	var msg map[string]json.RawMessage
	if err := json.Unmarshal(r.Body, &msg); err != nil {
		t.Fatalf("%s body %s: %v", kind, r.Body, err)
	}
	return kind, msg
}
