package discordtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Discord's documented message limits; the OpenAPI description lacks most
// of them (and says 4000 for content where the docs say 2000).
const (
	maxContent        = 2000
	maxEmbeds         = 10
	maxEmbedTitle     = 256
	maxEmbedDesc      = 4096
	maxEmbedFields    = 25
	maxFieldName      = 256
	maxFieldValue     = 1024
	maxFooterText     = 2048
	maxAuthorName     = 256
	maxEmbedTotal     = 6000
	maxNonce          = 25
	maxCommandOptions = 25
	maxChoices        = 25
)

// decodeMessage validates a message payload (schema of kind, documented
// limits) and decodes it. An invalid payload is answered with Discord's 400
// and fails the test; a payload that could ping fails the test but is
// accepted, as Discord would.
func (s *Server) decodeMessage(c *call, kind schemaKind) (messagePayload, bool) {
	var p messagePayload
	vs, ok := s.validateJSON(c, kind)
	if !ok {
		return p, false
	}
	if err := json.Unmarshal(c.body, &p); err != nil {
		vs = append(vs, violation{rule: "payload does not decode as a message: " + err.Error()})
	}
	vs = append(vs, messageLimits(p, nil)...)
	if len(vs) > 0 {
		s.rejectInvalid(c, vs)
		return p, false
	}
	s.checkMentions(c, p, "")
	return p, true
}

// validateJSON answers 400 for a body that is not JSON, and returns the
// schema violations of one that is.
func (s *Server) validateJSON(c *call, kind schemaKind) ([]violation, bool) {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(c.body))
	if err != nil {
		s.failf("%s %s: body is not JSON: %v", c.r.Method, c.r.URL.Path, err)
		s.reply(c, http.StatusBadRequest, apiError{Message: "The request body contains invalid JSON.", Code: codeInvalidJSON})
		return nil, false
	}
	return s.schemas.validate(kind, inst), true
}

// rejectInvalid fails the test naming each broken rule and answers the
// client as Discord does, with "Invalid Form Body" and the errors by path.
func (s *Server) rejectInvalid(c *call, vs []violation) {
	lines := make([]string, len(vs))
	for i, v := range vs {
		lines[i] = v.String()
	}
	s.failf("%s %s: invalid payload:\n\t%s", c.r.Method, c.r.URL.Path, strings.Join(lines, "\n\t"))
	s.reply(c, http.StatusBadRequest, apiError{Message: "Invalid Form Body", Code: codeInvalidFormBody, Errors: errorTree(vs)})
}

// errorTree nests violations by path the way Discord's "errors" object does:
// {"embeds": {"0": {"title": {"_errors": [{"code": ..., "message": ...}]}}}}.
func errorTree(vs []violation) map[string]any {
	root := map[string]any{}
	for _, v := range vs {
		node := root
		for _, seg := range v.path {
			next, ok := node[seg].(map[string]any)
			if !ok {
				next = map[string]any{}
				node[seg] = next
			}
			node = next
		}
		errs, _ := node["_errors"].([]map[string]string)
		node["_errors"] = append(errs, map[string]string{"code": "BASE_TYPE_INVALID", "message": v.rule})
	}
	return root
}

// messageLimits checks the documented limits of a message payload; prefix
// is the JSON path of the message inside the request (e.g. ["data"]).
func messageLimits(p messagePayload, prefix []string) []violation {
	var vs []violation
	at := func(path ...string) []string { return pathOf(prefix, path...) }
	if p.Content != nil {
		vs = checkLen(vs, at("content"), *p.Content, maxContent, "content")
	}
	if n := nonceString(p.Nonce); utf8.RuneCountInString(n) > maxNonce {
		vs = append(vs, violation{at("nonce"), fmt.Sprintf("nonce must be at most %d characters, got %d", maxNonce, utf8.RuneCountInString(n))})
	}
	if p.Embeds == nil {
		return vs
	}
	embeds := *p.Embeds
	if len(embeds) > maxEmbeds {
		vs = append(vs, violation{at("embeds"), fmt.Sprintf("at most %d embeds per message, got %d", maxEmbeds, len(embeds))})
	}
	total := 0
	for i, e := range embeds {
		if e == nil {
			continue
		}
		vs = append(vs, embedLimits(e, at("embeds", strconv.Itoa(i)))...)
		total += embedChars(e)
	}
	if total > maxEmbedTotal {
		vs = append(vs, violation{at("embeds"), fmt.Sprintf("embeds total at most %d characters across the message, got %d", maxEmbedTotal, total)})
	}
	return vs
}

func embedLimits(e *discordgo.MessageEmbed, at []string) []violation {
	path := func(p ...string) []string { return pathOf(at, p...) }
	var vs []violation
	vs = checkLen(vs, path("title"), e.Title, maxEmbedTitle, "embed title")
	vs = checkLen(vs, path("description"), e.Description, maxEmbedDesc, "embed description")
	if len(e.Fields) > maxEmbedFields {
		vs = append(vs, violation{path("fields"), fmt.Sprintf("at most %d fields per embed, got %d", maxEmbedFields, len(e.Fields))})
	}
	for i, f := range e.Fields {
		if f == nil {
			continue
		}
		fp := path("fields", strconv.Itoa(i))
		vs = checkLen(vs, pathOf(fp, "name"), f.Name, maxFieldName, "embed field name")
		vs = checkLen(vs, pathOf(fp, "value"), f.Value, maxFieldValue, "embed field value")
		if strings.TrimSpace(f.Name) == "" || strings.TrimSpace(f.Value) == "" {
			vs = append(vs, violation{fp, "embed field name and value must not be empty"})
		}
	}
	if e.Footer != nil {
		vs = checkLen(vs, path("footer", "text"), e.Footer.Text, maxFooterText, "embed footer text")
		vs = checkScheme(vs, path("footer", "icon_url"), e.Footer.IconURL, true)
	}
	if e.Author != nil {
		vs = checkLen(vs, path("author", "name"), e.Author.Name, maxAuthorName, "embed author name")
		vs = checkScheme(vs, path("author", "url"), e.Author.URL, false)
		vs = checkScheme(vs, path("author", "icon_url"), e.Author.IconURL, true)
	}
	vs = checkScheme(vs, path("url"), e.URL, false)
	if e.Image != nil {
		vs = checkScheme(vs, path("image", "url"), e.Image.URL, true)
	}
	if e.Thumbnail != nil {
		vs = checkScheme(vs, path("thumbnail", "url"), e.Thumbnail.URL, true)
	}
	return vs
}

// checkScheme enforces Discord's rule that embed links are http(s) (images
// may also name an attachment): a javascript: link from a feed is refused.
func checkScheme(vs []violation, path []string, raw string, image bool) []violation {
	if raw == "" {
		return vs
	}
	u, err := url.Parse(raw)
	scheme := ""
	if err == nil {
		scheme = strings.ToLower(u.Scheme)
	}
	if scheme == "http" || scheme == "https" || (image && scheme == "attachment") {
		return vs
	}
	return append(vs, violation{path, fmt.Sprintf("scheme %q is not supported: embed URLs must be http or https", scheme)})
}

// embedChars counts what Discord's 6000-character limit counts.
func embedChars(e *discordgo.MessageEmbed) int {
	n := utf8.RuneCountInString(e.Title) + utf8.RuneCountInString(e.Description)
	for _, f := range e.Fields {
		if f != nil {
			n += utf8.RuneCountInString(f.Name) + utf8.RuneCountInString(f.Value)
		}
	}
	if e.Footer != nil {
		n += utf8.RuneCountInString(e.Footer.Text)
	}
	if e.Author != nil {
		n += utf8.RuneCountInString(e.Author.Name)
	}
	return n
}

func checkLen(vs []violation, path []string, s string, max int, what string) []violation {
	if n := utf8.RuneCountInString(s); n > max {
		vs = append(vs, violation{path, fmt.Sprintf("%s must be at most %d characters, got %d", what, max, n)})
	}
	return vs
}

// notEmpty answers 400 Cannot send an empty message, and fails the test,
// for a message with no content, embeds, components, attachments or poll.
func (s *Server) notEmpty(c *call, p messagePayload) bool {
	if hasText(p) || (p.Components != nil && len(*p.Components) > 0) ||
		(p.Attachments != nil && len(*p.Attachments) > 0) || (len(p.Poll) > 0 && string(p.Poll) != "null") {
		return true
	}
	s.failf("%s %s: empty message (no content, embeds, components, attachments or poll)", c.r.Method, c.r.URL.Path)
	s.reply(c, http.StatusBadRequest, apiError{Message: "Cannot send an empty message", Code: codeEmptyMessage})
	return false
}

// checkMentions fails the test when a message with text does not set
// allowed_mentions to {"parse": []}: feed text must never ping anyone.
func (s *Server) checkMentions(c *call, p messagePayload, where string) {
	if !s.cfg.requireNoMentions || !hasText(p) {
		return
	}
	am := p.AllowedMentions
	switch {
	case am == nil:
		s.failf("%s %s%s: message without allowed_mentions (must be {\"parse\": []} so nothing can ping)", c.r.Method, c.r.URL.Path, where)
	case am.Parse == nil:
		s.failf("%s %s%s: allowed_mentions.parse is null, which suppresses nothing (must be [])", c.r.Method, c.r.URL.Path, where)
	case len(am.Parse) > 0 || len(am.Users) > 0 || len(am.Roles) > 0:
		s.failf("%s %s%s: allowed_mentions lets mentions ping (parse %v, users %v, roles %v); must be {\"parse\": []}", c.r.Method, c.r.URL.Path, where, am.Parse, am.Users, am.Roles)
	}
}

func hasText(p messagePayload) bool {
	return (p.Content != nil && *p.Content != "") || (p.Embeds != nil && len(*p.Embeds) > 0)
}

// pathOf returns a new slice of base followed by more, never sharing base's
// backing array (violations keep their paths).
func pathOf(base []string, more ...string) []string {
	out := make([]string, 0, len(base)+len(more))
	return append(append(out, base...), more...)
}
