package discordtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Message is a message as the fake stored it: the decoded payload of the
// request that created it, with later edits applied.
type Message struct {
	ID        string
	ChannelID string
	WebhookID string // set for webhook and interaction messages
	Content   string
	Embeds    []*discordgo.MessageEmbed
	// AllowedMentions is nil when the payload had none; Parse is nil when it
	// was null and empty (not nil) when it was [].
	AllowedMentions *discordgo.MessageAllowedMentions
	Nonce           string
	EnforceNonce    bool
	Components      []json.RawMessage
	Flags           int
	Created         time.Time
	Edits           int
	Raw             json.RawMessage // the payload that created the message
}

// Ephemeral reports whether the message is visible to its invoker only.
func (m Message) Ephemeral() bool { return m.Flags&int(discordgo.MessageFlagsEphemeral) != 0 }

// messagePayload is the part of every message request the fake reads.
type messagePayload struct {
	Content         *string                           `json:"content"`
	Embeds          *[]*discordgo.MessageEmbed        `json:"embeds"`
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions"`
	Nonce           json.RawMessage                   `json:"nonce"`
	EnforceNonce    bool                              `json:"enforce_nonce"`
	Components      *[]json.RawMessage                `json:"components"`
	Attachments     *[]json.RawMessage                `json:"attachments"`
	Poll            json.RawMessage                   `json:"poll"`
	Flags           *int                              `json:"flags"`
}

// nonceString returns a nonce sent as a string or an integer as a string.
func nonceString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// newMessage builds a stored message from a create payload.
func (s *Server) newMessage(p messagePayload, raw []byte) *Message {
	m := &Message{ID: s.newID(), Created: time.Now(), Raw: json.RawMessage(raw)}
	m.Nonce, m.EnforceNonce = nonceString(p.Nonce), p.EnforceNonce
	m.apply(p)
	return m
}

// apply copies the fields present in p (an edit may send only some).
func (m *Message) apply(p messagePayload) {
	if p.Content != nil {
		m.Content = *p.Content
	}
	if p.Embeds != nil {
		m.Embeds = *p.Embeds
	}
	if p.AllowedMentions != nil {
		m.AllowedMentions = p.AllowedMentions
	}
	if p.Components != nil {
		m.Components = *p.Components
	}
	if p.Flags != nil {
		m.Flags = *p.Flags
	}
}

func (m *Message) clone() Message {
	c := *m
	c.Embeds = append([]*discordgo.MessageEmbed(nil), m.Embeds...)
	c.Components = append([]json.RawMessage(nil), m.Components...)
	return c
}

// messageJSON is the message object the fake answers with.
type messageJSON struct {
	ID              string                    `json:"id"`
	Type            int                       `json:"type"`
	ChannelID       string                    `json:"channel_id"`
	Content         string                    `json:"content"`
	Embeds          []*discordgo.MessageEmbed `json:"embeds"`
	Components      []json.RawMessage         `json:"components"`
	Author          userJSON                  `json:"author"`
	Timestamp       string                    `json:"timestamp"`
	EditedTimestamp *string                   `json:"edited_timestamp"`
	Nonce           string                    `json:"nonce,omitempty"`
	Flags           int                       `json:"flags"`
	WebhookID       string                    `json:"webhook_id,omitempty"`
	ApplicationID   string                    `json:"application_id,omitempty"`
	Mentions        []any                     `json:"mentions"`
	MentionRoles    []string                  `json:"mention_roles"`
	Attachments     []any                     `json:"attachments"`
	MentionEveryone bool                      `json:"mention_everyone"`
	TTS             bool                      `json:"tts"`
	Pinned          bool                      `json:"pinned"`
}

type userJSON struct {
	ID            string `json:"id"`
	Username      string `json:"username"`
	Discriminator string `json:"discriminator"`
	GlobalName    string `json:"global_name,omitempty"`
	Bot           bool   `json:"bot,omitempty"`
}

func (s *Server) botUser() userJSON {
	return userJSON{ID: s.cfg.botUserID, Username: "embargo-test", Discriminator: "0", Bot: true}
}

func (s *Server) messageJSON(m Message) messageJSON {
	out := messageJSON{
		ID: m.ID, ChannelID: m.ChannelID, Content: m.Content, Embeds: m.Embeds,
		Components: m.Components, Author: s.botUser(), Nonce: m.Nonce, Flags: m.Flags,
		Timestamp: m.Created.UTC().Format(time.RFC3339Nano), WebhookID: m.WebhookID,
		Mentions: []any{}, MentionRoles: []string{}, Attachments: []any{},
	}
	if out.Embeds == nil {
		out.Embeds = []*discordgo.MessageEmbed{}
	}
	if out.Components == nil {
		out.Components = []json.RawMessage{}
	}
	if m.Edits > 0 {
		ts := time.Now().UTC().Format(time.RFC3339Nano)
		out.EditedTimestamp = &ts
	}
	if m.WebhookID != "" {
		out.ApplicationID = s.cfg.appID
		out.Author = userJSON{ID: m.WebhookID, Username: "embargo-test", Discriminator: "0000", Bot: true}
	}
	return out
}

// Messages returns the messages created in channelID through
// POST /channels/{id}/messages, oldest first, with edits applied.
// Interaction answers and webhook messages are not included.
func (s *Server) Messages(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return cloneAll(s.messages[channelID])
}

// WaitMessages blocks until channelID holds at least n messages, or ctx
// ends, and returns them.
func (s *Server) WaitMessages(ctx context.Context, channelID string, n int) ([]Message, error) {
	err := s.waitFor(ctx, func() bool { return len(s.messages[channelID]) >= n })
	got := s.Messages(channelID)
	if err != nil {
		return got, fmt.Errorf("wait for %d messages in channel %s (have %d): %w", n, channelID, len(got), err)
	}
	return got, nil
}

// WebhookMessages returns the messages executed through webhookID, oldest
// first (interaction follow-ups are not included).
func (s *Server) WebhookMessages(webhookID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return cloneAll(s.webhookMsgs[webhookID])
}

func cloneAll(ms []*Message) []Message {
	out := make([]Message, len(ms))
	for i, m := range ms {
		out[i] = m.clone()
	}
	return out
}

// nonceKey identifies a message for Discord's nonce dedupe: the same author
// sending the same nonce in the same channel.
type nonceKey struct{ channel, author, nonce string }

type nonceEntry struct {
	msg  *Message
	sent time.Time
}

// createChannelMessage answers POST /channels/{id}/messages.
func (s *Server) createChannelMessage(c *call) {
	channelID := c.segs[1]
	if !s.channelWritable(c, channelID) {
		return
	}
	p, ok := s.decodeMessage(c, schemaMessageCreate)
	if !ok || !s.notEmpty(c, p) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	nonce := nonceString(p.Nonce)
	key := nonceKey{channelID, s.cfg.botUserID, nonce}
	if e, dup := s.nonces[key]; dup && p.EnforceNonce && time.Since(e.sent) < s.cfg.nonceWindow {
		s.reply(c, http.StatusOK, s.messageJSON(e.msg.clone()))
		return
	}
	m := s.newMessage(p, c.body)
	m.ChannelID = channelID
	s.messages[channelID] = append(s.messages[channelID], m)
	if nonce != "" && p.EnforceNonce {
		s.nonces[key] = nonceEntry{msg: m, sent: m.Created}
	}
	s.notifyLocked()
	s.reply(c, http.StatusOK, s.messageJSON(m.clone()))
}

// channelWritable answers 404/403 for channels a test deleted or forbade.
func (s *Server) channelWritable(c *call, channelID string) bool {
	s.mu.Lock()
	deleted, forbidden := s.deleted[channelID], s.forbidden[channelID]
	s.mu.Unlock()
	switch {
	case deleted:
		s.reply(c, http.StatusNotFound, unknownChannel())
		return false
	case forbidden:
		s.reply(c, http.StatusForbidden, apiError{Message: "Missing Access", Code: codeMissingAccess})
		return false
	}
	return true
}

// channelMessageRoute answers GET, PATCH and DELETE of a channel message.
func (s *Server) channelMessageRoute(c *call) {
	channelID, messageID := c.segs[1], c.segs[3]
	if !s.channelWritable(c, channelID) {
		return
	}
	var p messagePayload
	if c.r.Method == http.MethodPatch {
		var ok bool
		if p, ok = s.decodeMessage(c, schemaMessageEdit); !ok {
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	idx := -1
	for i, m := range s.messages[channelID] {
		if m.ID == messageID {
			idx = i
		}
	}
	if idx < 0 {
		s.reply(c, http.StatusNotFound, unknownMessage())
		return
	}
	m := s.messages[channelID][idx]
	s.messageMethod(c, m, p, func() {
		s.messages[channelID] = append(s.messages[channelID][:idx:idx], s.messages[channelID][idx+1:]...)
	})
}

// messageMethod answers GET, PATCH (with payload p) or DELETE (through
// remove) of a stored message, for channel, webhook and interaction messages
// alike; s.mu must be held.
func (s *Server) messageMethod(c *call, m *Message, p messagePayload, remove func()) {
	switch c.r.Method {
	case http.MethodGet:
		s.reply(c, http.StatusOK, s.messageJSON(m.clone()))
	case http.MethodPatch:
		m.apply(p)
		m.Edits++
		s.notifyLocked()
		s.reply(c, http.StatusOK, s.messageJSON(m.clone()))
	case http.MethodDelete:
		remove()
		s.notifyLocked()
		s.reply(c, http.StatusNoContent, nil)
	default:
		s.reply(c, http.StatusMethodNotAllowed, apiError{Message: "405: Method Not Allowed"})
	}
}

// getChannel answers GET /channels/{id} for any channel not deleted.
func (s *Server) getChannel(c *call) {
	id := c.segs[1]
	s.mu.Lock()
	deleted := s.deleted[id]
	s.mu.Unlock()
	if deleted {
		s.reply(c, http.StatusNotFound, unknownChannel())
		return
	}
	s.reply(c, http.StatusOK, channelJSON{ID: id, Type: 0, GuildID: s.guildOf(id), Name: "channel-" + id})
}

// guildOf returns the configured guild holding channelID, or "".
func (s *Server) guildOf(channelID string) string {
	for _, g := range s.cfg.guilds {
		if slices.Contains(g.Channels, channelID) {
			return g.ID
		}
	}
	return ""
}

func guildChannels(g Guild) []channelJSON {
	out := make([]channelJSON, len(g.Channels))
	for i, id := range g.Channels {
		out[i] = channelJSON{ID: id, Type: 0, GuildID: g.ID, Name: "channel-" + id}
	}
	return out
}

type channelJSON struct {
	ID      string `json:"id"`
	Type    int    `json:"type"`
	GuildID string `json:"guild_id,omitempty"`
	Name    string `json:"name"`
}

func (s *Server) getBotUser(c *call) { s.reply(c, http.StatusOK, s.botUser()) }

func (s *Server) getApplication(c *call) {
	s.reply(c, http.StatusOK, map[string]any{
		"id": s.cfg.appID, "name": "embargo-test", "bot_public": false, "flags": 0,
		"bot": s.botUser(), "description": "", "verify_key": strconv.Itoa(0),
	})
}

func (s *Server) getGateway(c *call) {
	s.reply(c, http.StatusOK, map[string]string{"url": s.GatewayURL()})
}

func (s *Server) getGatewayBot(c *call) {
	s.reply(c, http.StatusOK, map[string]any{
		"url": s.GatewayURL(), "shards": 1,
		"session_start_limit": map[string]int{"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1},
	})
}

func (s *Server) guild(id string) (Guild, bool) {
	for _, g := range s.cfg.guilds {
		if g.ID == id {
			return g, true
		}
	}
	return Guild{}, false
}

func unknownGuild() apiError { return apiError{Message: "Unknown Guild", Code: codeUnknownGuild} }

// getGuild answers GET /guilds/{id} for the configured guilds.
func (s *Server) getGuild(c *call) {
	g, ok := s.guild(c.segs[1])
	if !ok {
		s.reply(c, http.StatusNotFound, unknownGuild())
		return
	}
	s.reply(c, http.StatusOK, s.guildPayload(g))
}

// getGuildChannels answers GET /guilds/{id}/channels.
func (s *Server) getGuildChannels(c *call) {
	g, ok := s.guild(c.segs[1])
	if !ok {
		s.reply(c, http.StatusNotFound, unknownGuild())
		return
	}
	s.reply(c, http.StatusOK, guildChannels(g))
}
