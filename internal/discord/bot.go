// Package discord is embargo's Discord side: the bot (gateway, slash
// commands), the alert embed, and the Senders that post alerts to subscribed
// channels or through a webhook.
//
// Every message it sends allows no mentions, and every text that comes from a
// feed is escaped for Discord markdown, so nothing a feed says can ping
// anyone or inject a link.
package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/embargo-watch/embargo/internal/delivery"
	"github.com/embargo-watch/embargo/internal/store"
	"github.com/embargo-watch/embargo/rules"
)

// Config is what the bot needs from the rest of embargo.
type Config struct {
	Token   string
	GuildID string // register commands on this guild only; "" = globally
	APIBase string // EMBARGO_DISCORD_API; "" = discord.com
	Store   *store.DB
	// Rules returns the current rules; hot reload swaps what it returns.
	Rules func() *rules.Set
	// Lookup searches the sanctions lists; nil means none is loaded.
	Lookup func(ctx context.Context, name, list string, limit int) ([]LookupResult, error)
	// Sources reports the health of every source and list, for /sources.
	Sources func(ctx context.Context) ([]SourceStatus, error)
	// FetchText fetches a URL's article text for /check, through the
	// address guard; nil means /check takes text only.
	FetchText func(ctx context.Context, url string) (string, error)
	// Transport carries the bot's REST requests; nil means
	// http.DefaultTransport. Metrics wrap it to count 429s.
	Transport http.RoundTripper
	Log       *slog.Logger
	Now       func() time.Time
}

// LookupResult is one sanctions list entry that a /lookup matched.
type LookupResult struct {
	List, Ref, Name, Matched, Type, Program, ListedOn string
	Aliases                                           []string
	Score                                             float64 // 0..1
}

// SourceStatus is the health of one source or list, for /sources.
type SourceStatus struct {
	Name      string
	URL       string
	LastFetch time.Time
	Result    string // e.g. "ok", "not-modified", "error"
	NextRun   time.Time
	Error     string
}

// Bot is the Discord bot: it answers slash commands over the gateway and
// provides the Sender that posts alerts to channels.
type Bot struct {
	cfg       Config
	session   *discordgo.Session
	api       *url.URL // where REST requests go; nil: discord.com
	commands  map[string]*command
	connected atomic.Bool

	mu     sync.Mutex
	appID  string
	remove []func() // discordgo handler registrations
	ctx    context.Context
	cancel context.CancelFunc
}

// NewBot checks cfg and prepares a bot; Start connects it.
func NewBot(cfg Config) (*Bot, error) {
	switch {
	case cfg.Store == nil:
		return nil, errors.New("discord bot: no store")
	case cfg.Rules == nil:
		return nil, errors.New("discord bot: no rules")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Transport == nil {
		cfg.Transport = http.DefaultTransport
	}
	session, err := newSession(cfg.Token, cfg.APIBase, cfg.Transport)
	if err != nil {
		return nil, err
	}
	api, err := optionalBase(cfg.APIBase)
	if err != nil {
		return nil, err
	}
	b := &Bot{cfg: cfg, session: session, api: api}
	b.commands = commandTable()
	b.ctx, b.cancel = context.WithCancel(context.Background())
	return b, nil
}

// Start opens the gateway and registers the slash commands with one bulk
// overwrite, on cfg.GuildID when set, globally otherwise. The bot then runs
// until Close; discordgo reconnects a dropped gateway by itself.
func (b *Bot) Start(ctx context.Context) error {
	b.mu.Lock()
	b.remove = append(b.remove,
		b.session.AddHandler(func(_ *discordgo.Session, _ *discordgo.Ready) { b.setConnected(true) }),
		b.session.AddHandler(func(_ *discordgo.Session, _ *discordgo.Resumed) { b.setConnected(true) }),
		b.session.AddHandler(func(_ *discordgo.Session, _ *discordgo.Disconnect) { b.setConnected(false) }),
		b.session.AddHandler(func(_ *discordgo.Session, i *discordgo.InteractionCreate) { b.handle(i.Interaction) }),
	)
	b.mu.Unlock()
	// The application id is needed to answer interactions: know it before
	// the gateway delivers the first one.
	app, err := b.session.Application("@me")
	if err != nil {
		return fmt.Errorf("discord application: %w", b.apiError(err))
	}
	b.mu.Lock()
	b.appID = app.ID
	b.mu.Unlock()
	if err := b.session.Open(); err != nil {
		return fmt.Errorf("open discord gateway: %w", b.apiError(err))
	}
	if _, err := b.session.ApplicationCommandBulkOverwrite(app.ID, b.cfg.GuildID, commandList(b.commands),
		discordgo.WithContext(ctx)); err != nil {
		return fmt.Errorf("register slash commands: %w", b.apiError(err))
	}
	b.cfg.Log.Info("discord bot started", "application", app.ID, "guild", b.cfg.GuildID, "commands", len(b.commands))
	return nil
}

// Close disconnects the gateway and cancels the commands still running.
func (b *Bot) Close() error {
	b.cancel()
	b.mu.Lock()
	for _, remove := range b.remove {
		remove()
	}
	b.remove = nil
	b.mu.Unlock()
	b.setConnected(false)
	if err := b.session.Close(); err != nil {
		return fmt.Errorf("close discord gateway: %w", err)
	}
	return nil
}

// Connected reports whether the gateway is connected and ready (for /healthz).
func (b *Bot) Connected() bool { return b.connected.Load() }

func (b *Bot) setConnected(up bool) {
	if b.connected.Swap(up) != up {
		b.cfg.Log.Info("discord gateway", "connected", up)
	}
}

// Sender returns the delivery.Sender that posts alerts to subscribed channels
// (targets store.ChannelTarget(id)).
func (b *Bot) Sender() delivery.Sender {
	return &channelSender{session: b.session, api: b.api, db: b.cfg.Store, log: b.cfg.Log, now: b.cfg.Now}
}

// apiError names, in an error of a REST request, the server the request was
// sent to, without tokens.
func (b *Bot) apiError(err error) error { return sentTo(err, b.api) }

func (b *Bot) applicationID() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.appID
}
