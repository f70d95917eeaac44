package source

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestParseFeedFormats(t *testing.T) {
	tests := []struct {
		fixture, contentType, baseURL string
		want                          []Item
	}{
		{
			fixture: "rss.xml", contentType: "application/rss+xml; charset=utf-8",
			baseURL: "https://news.example.org/sanctions/feed.xml",
			want: []Item{
				{
					GUID:      "kw-2026-11-26-0412",
					URL:       "https://news.example.org/2026/11/26/dprk-builders-kursk?utm_source=rss&utm_medium=feed",
					Title:     "Pyongyang to send 6,000 builders to Russia’s Kursk region",
					Summary:   "North Korea will dispatch 6,000 workers, including 1,000 military engineers, to rebuild infrastructure in Kursk, officials said.",
					Content:   "North Korea will dispatch 6,000 workers, including 1,000 military engineers, to rebuild infrastructure in Kursk. Analysts said the move appears to breach UN Security Council resolution 2397, which required states to repatriate North Korean workers by December 2019.",
					Published: time.Date(2026, 11, 26, 17, 40, 0, 0, time.UTC),
					Author:    "Min-ji Park",
				},
				{
					GUID:      "https://news.example.org/2026/11/25/ship-to-ship-nampo",
					URL:       "https://news.example.org/2026/11/25/ship-to-ship-nampo",
					Title:     "Panel of Experts: tankers kept up ship-to-ship transfers off Nampo",
					Summary:   "Satellite imagery shows at least 14 transfers of refined petroleum in October & November.",
					Published: time.Date(2026, 11, 25, 9, 15, 0, 0, time.UTC),
				},
				{
					URL:       "https://news.example.org/2026/11/24/eu-dprk-listings#comments",
					Title:     "EU adds three shipping firms to its DPRK list",
					Summary:   "The Council designated three Hong Kong-registered companies accused of handling coal shipments.",
					Published: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC),
				},
				{
					GUID:      "kw-2026-11-23-0187",
					URL:       "https://news.example.org/2026/11/23/crypto-theft-missiles",
					Title:     "Seoul: crypto theft funds missile work, says intelligence service",
					Summary:   "Hackers linked to the Lazarus Group stole an estimated $1.3bn this year.",
					Published: time.Date(2026, 11, 23, 6, 30, 0, 0, time.UTC),
				},
			},
		},
		{
			fixture: "atom.xml", contentType: "application/atom+xml",
			baseURL: "https://press.example.int/en/sc/atom.xml",
			want: []Item{
				{
					GUID:      "tag:press.example.int,2026:sc15873",
					URL:       "https://press.example.int/en/2026/sc15873.doc.htm",
					Title:     "Security Council Committee established pursuant to resolution 1718 (2006) adds one entry to its sanctions list",
					Summary:   "On 26 November 2026, the Committee approved the addition of the entry specified below to its sanctions list.",
					Published: time.Date(2026, 11, 26, 19, 30, 0, 0, time.UTC),
					Author:    "Meetings Coverage",
				},
				{
					GUID:      "tag:press.example.int,2026:sc15870",
					URL:       "https://press.example.int/en/2026/sc15870.doc.htm",
					Title:     "Briefing on non-proliferation",
					Summary:   "Members heard a briefing on the implementation of resolution 2231.",
					Content:   "Members heard a briefing on the implementation of resolution 2231.",
					Published: time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC),
				},
			},
		},
		{
			fixture: "feed.json", contentType: "application/feed+json",
			baseURL: "https://desk.example.com/feed.json",
			want: []Item{
				{
					GUID:      "https://desk.example.com/posts/ofac-designates-dprk-it-workers",
					URL:       "https://desk.example.com/posts/ofac-designates-dprk-it-workers",
					Title:     "OFAC designates DPRK IT worker network",
					Summary:   "Four individuals and two front companies designated.",
					Content:   "Treasury designated four individuals who placed North Korean IT workers with foreign firms.",
					Published: time.Date(2026, 11, 20, 19, 0, 0, 0, time.UTC),
					Author:    "Desk staff",
				},
				{
					GUID:      "post-882",
					URL:       "https://desk.example.com/posts/luxury-goods-seizure",
					Title:     "Customs seize luxury cars bound for Nampo",
					Summary:   "Two armoured limousines were found in a container declared as machine parts.",
					Content:   "Two armoured limousines were found in a container declared as machine parts.",
					Published: time.Date(2026, 11, 18, 8, 0, 0, 0, time.UTC),
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			items, err := ParseFeed(readFixture(t, tt.fixture), tt.contentType, tt.baseURL)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != len(tt.want) {
				t.Fatalf("got %d items, want %d: %+v", len(items), len(tt.want), items)
			}
			for i, want := range tt.want {
				if got := items[i]; got != want {
					t.Errorf("item %d:\n got %+v\nwant %+v", i, got, want)
				}
			}
		})
	}
}

func TestParseFeedCharsetFromHTTPHeader(t *testing.T) {
	body := readFixture(t, "windows-1251.xml")
	if utf8.Valid(body) {
		t.Fatal("fixture should be windows-1251 bytes, not UTF-8")
	}
	wantTitle := "КНДР направит в Курскую область 6000 строителей"
	for _, tt := range []struct{ name, prolog string }{
		{"no declaration", ""},
		{"declaration without encoding", `<?xml version="1.0"?>` + "\n"},
		{"declaration saying UTF-8", `<?xml version="1.0" encoding="UTF-8"?>` + "\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			doc := append([]byte(tt.prolog), body...)
			items, err := ParseFeed(doc, "application/rss+xml; charset=windows-1251", "https://ru.example.net/korea/rss")
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != 2 || items[0].Title != wantTitle {
				t.Fatalf("got %d items, first title %q; want 2, %q", len(items), firstTitle(items), wantTitle)
			}
			if !strings.Contains(items[0].Summary, "военных инженеров") {
				t.Errorf("summary %q not decoded from windows-1251", items[0].Summary)
			}
		})
	}
	t.Run("declaration only", func(t *testing.T) {
		doc := append([]byte(`<?xml version="1.0" encoding="windows-1251"?>`+"\n"), body...)
		items, err := ParseFeed(doc, "text/xml", "https://ru.example.net/korea/rss")
		if err != nil {
			t.Fatal(err)
		}
		if firstTitle(items) != wantTitle {
			t.Fatalf("first title %q, want %q", firstTitle(items), wantTitle)
		}
	})
	t.Run("UTF-8 body under a wrong label", func(t *testing.T) {
		items, err := ParseFeed(readFixture(t, "rss.xml"), "text/xml; charset=iso-8859-1", "https://news.example.org/feed")
		if err != nil {
			t.Fatal(err)
		}
		if want := "Pyongyang to send 6,000 builders to Russia’s Kursk region"; firstTitle(items) != want {
			t.Errorf("title %q decoded twice, want %q", firstTitle(items), want)
		}
	})
}

func firstTitle(items []Item) string {
	if len(items) == 0 {
		return ""
	}
	return items[0].Title
}

func TestParseFeedErrors(t *testing.T) {
	tests := []struct {
		name, fixture, body, contentType, want string
	}{
		{"html page", "not-a-feed.html", "", "text/html; charset=utf-8", "not a feed: got an HTML page"},
		{"html page labelled as a feed", "not-a-feed.html", "", "application/rss+xml", "not a feed: got an HTML page"},
		{"html after a comment", "", "<!-- cached -->\n<html><body>hi</body></html>", "", "not a feed: got an HTML page"},
		{"truncated", "truncated.xml", "", "application/rss+xml", "truncated feed"},
		{"truncated JSON", "", `{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1"`, "application/feed+json", "truncated feed"},
		{"empty", "", "  \n", "application/rss+xml", "empty document"},
		{"plain text", "", "hello, world", "text/plain", "not a feed"},
		{"unknown charset", "", "<rss>\xff</rss>", "text/xml; charset=klingon", `unknown charset "klingon"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte(tt.body)
			if tt.fixture != "" {
				body = readFixture(t, tt.fixture)
			}
			_, err := ParseFeed(body, tt.contentType, "https://example.org/feed")
			wantKind(t, err, KindParse, "parse https://example.org/feed: ", tt.want)
		})
	}
}

func TestParseFeedUTF16(t *testing.T) {
	doc := "\ufeff<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss version=\"2.0\"><channel><item><title>Ünïcode</title></item></channel></rss>"
	var utf16 bytes.Buffer
	for _, r := range doc { // UTF-16LE, every rune here in the BMP
		utf16.WriteByte(byte(r))
		utf16.WriteByte(byte(r >> 8))
	}
	items, err := ParseFeed(utf16.Bytes(), "application/xml", "https://example.org/feed")
	if err != nil {
		t.Fatal(err)
	}
	if firstTitle(items) != "Ünïcode" {
		t.Errorf("title %q, want Ünïcode", firstTitle(items))
	}
}

func TestItemText(t *testing.T) {
	tests := []struct {
		item Item
		want string
	}{
		{Item{Title: "T", Summary: "S", Content: "C"}, "T.\n\nS\n\nC"},
		{Item{Title: "T", Summary: "Lead.", Content: "Lead. Rest."}, "T.\n\nLead. Rest."},
		{Item{Title: "T", Summary: "S"}, "T.\n\nS"},
		{Item{Title: "Kim speaks?", Summary: "S"}, "Kim speaks?\n\nS"},
		{Item{Title: "«Workers sent»", Summary: "S"}, "«Workers sent»\n\nS"},
		{Item{Summary: "S"}, "S"},
	}
	for _, tt := range tests {
		if got := tt.item.Text(); got != tt.want {
			t.Errorf("%+v.Text() = %q, want %q", tt.item, got, tt.want)
		}
	}
}

// TestFetchAndParseCharsetFromHeader runs the whole path: the server names
// the charset only in its header.
func TestFetchAndParseCharsetFromHeader(t *testing.T) {
	body := readFixture(t, "windows-1251.xml")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml; charset=windows-1251")
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	resp, err := newTestFetcher(Options{}).Fetch(context.Background(), srv.URL, Conditional{})
	if err != nil {
		t.Fatal(err)
	}
	items, err := ParseFeed(resp.Body, resp.ContentType, resp.URL)
	if err != nil {
		t.Fatal(err)
	}
	if got := firstTitle(items); !strings.HasPrefix(got, "КНДР") {
		t.Errorf("title %q, want Cyrillic", got)
	}
}

func BenchmarkParseFeed(b *testing.B) {
	body := twentyItemFeed()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		items, err := ParseFeed(body, "application/rss+xml; charset=utf-8", "https://news.example.org/feed.xml")
		if err != nil || len(items) != 20 {
			b.Fatalf("%d items, %v", len(items), err)
		}
	}
}

// twentyItemFeed is an RSS feed the size of a typical news feed.
func twentyItemFeed() []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Bench</title><link>https://news.example.org/</link>`)
	for i := range 20 {
		b.WriteString("<item><title>North Korea sends workers abroad, report ")
		b.WriteString(strings.Repeat("x", i))
		b.WriteString("</title><link>https://news.example.org/story/")
		b.WriteString(strings.Repeat("a", i+1))
		b.WriteString("?utm_source=rss</link><guid>story-")
		b.WriteString(strings.Repeat("b", i+1))
		b.WriteString("</guid><pubDate>Thu, 26 Nov 2026 17:40:00 +0000</pubDate><description><![CDATA[<p>Pyongyang will dispatch <b>6,000 workers</b>, including 1,000 military engineers, to Kursk. ")
		b.WriteString(strings.Repeat("Analysts said the move breaches UN Security Council resolution 2397. ", 4))
		b.WriteString("</p>]]></description></item>")
	}
	b.WriteString("</channel></rss>")
	return []byte(b.String())
}
