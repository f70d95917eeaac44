package source

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
)

// Item is one entry of a feed or one link of a page, as plain text.
type Item struct {
	GUID      string
	URL       string // absolute
	Title     string
	Summary   string // plain text
	Content   string // plain text of the full content, when the feed carries it
	Published time.Time
	Author    string
}

// Text is what rules read: title, summary and content as paragraphs; the
// summary is left out where the content already holds it. A headline gets a
// full stop when it has none, so that it reads as a sentence of its own in a
// snippet, where paragraph breaks become spaces, and no quantity runs from
// the headline into the text.
func (it Item) Text() string {
	parts := []string{endSentence(it.Title)}
	if it.Content == "" || !strings.Contains(it.Content, it.Summary) {
		parts = append(parts, it.Summary)
	}
	parts = append(parts, it.Content)
	return strings.Join(slices.DeleteFunc(parts, func(p string) bool { return p == "" }), "\n\n")
}

// endSentence adds a full stop to a headline that ends in a letter or digit.
func endSentence(s string) string {
	s = strings.TrimSpace(s)
	if r, _ := utf8.DecodeLastRuneInString(s); unicode.IsLetter(r) || unicode.IsDigit(r) {
		return s + "."
	}
	return s
}

var (
	errHTMLPage = errors.New("not a feed: got an HTML page")
	errNotFeed  = errors.New("not a feed: neither RSS, Atom nor JSON Feed")
	errEmpty    = errors.New("empty document")
)

// ParseFeed reads an RSS, Atom or JSON feed into items. The charset of the
// HTTP Content-Type is honoured; links are made absolute against baseURL
// (the feed's own URL); titles and summaries are returned as plain text.
// Failures are *Error of KindParse with a message naming what was wrong.
func ParseFeed(body []byte, contentType, baseURL string) ([]Item, error) {
	fail := func(err error) ([]Item, error) {
		return nil, &Error{Op: "parse", URL: redact(baseURL), Kind: KindParse, Err: err}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return fail(errEmpty)
	}
	if looksLikeHTML(body) {
		return fail(errHTMLPage)
	}
	utf8Body, err := feedToUTF8(body, contentType)
	if err != nil {
		return fail(err)
	}
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(utf8Body))
	if err != nil {
		return fail(describeParseError(err))
	}
	base, _ := url.Parse(baseURL)
	items := make([]Item, 0, len(feed.Items))
	for _, it := range feed.Items {
		if it != nil {
			items = append(items, convertItem(it, base))
		}
	}
	return items, nil
}

func convertItem(it *gofeed.Item, base *url.URL) Item {
	out := Item{
		GUID:    strings.TrimSpace(it.GUID),
		URL:     resolveLink(base, it.Link),
		Title:   PlainText(it.Title),
		Summary: PlainText(it.Description),
		Content: PlainText(it.Content),
	}
	if out.URL == "" && len(it.Links) > 0 {
		out.URL = resolveLink(base, it.Links[0])
	}
	switch {
	case it.PublishedParsed != nil:
		out.Published = it.PublishedParsed.UTC()
	case it.UpdatedParsed != nil:
		out.Published = it.UpdatedParsed.UTC()
	}
	switch {
	case len(it.Authors) > 0 && it.Authors[0] != nil:
		out.Author = PlainText(it.Authors[0].Name)
	case it.DublinCoreExt != nil && len(it.DublinCoreExt.Creator) > 0:
		out.Author = PlainText(it.DublinCoreExt.Creator[0])
	}
	// A feed with only content still gives rules a summary to read.
	if out.Summary == "" {
		out.Summary = out.Content
	}
	return out
}

// resolveLink makes link absolute against base; links that are not http(s)
// once resolved (javascript:, mailto:) are dropped.
func resolveLink(base *url.URL, link string) string {
	link = strings.TrimSpace(link)
	if link == "" {
		return ""
	}
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	// Only absolute web links: a <base href="https:"> makes "?page=2" resolve
	// to "https:?page=2", which has a scheme but names no host.
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}

// looksLikeHTML catches the commonest wrong answer to a feed request: a web
// page (a moved feed, a login wall, a CDN challenge). It reads the content,
// not the Content-Type, since servers label feeds text/html too: a document
// that opens with a doctype or <html>, after any byte order mark, white space
// and comments.
func looksLikeHTML(body []byte) bool {
	head := bytes.TrimPrefix(body[:min(len(body), 1024)], utf8BOM)
	for {
		head = bytes.TrimSpace(head)
		if !bytes.HasPrefix(head, []byte("<!--")) {
			break
		}
		end := bytes.Index(head, []byte("-->"))
		if end < 0 {
			return false
		}
		head = head[end+3:]
	}
	lower := bytes.ToLower(head[:min(len(head), 15)])
	return bytes.HasPrefix(lower, []byte("<!doctype html")) || bytes.HasPrefix(lower, []byte("<html"))
}

// describeParseError turns the parser's errors into the sentence a user needs.
func describeParseError(err error) error {
	switch {
	case errors.Is(err, gofeed.ErrFeedTypeNotDetected):
		return errNotFeed
	case errors.Is(err, io.ErrUnexpectedEOF), strings.Contains(err.Error(), "unexpected EOF"),
		strings.Contains(err.Error(), "unexpected end of JSON input"):
		return fmt.Errorf("truncated feed: the document ends before it is complete (%w)", err)
	default:
		return fmt.Errorf("malformed feed: %w", err)
	}
}
