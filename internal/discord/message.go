package discord

import (
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/embargo-watch/embargo/internal/alert"
)

// Discord's documented message limits.
const (
	maxTitle       = 256
	maxDescription = 4096
	maxFields      = 25
	maxFieldName   = 256
	maxFieldValue  = 1024
	maxFooter      = 2048
	maxEmbedTotal  = 6000 // across all embeds of one message
	maxContent     = 2000
	maxURL         = 2048
)

// MessagePayload is the JSON body of a message that embargo sends: a channel
// message, a webhook execution or an interaction response. AllowedMentions
// always marshals as {"parse": []}, so nothing in it can ping anyone.
type MessagePayload struct {
	Content         string                       `json:"content,omitempty"`
	Embeds          []*discordgo.MessageEmbed    `json:"embeds,omitempty"`
	Components      []discordgo.MessageComponent `json:"components,omitempty"`
	AllowedMentions NoMentions                   `json:"allowed_mentions"`
	Flags           discordgo.MessageFlags       `json:"flags,omitempty"`
	// Nonce and EnforceNonce make Discord return the message already created
	// with this nonce instead of posting it again (channel messages only).
	Nonce        string `json:"nonce,omitempty"`
	EnforceNonce bool   `json:"enforce_nonce,omitempty"`
}

// NoMentions is an allowed_mentions object that allows none. Unlike an empty
// discordgo.MessageAllowedMentions, whose parse list marshals as null, it
// cannot be left in a state that lets mentions through.
type NoMentions struct{}

// MarshalJSON writes {"parse":[]}.
func (NoMentions) MarshalJSON() ([]byte, error) { return []byte(`{"parse":[]}`), nil }

// severityColor gives each severity its embed colour, from grey to red.
var severityColor = map[string]int{
	"info":     0x95A5A6,
	"low":      0x3498DB,
	"medium":   0xF1C40F,
	"high":     0xE67E22,
	"critical": 0xE74C3C,
}

// AlertMessage renders an alert as one embed, within every Discord limit.
// Text from feeds is escaped and cleaned; the title links to the story only
// when its URL is http(s).
func AlertMessage(a alert.Alert) MessagePayload {
	e := &discordgo.MessageEmbed{
		Title:  Fit(firstNonEmpty(a.Headline, a.Title, a.Rule), maxTitle),
		URL:    SafeURL(a.URL),
		Color:  severityColor[a.Severity],
		Footer: &discordgo.MessageEmbedFooter{Text: fitPlain("rule "+Clean(a.Rule), maxFooter)},
	}
	budget := maxEmbedTotal - textLen(e.Title) - textLen(e.Footer.Text)
	// The description needs room too: fields may take what it leaves.
	const descriptionReserve = 1000
	e.Fields, budget = fitFields(alertFields(a), budget-descriptionReserve)
	budget += descriptionReserve
	clean, spans := snippetSpans(a)
	snippet, cut := head(clean, maxDescription)
	e.Description = fitPieces(boldPieces(snippet, clipSpans(spans, len(snippet))), min(maxDescription, budget), cut)
	return MessagePayload{Embeds: []*discordgo.MessageEmbed{e}}
}

// field is an embed field before it is cut to fit.
type field struct {
	name, value string
	inline      bool
}

// alertFields lists an alert's fields, most important first, so that when
// space runs out the least important are dropped. Values are escaped already.
func alertFields(a alert.Alert) []field {
	fs := []field{
		{"Rule", Escape(firstNonEmpty(a.Title, a.Rule)), false},
		{"Category", Escape(a.Category), true},
		{"Severity", Escape(a.Severity), true},
	}
	if len(a.References) > 0 {
		fs = append(fs, field{"Legal basis", escapeList(a.References, "\n"), false})
	}
	if len(a.Quantities) > 0 {
		qs := make([]string, 0, len(a.Quantities))
		for _, q := range a.Quantities {
			qs = append(qs, q.Text)
		}
		fs = append(fs, field{"Quantities", escapeList(unique(qs), ", "), false})
	}
	if len(a.Entities) > 0 {
		fs = append(fs, field{"Designated entities", entityList(a.Entities), false})
	}
	if a.Source != "" {
		fs = append(fs, field{"Source", Escape(a.Source), true})
	}
	if !a.Published.IsZero() {
		fs = append(fs, field{"Published", fmt.Sprintf("<t:%d:R>", a.Published.Unix()), true})
	}
	if len(a.AlsoReportedBy) > 0 {
		fs = append(fs, field{"Also reported by", escapeList(a.AlsoReportedBy, ", "), false})
	}
	return fs
}

// fitFields turns fields into embed fields within the per-field limits and the
// budget of characters left in the message. It returns what budget remains.
func fitFields(fs []field, budget int) ([]*discordgo.MessageEmbedField, int) {
	var out []*discordgo.MessageEmbedField
	for _, f := range fs {
		if len(out) == maxFields || f.value == "" {
			continue
		}
		name := fitPlain(f.name, maxFieldName)
		room := min(maxFieldValue, budget-textLen(name))
		if room < 16 {
			break
		}
		value := fitPlain(f.value, room)
		out = append(out, &discordgo.MessageEmbedField{Name: name, Value: value, Inline: f.inline})
		budget -= textLen(name) + textLen(value)
	}
	return out, budget
}

// escapeList escapes each item and joins them. It stops once the list is
// longer than a field may be: the rest would be cut anyway.
func escapeList(items []string, sep string) string {
	var b strings.Builder
	for _, it := range items {
		short, _ := head(it, maxFieldValue)
		e := Escape(short)
		if e == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(sep)
		}
		b.WriteString(e)
		if b.Len() > 4*maxFieldValue { // bytes: at most 4 per character
			break
		}
	}
	return b.String()
}

// entityList shows each designated entity once: its name, list and reference.
func entityList(es []alert.Entity) string {
	seen := map[string]bool{}
	var lines []string
	for _, e := range es {
		key := e.List + "/" + e.Ref
		if seen[key] {
			continue
		}
		seen[key] = true
		line := escapeList([]string{e.Name}, "")
		if ref := strings.TrimSpace(e.List + " " + e.Ref); ref != "" {
			line += " (" + escapeList([]string{ref}, "") + ")"
		}
		lines = append(lines, line)
		if len(lines) > maxFieldValue/2 { // each takes at least two characters
			break
		}
	}
	return strings.Join(lines, ", ")
}

// boldPieces escapes cleaned text and bolds the given spans of it (sorted,
// disjoint byte spans). A bolded span is one piece, so cutting the text never
// leaves "**" unclosed.
func boldPieces(clean string, spans [][2]int) []piece {
	var out []piece
	at := 0
	for _, s := range spans {
		out = appendWords(out, clean[at:s[0]], at == 0)
		out = append(out, piece{text: escapeClean(clean[s[0]:s[1]]), bold: true})
		at = s[1]
	}
	return appendWords(out, clean[at:], at == 0)
}

// appendWords appends the words of plain text, keeping its edge spaces.
func appendWords(out []piece, text string, atStart bool) []piece {
	if text == "" {
		return out
	}
	return append(out, wordPieces(text, atStart)...)
}

// termSpans finds the matched terms in text, case-insensitively, as sorted,
// non-overlapping byte spans.
func termSpans(text string, matches []alert.Match) [][2]int {
	fold := strings.ToLower
	lower := fold(text)
	if len(lower) != len(text) {
		// Case folding changed byte offsets: match exactly instead.
		fold = func(s string) string { return s }
		lower = text
	}
	var spans [][2]int
	for _, term := range matchTexts(matches) {
		t := fold(term)
		for from := 0; ; {
			i := strings.Index(lower[from:], t)
			if i < 0 {
				break
			}
			spans = append(spans, [2]int{from + i, from + i + len(t)})
			from += i + len(t)
		}
	}
	return disjoint(spans)
}

// matchTexts is the distinct matched texts, longest first, cleaned as the
// snippet is so that they are found in it.
func matchTexts(matches []alert.Match) []string {
	var texts []string
	for _, m := range matches {
		// A prefix term ("worker*") without its text is found by its stem.
		if t := strings.TrimSuffix(Clean(firstNonEmpty(m.Text, m.Term)), "*"); t != "" {
			texts = append(texts, t)
		}
	}
	texts = unique(texts)
	sort.SliceStable(texts, func(i, j int) bool { return len(texts[i]) > len(texts[j]) })
	return texts
}

// SafeURL returns u when it is an absolute http(s) URL within Discord's
// length limit, and "" otherwise (javascript:, data:, relative, garbage).
func SafeURL(u string) string {
	u = strings.TrimSpace(u)
	parsed, err := url.Parse(u)
	if err != nil || parsed.Host == "" || len(u) > maxURL || strings.ContainsAny(u, " \t\r\n<>\"") {
		return ""
	}
	if s := strings.ToLower(parsed.Scheme); s != "http" && s != "https" {
		return ""
	}
	return u
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}

// unique drops repeated strings, keeping the first of each.
func unique(ss []string) []string {
	seen := make(map[string]bool, len(ss))
	out := ss[:0:0]
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
