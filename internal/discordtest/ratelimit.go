package discordtest

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// bucket is a fixed-window rate limit for one route and major parameter.
type bucket struct {
	limit     int
	window    time.Duration
	remaining int
	resetAt   time.Time
}

// take spends one request from the bucket, reporting whether it was allowed.
func (b *bucket) take(now time.Time) bool {
	if !now.Before(b.resetAt) {
		b.remaining = b.limit
		b.resetAt = now.Add(b.window)
	}
	if b.remaining == 0 {
		return false
	}
	b.remaining--
	return true
}

// RateLimited returns how many 429s each bucket answered (injected faults
// not included), keyed by "METHOD route-template major", e.g.
// "POST channels/{}/messages 1200000000000000002".
func (s *Server) RateLimited() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.rateLimited)
}

// takeRateLimit applies the route's bucket, sets the X-RateLimit-* headers
// Discord sends on every answer, and answers 429 when the bucket is empty.
func (s *Server) takeRateLimit(c *call, h handler) bool {
	key := h.bucketKey()
	now := time.Now()
	s.mu.Lock()
	b := s.buckets[key]
	if b == nil {
		b = &bucket{limit: s.cfg.routeLimit, window: time.Second}
		if h.messages {
			b.limit, b.window = s.cfg.messageLimit, s.cfg.messageWindow
		}
		s.buckets[key] = b
	}
	allowed := b.take(now)
	if !allowed {
		s.rateLimited[key]++
		s.retryNotBefore[key] = b.resetAt
	}
	limit, remaining, resetAt := b.limit, b.remaining, b.resetAt
	s.mu.Unlock()

	setRateLimitHeaders(c.header, bucketHash(h.template), limit, remaining, resetAt, now)
	if allowed {
		return true
	}
	wait := resetAt.Sub(now)
	c.header.Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	c.header.Set("X-RateLimit-Scope", "user")
	s.reply(c, http.StatusTooManyRequests, rateLimitBody(wait, false))
	return false
}

func setRateLimitHeaders(hd http.Header, bucketID string, limit, remaining int, resetAt, now time.Time) {
	hd.Set("X-RateLimit-Limit", strconv.Itoa(limit))
	hd.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	hd.Set("X-RateLimit-Reset", strconv.FormatFloat(float64(resetAt.UnixMilli())/1000, 'f', 3, 64))
	hd.Set("X-RateLimit-Reset-After", secondsUp(resetAt.Sub(now)))
	hd.Set("X-RateLimit-Bucket", bucketID)
	hd.Set("Date", now.UTC().Format(http.TimeFormat))
}

// secondsUp formats d in seconds with millisecond precision, rounded up so a
// client that waits exactly that long never arrives early.
func secondsUp(d time.Duration) string {
	ms := math.Ceil(float64(d) / float64(time.Millisecond))
	return strconv.FormatFloat(ms/1000, 'f', 3, 64)
}

func rateLimitBody(wait time.Duration, global bool) apiError {
	after, _ := strconv.ParseFloat(secondsUp(wait), 64)
	return apiError{Message: "You are being rate limited.", RetryAfter: &after, Global: &global}
}

func bucketHash(template string) string {
	sum := sha256.Sum256([]byte(template))
	return hex.EncodeToString(sum[:8])
}

// faults holds the injected failures.
type faults struct {
	next       int // requests left to fail with nextStatus
	nextStatus int
	lost       int     // message creations left to carry out but answer 500
	rate       float64 // probability of failing any request
	statuses   []int
	rng        *rand.Rand
}

// FailNext makes the next n REST requests (gateway discovery excepted)
// answer status before doing anything. A 429 carries Discord's rate-limit
// body and headers.
func (s *Server) FailNext(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.next, s.faults.nextStatus = n, status
}

// FaultRate makes each REST request (gateway discovery excepted) fail with
// probability p, with a status picked from statuses (default 429, 500, 502).
// FaultRate(0) turns it off. The draw is seeded, so a run repeats.
func (s *Server) FaultRate(p float64, statuses ...int) {
	if len(statuses) == 0 {
		statuses = []int{http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.rate, s.faults.statuses = p, statuses
	s.faults.rng = rand.New(rand.NewPCG(1, 2))
}

// Stall makes every REST request wait d before it is answered (0 turns it
// off). A client that cancels meanwhile gets no answer.
func (s *Server) Stall(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stall = d
}

func (s *Server) stallFor(c *call) bool {
	s.mu.Lock()
	d := s.stall
	s.mu.Unlock()
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-c.r.Context().Done():
		return false
	}
}

// injectFault answers the request with an injected failure if one is due.
func (s *Server) injectFault(c *call, h handler) bool {
	if match(c.segs, "gateway") || match(c.segs, "gateway/bot") {
		return false // discordgo's Open does not retry discovery
	}
	status := s.drawFault()
	if status == 0 {
		return false
	}
	if status == http.StatusTooManyRequests {
		wait := s.cfg.faultRetryAfter
		now := time.Now()
		s.mu.Lock()
		s.retryNotBefore[h.bucketKey()] = now.Add(wait)
		s.mu.Unlock()
		setRateLimitHeaders(c.header, bucketHash("injected"), 1, 0, now.Add(wait), now)
		c.header.Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		s.reply(c, status, rateLimitBody(wait, false))
		return true
	}
	s.reply(c, status, apiError{Message: strconv.Itoa(status) + ": " + http.StatusText(status)})
	return true
}

func (s *Server) drawFault() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := &s.faults
	if f.next > 0 {
		f.next--
		return f.nextStatus
	}
	if f.rate > 0 && f.rng.Float64() < f.rate {
		return f.statuses[f.rng.IntN(len(f.statuses))]
	}
	return 0
}

// LoseNextAnswers makes the next n message creations (channel messages and
// webhook executions) succeed but answer 500, as when the answer is lost on
// the way: a client that retries must rely on its nonce not to post twice.
func (s *Server) LoseNextAnswers(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.lost = n
}

func (s *Server) takeLostAnswer() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.faults.lost == 0 {
		return false
	}
	s.faults.lost--
	return true
}

// earlyTolerance forgives a retry that arrives this much before retry_after
// ran out: discordgo truncates retry_after to whole milliseconds.
const earlyTolerance = 5 * time.Millisecond

// RetryAfterIgnored counts, by bucket, requests that arrived before the
// retry_after of a 429 answered on that bucket had passed: a client that
// honours retry_after scores none.
func (s *Server) RetryAfterIgnored() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.earlyRetries)
}

func (s *Server) noteEarlyRetry(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if notBefore, ok := s.retryNotBefore[key]; ok && time.Now().Before(notBefore.Add(-earlyTolerance)) {
		s.earlyRetries[key]++
	}
}
