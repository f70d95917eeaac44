package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/embargo-watch/embargo/internal/delivery"
	"github.com/embargo-watch/embargo/internal/store"
)

// webhookSender posts alerts through a Discord webhook (webhook mode: no bot,
// no commands, every alert to one channel).
type webhookSender struct {
	url    string // with ?wait=true, so that Discord answers with the message
	client *http.Client

	mu        sync.Mutex
	notBefore time.Time // the webhook's rate limit bucket is empty until then
}

// NewWebhookSender returns a Sender for target store.TargetWebhook that posts
// the same embeds as the bot through webhookURL. apiBase, when set, sends the
// request to a Discord-compatible server instead (EMBARGO_DISCORD_API). A nil
// httpClient means one with a timeout.
func NewWebhookSender(webhookURL string, httpClient *http.Client, apiBase string) (delivery.Sender, error) {
	u, err := rewriteURL(webhookURL, apiBase)
	if err != nil {
		return nil, fmt.Errorf("webhook URL: %w", err)
	}
	if SafeURL(u) == "" {
		return nil, fmt.Errorf("webhook URL %s: want an http(s) URL", redactURL(webhookURL))
	}
	if httpClient == nil {
		httpClient = &http.Client{Timeout: restTimeout}
	}
	return &webhookSender{url: withQuery(u, "wait", "true"), client: httpClient}, nil
}

// Send implements delivery.Sender.
func (w *webhookSender) Send(ctx context.Context, d store.Delivery) (string, error) {
	if d.Target != store.TargetWebhook {
		return "", &delivery.PermanentError{Err: fmt.Errorf("target %q is not the webhook", d.Target)}
	}
	if err := w.waitForBucket(ctx); err != nil {
		return "", err
	}
	body, err := json.Marshal(AlertMessage(d.Alert))
	if err != nil {
		return "", &delivery.PermanentError{Err: fmt.Errorf("encode message: %w", err)}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		return "", &delivery.PermanentError{Err: fmt.Errorf("webhook request: %w", err)}
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := w.client.Do(req)
	if err != nil {
		// The URL holds the webhook's token: keep it out of the error.
		return "", fmt.Errorf("post to webhook %s: %w", redactURL(w.url), unwrapURLError(err))
	}
	defer resp.Body.Close()
	w.noteRateLimit(resp.Header)
	return webhookOutcome(resp)
}

// webhookOutcome reads the answer to a webhook execution.
func webhookOutcome(resp *http.Response) (string, error) {
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return "", fmt.Errorf("read webhook answer: %w", err)
	}
	var answer struct {
		ID         string  `json:"id"`
		Message    string  `json:"message"`
		RetryAfter float64 `json:"retry_after"`
	}
	_ = json.Unmarshal(data, &answer) // error bodies may be anything
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return "", &delivery.RetryAfterError{After: retryAfter(answer.RetryAfter, resp.Header), Err: fmt.Errorf("webhook rate limited")}
	case resp.StatusCode >= 300:
		reason := answer.Message
		if reason == "" {
			reason = http.StatusText(resp.StatusCode)
		}
		if webhookBroken(resp.StatusCode) {
			// The webhook itself is gone or refused: every alert would fail
			// alike until an operator fixes DISCORD_WEBHOOK_URL, so keep them
			// queued rather than failing them one by one.
			return "", &delivery.RetryAfterError{After: webhookBrokenWait,
				Err: fmt.Errorf("discord: HTTP %d: %s: check DISCORD_WEBHOOK_URL; the alerts stay queued", resp.StatusCode, reason)}
		}
		return "", classifyStatus(resp.StatusCode, reason)
	case answer.ID == "":
		return "", fmt.Errorf("webhook answered %d without a message id", resp.StatusCode)
	}
	return answer.ID, nil
}

// webhookBrokenWait is how long alerts wait before trying a webhook again
// that answered as if it did not exist.
const webhookBrokenWait = 10 * time.Minute

func webhookBroken(status int) bool {
	return status == http.StatusUnauthorized || status == http.StatusForbidden || status == http.StatusNotFound
}

// retryAfter is how long a 429 asks to wait: the body's retry_after in
// seconds, else the Retry-After header, else one second.
func retryAfter(seconds float64, h http.Header) time.Duration {
	if seconds <= 0 {
		seconds, _ = strconv.ParseFloat(h.Get("Retry-After"), 64)
	}
	if seconds <= 0 {
		return time.Second
	}
	return time.Duration(seconds * float64(time.Second))
}

// noteRateLimit remembers an exhausted bucket, so that the next send waits
// for its reset instead of drawing a 429.
func (w *webhookSender) noteRateLimit(h http.Header) {
	if h.Get("X-RateLimit-Remaining") != "0" {
		return
	}
	after, err := strconv.ParseFloat(h.Get("X-RateLimit-Reset-After"), 64)
	if err != nil || after <= 0 {
		return
	}
	w.mu.Lock()
	w.notBefore = time.Now().Add(time.Duration(after * float64(time.Second)))
	w.mu.Unlock()
}

func (w *webhookSender) waitForBucket(ctx context.Context) error {
	w.mu.Lock()
	wait := time.Until(w.notBefore)
	w.mu.Unlock()
	if wait <= 0 {
		return nil
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// withQuery sets one query parameter of a URL that parses (checked before).
func withQuery(raw, key, value string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}
