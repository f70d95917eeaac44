package discord

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/embargo-watch/embargo/internal/alert"
	"github.com/embargo-watch/embargo/internal/delivery"
	"github.com/embargo-watch/embargo/internal/store"
	"github.com/embargo-watch/embargo/rules"
)

// pauseAfter is how many deliveries in a row may fail with missing access or
// an unknown channel before the channel's subscriptions are paused.
const pauseAfter = 3

// maxNonce is the longest nonce Discord accepts.
const maxNonce = 25

var nonceEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// Nonce is the message nonce of an alert in a channel. It is the same every
// time the same delivery is attempted, so that with enforce_nonce Discord
// returns the message already posted instead of posting it twice; it differs
// between channels because Discord checks nonces per author, not per channel.
func Nonce(alertID int64, channelID string) string {
	sum := sha256.Sum256([]byte(strconv.FormatInt(alertID, 10) + "/" + channelID))
	return "e" + strings.ToLower(nonceEncoding.EncodeToString(sum[:12])) // 1 + 20 characters
}

// channelSender posts alerts to Discord channels through the bot's session.
type channelSender struct {
	session *discordgo.Session
	api     *url.URL // where REST requests go; nil: discord.com
	db      *store.DB
	log     *slog.Logger
	now     func() time.Time
}

// Send implements delivery.Sender for targets store.ChannelTarget(id). The
// mutes and subscription filters are applied again here, because they may
// have changed since the alert was queued.
func (c *channelSender) Send(ctx context.Context, d store.Delivery) (string, error) {
	channel, ok := store.ChannelOf(d.Target)
	if !ok {
		return "", &delivery.PermanentError{Err: fmt.Errorf("target %q is not a Discord channel", d.Target)}
	}
	subs, err := c.db.SubscriptionsForChannel(ctx, channel)
	if err != nil {
		return "", fmt.Errorf("subscriptions of channel %s: %w", channel, err)
	}
	if reason, err := c.skipReason(ctx, subs, d.Alert); err != nil || reason != "" {
		if err != nil {
			return "", err
		}
		return "", &delivery.SkipError{Reason: reason}
	}
	id, err := c.post(ctx, channel, d.Alert)
	if err != nil {
		return "", c.failure(ctx, channel, err)
	}
	if hadFailures(subs) {
		if err := c.db.ResetChannelFailures(ctx, channel); err != nil {
			c.log.Warn("reset channel failures", "channel", channel, "err", err)
		}
	}
	return id, nil
}

// post sends the alert's message with its nonce and returns the message id.
// discordgo's own retry on 429 is off: the outbox decides when to try again,
// so a rate-limited row never waits twice. discordgo's bucket still holds the
// request back until the channel's rate limit resets, which avoids the 429.
func (c *channelSender) post(ctx context.Context, channel string, a alert.Alert) (string, error) {
	msg := AlertMessage(a)
	msg.Nonce = Nonce(a.ID, channel)
	msg.EnforceNonce = true
	endpoint := discordgo.EndpointChannelMessages(channel)
	body, err := c.session.RequestWithBucketID(http.MethodPost, endpoint, msg, endpoint,
		discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false), discordgo.WithRestRetries(0))
	if err != nil {
		return "", err
	}
	var created struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(body, &created); err != nil {
		return "", fmt.Errorf("decode created message: %w", err)
	}
	return created.ID, nil
}

// failure maps a failed post to what the outbox should do: 429 waits for
// retry_after, 403 and 404 fail the delivery (and, repeated, pause the
// channel's subscriptions), other errors are retried with backoff.
func (c *channelSender) failure(ctx context.Context, channel string, err error) error {
	err = classifyREST(sentTo(err, c.api))
	if !delivery.IsPermanent(err) {
		return err
	}
	if rerr := c.db.RecordChannelFailure(ctx, channel, err.Error(), pauseAfter); rerr != nil {
		c.log.Error("record channel failure", "channel", channel, "err", rerr)
	}
	return err
}

// classifyREST turns a discordgo error into the delivery error kinds.
func classifyREST(err error) error {
	var limited *discordgo.RateLimitError
	if errors.As(err, &limited) {
		return &delivery.RetryAfterError{After: limited.RetryAfter, Err: errors.New("discord: rate limited")}
	}
	var rest *discordgo.RESTError
	if !errors.As(err, &rest) || rest.Response == nil {
		return fmt.Errorf("discord: %w", err)
	}
	return classifyStatus(rest.Response.StatusCode, restReason(rest))
}

// classifyStatus maps an HTTP status of a failed send to a delivery error.
func classifyStatus(status int, reason string) error {
	err := fmt.Errorf("discord: HTTP %d: %s", status, reason)
	switch {
	case status == http.StatusUnauthorized, status == http.StatusTooManyRequests, status >= 500:
		// A bad token is fixed by an operator, then the row goes out.
		return err
	case status >= 400:
		return &delivery.PermanentError{Err: err}
	}
	return err
}

// restReason is Discord's message for a failed request, e.g. "Missing Access".
func restReason(rest *discordgo.RESTError) string {
	if rest.Message != nil && rest.Message.Message != "" {
		return rest.Message.Message
	}
	return http.StatusText(rest.Response.StatusCode)
}

// skipReason says why an alert must not go to a channel now: no subscription
// of the channel wants it any more, they are paused, or its rule is muted in
// the channel's server. "" means send it.
func (c *channelSender) skipReason(ctx context.Context, subs []store.Subscription, a alert.Alert) (string, error) {
	var wanted []store.Subscription
	for _, s := range subs {
		if Wants(s, a) {
			wanted = append(wanted, s)
		}
	}
	if len(wanted) == 0 {
		return "no subscription of the channel matches", nil
	}
	active := wanted[:0:0]
	for _, s := range wanted {
		if !s.Paused {
			active = append(active, s)
		}
	}
	if len(active) == 0 {
		return "subscription paused: " + wanted[0].PauseReason, nil
	}
	return c.muteReason(ctx, active[0].GuildID, a.Rule)
}

// muteReason reports a mute of rule in guild.
func (c *channelSender) muteReason(ctx context.Context, guild, rule string) (string, error) {
	mutes, err := c.db.ActiveMutes(ctx, guild, c.now())
	if err != nil {
		return "", fmt.Errorf("mutes of guild %s: %w", guild, err)
	}
	for _, m := range mutes {
		if m.Rule == rule || m.Rule == "" {
			return fmt.Sprintf("rule %s muted until %s", rule, m.Until.UTC().Format(time.RFC3339)), nil
		}
	}
	return "", nil
}

// Wants reports whether a subscription's filters (rule, category, minimum
// severity) let an alert through. Paused subscriptions are the caller's
// concern.
func Wants(s store.Subscription, a alert.Alert) bool {
	return (s.Rule == "" || s.Rule == a.Rule) &&
		(s.Category == "" || s.Category == a.Category) &&
		(s.MinSeverity == "" || rules.SeverityRank(a.Severity) >= rules.SeverityRank(s.MinSeverity))
}

func hadFailures(subs []store.Subscription) bool {
	for _, s := range subs {
		if s.Failures > 0 {
			return true
		}
	}
	return false
}

// Targets lists the outbox targets of a new alert in bot mode: the channel of
// every active subscription whose filters match, each channel once.
func Targets(ctx context.Context, db *store.DB, a alert.Alert) ([]string, error) {
	subs, err := db.Subscriptions(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("subscriptions: %w", err)
	}
	var targets []string
	seen := map[string]bool{}
	for _, s := range subs {
		if s.Paused || seen[s.ChannelID] || !Wants(s, a) {
			continue
		}
		seen[s.ChannelID] = true
		targets = append(targets, store.ChannelTarget(s.ChannelID))
	}
	return targets, nil
}
