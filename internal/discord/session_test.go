package discord

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
)

func TestTransportRewritesToAPIBase(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Method+" "+r.URL.Path+" "+r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"1","username":"embargo"}`)
	}))
	defer srv.Close()

	for _, base := range []string{srv.URL, srv.URL + "/prefix/"} {
		got = nil
		s, err := NewSession("secret-token", base)
		if err != nil {
			t.Fatal(err)
		}
		if s.Identify.Intents != discordgo.IntentsGuilds {
			t.Errorf("intents = %d, want guilds only", s.Identify.Intents)
		}
		if _, err := s.User("@me"); err != nil {
			t.Fatalf("User via %s: %v", base, err)
		}
		want := "GET /api/v" + discordgo.APIVersion + "/users/@me Bot secret-token"
		if strings.HasSuffix(base, "/prefix/") {
			want = "GET /prefix/api/v" + discordgo.APIVersion + "/users/@me Bot secret-token"
		}
		if len(got) != 1 || got[0] != want {
			t.Errorf("base %s: requests %q, want %q", base, got, want)
		}
	}
	if discordgo.EndpointAPI != "https://discord.com/api/v"+discordgo.APIVersion+"/" {
		t.Errorf("discordgo's endpoints were changed: %s", discordgo.EndpointAPI)
	}
}

func TestNewSessionRejectsBadInput(t *testing.T) {
	if _, err := NewSession("", ""); err == nil {
		t.Error("empty token accepted")
	}
	for _, base := range []string{"ftp://x", "not a url", "//host-only"} {
		if _, err := NewSession("t", base); err == nil {
			t.Errorf("API base %q accepted", base)
		}
	}
}

func TestTransportCapsResponses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("x", maxResponseBytes+10)))
	}))
	defer srv.Close()
	tr, err := newTransport(http.DefaultTransport, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Transport: tr}).Get("https://discord.com/api/v9/gateway")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := io.ReadAll(resp.Body); !errors.Is(err, errBodyTooLarge) {
		t.Fatalf("reading a large body: %v, want errBodyTooLarge", err)
	}
}

func TestRedactURL(t *testing.T) {
	got := redactURL("https://discord.com/api/webhooks/123/SECRET?wait=true")
	if strings.Contains(got, "SECRET") || !strings.Contains(got, "/webhooks/123/") {
		t.Errorf("redactURL = %q", got)
	}
}

func TestUnwrapURLErrorHidesTheURL(t *testing.T) {
	_, err := http.Get("http://127.0.0.1:1/api/webhooks/1/SECRET-TOKEN")
	if err == nil {
		t.Skip("something listens on port 1")
	}
	if !strings.Contains(err.Error(), "SECRET-TOKEN") {
		t.Fatalf("net/http no longer puts the URL in errors: %v", err)
	}
	if got := unwrapURLError(err).Error(); strings.Contains(got, "SECRET-TOKEN") {
		t.Errorf("unwrapped error still holds the token: %s", got)
	}
}
