package source

import (
	"testing"
)

func TestParseLinks(t *testing.T) {
	page := readFixture(t, "press-room.html")
	const pageURL = "https://mfa.example.gov/en/press/"
	statement := Item{URL: "https://mfa.example.gov/en/press/2026/11/26/statement-dprk-workers",
		Title: "Statement on the dispatch of DPRK workers to the Russian Federation"}
	sanctions := Item{URL: "https://mfa.example.gov/en/press/2026/11/20/sanctions-package?utm_source=homepage",
		Title: "Council adopts new sanctions package"}
	briefing := Item{URL: "https://mfa.example.gov/en/press/2026/11/18/briefing", Title: "Weekly briefing, 18 November"}

	tests := []struct {
		name, selector string
		want           []Item
	}{
		{"whole page", "", []Item{
			{URL: "https://mfa.example.gov/", Title: "Home"},
			statement, sanctions, briefing,
			{URL: "https://mfa.example.gov/en/?page=2", Title: "Older releases"},
			{URL: "https://social.example.com/mfa", Title: "Follow us"},
		}},
		{"under a selector", "ul.press-list", []Item{statement, sanctions, briefing}},
		{"selector matching the links themselves", "ul.press-list li > a[title]", []Item{briefing}},
		{"selector matching nothing", "table.none", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := ParseLinks(page, "text/html; charset=utf-8", pageURL, tt.selector)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != len(tt.want) {
				t.Fatalf("got %d items %+v, want %d", len(items), items, len(tt.want))
			}
			for i := range tt.want {
				if items[i] != tt.want[i] {
					t.Errorf("item %d = %+v, want %+v", i, items[i], tt.want[i])
				}
			}
		})
	}
}

func TestParseLinksInvalidSelector(t *testing.T) {
	_, err := ParseLinks(readFixture(t, "press-room.html"), "text/html", "https://mfa.example.gov/en/press/", "ul[")
	wantKind(t, err, KindParse, `invalid selector "ul["`)
}

func TestParseLinksLegacyCharset(t *testing.T) {
	// "Заявление" in windows-1251, declared only by the page's meta tag.
	page := []byte("<html><head><meta charset=\"windows-1251\"></head><body>" +
		"<a href=\"/news/1\">\xc7\xe0\xff\xe2\xeb\xe5\xed\xe8\xe5</a></body></html>")
	items, err := ParseLinks(page, "text/html", "https://mid.example.ru/", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].Title != "Заявление" {
		t.Fatalf("got %+v, want one link titled Заявление", items)
	}
}
