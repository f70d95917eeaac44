package source

import (
	"strings"
	"testing"
)

func TestCanonicalURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://news.example.org/story", "https://news.example.org/story"},
		{"HTTPS://News.Example.ORG/Story", "https://news.example.org/Story"},
		{"https://news.example.org", "https://news.example.org/"},
		{"https://news.example.org:443/a", "https://news.example.org/a"},
		{"http://news.example.org:80/a", "http://news.example.org/a"},
		{"https://news.example.org:8443/a", "https://news.example.org:8443/a"},
		{"http://news.example.org:443/a", "http://news.example.org:443/a"},
		{"https://news.example.org./a", "https://news.example.org/a"},
		{"https://news.example.org/a#comments", "https://news.example.org/a"},
		{"https://news.example.org/a?utm_source=rss&utm_medium=feed&UTM_Campaign=x", "https://news.example.org/a"},
		{"https://news.example.org/a?id=7&utm_source=rss", "https://news.example.org/a?id=7"},
		{"https://news.example.org/a?fbclid=IwAR0&gclid=Cj0&mc_cid=1&mc_eid=2", "https://news.example.org/a"},
		{"https://news.example.org/a?ref=homepage&cmpid=rss&ocid=msn&igshid=abc", "https://news.example.org/a"},
		{"https://news.example.org/a?b=2&a=1&c=3", "https://news.example.org/a?a=1&b=2&c=3"},
		{"https://news.example.org/a?tag=z&tag=a", "https://news.example.org/a?tag=z&tag=a"},
		{"https://news.example.org/a?", "https://news.example.org/a"},
		{"https://user:pw@news.example.org/a", "https://news.example.org/a"},
		{"  https://news.example.org/a  ", "https://news.example.org/a"},
		{"/relative/path?utm_source=x", "/relative/path?utm_source=x"},
		{"not a url", "not a url"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := CanonicalURL(tt.in); got != tt.want {
				t.Errorf("CanonicalURL(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCanonicalURLSameStoryDifferentLinks(t *testing.T) {
	a := CanonicalURL("https://www.example.com/world/asia/dprk-workers?utm_source=twitter&utm_medium=social#top")
	b := CanonicalURL("HTTPS://WWW.EXAMPLE.COM:443/world/asia/dprk-workers?fbclid=IwAR3x")
	if a != b {
		t.Errorf("%q != %q", a, b)
	}
}

func TestItemKey(t *testing.T) {
	tests := []struct {
		name string
		item Item
		want string
	}{
		{"guid wins", Item{GUID: " kw-0412 ", URL: "https://x.org/a", Title: "T"}, "guid:kw-0412"},
		{"canonical url", Item{URL: "https://X.org/a?utm_source=rss#c", Title: "T"}, "url:https://x.org/a"},
		{"hash", Item{Title: "T", Summary: "S"}, "hash:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ItemKey(tt.item); !strings.HasPrefix(got, tt.want) {
				t.Errorf("ItemKey = %q, want prefix %q", got, tt.want)
			}
		})
	}

	hash := ItemKey(Item{Title: "Sanctions", Summary: "Six thousand workers"})
	if len(hash) != len("hash:")+64 {
		t.Errorf("hash key %q is not a hex SHA-256", hash)
	}
	if hash != ItemKey(Item{Title: "Sanctions", Summary: "Six thousand workers", Author: "other"}) {
		t.Error("hash key depends on more than title and summary")
	}
	// The separator keeps title/summary boundaries apart.
	if ItemKey(Item{Title: "ab", Summary: "c"}) == ItemKey(Item{Title: "a", Summary: "bc"}) {
		t.Error("hash keys collide across the title/summary boundary")
	}
}
