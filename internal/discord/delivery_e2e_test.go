package discord

import (
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/embargo-watch/embargo/internal/delivery"
	"github.com/embargo-watch/embargo/internal/discordtest"
	"github.com/embargo-watch/embargo/internal/store"
)

// subscribe runs /subscribe as an admin and fails the test unless it worked.
func (h *harness) subscribe(opts ...string) {
	h.t.Helper()
	o := make([]*discordgo.ApplicationCommandInteractionDataOption, 0, len(opts)/2)
	for i := 0; i+1 < len(opts); i += 2 {
		if opts[i] == "channel" {
			o = append(o, discordtest.ChannelOpt("channel", opts[i+1]))
			continue
		}
		o = append(o, discordtest.Opt(opts[i], opts[i+1]))
	}
	res := h.interact(adminPerm, "subscribe", o...)
	if !strings.HasPrefix(res.Content(), "Subscribed") {
		h.t.Fatalf("/subscribe %v: %q", opts, res.Content())
	}
}

func TestSubscribeNeedsManageChannels(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	res := h.interact(int64(0), "subscribe", discordtest.Opt("category", "labor"))
	if !res.Ephemeral() || !strings.Contains(res.Content(), "Manage Channels") {
		t.Errorf("member without permission: ephemeral=%v %q", res.Ephemeral(), res.Content())
	}
	if subs, err := h.db.Subscriptions(testContext(t), ""); err != nil || len(subs) != 0 {
		t.Fatalf("stored after refusal: %v %v", subs, err)
	}

	h.subscribe("category", "labor", "severity", "high")
	subs, err := h.db.Subscriptions(testContext(t), guildID)
	if err != nil || len(subs) != 1 {
		t.Fatalf("subscriptions %v %v", subs, err)
	}
	s := subs[0]
	if s.ChannelID != channelID || s.Category != "labor" || s.MinSeverity != "high" || s.Rule != "" || s.CreatedBy != discordtest.DefaultUserID {
		t.Errorf("stored %+v", s)
	}
	list := h.interact(0, "subscriptions")
	if !list.Ephemeral() || !strings.Contains(answer(list), "alerts of category labor, severity high or higher — active") {
		t.Errorf("/subscriptions: %q", answer(list))
	}
}

func TestAlertDeliveredOnceWithItsEmbed(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.subscribe("category", "labor")
	h.subscribe("rule", "dprk-labor-abroad", "channel", channelID) // same channel twice
	h.subscribe("category", "arms", "channel", otherChan)

	a := h.queue(kursk())
	if delivered := h.drain(h.worker()); delivered != 1 {
		t.Errorf("delivered %d, want 1", delivered)
	}
	msgs := h.fake.Messages(channelID)
	if len(msgs) != 1 {
		t.Fatalf("%d messages in the channel, want 1", len(msgs))
	}
	if other := h.fake.Messages(otherChan); len(other) != 0 {
		t.Errorf("%d messages in the arms channel", len(other))
	}
	m := msgs[0]
	if m.Nonce != Nonce(a.ID, channelID) || !m.EnforceNonce {
		t.Errorf("nonce %q enforce %v", m.Nonce, m.EnforceNonce)
	}
	if m.AllowedMentions == nil || m.AllowedMentions.Parse == nil || len(m.AllowedMentions.Parse) != 0 {
		t.Errorf("allowed_mentions %+v", m.AllowedMentions)
	}
	if len(m.Embeds) != 1 {
		t.Fatalf("%d embeds", len(m.Embeds))
	}
	want := AlertMessage(a).Embeds[0]
	got := m.Embeds[0]
	if got.Title != want.Title || got.URL != want.URL || got.Description != want.Description || len(got.Fields) != len(want.Fields) {
		t.Errorf("embed\n got %+v\nwant %+v", got, want)
	}
	if !strings.Contains(got.Description, "**workers**") {
		t.Errorf("matched terms not bold: %q", got.Description)
	}
}

func TestHostileFeedTextArrivesInert(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.subscribe()
	a := kursk()
	a.Headline = "@everyone <@&123> ** " + strings.Repeat("a very long headline ", 500)
	a.Snippet = "[x](javascript:alert(1)) \u202Eevil\u202C @here <@&123> **workers**"
	a.URL = "javascript:alert(1)"
	h.queue(a)
	h.drain(h.worker())
	msgs := h.fake.Messages(channelID)
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	e := msgs[0].Embeds[0]
	if e.URL != "" || strings.ContainsAny(e.Description, "\u202E\u202C") || strings.Contains(e.Description, "](") ||
		strings.Contains(e.Description, "<@") || !strings.Contains(e.Description, `\@here`) {
		t.Errorf("unsafe embed: url %q description %q", e.URL, e.Description)
	}
	if n := textLen(e.Title); n > maxTitle {
		t.Errorf("title %d long", n)
	}
	if !strings.HasPrefix(e.Title, `\@everyone \<\@&123\> \*\*`) {
		t.Errorf("title %q", e.Title[:40])
	}
}

func TestRateLimitsAndServerErrorsLoseNothing(t *testing.T) {
	t.Parallel()
	h := newHarness(t, discordtest.WithMessageRateLimit(5, 200*time.Millisecond))
	h.subscribe()
	h.subscribe("channel", otherChan)
	const alerts = 12
	for i := range alerts {
		a := kursk()
		a.URL = "https://news.example/" + string(rune('a'+i))
		h.queue(a)
	}
	h.fake.FaultRate(0.4, http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway)
	w := h.worker()
	h.drain(w)
	h.fake.FaultRate(0)
	for _, ch := range []string{channelID, otherChan} {
		msgs := h.fake.Messages(ch)
		if len(msgs) != alerts {
			t.Errorf("channel %s got %d messages, want %d", ch, len(msgs), alerts)
		}
		seen := map[string]bool{}
		for _, m := range msgs {
			if seen[m.Nonce] {
				t.Errorf("nonce %s delivered twice", m.Nonce)
			}
			seen[m.Nonce] = true
		}
	}
	faults := map[int]int{}
	for _, r := range h.fake.Requests() {
		if r.Method == http.MethodPost && strings.HasSuffix(r.Route, "/messages") {
			faults[r.Status]++
		}
	}
	if faults[http.StatusTooManyRequests] == 0 || faults[http.StatusInternalServerError]+faults[http.StatusBadGateway] == 0 {
		t.Errorf("the storm did not happen: answers %v", faults)
	}
}

func TestResendAfterCrashPostsOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.subscribe()
	a := h.queue(kursk())
	due, err := h.db.DueDeliveries(testContext(t), "channel:", time.Now(), 10)
	if err != nil || len(due) != 1 {
		t.Fatalf("due %v %v", due, err)
	}
	// The process sends, then dies before MarkDelivered: the row is sent again.
	sender := h.bot.Sender()
	first, err := sender.Send(testContext(t), due[0])
	if err != nil {
		t.Fatal(err)
	}
	second, err := sender.Send(testContext(t), due[0])
	if err != nil {
		t.Fatal(err)
	}
	if first != second {
		t.Errorf("message ids %s and %s: the resend created a new message", first, second)
	}
	if msgs := h.fake.Messages(channelID); len(msgs) != 1 || msgs[0].Nonce != Nonce(a.ID, channelID) {
		t.Errorf("%d messages after the resend", len(msgs))
	}
}

func TestMissingAccessPausesTheSubscription(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		breakIt func(*discordtest.Server, string)
		reason  string
	}{
		{"forbidden", (*discordtest.Server).ForbidChannel, "Missing Access"},
		{"deleted", (*discordtest.Server).DeleteChannel, "Unknown Channel"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.subscribe("channel", otherChan)
			tc.breakIt(h.fake, otherChan)
			for range pauseAfter {
				h.queue(kursk())
			}
			w := h.worker()
			var results []string
			w.OnResult = func(_ store.Delivery, result string, _ error) { results = append(results, result) }
			h.drain(w)
			if strings.Join(results, ",") != "failed,failed,failed" {
				t.Errorf("results %v", results)
			}
			got := answer(h.interact(0, "subscriptions"))
			if !strings.Contains(got, "paused: ") || !strings.Contains(got, tc.reason) {
				t.Errorf("/subscriptions does not show the pause: %q", got)
			}
			// A paused channel is no target for new alerts.
			targets, err := Targets(testContext(t), h.db, kursk())
			if err != nil || len(targets) != 0 {
				t.Errorf("targets of a paused channel: %v %v", targets, err)
			}
			// Subscribing the channel again resumes it.
			res := h.interact(adminPerm, "subscribe", discordtest.ChannelOpt("channel", otherChan))
			if !strings.Contains(res.Content(), "Resumed 1 paused subscription") {
				t.Errorf("re-subscribing: %q", res.Content())
			}
			if got := answer(h.interact(0, "subscriptions")); strings.Contains(got, "paused") {
				t.Errorf("still paused after re-subscribing: %q", got)
			}
		})
	}
}

func TestMutesAndFiltersApplyAtSendTime(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.subscribe("category", "labor")
	h.queue(kursk())
	res := h.interact(adminPerm, "mute", discordtest.Opt("rule", "dprk-labor-abroad"), discordtest.Opt("duration", "2h"), discordtest.Opt("reason", "noisy week"))
	if !strings.Contains(res.Content(), "Muted dprk-labor-abroad") {
		t.Fatalf("/mute: %q", res.Content())
	}
	listed := answer(h.interact(0, "subscriptions"))
	if !strings.Contains(listed, "🔇 dprk-labor-abroad muted until <t:") || !strings.Contains(listed, "by <@"+discordtest.DefaultUserID+">: noisy week") {
		t.Errorf("/subscriptions does not show the mute:\n%s", listed)
	}
	w := h.worker()
	var results []string
	w.OnResult = func(_ store.Delivery, result string, err error) { results = append(results, result) }
	h.drain(w)

	h.interact(adminPerm, "unmute", discordtest.Opt("rule", "dprk-labor-abroad"))
	h.queue(kursk())
	subs, _ := h.db.Subscriptions(testContext(t), guildID)
	h.interact(adminPerm, "unsubscribe", discordtest.Opt("id", subs[0].ID))
	h.drain(w)

	if strings.Join(results, ",") != "skipped,skipped" {
		t.Errorf("results %v, want the muted and the unsubscribed alert skipped", results)
	}
	if n := len(h.fake.Messages(channelID)); n != 0 {
		t.Errorf("%d messages sent", n)
	}
}

func TestTargetsFollowSubscriptionFilters(t *testing.T) {
	t.Parallel()
	db := openStore(t)
	ctx := testContext(t)
	add := func(channel, rule, category, severity string) {
		if _, err := db.AddSubscription(ctx, store.Subscription{GuildID: guildID, ChannelID: channel, Rule: rule, Category: category, MinSeverity: severity}); err != nil {
			t.Fatal(err)
		}
	}
	add("1", "", "", "")                  // everything
	add("1", "dprk-labor-abroad", "", "") // same channel again
	add("2", "dprk-labor-abroad", "", "") // this rule
	add("3", "dprk-arms", "", "")         // another rule
	add("4", "", "labor", "critical")     // severity too high
	add("5", "", "labor", "medium")       // severity met
	add("6", "", "arms", "")              // another category
	add("7", "", "", "")                  // paused below
	if err := db.RecordChannelFailure(ctx, "7", "Missing Access", 1); err != nil {
		t.Fatal(err)
	}
	got, err := Targets(ctx, db, kursk())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{store.ChannelTarget("1"), store.ChannelTarget("2"), store.ChannelTarget("5")}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("Targets = %v, want %v", got, want)
	}
}

func TestWebhookModeDelivers(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	db := openStore(t)
	sender, err := NewWebhookSender("https://discord.com/api/webhooks/555/hook-secret", nil, fake.URL())
	if err != nil {
		t.Fatal(err)
	}
	ctx := testContext(t)
	if _, err := db.SaveAlerts(ctx, []store.Pending{{Alert: kursk(), Targets: []string{store.TargetWebhook}}}); err != nil {
		t.Fatal(err)
	}
	fake.FailNext(2, http.StatusTooManyRequests)
	w := &delivery.Worker{Outbox: db, Sender: sender, Prefix: store.TargetWebhook, MaxBackoff: 20 * time.Millisecond}
	if n, err := w.Drain(ctx); err != nil || n != 1 {
		t.Fatalf("drain: %d %v", n, err)
	}
	msgs := fake.WebhookMessages("555")
	if len(msgs) != 1 || len(msgs[0].Embeds) != 1 || msgs[0].Embeds[0].Title != kursk().Headline {
		t.Fatalf("webhook messages %+v", msgs)
	}
	if am := msgs[0].AllowedMentions; am == nil || am.Parse == nil || len(am.Parse) != 0 {
		t.Errorf("allowed_mentions %+v", am)
	}
	for _, r := range fake.Requests() {
		if strings.Contains(r.Path, "webhooks") && r.Query != "wait=true" {
			t.Errorf("webhook request without wait=true: %s", r)
		}
	}

	// A deleted webhook keeps the alert queued for when the operator fixes
	// DISCORD_WEBHOOK_URL, instead of failing it for good.
	fake.DeleteWebhook("555")
	_, err = sender.Send(ctx, store.Delivery{Target: store.TargetWebhook, Alert: kursk()})
	var wait *delivery.RetryAfterError
	if !errors.As(err, &wait) || wait.After < time.Minute || delivery.IsPermanent(err) ||
		strings.Contains(err.Error(), "hook-secret") || !strings.Contains(err.Error(), "DISCORD_WEBHOOK_URL") {
		t.Errorf("deleted webhook: %v", err)
	}
}

// countingTransport counts the 429 answers it sees, as the metrics do.
type countingTransport struct{ limited atomic.Int64 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		c.limited.Add(1)
	}
	return resp, err
}

func TestSuccessClearsChannelFailures(t *testing.T) {
	t.Parallel()
	counter := &countingTransport{}
	h := newHarnessWith(t, func(c *Config) { c.Transport = counter })
	h.subscribe()
	failures := func() int {
		subs, err := h.db.SubscriptionsForChannel(testContext(t), channelID)
		if err != nil || len(subs) != 1 {
			t.Fatalf("subscriptions %v %v", subs, err)
		}
		return subs[0].Failures
	}
	h.queue(kursk())
	h.fake.FailNext(1, http.StatusForbidden)
	h.drain(h.worker())
	if n := failures(); n != 1 {
		t.Fatalf("failures after a 403: %d", n)
	}
	h.queue(kursk())
	h.fake.FailNext(1, http.StatusTooManyRequests)
	h.drain(h.worker())
	if counter.limited.Load() != 1 {
		t.Errorf("the configured transport saw %d 429s, want 1", counter.limited.Load())
	}
	if n := failures(); n != 0 {
		t.Errorf("failures after a delivery: %d", n)
	}
	if msgs := h.fake.Messages(channelID); len(msgs) != 1 {
		t.Errorf("%d messages", len(msgs))
	}
}

func TestWebhookKeepsToItsRateLimit(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.WithMessageRateLimit(2, 150*time.Millisecond))
	db := openStore(t)
	sender, err := NewWebhookSender(fake.URL()+"/api/webhooks/777/tok", nil, "")
	if err != nil {
		t.Fatal(err)
	}
	ctx := testContext(t)
	var pending []store.Pending
	for range 7 {
		pending = append(pending, store.Pending{Alert: kursk(), Targets: []string{store.TargetWebhook}})
	}
	if _, err := db.SaveAlerts(ctx, pending); err != nil {
		t.Fatal(err)
	}
	w := &delivery.Worker{Outbox: db, Sender: sender, Prefix: store.TargetWebhook}
	if n, err := w.Drain(ctx); err != nil || n != 7 {
		t.Fatalf("drain: %d %v", n, err)
	}
	if got := len(fake.WebhookMessages("777")); got != 7 {
		t.Errorf("%d webhook messages", got)
	}
	if limited := fake.RateLimited(); len(limited) != 0 {
		t.Errorf("429s drawn: %v", limited)
	}
}
