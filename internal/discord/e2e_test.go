package discord

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/embargo-watch/embargo/internal/alert"
	"github.com/embargo-watch/embargo/internal/delivery"
	"github.com/embargo-watch/embargo/internal/discordtest"
	"github.com/embargo-watch/embargo/internal/store"
	"github.com/embargo-watch/embargo/rules"
)

const (
	guildID   = discordtest.DefaultGuildID
	channelID = discordtest.DefaultChannelID
	otherChan = "1200000000000000003"
	adminPerm = int64(discordgo.PermissionManageChannels | discordgo.PermissionSendMessages)
)

// harness is a bot connected to a fake Discord, with a real SQLite store.
type harness struct {
	t    *testing.T
	fake *discordtest.Server
	db   *store.DB
	bot  *Bot
	logs *syncBuffer

	mu    sync.Mutex
	rules *rules.Set
}

// syncBuffer collects log lines from concurrent writers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newHarness(t *testing.T, opts ...discordtest.Option) *harness {
	t.Helper()
	return newHarnessWith(t, nil, opts...)
}

// newHarnessWith lets a test complete the bot's Config before it starts.
func newHarnessWith(t *testing.T, configure func(*Config), opts ...discordtest.Option) *harness {
	t.Helper()
	opts = append([]discordtest.Option{discordtest.WithGuilds(discordtest.Guild{
		ID: guildID, Name: "embargo-test", Channels: []string{channelID, otherChan},
	})}, opts...)
	h := &harness{t: t, fake: discordtest.New(t, opts...), logs: &syncBuffer{}, rules: testRules(t)}
	h.db = openStore(t)
	cfg := Config{
		Token:   h.fake.Token(),
		GuildID: guildID,
		APIBase: h.fake.URL(),
		Store:   h.db,
		Rules:   h.currentRules,
		Log:     slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if configure != nil {
		configure(&cfg)
	}
	bot, err := NewBot(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := testContext(t)
	if err := bot.Start(ctx); err != nil {
		t.Fatalf("start bot: %v", err)
	}
	t.Cleanup(func() {
		if err := bot.Close(); err != nil {
			t.Errorf("close bot: %v", err)
		}
		if strings.Contains(h.logs.String(), h.fake.Token()) {
			t.Errorf("the bot token appears in the logs")
		}
	})
	h.bot = bot
	if err := h.fake.WaitReady(ctx); err != nil {
		t.Fatalf("gateway not ready: %v", err)
	}
	return h
}

func (h *harness) currentRules() *rules.Set {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.rules
}

func openStore(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "embargo.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// interact runs a slash command as a member with the given permissions.
func (h *harness) interact(perm int64, cmd string, opts ...*discordgo.ApplicationCommandInteractionDataOption) *discordtest.InteractionResult {
	h.t.Helper()
	res, err := h.fake.Interact(testContext(h.t), discordtest.Interaction{
		Command: cmd, Options: opts, GuildID: guildID, ChannelID: channelID, Permissions: perm,
	})
	if err != nil {
		h.t.Fatalf("/%s: %v", cmd, err)
	}
	return res
}

// answer is the text of an answer, content and embeds together.
func answer(res *discordtest.InteractionResult) string {
	m := res.Original
	if m == nil && len(res.Followups) > 0 {
		m = &res.Followups[0]
	}
	if m == nil {
		return ""
	}
	parts := []string{m.Content}
	for _, e := range m.Embeds {
		parts = append(parts, e.Title, e.Description)
		for _, f := range e.Fields {
			parts = append(parts, f.Name, f.Value)
		}
		if e.Footer != nil {
			parts = append(parts, e.Footer.Text)
		}
	}
	return strings.Join(parts, "\n")
}

// worker drains the channel outbox through the bot's Sender, with short
// backoffs so that retries do not slow the tests.
func (h *harness) worker() *delivery.Worker {
	return &delivery.Worker{
		Outbox: h.db, Sender: h.bot.Sender(), Prefix: "channel:",
		MaxBackoff: 20 * time.Millisecond, InlineWait: 5 * time.Second,
	}
}

// queue stores an alert with its outbox targets as the monitor does.
func (h *harness) queue(a alert.Alert) alert.Alert {
	h.t.Helper()
	ctx := testContext(h.t)
	targets, err := Targets(ctx, h.db, a)
	if err != nil {
		h.t.Fatal(err)
	}
	saved, err := h.db.SaveAlerts(ctx, []store.Pending{{Alert: a, Targets: targets}})
	if err != nil || len(saved) != 1 {
		h.t.Fatalf("save alert: %v %v", saved, err)
	}
	return saved[0]
}

// drain delivers everything due, until the outbox holds nothing due.
func (h *harness) drain(w *delivery.Worker) int {
	h.t.Helper()
	ctx := testContext(h.t)
	total := 0
	for range 50 {
		n, err := w.Drain(ctx)
		if err != nil {
			h.t.Fatalf("drain: %v", err)
		}
		total += n
		pending, _, err := h.db.OutboxStats(ctx)
		if err != nil {
			h.t.Fatal(err)
		}
		if pending == 0 {
			return total
		}
		time.Sleep(20 * time.Millisecond)
	}
	h.t.Fatalf("outbox not drained")
	return total
}

func TestCommandsRegisteredWithOptionsAndPermissions(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	cmds := h.fake.Commands(guildID)
	byName := map[string]discordgo.ApplicationCommand{}
	for _, c := range cmds {
		byName[c.Name] = c
	}
	want := map[string][]string{
		"subscribe":     {"rule", "category", "severity", "channel"},
		"unsubscribe":   {"id"},
		"subscriptions": nil,
		"lookup":        {"name", "list"},
		"alerts":        {"query", "rule", "days"},
		"rules":         {"id"},
		"sources":       nil,
		"check":         {"text"},
		"mute":          {"rule", "duration", "reason"},
		"unmute":        {"rule"},
	}
	if len(cmds) != len(want) {
		t.Errorf("registered %d commands, want %d", len(cmds), len(want))
	}
	for name, opts := range want {
		c, ok := byName[name]
		if !ok {
			t.Errorf("/%s not registered", name)
			continue
		}
		var got []string
		for _, o := range c.Options {
			got = append(got, o.Name)
		}
		if strings.Join(got, ",") != strings.Join(opts, ",") {
			t.Errorf("/%s options %v, want %v", name, got, opts)
		}
		manage := name == "subscribe" || name == "unsubscribe" || name == "mute" || name == "unmute"
		perm := c.DefaultMemberPermissions
		if manage && (perm == nil || *perm != discordgo.PermissionManageChannels) {
			t.Errorf("/%s default_member_permissions = %v, want Manage Channels", name, perm)
		}
		if !manage && perm != nil {
			t.Errorf("/%s default_member_permissions = %d, want none", name, *perm)
		}
	}
	sub := byName["subscribe"]
	if !sub.Options[0].Autocomplete || len(sub.Options[1].Choices) != len(rules.Categories) ||
		len(sub.Options[2].Choices) != len(rules.Severities) || sub.Options[3].Type != discordgo.ApplicationCommandOptionChannel {
		t.Errorf("/subscribe options: %+v", sub.Options)
	}
	if list := byName["lookup"].Options[1]; len(list.Choices) != 2 || list.Choices[0].Value != "un" || list.Choices[1].Value != "ofac" {
		t.Errorf("/lookup list choices: %+v", list.Choices)
	}
	if id := byName["unsubscribe"].Options[0]; id.Type != discordgo.ApplicationCommandOptionInteger || !id.Autocomplete {
		t.Errorf("/unsubscribe id: %+v", id)
	}
	overwrites := 0
	for _, r := range h.fake.Requests() {
		if r.Method == "PUT" && strings.Contains(r.Path, "/commands") {
			overwrites++
		}
	}
	if overwrites != 1 {
		t.Errorf("%d bulk overwrites, want 1", overwrites)
	}
}
