package discord

import (
	"context"
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/embargo-watch/embargo/rules"
)

func rulesCommand() *command {
	return &command{
		def: &discordgo.ApplicationCommand{
			Name: "rules", Description: "List the rules, or show one: what it looks for and its legal basis",
			Options: []*discordgo.ApplicationCommandOption{
				withMaxLength(autocompleteOpt("id", "The rule to show", false), 100),
			},
		},
		handle: func(ctx context.Context, r *request) (MessagePayload, error) {
			if id := r.str("id"); id != "" {
				return showRule(r, id)
			}
			return rulesPage(ctx, r, 0, "")
		},
		complete: completeRuleOption,
		page:     rulesPage,
	}
}

func rulesPage(_ context.Context, r *request, page int, _ string) (MessagePayload, error) {
	set := r.bot.cfg.Rules()
	if set == nil || len(set.Rules()) == 0 {
		return MessagePayload{}, refuse("No rules are loaded.")
	}
	var lines []string
	for _, rule := range set.Rules() {
		lines = append(lines, fmt.Sprintf("**%s** — %s (%s, %s)", Escape(rule.ID), Escape(rule.Title), Escape(rule.Category), Escape(rule.Severity)))
	}
	return pagedList(fmt.Sprintf("Rules (%d)", len(lines)), lines, page, "rules", ""), nil
}

// showRule describes one rule: title, category, severity, legal basis and
// what each of its groups looks for.
func showRule(r *request, id string) (MessagePayload, error) {
	rule, err := r.bot.currentRule(id)
	if err != nil {
		return MessagePayload{}, err
	}
	fs := []field{
		{"Category", Escape(rule.Category), true},
		{"Severity", Escape(rule.Severity), true},
		{"Legal basis", escapeList(rule.References, "\n"), false},
		{"Condition", Escape(firstNonEmpty(rule.Condition, "all groups")), false},
	}
	for _, g := range rule.Groups {
		fs = append(fs, field{"Group " + Clean(g.Name), describeGroup(g), false})
	}
	e := &discordgo.MessageEmbed{
		Title:  Fit(rule.Title, maxTitle),
		Color:  severityColor[rule.Severity],
		Footer: &discordgo.MessageEmbedFooter{Text: fitPlain("rule "+Clean(rule.ID), maxFooter)},
	}
	budget := maxEmbedTotal - textLen(e.Title) - textLen(e.Footer.Text)
	e.Fields, budget = fitFields(fs, budget-maxDescription/4)
	e.Description = Fit(rule.Description, min(maxDescription, budget+maxDescription/4))
	return MessagePayload{Embeds: []*discordgo.MessageEmbed{e}}, nil
}

// describeGroup says what a group of a rule looks for.
func describeGroup(g rules.Group) string {
	var parts []string
	if len(g.Lexicons) > 0 {
		parts = append(parts, "lexicons "+escapeList(g.Lexicons, ", "))
	}
	if len(g.Terms) > 0 {
		parts = append(parts, "terms "+escapeList(g.Terms, ", "))
	}
	if g.Watchlist != "" {
		parts = append(parts, "designated names ("+Escape(g.Watchlist)+")")
	}
	if len(g.Unless) > 0 {
		parts = append(parts, fmt.Sprintf("unless within %d words of %s", g.Within, escapeList(g.Unless, ", ")))
	}
	if g.Quantity {
		parts = append(parts, "captures quantities")
	}
	return strings.Join(parts, "; ")
}

func sourcesCommand() *command {
	return &command{
		def: &discordgo.ApplicationCommand{
			Name: "sources", Description: "Show each source's health: last fetch, result, next run, error",
		},
		handle: func(ctx context.Context, r *request) (MessagePayload, error) {
			return sourcesPage(ctx, r, 0, "")
		},
		page: sourcesPage,
	}
}

func sourcesPage(ctx context.Context, r *request, page int, _ string) (MessagePayload, error) {
	if r.bot.cfg.Sources == nil {
		return MessagePayload{}, refuse("Source health is not available in this mode.")
	}
	statuses, err := r.bot.cfg.Sources(ctx)
	if err != nil {
		return MessagePayload{}, fmt.Errorf("source health: %w", err)
	}
	if len(statuses) == 0 {
		return MessagePayload{Content: "No sources are configured."}, nil
	}
	lines := make([]string, 0, len(statuses))
	for _, s := range statuses {
		lines = append(lines, sourceLine(s))
	}
	return pagedList("Sources", lines, page, "sources", ""), nil
}

// sourceLine is one source's health on one line.
func sourceLine(s SourceStatus) string {
	mark := "🟢"
	switch s.Result {
	case "error":
		mark = "🔴"
	case "":
		mark = "⚪"
	}
	line := fmt.Sprintf("%s **%s** %s", mark, Escape(s.Name), Escape(firstNonEmpty(s.Result, "not fetched yet")))
	if !s.LastFetch.IsZero() {
		line += fmt.Sprintf(", last fetch <t:%d:R>", s.LastFetch.Unix())
	}
	if !s.NextRun.IsZero() {
		line += fmt.Sprintf(", next <t:%d:R>", s.NextRun.Unix())
	}
	if s.Error != "" {
		line += " — " + Fit(s.Error, 200)
	}
	return line
}

func checkCommand() *command {
	return &command{
		def: &discordgo.ApplicationCommand{
			Name: "check", Description: "Which rules would a text (or the article at a URL) fire, and why",
			Options: []*discordgo.ApplicationCommandOption{
				withMaxLength(stringOpt("text", "The text, or an http(s) URL of an article", true), 4000),
			},
		},
		handle: check,
	}
}

func check(ctx context.Context, r *request) (MessagePayload, error) {
	text := r.str("text")
	if isURL(text) {
		if r.bot.cfg.FetchText == nil {
			return MessagePayload{}, refuse("Checking URLs is not enabled; paste the text instead.")
		}
		// Fetching can take longer than Discord waits for a first answer.
		r.deferReply(ctx)
		fetched, err := r.bot.cfg.FetchText(ctx, text)
		if err != nil {
			return MessagePayload{}, refuse("Could not fetch that URL: %s", Fit(err.Error(), 300))
		}
		text = fetched
	}
	set := r.bot.cfg.Rules()
	if set == nil {
		return MessagePayload{}, refuse("No rules are loaded.")
	}
	return checkResult(set.Match(text), text), nil
}

// checkResult shows each rule that fired with the words that made it fire.
func checkResult(results []rules.Result, text string) MessagePayload {
	if len(results) == 0 {
		return MessagePayload{Content: "No rule fires on this text."}
	}
	var fs []field
	for _, res := range results {
		fs = append(fs, field{
			name:  fmt.Sprintf("%s (%s, %s)", Clean(res.Rule.ID), Clean(res.Rule.Category), Clean(res.Rule.Severity)),
			value: explainResult(res, text),
		})
	}
	e := &discordgo.MessageEmbed{
		Title: fmt.Sprintf("%d rule(s) fire", len(results)),
		Color: severityColor[highestSeverity(results)],
	}
	e.Fields, _ = fitFields(fs, maxEmbedTotal-textLen(e.Title))
	return MessagePayload{Embeds: []*discordgo.MessageEmbed{e}}
}

// explainResult lists a result's matched words by group, its quantities and
// the designated entities it found.
func explainResult(res rules.Result, text string) string {
	byGroup := map[string][]string{}
	var groups []string
	for _, m := range res.Matches {
		if _, ok := byGroup[m.Group]; !ok {
			groups = append(groups, m.Group)
		}
		byGroup[m.Group] = append(byGroup[m.Group], text[m.Start:m.End])
	}
	var lines []string
	for _, g := range groups {
		words := unique(byGroup[g])
		for i, w := range words {
			words[i] = "**" + Escape(w) + "**"
		}
		lines = append(lines, Escape(g)+": "+strings.Join(words, ", "))
	}
	if len(res.Quantities) > 0 {
		var qs []string
		for _, q := range res.Quantities {
			qs = append(qs, q.Text)
		}
		lines = append(lines, "quantities: "+escapeList(unique(qs), ", "))
	}
	for _, e := range res.Entities {
		lines = append(lines, fmt.Sprintf("designated: %s (%s %s)", Escape(e.Name), Escape(e.List), Escape(e.Ref)))
	}
	return strings.Join(lines, "\n")
}

func highestSeverity(results []rules.Result) string {
	best := ""
	for _, r := range results {
		if rules.SeverityRank(r.Rule.Severity) > rules.SeverityRank(best) {
			best = r.Rule.Severity
		}
	}
	return best
}

// isURL reports whether text is a single http(s) URL.
func isURL(text string) bool {
	return !strings.ContainsAny(text, " \n\t") && SafeURL(text) != ""
}
