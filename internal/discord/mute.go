package discord

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/embargo-watch/embargo/internal/store"
)

// maxMute is the longest a rule may be muted at once; longer silences are
// better done by unsubscribing.
const maxMute = 90 * 24 * time.Hour

func muteCommand() *command {
	return &command{
		def: &discordgo.ApplicationCommand{
			Name: "mute", Description: "Silence a rule in this server for a while",
			Options: []*discordgo.ApplicationCommandOption{
				ruleOpt("The rule to silence", true),
				withMaxLength(stringOpt("duration", "How long, e.g. 2h, 3d, 1w, 1d12h", true), 20),
				withMaxLength(stringOpt("reason", "Why (shown in /subscriptions and the logs)", false), 200),
			},
		},
		handle:    mute,
		complete:  completeRuleOption,
		manage:    true,
		ephemeral: true,
	}
}

func mute(ctx context.Context, r *request) (MessagePayload, error) {
	rule, err := r.bot.currentRule(r.str("rule"))
	if err != nil {
		return MessagePayload{}, err
	}
	d, err := ParseDuration(r.str("duration"))
	if err != nil {
		return MessagePayload{}, refuse("%s", Escape(err.Error()))
	}
	now := r.bot.cfg.Now()
	m := store.Mute{
		GuildID: r.guild(), Rule: rule.ID, Until: now.Add(d),
		CreatedBy: r.user(), Reason: r.str("reason"), Created: now,
	}
	if _, err := r.bot.cfg.Store.AddMute(ctx, m); err != nil {
		return MessagePayload{}, fmt.Errorf("add mute: %w", err)
	}
	text := fmt.Sprintf("Muted %s in this server until <t:%d:f> (<t:%d:R>).", Escape(rule.ID), m.Until.Unix(), m.Until.Unix())
	if m.Reason != "" {
		text += " Reason: " + Fit(m.Reason, 300)
	}
	return MessagePayload{Content: text}, nil
}

func unmuteCommand() *command {
	return &command{
		def: &discordgo.ApplicationCommand{
			Name: "unmute", Description: "Let a muted rule's alerts through again",
			Options: []*discordgo.ApplicationCommandOption{ruleOpt("The rule to unmute", true)},
		},
		handle:    unmute,
		complete:  completeRuleOption,
		manage:    true,
		ephemeral: true,
	}
}

func unmute(ctx context.Context, r *request) (MessagePayload, error) {
	rule := r.str("rule")
	n, err := r.bot.cfg.Store.RemoveMutes(ctx, r.guild(), rule)
	if err != nil {
		return MessagePayload{}, fmt.Errorf("remove mutes: %w", err)
	}
	if n == 0 {
		return MessagePayload{}, refuse("Rule %s is not muted in this server.", Escape(rule))
	}
	return MessagePayload{Content: fmt.Sprintf("Unmuted %s.", Escape(rule))}, nil
}

// durationUnits are the units /mute accepts.
var durationUnits = map[byte]time.Duration{
	'm': time.Minute,
	'h': time.Hour,
	'd': 24 * time.Hour,
	'w': 7 * 24 * time.Hour,
}

// ParseDuration reads a mute duration: one or more numbers with a unit m, h,
// d or w ("2h", "3d", "1w", "1d12h"), from one minute to 90 days.
func ParseDuration(in string) (time.Duration, error) {
	s := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(in), " ", ""))
	bad := fmt.Errorf("duration %q: want numbers with a unit m, h, d or w, e.g. 2h or 3d", in)
	if s == "" {
		return 0, errors.New("a duration is needed, e.g. 2h, 3d or 1w")
	}
	var total time.Duration
	for s != "" {
		digits := len(s) - len(strings.TrimLeft(s, "0123456789"))
		if digits == 0 || digits == len(s) {
			return 0, bad
		}
		n, err := strconv.Atoi(s[:digits])
		unit, ok := durationUnits[s[digits]]
		if err != nil || !ok {
			return 0, bad
		}
		if n > int(maxMute/unit) {
			return 0, errors.New("a mute lasts at most 90 days")
		}
		total += time.Duration(n) * unit
		s = s[digits+1:]
	}
	switch {
	case total < time.Minute:
		return 0, errors.New("a mute lasts at least one minute")
	case total > maxMute:
		return 0, errors.New("a mute lasts at most 90 days")
	}
	return total, nil
}
