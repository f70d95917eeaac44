package discord

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/embargo-watch/embargo/internal/alert"
	"github.com/embargo-watch/embargo/internal/store"
)

// lookupLimit is how many list entries /lookup shows.
const lookupLimit = 5

func lookupCommand() *command {
	return &command{
		def: &discordgo.ApplicationCommand{
			Name: "lookup", Description: "Search the sanctions lists for a name, however it is spelled",
			Options: []*discordgo.ApplicationCommandOption{
				withMaxLength(stringOpt("name", "A person, entity or vessel (IMO numbers work too)", true), 200),
				choiceOpt("list", "Only this list", []string{"un", "ofac"}),
			},
		},
		handle: lookup,
	}
}

func lookup(ctx context.Context, r *request) (MessagePayload, error) {
	if r.bot.cfg.Lookup == nil {
		return MessagePayload{}, refuse("No sanctions list is loaded.")
	}
	name := r.str("name")
	results, err := r.bot.cfg.Lookup(ctx, name, r.str("list"), lookupLimit)
	var shown *userError
	if errors.As(err, &shown) {
		return MessagePayload{}, shown
	}
	if err != nil {
		return MessagePayload{}, fmt.Errorf("lookup %q: %w", name, err)
	}
	e := &discordgo.MessageEmbed{Title: Fit("Lookup: "+name, maxTitle)}
	if len(results) == 0 {
		e.Description = "No entry on the loaded lists matches."
	}
	for _, res := range results[:min(len(results), lookupLimit)] {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{
			Name:  Fit(fmt.Sprintf("%s — %s %s (%.0f%%)", res.Name, strings.ToUpper(res.List), res.Ref, 100*res.Score), maxFieldName),
			Value: lookupDetails(res),
		})
	}
	return MessagePayload{Embeds: []*discordgo.MessageEmbed{e}}, nil
}

// lookupDetails is a result's field: what matched and the entry's facts.
func lookupDetails(res LookupResult) string {
	var lines []string
	add := func(label, value string) {
		if value != "" {
			lines = append(lines, "**"+label+":** "+Escape(value))
		}
	}
	if res.Matched != res.Name {
		add("Matched", res.Matched)
	}
	add("Type", res.Type)
	add("Program", res.Program)
	add("Listed on", res.ListedOn)
	if len(res.Aliases) > 0 {
		lines = append(lines, "**Aliases:** "+escapeList(res.Aliases, "; "))
	}
	if len(lines) == 0 {
		return "—"
	}
	return fitPlain(strings.Join(lines, "\n"), maxFieldValue)
}

const (
	alertsShown = 100 // the most alerts /alerts pages through
	maxDays     = 365
)

func alertsCommand() *command {
	days := &discordgo.ApplicationCommandOption{
		Type: discordgo.ApplicationCommandOptionInteger, Name: "days",
		Description: "Only alerts of the last N days (default 30)",
		MinValue:    ptr(1.0), MaxValue: maxDays,
	}
	return &command{
		def: &discordgo.ApplicationCommand{
			Name: "alerts", Description: "Search past alerts",
			Options: []*discordgo.ApplicationCommandOption{
				withMaxLength(stringOpt("query", "Words to search for", false), 60),
				ruleOpt("Only alerts of this rule", false),
				days,
			},
		},
		handle: func(ctx context.Context, r *request) (MessagePayload, error) {
			args := url.Values{}
			for k, v := range map[string]string{"q": r.str("query"), "r": r.str("rule")} {
				if v != "" {
					args.Set(k, v)
				}
			}
			if d := r.integer("days"); d > 0 {
				args.Set("d", strconv.FormatInt(d, 10))
			}
			return alertsPage(ctx, r, 0, args.Encode())
		},
		complete: completeRuleOption,
		page:     alertsPage,
	}
}

// alertsPage runs the search that args describe and shows one page of it.
func alertsPage(ctx context.Context, r *request, page int, args string) (MessagePayload, error) {
	q, err := url.ParseQuery(args)
	if err != nil {
		return MessagePayload{}, refuse("That button is broken; run /alerts again.")
	}
	days, _ := strconv.Atoi(q.Get("d"))
	if days <= 0 || days > maxDays {
		days = 30
	}
	found, err := r.bot.cfg.Store.SearchAlerts(ctx, store.AlertQuery{
		Text: q.Get("q"), Rule: q.Get("r"), Limit: alertsShown,
		Since: r.bot.cfg.Now().Add(-time.Duration(days) * 24 * time.Hour),
	})
	if err != nil {
		return MessagePayload{}, fmt.Errorf("search alerts: %w", err)
	}
	if len(found) == 0 {
		return MessagePayload{Content: fmt.Sprintf("No alerts in the last %d days match.", days)}, nil
	}
	lines := make([]string, 0, len(found))
	for _, a := range found {
		lines = append(lines, alertLine(a))
	}
	return pagedList(fmt.Sprintf("Alerts of the last %d days", days), lines, page, "alerts", args), nil
}

// alertLine is one alert in a list: when, severity, rule, and the headline
// linked to the story.
func alertLine(a alert.Alert) string {
	headline := Fit(firstNonEmpty(a.Headline, a.Title), 150)
	if u := SafeURL(a.URL); u != "" {
		headline = "[" + headline + "](" + escapeLinkTarget(u) + ")"
	}
	when := a.Published
	if when.IsZero() {
		when = a.Created
	}
	return fmt.Sprintf("<t:%d:d> **%s** %s — %s", when.Unix(), Escape(a.Severity), Escape(a.Rule), headline)
}

// escapeLinkTarget keeps a URL from closing the markdown link it sits in.
func escapeLinkTarget(u string) string {
	return strings.NewReplacer("(", "%28", ")", "%29", " ", "%20").Replace(u)
}

func ptr[T any](v T) *T { return &v }
