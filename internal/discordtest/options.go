package discordtest

import "time"

// Option configures a Server.
type Option func(*config)

// Guild is a server the bot is in, announced in READY and GUILD_CREATE.
type Guild struct {
	ID       string
	Name     string
	Channels []string // text channel ids
}

type config struct {
	token               string
	appID               string
	botUserID           string
	guilds              []Guild
	messageLimit        int           // message creates per window per channel or webhook
	messageWindow       time.Duration // the window of messageLimit
	routeLimit          int           // requests per second on every other route
	interactionDeadline time.Duration // time allowed for the first callback
	followupWait        time.Duration // time Interact waits for a deferred answer
	heartbeatInterval   time.Duration
	faultRetryAfter     time.Duration // retry_after of injected 429s
	nonceWindow         time.Duration
	specPath            string // "" = locate ../shared/discord/openapi.json
	requireNoMentions   bool
}

func defaultConfig() config {
	return config{
		token:               DefaultToken,
		appID:               DefaultAppID,
		botUserID:           DefaultBotUserID,
		guilds:              []Guild{{ID: DefaultGuildID, Name: "embargo-test", Channels: []string{DefaultChannelID}}},
		messageLimit:        5,
		messageWindow:       5 * time.Second,
		routeLimit:          50,
		interactionDeadline: 3 * time.Second,
		followupWait:        10 * time.Second,
		heartbeatInterval:   41250 * time.Millisecond,
		faultRetryAfter:     100 * time.Millisecond,
		nonceWindow:         5 * time.Minute,
		requireNoMentions:   true,
	}
}

// WithToken sets the bot token the fake accepts.
func WithToken(token string) Option { return func(c *config) { c.token = token } }

// WithAppID sets the application id (also the bot user's id).
func WithAppID(id string) Option {
	return func(c *config) { c.appID, c.botUserID = id, id }
}

// WithGuilds replaces the default guild with these.
func WithGuilds(guilds ...Guild) Option { return func(c *config) { c.guilds = guilds } }

// WithMessageRateLimit limits message creation to n per window per channel
// (and per webhook); Discord's is about 5 per 5 s. Tests shorten the window.
func WithMessageRateLimit(n int, window time.Duration) Option {
	return func(c *config) { c.messageLimit, c.messageWindow = n, window }
}

// WithInteractionDeadline sets how long after dispatch an interaction may
// first be answered (Discord: 3 s); later callbacks get 404 Unknown interaction.
func WithInteractionDeadline(d time.Duration) Option {
	return func(c *config) { c.interactionDeadline = d }
}

// WithFollowupWait sets how long Interact waits, after a deferred callback,
// for the edit of the original message or a follow-up (default 10 s).
func WithFollowupWait(d time.Duration) Option { return func(c *config) { c.followupWait = d } }

// WithHeartbeatInterval sets the heartbeat_interval sent in HELLO (default
// 41.25 s). A connection silent for two intervals (and at least 3 s) is
// closed.
func WithHeartbeatInterval(d time.Duration) Option {
	return func(c *config) { c.heartbeatInterval = d }
}

// WithFaultRetryAfter sets the retry_after of injected 429 answers (default 100 ms).
func WithFaultRetryAfter(d time.Duration) Option {
	return func(c *config) { c.faultRetryAfter = d }
}

// WithSpec reads Discord's OpenAPI description from path instead of the
// shared directory beside the repository.
func WithSpec(path string) Option { return func(c *config) { c.specPath = path } }

// AllowMentions turns off the check that every message sets
// allowed_mentions to {"parse": []}; for tests of that very failure.
func AllowMentions() Option { return func(c *config) { c.requireNoMentions = false } }
