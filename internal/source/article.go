package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	readability "codeberg.org/readeck/go-readability/v2"
)

// MaxArticleText bounds the text kept from one article: enough for any news
// story, small enough that a pathological page cannot flood the rules.
const MaxArticleText = 200 << 10

// maxArticleElements stops readability on pages too large to be an article;
// its scoring gets slow on huge trees.
const maxArticleElements = 60_000

// Article is the main text of a web page.
type Article struct {
	Title     string
	Text      string // paragraphs separated by blank lines, at most MaxArticleText bytes
	Author    string
	Published time.Time // zero when the page does not say
}

var errNoArticle = errors.New("no article text found on the page")

// ExtractArticle finds the main text of an HTML page with readability,
// dropping navigation, adverts and the like.
func ExtractArticle(body []byte, contentType, pageURL string) (Article, error) {
	fail := func(err error) (Article, error) {
		return Article{}, &Error{Op: "parse", URL: redact(pageURL), Kind: KindParse, Err: err}
	}
	page, err := url.Parse(pageURL)
	if err != nil {
		return fail(fmt.Errorf("page URL: %w", err))
	}
	parser := readability.NewParser()
	parser.MaxElemsToParse = maxArticleElements
	parsed, err := parser.Parse(bytes.NewReader(htmlToUTF8(body, contentType)), page)
	if err != nil {
		return fail(err)
	}
	if parsed.Node == nil {
		return fail(errNoArticle)
	}
	var text strings.Builder
	if err := parsed.RenderText(&text); err != nil {
		return fail(err)
	}
	article := Article{
		Title:  collapseSpaces(parsed.Title()),
		Text:   truncateUTF8(paragraphs(text.String()), MaxArticleText),
		Author: collapseSpaces(parsed.Byline()),
	}
	if article.Text == "" {
		return fail(errNoArticle)
	}
	if published, err := parsed.PublishedTime(); err == nil {
		article.Published = published.UTC()
	}
	return article, nil
}

// FetchArticle fetches a page and extracts its article. A text/plain answer
// is taken as the text itself; any other non-HTML answer is an error.
func (f *Fetcher) FetchArticle(ctx context.Context, rawURL string) (Article, error) {
	resp, err := f.Fetch(ctx, rawURL, Conditional{})
	if err != nil {
		return Article{}, err
	}
	mediaType, _, _ := mime.ParseMediaType(resp.ContentType)
	switch {
	case mediaType == "text/plain":
		text := string(htmlToUTF8(resp.Body, resp.ContentType))
		return Article{Text: truncateUTF8(paragraphs(text), MaxArticleText)}, nil
	case mediaType == "text/html", mediaType == "application/xhtml+xml", mediaType == "" && looksLikeHTML(resp.Body):
		return ExtractArticle(resp.Body, resp.ContentType, resp.URL)
	default:
		return Article{}, &Error{Op: "parse", URL: redact(rawURL), Kind: KindParse,
			Err: fmt.Errorf("not a web page: got %s", mediaType)}
	}
}

// paragraphs trims every line, collapses spaces inside lines and leaves one
// blank line between paragraphs.
func paragraphs(text string) string {
	var out []string
	for line := range strings.Lines(text) {
		if line = collapseSpaces(line); line != "" {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n\n")
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
