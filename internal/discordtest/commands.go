package discordtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Commands returns the application commands registered by the last bulk
// overwrite (or single creates) for guildID; "" means the global commands.
// Each has the id, application id and guild id Discord assigns.
func (s *Server) Commands(guildID string) []discordgo.ApplicationCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]discordgo.ApplicationCommand(nil), s.commands[guildID]...)
}

// commandsRoute answers /applications/{app}/commands and
// /applications/{app}/guilds/{guild}/commands.
func (s *Server) commandsRoute(appID, guildID string) func(*call) {
	return func(c *call) {
		if appID != s.cfg.appID {
			s.reply(c, http.StatusForbidden, apiError{Message: "Missing Access", Code: codeMissingAccess})
			return
		}
		switch c.r.Method {
		case http.MethodGet:
			s.reply(c, http.StatusOK, s.Commands(guildID))
		case http.MethodPut:
			s.overwriteCommands(c, guildID)
		case http.MethodPost:
			s.createCommand(c, guildID)
		default:
			s.reply(c, http.StatusMethodNotAllowed, apiError{Message: "405: Method Not Allowed"})
		}
	}
}

func (s *Server) overwriteCommands(c *call, guildID string) {
	var raws []json.RawMessage
	if err := json.Unmarshal(c.body, &raws); err != nil {
		s.rejectInvalid(c, []violation{{rule: "bulk overwrite body must be an array of commands: " + err.Error()}})
		return
	}
	cmds, vs := s.decodeCommands(raws)
	if len(vs) > 0 {
		s.rejectInvalid(c, vs)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range cmds {
		s.assignCommandIDs(&cmds[i], guildID)
	}
	s.commands[guildID] = cmds
	s.notifyLocked()
	s.reply(c, http.StatusOK, cmds)
}

func (s *Server) createCommand(c *call, guildID string) {
	cmds, vs := s.decodeCommands([]json.RawMessage{c.body})
	if len(vs) > 0 {
		s.rejectInvalid(c, vs)
		return
	}
	cmd := cmds[0]
	s.mu.Lock()
	defer s.mu.Unlock()
	s.assignCommandIDs(&cmd, guildID)
	list := s.commands[guildID]
	replaced := false
	for i := range list {
		if list[i].Name == cmd.Name {
			list[i], replaced = cmd, true
		}
	}
	if !replaced {
		list = append(list, cmd)
	}
	s.commands[guildID] = list
	s.notifyLocked()
	s.reply(c, http.StatusCreated, cmd)
}

// assignCommandIDs gives a command the ids Discord would: the same id as
// long as the name stays. s.mu must be held.
func (s *Server) assignCommandIDs(cmd *discordgo.ApplicationCommand, guildID string) {
	key := guildID + "/" + cmd.Name
	id, ok := s.commandIDs[key]
	if !ok {
		id = s.newID()
		s.commandIDs[key] = id
	}
	cmd.ID, cmd.ApplicationID, cmd.GuildID, cmd.Version = id, s.cfg.appID, guildID, s.newID()
	if cmd.Type == 0 {
		cmd.Type = discordgo.ChatApplicationCommand
	}
}

// decodeCommands validates each command against the schema and Discord's
// naming rules, then decodes it.
func (s *Server) decodeCommands(raws []json.RawMessage) ([]discordgo.ApplicationCommand, []violation) {
	var vs []violation
	cmds := make([]discordgo.ApplicationCommand, 0, len(raws))
	seen := map[string]bool{}
	for i, raw := range raws {
		at := []string{strconv.Itoa(i)}
		raw = permissionsAsNumber(raw)
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			vs = append(vs, violation{at, "command is not JSON: " + err.Error()})
			continue
		}
		for _, v := range s.schemas.validate(schemaCommand, inst) {
			vs = append(vs, violation{pathOf(at, v.path...), v.rule})
		}
		var cmd discordgo.ApplicationCommand
		if err := json.Unmarshal(permissionsAsString(raw), &cmd); err != nil {
			vs = append(vs, violation{at, "command does not decode: " + err.Error()})
			continue
		}
		vs = append(vs, commandRules(cmd, at)...)
		if seen[cmd.Name] {
			vs = append(vs, violation{pathOf(at, "name"), fmt.Sprintf("command name %q is used twice", cmd.Name)})
		}
		seen[cmd.Name] = true
		cmds = append(cmds, cmd)
	}
	return cmds, vs
}

// Discord sends and accepts default_member_permissions as a string; the
// schema says integer. These two rewrite the field for each side.
func permissionsAsNumber(raw json.RawMessage) json.RawMessage {
	return rewritePermissions(raw, func(v json.RawMessage) json.RawMessage {
		var s string
		if json.Unmarshal(v, &s) == nil && isSnowflake(s) {
			return json.RawMessage(s)
		}
		return v
	})
}

func permissionsAsString(raw json.RawMessage) json.RawMessage {
	return rewritePermissions(raw, func(v json.RawMessage) json.RawMessage {
		var n json.Number
		if json.Unmarshal(v, &n) == nil {
			return json.RawMessage(strconv.Quote(n.String()))
		}
		return v
	})
}

func rewritePermissions(raw json.RawMessage, f func(json.RawMessage) json.RawMessage) json.RawMessage {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return raw
	}
	v, ok := obj["default_member_permissions"]
	if !ok {
		return raw
	}
	obj["default_member_permissions"] = f(v)
	out, err := json.Marshal(obj)
	if err != nil {
		return raw
	}
	return out
}

var commandName = regexp.MustCompile(`^[-_'\p{L}\p{N}]{1,32}$`)

// commandRules checks what Discord enforces beyond the schema: lowercase
// names, descriptions of 1-100 characters, at most 25 options and choices,
// required options first, unique option names.
func commandRules(cmd discordgo.ApplicationCommand, at []string) []violation {
	var vs []violation
	chat := cmd.Type == 0 || cmd.Type == discordgo.ChatApplicationCommand
	if chat {
		vs = append(vs, nameRule(cmd.Name, pathOf(at, "name"), "command")...)
		vs = append(vs, descriptionRule(cmd.Description, pathOf(at, "description"), "command")...)
	}
	return append(vs, optionRules(cmd.Options, pathOf(at, "options"))...)
}

func optionRules(opts []*discordgo.ApplicationCommandOption, at []string) []violation {
	var vs []violation
	if len(opts) > maxCommandOptions {
		vs = append(vs, violation{at, fmt.Sprintf("at most %d options, got %d", maxCommandOptions, len(opts))})
	}
	seen := map[string]bool{}
	optionalSeen := false
	for i, o := range opts {
		if o == nil {
			continue
		}
		p := pathOf(at, strconv.Itoa(i))
		vs = append(vs, nameRule(o.Name, pathOf(p, "name"), "option")...)
		vs = append(vs, descriptionRule(o.Description, pathOf(p, "description"), "option")...)
		if seen[o.Name] {
			vs = append(vs, violation{pathOf(p, "name"), fmt.Sprintf("option name %q is used twice", o.Name)})
		}
		seen[o.Name] = true
		nested := o.Type == discordgo.ApplicationCommandOptionSubCommand || o.Type == discordgo.ApplicationCommandOptionSubCommandGroup
		if !nested {
			if o.Required && optionalSeen {
				vs = append(vs, violation{p, fmt.Sprintf("required option %q must come before optional ones", o.Name)})
			}
			optionalSeen = optionalSeen || !o.Required
		}
		vs = append(vs, choiceRules(o, p)...)
		vs = append(vs, optionRules(o.Options, pathOf(p, "options"))...)
	}
	return vs
}

func choiceRules(o *discordgo.ApplicationCommandOption, at []string) []violation {
	var vs []violation
	if len(o.Choices) > maxChoices {
		vs = append(vs, violation{pathOf(at, "choices"), fmt.Sprintf("at most %d choices, got %d", maxChoices, len(o.Choices))})
	}
	if o.Autocomplete && len(o.Choices) > 0 {
		vs = append(vs, violation{at, fmt.Sprintf("option %q cannot have both autocomplete and choices", o.Name)})
	}
	for i, ch := range o.Choices {
		if ch == nil {
			continue
		}
		if n := utf8.RuneCountInString(ch.Name); n < 1 || n > 100 {
			vs = append(vs, violation{pathOf(at, "choices", strconv.Itoa(i), "name"), fmt.Sprintf("choice name must be 1-100 characters, got %d", n)})
		}
	}
	return vs
}

func nameRule(name string, at []string, what string) []violation {
	if !commandName.MatchString(name) || strings.ToLower(name) != name {
		return []violation{{at, fmt.Sprintf("%s name %q must be 1-32 lowercase letters, digits, - or _", what, name)}}
	}
	return nil
}

func descriptionRule(desc string, at []string, what string) []violation {
	if n := utf8.RuneCountInString(desc); n < 1 || n > 100 {
		return []violation{{at, fmt.Sprintf("%s description must be 1-100 characters, got %d", what, n)}}
	}
	return nil
}
