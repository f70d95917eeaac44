package discord

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/embargo-watch/embargo/internal/discordtest"
	"github.com/embargo-watch/embargo/rules"
)

func TestRulesCommand(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	list := answer(h.interact(0, "rules"))
	for _, want := range []string{"dprk-labor-abroad", "dprk-arms", "Rules (2)"} {
		if !strings.Contains(list, want) {
			t.Errorf("/rules lacks %q:\n%s", want, list)
		}
	}
	one := answer(h.interact(0, "rules", discordtest.Opt("id", "dprk-labor-abroad")))
	for _, want := range []string{"DPRK workers earning income abroad", `UNSCR 2397 \(2017\) OP8`, "Group workers", "captures quantities", "dprk near/20 workers"} {
		if !strings.Contains(one, want) {
			t.Errorf("/rules id lacks %q:\n%s", want, one)
		}
	}
	res := h.interact(0, "rules", discordtest.Opt("id", "no-such-rule"))
	if !res.Ephemeral() || !strings.Contains(res.Content(), "There is no rule") {
		t.Errorf("unknown rule: ephemeral=%v %q", res.Ephemeral(), res.Content())
	}
}

func TestCheckCommandExplainsWhyARuleFires(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	res := h.interact(0, "check", discordtest.Opt("text", "North Korea will send 6,000 workers to Russia's Kursk region."))
	got := answer(res)
	for _, want := range []string{"1 rule(s) fire", "dprk-labor-abroad (labor, high)", "dprk: **North Korea**", "workers: **workers**", "quantities: 6,000 workers"} {
		if !strings.Contains(got, want) {
			t.Errorf("/check lacks %q:\n%s", want, got)
		}
	}
	none := h.interact(0, "check", discordtest.Opt("text", "Nothing to see here."))
	if !strings.Contains(none.Content(), "No rule fires") {
		t.Errorf("/check on harmless text: %q", none.Content())
	}
}

func TestCheckURLIsFetchedAfterDeferring(t *testing.T) {
	t.Parallel()
	var (
		mu      sync.Mutex
		fetched []string
	)
	h := newHarnessWith(t, func(c *Config) {
		c.FetchText = func(ctx context.Context, u string) (string, error) {
			mu.Lock()
			fetched = append(fetched, u)
			mu.Unlock()
			if strings.Contains(u, "127.0.0.1") {
				return "", errors.New("address 127.0.0.1 is loopback: refused")
			}
			return "North Korea shipped artillery shells to Russia.", nil
		}
	})
	res := h.interact(0, "check", discordtest.Opt("text", "https://news.example/story"))
	if res.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource {
		t.Errorf("callback type %d, want deferred", res.Type)
	}
	if got := answer(res); !strings.Contains(got, "dprk-arms (arms, critical)") {
		t.Errorf("/check URL answer:\n%s", got)
	}
	refused := h.interact(0, "check", discordtest.Opt("text", "http://127.0.0.1:8080/admin"))
	if got := answer(refused); !strings.Contains(got, "Could not fetch that URL") || !strings.Contains(got, "loopback") {
		t.Errorf("guarded fetch refusal not shown: %q", got)
	}
	if refused.Original != nil || len(refused.Followups) != 1 || !refused.Followups[0].Ephemeral() {
		t.Errorf("the error after a public deferral is not an ephemeral follow-up: %+v", refused)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(fetched) != 2 {
		t.Errorf("fetched %v", fetched)
	}
}

func TestAutocompleteReadsTheCurrentRules(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	complete := func(typed string) []string {
		res, err := h.fake.Interact(testContext(t), discordtest.Interaction{
			Type: discordgo.InteractionApplicationCommandAutocomplete, Command: "mute",
			Options: []*discordgo.ApplicationCommandInteractionDataOption{discordtest.Focused("rule", typed)},
			GuildID: guildID, ChannelID: channelID, Permissions: adminPerm,
		})
		if err != nil {
			t.Fatal(err)
		}
		var values []string
		for _, c := range res.Choices {
			values = append(values, c.Value.(string))
		}
		return values
	}
	if got := complete("arms"); strings.Join(got, ",") != "dprk-arms" {
		t.Errorf("typed arms: %v", got)
	}
	if got := complete(""); len(got) != 2 {
		t.Errorf("typed nothing: %v", got)
	}

	// Hot reload: thirty rules now, of which autocomplete offers 25.
	set := manyRules(t, 30)
	h.mu.Lock()
	h.rules = set
	h.mu.Unlock()
	got := complete("reloaded")
	if len(got) != maxChoices || !strings.HasPrefix(got[0], "reloaded-") {
		t.Errorf("after reload: %d choices %v", len(got), got)
	}
}

func TestLookupCommand(t *testing.T) {
	t.Parallel()
	res := newHarness(t).interact(0, "lookup", discordtest.Opt("name", "Kim Jong Un"))
	if !res.Ephemeral() || !strings.Contains(res.Content(), "No sanctions list is loaded") {
		t.Errorf("without lists: ephemeral=%v %q", res.Ephemeral(), res.Content())
	}

	var asked []string // one command at a time: no lock needed
	h := newHarnessWith(t, func(c *Config) {
		c.Lookup = func(_ context.Context, name, list string, limit int) ([]LookupResult, error) {
			asked = append(asked, name+"|"+list)
			return []LookupResult{{
				List: "un", Ref: "KPi.033", Name: "KIM Jong Un", Matched: "Kim Jong-un", Type: "individual",
				Program: "DPRK", ListedOn: "2016-03-02", Aliases: []string{"김정은", "@everyone"}, Score: 0.97,
			}}, nil
		}
	})
	got := answer(h.interact(0, "lookup", discordtest.Opt("name", "Kim Jong-un"), discordtest.Opt("list", "un")))
	for _, want := range []string{`KIM Jong Un — UN KPi.033 \(97%\)`, "**Matched:** Kim Jong-un", "**Program:** DPRK", "**Listed on:** 2016-03-02", `김정은; \@everyone`} {
		if !strings.Contains(got, want) {
			t.Errorf("/lookup lacks %q:\n%s", want, got)
		}
	}
	if strings.Join(asked, ",") != "Kim Jong-un|un" {
		t.Errorf("lookup asked %v", asked)
	}
}

func TestMuteRefusesBadInput(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, tc := range []struct {
		perm int64
		opts []*discordgo.ApplicationCommandInteractionDataOption
		want string
	}{
		{0, []*discordgo.ApplicationCommandInteractionDataOption{discordtest.Opt("rule", "dprk-arms"), discordtest.Opt("duration", "2h")}, "Manage Channels"},
		{adminPerm, []*discordgo.ApplicationCommandInteractionDataOption{discordtest.Opt("rule", "dprk-arms"), discordtest.Opt("duration", "soon")}, "want numbers with a unit"},
		{adminPerm, []*discordgo.ApplicationCommandInteractionDataOption{discordtest.Opt("rule", "nope"), discordtest.Opt("duration", "2h")}, "There is no rule"},
	} {
		res := h.interact(tc.perm, "mute", tc.opts...)
		if !res.Ephemeral() || !strings.Contains(res.Content(), tc.want) {
			t.Errorf("/mute %v: ephemeral=%v %q, want %q", tc.opts, res.Ephemeral(), res.Content(), tc.want)
		}
	}
}

func TestDroppedGatewayReconnects(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	before := h.fake.GatewayStats().Connections
	h.fake.DropGateway()
	// The next command is answered once discordgo has reconnected; Interact
	// waits for a ready connection.
	res := h.interact(0, "rules")
	if !strings.Contains(answer(res), "dprk-arms") {
		t.Errorf("after the drop: %q", answer(res))
	}
	if after := h.fake.GatewayStats().Connections; after <= before {
		t.Errorf("gateway connections %d → %d: no reconnect", before, after)
	}
	if !h.bot.Connected() {
		t.Errorf("Connected() = false after reconnecting")
	}
}

// manyRules is a rule file with n rules, all firing on "zebra".
func manyRules(t *testing.T, n int) *rules.Set {
	t.Helper()
	var b strings.Builder
	b.WriteString("version: 1\nrules:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - id: reloaded-%02d\n", i)
		b.WriteString("    title: Reloaded rule\n    category: other\n    severity: low\n    references: [none]\n")
		b.WriteString("    groups: {x: [zebra]}\n    tests: [{fire: zebra}, {ok: horse}]\n")
	}
	set, err := rules.Parse("reloaded.yaml", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func TestLongListsPageWithButtons(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.mu.Lock()
	h.rules = manyRules(t, 23)
	h.mu.Unlock()
	first := h.interact(0, "rules")
	if got := answer(first); !strings.Contains(got, "reloaded-00") || strings.Contains(got, "reloaded-10") || !strings.Contains(got, "Page 1 of 3") {
		t.Fatalf("first page:\n%s", got)
	}
	res, err := h.fake.Interact(testContext(t), discordtest.Interaction{
		Type: discordgo.InteractionMessageComponent, CustomID: pageID("rules", 2, ""),
		MessageID: first.Original.ID, GuildID: guildID, ChannelID: channelID,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Type != discordgo.InteractionResponseUpdateMessage {
		t.Errorf("button answered with type %d, want an update", res.Type)
	}
	if got := answer(&discordtest.InteractionResult{Original: res.Data}); !strings.Contains(got, "reloaded-22") || !strings.Contains(got, "Page 3 of 3") {
		t.Errorf("last page:\n%s", got)
	}
}

func TestAlertsAndSourcesCommands(t *testing.T) {
	t.Parallel()
	now := time.Now()
	h := newHarnessWith(t, func(c *Config) {
		c.Sources = func(context.Context) ([]SourceStatus, error) {
			return []SourceStatus{
				{Name: "nknews", URL: "https://www.nknews.org/feed/", LastFetch: now, Result: "ok", NextRun: now.Add(15 * time.Minute)},
				{Name: "broken", Result: "error", Error: "fetch https://broken.example: 503 Service Unavailable", LastFetch: now},
			}, nil
		}
	})
	a := kursk()
	a.Published = now.Add(-time.Hour)
	h.queue(a)
	got := answer(h.interact(0, "alerts", discordtest.Opt("query", "Kursk"), discordtest.Opt("days", 7)))
	for _, want := range []string{"Alerts of the last 7 days", "**high** dprk-labor-abroad", "[North Korea to send 6,000 workers to Russia's Kursk](https://news.example/kursk)"} {
		if !strings.Contains(got, want) {
			t.Errorf("/alerts lacks %q:\n%s", want, got)
		}
	}
	if none := h.interact(0, "alerts", discordtest.Opt("query", "submarine")); !strings.Contains(none.Content(), "No alerts in the last 30 days match") {
		t.Errorf("/alerts without hits: %q", none.Content())
	}
	got = answer(h.interact(0, "sources"))
	for _, want := range []string{"🟢 **nknews** ok, last fetch <t:", "next <t:", "🔴 **broken** error", "503 Service Unavailable"} {
		if !strings.Contains(got, want) {
			t.Errorf("/sources lacks %q:\n%s", want, got)
		}
	}
}

func TestUnsubscribeCompletesAndRemoves(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.subscribe("category", "arms")
	h.subscribe("rule", "dprk-labor-abroad")
	typed := discordtest.Focused("id", "")
	typed.Type = discordgo.ApplicationCommandOptionInteger
	res, err := h.fake.Interact(testContext(t), discordtest.Interaction{
		Type: discordgo.InteractionApplicationCommandAutocomplete, Command: "unsubscribe",
		Options: []*discordgo.ApplicationCommandInteractionDataOption{typed},
		GuildID: guildID, ChannelID: channelID, Permissions: adminPerm,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Choices) != 2 || !strings.Contains(res.Choices[1].Name, "rule=dprk-labor-abroad") {
		t.Fatalf("choices %+v", res.Choices)
	}
	id := int64(res.Choices[1].Value.(float64))
	if got := h.interact(adminPerm, "unsubscribe", discordtest.Opt("id", id)).Content(); got != fmt.Sprintf("Removed subscription #%d.", id) {
		t.Errorf("/unsubscribe: %q", got)
	}
	if got := h.interact(adminPerm, "unsubscribe", discordtest.Opt("id", id)).Content(); !strings.Contains(got, "no subscription") {
		t.Errorf("/unsubscribe again: %q", got)
	}
	if subs, _ := h.db.Subscriptions(testContext(t), guildID); len(subs) != 1 || subs[0].Category != "arms" {
		t.Errorf("left %+v", subs)
	}
}

func TestSlowCommandIsDeferredInTime(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, func(c *Config) {
		c.Lookup = func(ctx context.Context, name, list string, limit int) ([]LookupResult, error) {
			// Longer than Discord waits for a first answer.
			select {
			case <-time.After(autoDefer + 500*time.Millisecond):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			return nil, nil
		}
	})
	res := h.interact(0, "lookup", discordtest.Opt("name", "nobody"))
	if res.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource {
		t.Errorf("callback type %d, want deferred", res.Type)
	}
	if got := answer(res); !strings.Contains(got, "No entry on the loaded lists matches") {
		t.Errorf("answer after deferring: %q", got)
	}
}

func TestConnectedFollowsTheGateway(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	if !h.bot.Connected() {
		t.Fatal("not connected after Start")
	}
	if err := h.bot.Close(); err != nil {
		t.Fatal(err)
	}
	if h.bot.Connected() {
		t.Error("connected after Close")
	}
}

func TestFailingCommandAnswersEphemerally(t *testing.T) {
	t.Parallel()
	calls := 0 // one command at a time
	h := newHarnessWith(t, func(c *Config) {
		c.Lookup = func(context.Context, string, string, int) ([]LookupResult, error) {
			calls++
			if calls == 1 {
				return nil, errors.New("index file unreadable")
			}
			panic("bug in the name index")
		}
	})
	for _, want := range []string{"Something went wrong", "Something went wrong"} {
		res := h.interact(0, "lookup", discordtest.Opt("name", "x"))
		if !res.Ephemeral() || !strings.Contains(res.Content(), want) {
			t.Errorf("ephemeral=%v %q, want %q", res.Ephemeral(), res.Content(), want)
		}
	}
	logs := h.logs.String()
	if !strings.Contains(logs, "index file unreadable") || !strings.Contains(logs, "bug in the name index") {
		t.Errorf("failures not logged:\n%s", logs)
	}
	// The bot still answers.
	if got := answer(h.interact(0, "rules")); !strings.Contains(got, "Rules (2)") {
		t.Errorf("after a panic: %q", got)
	}
}

func TestLookupExplainsMissingLists(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, func(c *Config) {
		c.Lookup = func(context.Context, string, string, int) ([]LookupResult, error) {
			return nil, Refusal("No entry on the loaded lists matches; not loaded yet: %s.", "ofac")
		}
	})
	res := h.interact(0, "lookup", discordtest.Opt("name", "Kim Jomg Un"))
	if !res.Ephemeral() || !strings.Contains(res.Content(), "not loaded yet: ofac") {
		t.Fatalf("lookup with a list missing: ephemeral=%v %q", res.Ephemeral(), res.Content())
	}
}
