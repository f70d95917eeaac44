package discordtest

import (
	"net/http"
	"strings"
)

// handler is a matched route: its rate-limit bucket and how to answer it.
type handler struct {
	template string // e.g. "POST channels/{}/messages": names the bucket
	major    string // the major parameter (channel, webhook, guild...) of the bucket
	auth     bool   // needs the bot token
	messages bool   // creates messages: limited by the message rate limit
	serve    func(*call)
}

// bucketKey names the rate-limit bucket: route template and major parameter.
func (h handler) bucketKey() string { return h.template + " " + h.major }

// route matches the request against the REST routes the fake serves.
func (s *Server) route(c *call) (handler, bool) {
	m, p := c.r.Method, c.segs
	h := handler{auth: true}
	switch {
	case match(p, "gateway") && m == http.MethodGet:
		h.auth, h.serve = false, s.getGateway
	case match(p, "gateway/bot") && m == http.MethodGet:
		h.serve = s.getGatewayBot
	case match(p, "users/@me") && m == http.MethodGet:
		h.serve = s.getBotUser
	case (match(p, "applications/@me") || match(p, "oauth2/applications/@me")) && m == http.MethodGet:
		h.serve = s.getApplication
	case match(p, "applications/*/commands"):
		h.major = p[1]
		h.serve = s.commandsRoute(p[1], "")
	case match(p, "applications/*/guilds/*/commands"):
		h.major = p[3]
		h.serve = s.commandsRoute(p[1], p[3])
	case match(p, "guilds/*") && m == http.MethodGet:
		h.major = p[1]
		h.serve = s.getGuild
	case match(p, "guilds/*/channels") && m == http.MethodGet:
		h.major = p[1]
		h.serve = s.getGuildChannels
	case match(p, "channels/*") && m == http.MethodGet:
		h.major = p[1]
		h.serve = s.getChannel
	case match(p, "channels/*/messages") && m == http.MethodPost:
		h.major, h.messages = p[1], true
		h.serve = s.createChannelMessage
	case match(p, "channels/*/messages/*"):
		h.major = p[1]
		h.serve = s.channelMessageRoute
	case match(p, "interactions/*/*/callback") && m == http.MethodPost:
		h.major, h.auth = p[2], false
		h.serve = s.interactionCallback
	case match(p, "webhooks/*/*"):
		h.major, h.auth = p[1]+"/"+p[2], false
		h.messages = m == http.MethodPost && !s.isInteractionToken(p[2])
		h.serve = s.webhookRoute
	case match(p, "webhooks/*/*/messages/*"):
		h.major, h.auth = p[1]+"/"+p[2], false
		h.serve = s.webhookMessageRoute
	default:
		return handler{}, false
	}
	h.template = m + " " + templateOf(p)
	return h, true
}

// match reports whether path segments fit pattern, where "*" matches any
// one non-empty segment.
func match(segs []string, pattern string) bool {
	want := strings.Split(pattern, "/")
	if len(want) != len(segs) {
		return false
	}
	for i, w := range want {
		if segs[i] == "" || (w != "*" && w != segs[i]) {
			return false
		}
	}
	return true
}

// templateOf replaces ids and tokens by {} so requests to the same route
// share a bucket name, as Discord's X-RateLimit-Bucket does.
func templateOf(segs []string) string {
	out := make([]string, len(segs))
	for i, seg := range segs {
		out[i] = seg
		token := i == 2 && (segs[0] == "webhooks" || segs[0] == "interactions")
		if token || isSnowflake(seg) {
			out[i] = "{}"
		}
	}
	return strings.Join(out, "/")
}

func isSnowflake(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
