package discordtest

import (
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
)

func TestMessageLimits(t *testing.T) {
	t.Parallel()
	str := func(s string) *string { return &s }
	embeds := func(es ...*discordgo.MessageEmbed) *[]*discordgo.MessageEmbed { return &es }
	fields := func(n int, name, value string) []*discordgo.MessageEmbedField {
		out := make([]*discordgo.MessageEmbedField, n)
		for i := range out {
			out[i] = &discordgo.MessageEmbedField{Name: name, Value: value}
		}
		return out
	}
	cases := []struct {
		name string
		p    messagePayload
		want string // "" = valid
	}{
		{"content at the limit", messagePayload{Content: str(strings.Repeat("é", 2000))}, ""},
		{"content over", messagePayload{Content: str(strings.Repeat("é", 2001))}, "content must be at most 2000"},
		{"nonce over 25", messagePayload{Nonce: []byte(`"` + strings.Repeat("n", 26) + `"`)}, "nonce must be at most 25"},
		{"integer nonce", messagePayload{Nonce: []byte(`123456789012345678`)}, ""},
		{"11 embeds", messagePayload{Embeds: embeds(make([]*discordgo.MessageEmbed, 11)...)}, "at most 10 embeds"},
		{"description over", messagePayload{Embeds: embeds(&discordgo.MessageEmbed{Description: strings.Repeat("d", 4097)})}, "description must be at most 4096"},
		{"26 fields", messagePayload{Embeds: embeds(&discordgo.MessageEmbed{Fields: fields(26, "n", "v")})}, "at most 25 fields"},
		{"field name over", messagePayload{Embeds: embeds(&discordgo.MessageEmbed{Fields: fields(1, strings.Repeat("n", 257), "v")})}, "field name must be at most 256"},
		{"field value over", messagePayload{Embeds: embeds(&discordgo.MessageEmbed{Fields: fields(1, "n", strings.Repeat("v", 1025))})}, "field value must be at most 1024"},
		{"empty field value", messagePayload{Embeds: embeds(&discordgo.MessageEmbed{Fields: fields(1, "n", " ")})}, "must not be empty"},
		{"footer over", messagePayload{Embeds: embeds(&discordgo.MessageEmbed{Footer: &discordgo.MessageEmbedFooter{Text: strings.Repeat("f", 2049)}})}, "footer text must be at most 2048"},
		{"author over", messagePayload{Embeds: embeds(&discordgo.MessageEmbed{Author: &discordgo.MessageEmbedAuthor{Name: strings.Repeat("a", 257)}})}, "author name must be at most 256"},
		{"6000 across embeds", messagePayload{Embeds: embeds(
			&discordgo.MessageEmbed{Description: strings.Repeat("d", 4000)},
			&discordgo.MessageEmbed{Description: strings.Repeat("d", 2000)},
		)}, ""},
		{"6001 across embeds", messagePayload{Embeds: embeds(
			&discordgo.MessageEmbed{Description: strings.Repeat("d", 4000)},
			&discordgo.MessageEmbed{Title: "x", Description: strings.Repeat("d", 2000)},
		)}, "at most 6000 characters across the message, got 6001"},
		{"javascript link", messagePayload{Embeds: embeds(&discordgo.MessageEmbed{URL: "javascript:alert(1)"})}, `scheme "javascript" is not supported`},
		{"https link", messagePayload{Embeds: embeds(&discordgo.MessageEmbed{URL: "https://example.org/a"})}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := messageLimits(tc.p, nil)
			if tc.want == "" {
				if len(got) != 0 {
					t.Errorf("violations = %v, want none", got)
				}
				return
			}
			if len(got) == 0 || !strings.Contains(got[0].rule, tc.want) {
				t.Errorf("violations = %v, want %q", got, tc.want)
			}
		})
	}
}

func TestCommandRules(t *testing.T) {
	t.Parallel()
	opt := func(name string, required bool) *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: name, Description: "d", Required: required}
	}
	many := make([]*discordgo.ApplicationCommandOption, 26)
	for i := range many {
		many[i] = opt(strings.Repeat("o", i+1), false)
	}
	cases := []struct {
		name string
		cmd  discordgo.ApplicationCommand
		want string
	}{
		{"valid", discordgo.ApplicationCommand{Name: "lookup", Description: "Search the lists", Options: []*discordgo.ApplicationCommandOption{opt("name", true), opt("list", false)}}, ""},
		{"uppercase name", discordgo.ApplicationCommand{Name: "Lookup", Description: "d"}, "lowercase"},
		{"name over 32", discordgo.ApplicationCommand{Name: strings.Repeat("a", 33), Description: "d"}, "1-32"},
		{"no description", discordgo.ApplicationCommand{Name: "a"}, "description must be 1-100"},
		{"description over 100", discordgo.ApplicationCommand{Name: "a", Description: strings.Repeat("d", 101)}, "description must be 1-100"},
		{"26 options", discordgo.ApplicationCommand{Name: "a", Description: "d", Options: many}, "at most 25 options"},
		{"required after optional", discordgo.ApplicationCommand{Name: "a", Description: "d", Options: []*discordgo.ApplicationCommandOption{opt("x", false), opt("y", true)}}, "must come before optional"},
		{"duplicate option", discordgo.ApplicationCommand{Name: "a", Description: "d", Options: []*discordgo.ApplicationCommandOption{opt("x", false), opt("x", false)}}, "used twice"},
		{"autocomplete with choices", discordgo.ApplicationCommand{Name: "a", Description: "d", Options: []*discordgo.ApplicationCommandOption{{
			Type: discordgo.ApplicationCommandOptionString, Name: "x", Description: "d", Autocomplete: true,
			Choices: []*discordgo.ApplicationCommandOptionChoice{{Name: "c", Value: "c"}},
		}}}, "both autocomplete and choices"},
		{"bad subcommand option", discordgo.ApplicationCommand{Name: "a", Description: "d", Options: []*discordgo.ApplicationCommandOption{{
			Type: discordgo.ApplicationCommandOptionSubCommand, Name: "sub", Description: "d", Options: []*discordgo.ApplicationCommandOption{opt("Bad", false)},
		}}}, "option name \"Bad\""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := commandRules(tc.cmd, []string{"0"})
			if tc.want == "" {
				if len(got) != 0 {
					t.Errorf("violations = %v, want none", got)
				}
				return
			}
			if len(got) == 0 || !strings.Contains(got[0].rule, tc.want) {
				t.Errorf("violations = %v, want %q", got, tc.want)
			}
		})
	}
}

func TestErrorTreeNestsByPath(t *testing.T) {
	t.Parallel()
	tree := errorTree([]violation{{path: []string{"embeds", "0", "title"}, rule: "too long"}})
	leaf := tree["embeds"].(map[string]any)["0"].(map[string]any)["title"].(map[string]any)["_errors"].([]map[string]string)
	if len(leaf) != 1 || leaf[0]["message"] != "too long" {
		t.Errorf("tree = %v", tree)
	}
}

func TestSchemaRejectsWhatTheLimitsMiss(t *testing.T) {
	t.Parallel()
	rec := &recorderTB{TB: t}
	s := New(rec)
	if s.schemas == nil {
		t.Skip("Discord's OpenAPI description (../shared/discord/openapi.json) is absent")
	}
	// color is beyond 0xFFFFFF: only the schema knows.
	resp := botRequest(t, s, "POST", "channels/"+DefaultChannelID+"/messages",
		`{"content":"x","embeds":[{"color":16777216}],"allowed_mentions":{"parse":[]}}`)
	if resp.StatusCode != 400 || !strings.Contains(rec.errors(), "schema MessageCreateRequest") {
		t.Errorf("status %d, failures %q", resp.StatusCode, rec.errors())
	}
}
