package discord

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/embargo-watch/embargo/internal/store"
	"github.com/embargo-watch/embargo/rules"
)

func subscribeCommand() *command {
	channel := &discordgo.ApplicationCommandOption{
		Type: discordgo.ApplicationCommandOptionChannel, Name: "channel",
		Description:  "Where alerts go (default: this channel)",
		ChannelTypes: []discordgo.ChannelType{discordgo.ChannelTypeGuildText, discordgo.ChannelTypeGuildNews},
	}
	return &command{
		def: &discordgo.ApplicationCommand{
			Name:        "subscribe",
			Description: "Send alerts to a channel, filtered by rule, category and minimum severity",
			Options:     []*discordgo.ApplicationCommandOption{ruleOpt("Only alerts of this rule", false), categoryOpt(), severityOpt(), channel},
		},
		handle:    subscribe,
		complete:  completeRuleOption,
		manage:    true,
		ephemeral: true,
	}
}

func subscribe(ctx context.Context, r *request) (MessagePayload, error) {
	s := store.Subscription{
		GuildID:     r.guild(),
		ChannelID:   r.i.ChannelID,
		Rule:        r.str("rule"),
		Category:    r.str("category"),
		MinSeverity: r.str("severity"),
		CreatedBy:   r.user(),
		Created:     r.bot.cfg.Now(),
	}
	if o, ok := r.opts["channel"]; ok {
		if id, ok := o.Value.(string); ok && id != "" {
			s.ChannelID = id
		}
	}
	if err := r.bot.checkFilter(s); err != nil {
		return MessagePayload{}, err
	}
	id, err := r.bot.cfg.Store.AddSubscription(ctx, s)
	if err != nil {
		return MessagePayload{}, fmt.Errorf("add subscription: %w", err)
	}
	text := fmt.Sprintf("Subscribed <#%s> to %s (subscription #%d).", s.ChannelID, describeFilter(s), id)
	// Subscribing again is how an admin says the channel works again (after
	// fixing the bot's access): resume what failed deliveries paused.
	resumed, err := r.bot.cfg.Store.ResumeChannel(ctx, s.ChannelID)
	if err != nil {
		return MessagePayload{}, fmt.Errorf("resume channel %s: %w", s.ChannelID, err)
	}
	if resumed > 0 {
		text += fmt.Sprintf(" Resumed %d paused subscription(s) of that channel.", resumed)
	}
	return MessagePayload{Content: text}, nil
}

// checkFilter refuses filters that name no known rule, category or severity.
func (b *Bot) checkFilter(s store.Subscription) error {
	if s.Rule != "" {
		if _, err := b.currentRule(s.Rule); err != nil {
			return err
		}
	}
	if s.Category != "" && !slices.Contains(rules.Categories, s.Category) {
		return refuse("Unknown category %s.", Escape(s.Category))
	}
	if s.MinSeverity != "" && rules.SeverityRank(s.MinSeverity) < 0 {
		return refuse("Unknown severity %s.", Escape(s.MinSeverity))
	}
	return nil
}

// describeFilter says in words what a subscription lets through.
func describeFilter(s store.Subscription) string {
	var parts []string
	if s.Rule != "" {
		parts = append(parts, "rule "+Escape(s.Rule))
	}
	if s.Category != "" {
		parts = append(parts, "category "+Escape(s.Category))
	}
	if s.MinSeverity != "" {
		parts = append(parts, "severity "+Escape(s.MinSeverity)+" or higher")
	}
	if len(parts) == 0 {
		return "all alerts"
	}
	return "alerts of " + strings.Join(parts, ", ")
}

func unsubscribeCommand() *command {
	id := &discordgo.ApplicationCommandOption{
		Type: discordgo.ApplicationCommandOptionInteger, Name: "id",
		Description: "The subscription to remove", Required: true, Autocomplete: true,
	}
	return &command{
		def: &discordgo.ApplicationCommand{
			Name: "unsubscribe", Description: "Stop a subscription of this server",
			Options: []*discordgo.ApplicationCommandOption{id},
		},
		handle:    unsubscribe,
		complete:  completeSubscriptions,
		manage:    true,
		ephemeral: true,
	}
}

func unsubscribe(ctx context.Context, r *request) (MessagePayload, error) {
	id := r.integer("id")
	removed, err := r.bot.cfg.Store.RemoveSubscription(ctx, r.guild(), id)
	if err != nil {
		return MessagePayload{}, fmt.Errorf("remove subscription %d: %w", id, err)
	}
	if !removed {
		return MessagePayload{}, refuse("This server has no subscription #%d; /subscriptions lists them.", id)
	}
	return MessagePayload{Content: fmt.Sprintf("Removed subscription #%d.", id)}, nil
}

// completeSubscriptions offers this server's subscriptions whose description
// contains what the user typed.
func completeSubscriptions(ctx context.Context, r *request, option, typed string) []*discordgo.ApplicationCommandOptionChoice {
	subs, err := r.bot.cfg.Store.Subscriptions(ctx, r.guild())
	if err != nil {
		r.bot.cfg.Log.Warn("complete subscriptions", "err", err)
		return nil
	}
	var choices []*discordgo.ApplicationCommandOptionChoice
	for _, s := range subs {
		label := fmt.Sprintf("#%d %s", s.ID, plainFilter(s))
		if !containsFold(label, typed) {
			continue
		}
		choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: fitPlain(label, 100), Value: s.ID})
		if len(choices) == maxChoices {
			break
		}
	}
	return choices
}

// plainFilter describes a filter without markdown, for choice labels (which
// Discord shows as plain text).
func plainFilter(s store.Subscription) string {
	return fmt.Sprintf("rule=%s category=%s severity≥%s", orAny(s.Rule), orAny(s.Category), orAny(s.MinSeverity))
}

func orAny(s string) string {
	if s == "" {
		return "any"
	}
	return s
}

func subscriptionsCommand() *command {
	return &command{
		def: &discordgo.ApplicationCommand{
			Name: "subscriptions", Description: "List this server's subscriptions and whether they are active",
		},
		handle: func(ctx context.Context, r *request) (MessagePayload, error) {
			return subscriptionsPage(ctx, r, 0, "")
		},
		page:      subscriptionsPage,
		ephemeral: true,
	}
}

func subscriptionsPage(ctx context.Context, r *request, page int, _ string) (MessagePayload, error) {
	subs, err := r.bot.cfg.Store.Subscriptions(ctx, r.guild())
	if err != nil {
		return MessagePayload{}, fmt.Errorf("subscriptions: %w", err)
	}
	mutes, err := r.bot.cfg.Store.ActiveMutes(ctx, r.guild(), r.bot.cfg.Now())
	if err != nil {
		return MessagePayload{}, fmt.Errorf("mutes: %w", err)
	}
	if len(subs) == 0 && len(mutes) == 0 {
		return MessagePayload{Content: "This server has no subscriptions. /subscribe adds one."}, nil
	}
	lines := make([]string, 0, len(subs)+len(mutes))
	for _, s := range subs {
		lines = append(lines, fmt.Sprintf("**#%d** <#%s>: %s — %s", s.ID, s.ChannelID, describeFilter(s), subscriptionState(s)))
	}
	for _, m := range mutes {
		lines = append(lines, muteLine(m))
	}
	return pagedList("Subscriptions", lines, page, "subscriptions", ""), nil
}

// muteLine shows a mute as a silence: which rule, until when, who, why. The
// user mention only shows a name: allowed_mentions lets it ping no one.
func muteLine(m store.Mute) string {
	line := fmt.Sprintf("🔇 %s muted until <t:%d:f>", Escape(m.Rule), m.Until.Unix())
	if m.CreatedBy != "" {
		line += fmt.Sprintf(" by <@%s>", m.CreatedBy)
	}
	if m.Reason != "" {
		line += ": " + Fit(m.Reason, 200)
	}
	return line
}

// subscriptionState is "active" or "paused: <reason>".
func subscriptionState(s store.Subscription) string {
	if !s.Paused {
		return "active"
	}
	reason := Escape(s.PauseReason)
	if reason == "" {
		reason = "delivery failed " + strconv.Itoa(s.Failures) + " times"
	}
	return "paused: " + reason
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(strings.TrimSpace(sub)))
}
