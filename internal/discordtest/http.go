package discordtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// maxBody caps what the fake reads of a request body (Discord's own limit
// for JSON payloads is far below this).
const maxBody = 8 << 20

// Request is one request the fake received, with the status it answered.
type Request struct {
	Time   time.Time // when the answer was given
	Method string
	Path   string // the full URL path, e.g. /api/v9/channels/1/messages
	Route  string // the path after the API version, e.g. channels/1/messages
	Query  string
	Header http.Header
	Body   []byte
	Status int
}

// String describes the request without its body; the Authorization header
// is redacted so a logged request never shows the token.
func (r Request) String() string {
	auth := ""
	if r.Header.Get("Authorization") != "" {
		auth = " Authorization=[redacted]"
	}
	q := ""
	if r.Query != "" {
		q = "?" + r.Query
	}
	return fmt.Sprintf("%s %s%s -> %d%s", r.Method, r.Path, q, r.Status, auth)
}

// Requests returns every REST request received so far, in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

var apiPrefix = regexp.MustCompile(`^/api(/v[0-9]+)?/`)

// call is one REST request being answered.
type call struct {
	w      http.ResponseWriter
	r      *http.Request
	route  string
	segs   []string
	body   []byte
	status int
	header http.Header // answer headers set before writing
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/gateway-ws" || r.URL.Path == "/gateway-ws/" {
		s.serveGateway(w, r)
		return
	}
	loc := apiPrefix.FindStringIndex(r.URL.Path)
	if loc == nil {
		writeJSON(w, http.StatusNotFound, apiError{Message: "404: Not Found"})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{Message: "400: Bad Request"})
		return
	}
	route := strings.TrimSuffix(r.URL.Path[loc[1]:], "/")
	c := &call{w: w, r: r, route: route, segs: strings.Split(route, "/"), body: body, header: w.Header()}
	s.answer(c)
	s.record(c)
}

// answer runs the stages every REST request goes through: stall, routing,
// injected faults, authentication, rate limits, then the route's handler.
func (s *Server) answer(c *call) {
	if !s.stallFor(c) {
		c.status = 499 // the client gave up while the fake stalled
		return
	}
	h, ok := s.route(c)
	if !ok {
		s.reply(c, http.StatusNotFound, apiError{Message: "404: Not Found"})
		return
	}
	s.noteEarlyRetry(h.bucketKey())
	if s.injectFault(c, h) {
		return
	}
	if h.auth && !s.authorized(c.r) {
		s.reply(c, http.StatusUnauthorized, apiError{Message: "401: Unauthorized"})
		return
	}
	if !s.takeRateLimit(c, h) {
		return
	}
	if h.messages && s.takeLostAnswer() {
		s.serveAndLoseAnswer(c, h)
		return
	}
	h.serve(c)
}

// serveAndLoseAnswer carries the request out but answers 500, as when
// Discord creates a message and the answer never reaches the client.
func (s *Server) serveAndLoseAnswer(c *call, h handler) {
	w := c.w
	c.w = discardWriter{header: http.Header{}}
	h.serve(c)
	c.w = w
	s.reply(c, http.StatusInternalServerError, apiError{Message: "500: Internal Server Error"})
}

type discardWriter struct{ header http.Header }

func (d discardWriter) Header() http.Header         { return d.header }
func (d discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d discardWriter) WriteHeader(int)             {}

func (s *Server) authorized(r *http.Request) bool {
	return r.Header.Get("Authorization") == "Bot "+s.cfg.token
}

func (s *Server) record(c *call) {
	h := c.r.Header.Clone()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{
		Time:   time.Now(),
		Method: c.r.Method,
		Path:   c.r.URL.Path,
		Route:  c.route,
		Query:  c.r.URL.RawQuery,
		Header: h,
		Body:   c.body,
		Status: c.status,
	})
	s.notifyLocked()
}

// reply writes v as JSON with status (204 writes no body).
func (s *Server) reply(c *call, status int, v any) {
	c.status = status
	if status == http.StatusNoContent {
		c.w.WriteHeader(status)
		return
	}
	writeJSON(c.w, status, v)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// apiError is Discord's error body.
type apiError struct {
	Message    string         `json:"message"`
	Code       int            `json:"code"`
	Errors     map[string]any `json:"errors,omitempty"`
	RetryAfter *float64       `json:"retry_after,omitempty"`
	Global     *bool          `json:"global,omitempty"`
}

// Discord's JSON error codes the fake uses.
const (
	codeUnknownChannel     = 10003
	codeUnknownGuild       = 10004
	codeUnknownMessage     = 10008
	codeUnknownWebhook     = 10015
	codeUnknownInteraction = 10062
	codeMissingAccess      = 50001
	codeEmptyMessage       = 50006
	codeInvalidFormBody    = 50035
	codeInvalidJSON        = 50109
	codeAlreadyAcked       = 40060
)

func unknownChannel() apiError { return apiError{Message: "Unknown Channel", Code: codeUnknownChannel} }
func unknownMessage() apiError { return apiError{Message: "Unknown Message", Code: codeUnknownMessage} }
func unknownInteraction() apiError {
	return apiError{Message: "Unknown interaction", Code: codeUnknownInteraction}
}
