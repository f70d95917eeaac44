package source

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html/charset"
)

// ParseLinks turns the links of an HTML page into items, for sources that
// publish a page and no feed (a ministry's press room). With a CSS selector,
// only links matched by it or inside what it matches count. URLs are made
// absolute (honouring <base href>) and lose their fragment; the title is the
// link's text. Links that go nowhere new are skipped: javascript:, mailto:
// and other non-web schemes, fragments of the page itself, and repeats.
func ParseLinks(body []byte, contentType, pageURL, selector string) ([]Item, error) {
	fail := func(err error) ([]Item, error) {
		return nil, &Error{Op: "parse", URL: redact(pageURL), Kind: KindParse, Err: err}
	}
	var matcher goquery.Matcher
	if selector != "" {
		sel, err := cascadia.Compile(selector)
		if err != nil {
			return fail(fmt.Errorf("invalid selector %q: %w", selector, err))
		}
		matcher = sel
	}
	page, err := url.Parse(pageURL)
	if err != nil {
		return fail(fmt.Errorf("page URL: %w", err))
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(htmlToUTF8(body, contentType)))
	if err != nil {
		return fail(err)
	}
	base := documentBase(doc, page)

	self := CanonicalURL(page.String())
	seen := map[string]bool{self: true}
	var items []Item
	for _, a := range linksUnder(doc, matcher) {
		href, _ := a.Attr("href")
		link := resolveLink(base, href)
		if link == "" || strings.HasPrefix(strings.TrimSpace(href), "#") {
			continue
		}
		link = withoutFragment(link)
		key := CanonicalURL(link)
		if seen[key] {
			continue
		}
		seen[key] = true
		items = append(items, Item{URL: link, Title: linkTitle(a)})
	}
	return items, nil
}

// linksUnder returns, in document order, the a[href] elements that match or
// sit inside what the matcher selects; every one when matcher is nil.
func linksUnder(doc *goquery.Document, matcher goquery.Matcher) []*goquery.Selection {
	var out []*goquery.Selection
	doc.Find("a[href]").Each(func(_ int, a *goquery.Selection) {
		if matcher == nil || a.IsMatcher(matcher) || a.ParentsMatcher(matcher).Length() > 0 {
			out = append(out, a)
		}
	})
	return out
}

// documentBase is the page URL, or the page's <base href> resolved against it.
func documentBase(doc *goquery.Document, page *url.URL) *url.URL {
	href, ok := doc.Find("base[href]").First().Attr("href")
	if !ok {
		return page
	}
	ref, err := url.Parse(strings.TrimSpace(href))
	if err != nil {
		return page
	}
	return page.ResolveReference(ref)
}

// linkTitle is the link's visible text, else what describes it for screen
// readers.
func linkTitle(a *goquery.Selection) string {
	if text := collapseSpaces(a.Text()); text != "" {
		return text
	}
	for _, attr := range []string{"title", "aria-label"} {
		if v, ok := a.Attr(attr); ok && strings.TrimSpace(v) != "" {
			return collapseSpaces(v)
		}
	}
	if alt, ok := a.Find("img[alt]").First().Attr("alt"); ok {
		return collapseSpaces(alt)
	}
	return ""
}

func withoutFragment(link string) string {
	if i := strings.IndexByte(link, '#'); i >= 0 {
		return link[:i]
	}
	return link
}

// htmlToUTF8 decodes an HTML page to UTF-8: bytes that are valid UTF-8 are
// kept (a wrong label is likelier than such a coincidence); otherwise the
// HTTP charset, a byte order mark or a <meta charset> decides, as browsers do.
func htmlToUTF8(body []byte, contentType string) []byte {
	body = bytes.TrimPrefix(body, utf8BOM)
	if utf8.Valid(body) {
		return body
	}
	enc, _, _ := charset.DetermineEncoding(body, contentType)
	decoded, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return bytes.ToValidUTF8(body, []byte("\uFFFD"))
	}
	return decoded
}
