package source

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestExtractArticle(t *testing.T) {
	article, err := ExtractArticle(readFixture(t, "article.html"), "text/html; charset=utf-8",
		"https://news.example.org/2026/11/26/dprk-builders-kursk")
	if err != nil {
		t.Fatal(err)
	}
	if want := "North Korean builders head for Kursk as sanctions experts warn of breach"; article.Title != want {
		t.Errorf("Title = %q, want %q", article.Title, want)
	}
	if article.Author != "Min-ji Park" {
		t.Errorf("Author = %q, want Min-ji Park", article.Author)
	}
	if want := time.Date(2026, 11, 26, 17, 40, 0, 0, time.UTC); !article.Published.Equal(want) {
		t.Errorf("Published = %s, want %s", article.Published, want)
	}
	for _, want := range []string{
		"North Korea will send about 6,000 workers to Russia’s Kursk region",
		"resolution 2397",
		"barred states from issuing new work authorizations",
		"timber camps in the Far East.",
	} {
		if !strings.Contains(article.Text, want) {
			t.Errorf("Text lacks %q:\n%s", want, article.Text)
		}
	}
	for _, clutter := range []string{"Subscribe", "Advertisement", "All rights reserved", "Sign up", "dataLayer"} {
		if strings.Contains(article.Text, clutter) {
			t.Errorf("Text keeps page clutter %q", clutter)
		}
	}
	if strings.Contains(article.Text, "\n\n\n") || strings.Contains(article.Text, "  ") {
		t.Errorf("Text has loose white space:\n%q", article.Text)
	}
}

func TestExtractArticleNothingToRead(t *testing.T) {
	_, err := ExtractArticle([]byte("<html><body></body></html>"), "text/html", "https://example.org/")
	wantKind(t, err, KindParse, "parse https://example.org/: ")
}

func TestTruncateUTF8(t *testing.T) {
	s := "Курск" // two bytes a letter
	for n := range len(s) + 2 {
		got := truncateUTF8(s, n)
		if len(got) > n || !utf8.ValidString(got) || !strings.HasPrefix(s, got) || len(got) < min(n, len(s))-1 {
			t.Errorf("truncateUTF8(%q, %d) = %q", s, n, got)
		}
	}
}

func TestFetchArticle(t *testing.T) {
	page := readFixture(t, "article.html")
	mux := http.NewServeMux()
	mux.HandleFunc("/story", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(page)
	})
	mux.HandleFunc("/note.txt", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("  Six thousand   workers\n\n\nto Kursk.  "))
	})
	mux.HandleFunc("/report.pdf", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		_, _ = w.Write([]byte("%PDF-1.7"))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	f := newTestFetcher(Options{})

	article, err := f.FetchArticle(context.Background(), srv.URL+"/story")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(article.Text, "1,000 military engineers") {
		t.Errorf("article text lacks the story:\n%s", article.Text)
	}

	note, err := f.FetchArticle(context.Background(), srv.URL+"/note.txt")
	if err != nil {
		t.Fatal(err)
	}
	if note.Text != "Six thousand workers\n\nto Kursk." {
		t.Errorf("plain text = %q", note.Text)
	}

	_, err = f.FetchArticle(context.Background(), srv.URL+"/report.pdf")
	wantKind(t, err, KindParse, "not a web page: got application/pdf")

	_, err = f.FetchArticle(context.Background(), srv.URL+"/missing")
	wantKind(t, err, KindStatus, "404 Not Found")
}
