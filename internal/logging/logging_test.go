package logging

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

const token = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyz0123"

func TestSecretsNeverReachTheOutput(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			log, err := New(&buf, format, "debug", token, "")
			if err != nil {
				t.Fatal(err)
			}
			log.Info("connecting with Bot "+token, "token", token)
			log.Error("request failed", "err", fmt.Errorf("POST /gateway: %w", errors.New("bad token "+token)))
			log.With("auth", "Bot "+token).WithGroup("discord").Warn("retry", "header", map[string]string{"Authorization": "Bot " + token})
			out := buf.String()
			if strings.Contains(out, token) {
				t.Fatalf("token in log output:\n%s", out)
			}
			if got := strings.Count(out, Mask); got < 5 {
				t.Fatalf("want every occurrence masked (5), got %d:\n%s", got, out)
			}
			if !strings.Contains(out, "request failed") {
				t.Fatalf("ordinary text lost:\n%s", out)
			}
		})
	}
}

func TestBadOptions(t *testing.T) {
	if _, err := New(&bytes.Buffer{}, "xml", "info"); err == nil || !strings.Contains(err.Error(), "text or json") {
		t.Errorf("format xml: err = %v", err)
	}
	if _, err := New(&bytes.Buffer{}, "text", "loud"); err == nil || !strings.Contains(err.Error(), "debug, info") {
		t.Errorf("level loud: err = %v", err)
	}
}
