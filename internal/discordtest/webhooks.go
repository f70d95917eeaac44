package discordtest

import (
	"net/http"
	"slices"
)

// DeleteWebhook makes every request to webhookID answer 404 Unknown Webhook.
func (s *Server) DeleteWebhook(webhookID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deletedHooks[webhookID] = true
}

func unknownWebhook() apiError { return apiError{Message: "Unknown Webhook", Code: codeUnknownWebhook} }

// webhookRoute answers /webhooks/{id}/{token}: an interaction's follow-ups
// when the token is an interaction's, a plain webhook otherwise.
func (s *Server) webhookRoute(c *call) {
	id, token := c.segs[1], c.segs[2]
	if s.isInteractionToken(token) {
		s.followupRoute(c, id, token)
		return
	}
	s.mu.Lock()
	deleted := s.deletedHooks[id]
	s.mu.Unlock()
	if deleted {
		s.reply(c, http.StatusNotFound, unknownWebhook())
		return
	}
	switch c.r.Method {
	case http.MethodGet:
		s.reply(c, http.StatusOK, map[string]any{
			"id": id, "type": 1, "token": token, "name": "embargo", "channel_id": DefaultChannelID,
			"guild_id": DefaultGuildID, "application_id": nil,
		})
	case http.MethodPost:
		s.executeWebhook(c, id)
	default:
		s.reply(c, http.StatusMethodNotAllowed, apiError{Message: "405: Method Not Allowed"})
	}
}

// executeWebhook posts a message through a webhook; with ?wait=true the
// answer is the message, otherwise 204 as on Discord.
func (s *Server) executeWebhook(c *call, webhookID string) {
	p, ok := s.decodeMessage(c, schemaWebhookExecute)
	if !ok || !s.notEmpty(c, p) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.newMessage(p, c.body)
	m.WebhookID, m.ChannelID = webhookID, DefaultChannelID
	s.webhookMsgs[webhookID] = append(s.webhookMsgs[webhookID], m)
	s.notifyLocked()
	s.answerMessage(c, m)
}

func (s *Server) answerMessage(c *call, m *Message) {
	if c.r.URL.Query().Get("wait") == "true" {
		s.reply(c, http.StatusOK, s.messageJSON(m.clone()))
		return
	}
	s.reply(c, http.StatusNoContent, nil)
}

// followupRoute answers POST /webhooks/{app}/{token}: a follow-up message.
func (s *Server) followupRoute(c *call, appID, token string) {
	if c.r.Method != http.MethodPost {
		s.reply(c, http.StatusMethodNotAllowed, apiError{Message: "405: Method Not Allowed"})
		return
	}
	p, ok := s.decodeMessage(c, schemaWebhookExecute)
	if !ok || !s.notEmpty(c, p) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	pi := s.interactions[token]
	if appID != s.cfg.appID || !pi.acked {
		s.reply(c, http.StatusNotFound, unknownWebhook())
		return
	}
	m := s.newMessage(p, c.body)
	m.ChannelID, m.WebhookID = pi.channelID, s.cfg.appID
	pi.followups = append(pi.followups, m)
	s.notifyLocked()
	s.answerMessage(c, m)
}

// webhookMessageRoute answers GET, PATCH and DELETE of
// /webhooks/{id}/{token}/messages/{message id or @original}.
func (s *Server) webhookMessageRoute(c *call) {
	id, token, messageID := c.segs[1], c.segs[2], c.segs[4]
	var p messagePayload
	if c.r.Method == http.MethodPatch {
		var ok bool
		if p, ok = s.decodeMessage(c, schemaWebhookEdit); !ok {
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, remove := s.webhookMessage(id, token, messageID)
	if m == nil {
		s.reply(c, http.StatusNotFound, unknownMessage())
		return
	}
	s.messageMethod(c, m, p, remove)
}

// webhookMessage finds a webhook or interaction message and a function that
// deletes it; s.mu must be held.
func (s *Server) webhookMessage(id, token, messageID string) (*Message, func()) {
	if pi := s.interactions[token]; pi != nil {
		m := pi.message(messageID)
		if id != s.cfg.appID || m == nil {
			return nil, nil
		}
		return m, func() {
			if m == pi.original {
				pi.original = nil
			}
			pi.followups = slices.DeleteFunc(pi.followups, func(f *Message) bool { return f == m })
		}
	}
	for _, m := range s.webhookMsgs[id] {
		if m.ID == messageID {
			return m, func() {
				s.webhookMsgs[id] = slices.DeleteFunc(s.webhookMsgs[id], func(f *Message) bool { return f == m })
			}
		}
	}
	return nil, nil
}
