package discord

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/embargo-watch/embargo/internal/discordtest"
	"github.com/embargo-watch/embargo/internal/netguard"
	"github.com/embargo-watch/embargo/internal/source"
)

// fetchText is /check's URL fetcher as embargo wires it: the source package's
// guarded fetch and article extraction.
func fetchText(policy netguard.Policy) func(context.Context, string) (string, error) {
	f := source.NewFetcher(source.Options{Policy: policy})
	return func(ctx context.Context, u string) (string, error) {
		a, err := f.FetchArticle(ctx, u)
		if err != nil {
			return "", err
		}
		return a.Title + "\n\n" + a.Text, nil
	}
}

func TestCheckURLGoesThroughTheAddressGuard(t *testing.T) {
	t.Parallel()
	article := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "North Korea will send 6,000 workers to Russia's Kursk region.")
	}))
	t.Cleanup(article.Close)

	guarded := newHarnessWith(t, func(c *Config) { c.FetchText = fetchText(netguard.Policy{}) })
	res := guarded.interact(0, "check", discordtest.Opt("text", article.URL+"/story"))
	if got := answer(res); !strings.Contains(got, "Could not fetch that URL") || !strings.Contains(got, "loopback") {
		t.Errorf("a loopback URL was not refused: %q", got)
	}
	if !res.Followups[0].Ephemeral() {
		t.Errorf("the refusal is not ephemeral")
	}

	// Where the configuration allows private addresses, the same URL is read.
	open := newHarnessWith(t, func(c *Config) { c.FetchText = fetchText(netguard.Policy{AllowPrivate: true}) })
	if got := answer(open.interact(0, "check", discordtest.Opt("text", article.URL+"/story"))); !strings.Contains(got, "dprk-labor-abroad") {
		t.Errorf("allowed URL not checked: %q", got)
	}
}
