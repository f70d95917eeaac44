package source

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzParseFeed feeds arbitrary bytes and Content-Types to ParseFeed: it must
// never panic, fail only with a parse *Error, and return clean items.
// Seeds: testdata/fuzz/FuzzParseFeed.
func FuzzParseFeed(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		items, err := ParseFeed(body, contentType, "https://feeds.example.org/news/feed.xml")
		if err != nil {
			var fe *Error
			if !errors.As(err, &fe) || fe.Kind != KindParse {
				t.Fatalf("error %v (%T) is not a parse *Error", err, err)
			}
			return
		}
		for i, it := range items {
			checkItem(t, i, it)
		}
	})
}

func checkItem(t *testing.T, i int, it Item) {
	t.Helper()
	for name, text := range map[string]string{"title": it.Title, "summary": it.Summary, "content": it.Content, "author": it.Author} {
		if !utf8.ValidString(text) {
			t.Errorf("item %d %s is not UTF-8: %q", i, name, text)
		}
		if text != strings.TrimSpace(text) || strings.Contains(text, "  ") {
			t.Errorf("item %d %s has loose white space: %q", i, name, text)
		}
	}
	if it.URL != "" {
		u, err := url.Parse(it.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" && u.Opaque == "" {
			t.Errorf("item %d URL %q is not an absolute web URL", i, it.URL)
		}
	}
	if !it.Published.IsZero() && it.Published.Location() != time.UTC {
		t.Errorf("item %d published %s is not UTC", i, it.Published)
	}
}

// FuzzParseHTML runs the two readers of web pages, ParseLinks and
// ExtractArticle, on arbitrary bytes. Seeds: testdata/fuzz/FuzzParseHTML.
func FuzzParseHTML(f *testing.F) {
	const pageURL = "https://mfa.example.gov/en/press/"
	f.Fuzz(func(t *testing.T, body []byte) {
		links, err := ParseLinks(body, "text/html", pageURL, "")
		if err != nil && KindOf(err) != KindParse {
			t.Fatalf("ParseLinks error %v is not a parse *Error", err)
		}
		for i, it := range links {
			checkItem(t, i, it)
			if strings.Contains(it.URL, "#") {
				t.Errorf("link %q keeps its fragment", it.URL)
			}
		}
		article, err := ExtractArticle(body, "text/html", pageURL)
		if err != nil {
			if KindOf(err) != KindParse {
				t.Fatalf("ExtractArticle error %v is not a parse *Error", err)
			}
			return
		}
		if article.Text == "" || len(article.Text) > MaxArticleText || !utf8.ValidString(article.Text) {
			t.Errorf("article text of %d bytes, valid UTF-8 %v", len(article.Text), utf8.ValidString(article.Text))
		}
	})
}
