package discord

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/embargo-watch/embargo/internal/alert"
)

// kursk is the alert of the story that started the project.
func kursk() alert.Alert {
	return alert.Alert{
		ID:         7,
		Rule:       "dprk-labor-abroad",
		Title:      "DPRK workers earning income abroad",
		Category:   "labor",
		Severity:   "high",
		References: []string{"UNSCR 2397 (2017) OP8", "UNSCR 2375 (2017) OP17"},
		Headline:   "North Korea to send 6,000 workers to Russia's Kursk",
		URL:        "https://news.example/kursk",
		Source:     "nknews",
		Published:  time.Date(2025, 6, 17, 9, 0, 0, 0, time.UTC),
		Snippet:    "North Korea will send 6,000 workers, including 1,000 military engineers, to Kursk.",
		Matches: []alert.Match{
			{Group: "dprk", Term: "North Korea", Text: "North Korea"},
			{Group: "workers", Term: "worker*", Text: "workers"},
		},
		Quantities:     []alert.Quantity{{Text: "6,000 workers", Value: 6000}, {Text: "1,000 military engineers", Value: 1000}},
		Entities:       []alert.Entity{{List: "un", Ref: "KPe.001", Name: "Korea Mining Development Trading Corporation"}},
		AlsoReportedBy: []string{"yonhap"},
	}
}

func TestAlertMessageShowsTheAlert(t *testing.T) {
	msg := AlertMessage(kursk())
	if len(msg.Embeds) != 1 {
		t.Fatalf("embeds = %d, want 1", len(msg.Embeds))
	}
	e := msg.Embeds[0]
	if e.Title != "North Korea to send 6,000 workers to Russia's Kursk" || e.URL != "https://news.example/kursk" {
		t.Errorf("title %q url %q", e.Title, e.URL)
	}
	wantDesc := "**North Korea** will send 6,000 **workers**, including 1,000 military engineers, to Kursk."
	if e.Description != wantDesc {
		t.Errorf("description = %q\nwant          %q", e.Description, wantDesc)
	}
	if e.Color != severityColor["high"] || e.Footer == nil || e.Footer.Text != "rule dprk-labor-abroad" {
		t.Errorf("color %x footer %+v", e.Color, e.Footer)
	}
	want := map[string]string{
		"Rule":                "DPRK workers earning income abroad",
		"Category":            "labor",
		"Severity":            "high",
		"Legal basis":         `UNSCR 2397 \(2017\) OP8` + "\n" + `UNSCR 2375 \(2017\) OP17`,
		"Quantities":          "6,000 workers, 1,000 military engineers",
		"Designated entities": "Korea Mining Development Trading Corporation (un KPe.001)",
		"Source":              "nknews",
		"Published":           "<t:1750150800:R>",
		"Also reported by":    "yonhap",
	}
	got := map[string]string{}
	for _, f := range e.Fields {
		got[f.Name] = f.Value
	}
	for name, value := range want {
		if got[name] != value {
			t.Errorf("field %q = %q, want %q", name, got[name], value)
		}
	}
	if len(got) != len(want) {
		t.Errorf("fields %v, want %d", got, len(want))
	}
}

func TestAlertMessageHostileText(t *testing.T) {
	a := kursk()
	a.Headline = "@everyone <@&123> **" + strings.Repeat("long words here ", 700) // > 10,000 chars
	a.URL = "javascript:alert(1)"
	a.Snippet = "[x](javascript:alert(1)) @everyone \u202Egnp.exe <@&123> # heading **bold** ||spoiler|| " + strings.Repeat("workers ", 2000)
	a.Source = "<@123>"
	a.References = []string{strings.Repeat("ref ", 600)}
	a.AlsoReportedBy = []string{"@here"}

	msg := AlertMessage(a)
	e := msg.Embeds[0]
	if e.URL != "" {
		t.Errorf("javascript URL kept: %q", e.URL)
	}
	if !strings.HasPrefix(e.Title, `\@everyone \<\@&123\> \*\*`) || !strings.HasSuffix(e.Title, ellipsis) {
		t.Errorf("title = %q", e.Title)
	}
	assertWithinLimits(t, msg)
	for _, text := range embedTexts(msg) {
		if strings.ContainsRune(text, '\u202E') {
			t.Errorf("RLO kept in %q", text)
		}
		if strings.Contains(text, "](") || strings.Contains(text, "<@") || strings.Contains(text, "@everyone") && !strings.Contains(text, `\@everyone`) {
			t.Errorf("injectable text kept in %q", text)
		}
	}
	if !strings.HasPrefix(e.Description, `\[x\]\(javascript\:alert\(1\)\) \@everyone gnp.exe`) {
		t.Errorf("description = %.120q", e.Description)
	}
	body, err := json.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(body), `"allowed_mentions":{"parse":[]}`) {
		t.Errorf("payload lacks allowed_mentions parse []: %.200s", body)
	}
}

func TestAlertMessageKeepsBoldClosedWhenCut(t *testing.T) {
	a := kursk()
	a.Snippet = strings.Repeat("workers ", 1000)
	msg := AlertMessage(a)
	d := msg.Embeds[0].Description
	if strings.Count(d, "**")%2 != 0 {
		t.Errorf("unbalanced bold in %q", d[len(d)-40:])
	}
	if !strings.HasSuffix(d, "**workers**…") {
		t.Errorf("description ends %q", d[len(d)-40:])
	}
	assertWithinLimits(t, msg)
}

func TestAlertMessageFallsBackToRuleTitle(t *testing.T) {
	a := kursk()
	a.Headline = ""
	a.Published = time.Time{}
	e := AlertMessage(a).Embeds[0]
	if e.Title != "DPRK workers earning income abroad" {
		t.Errorf("title = %q", e.Title)
	}
	for _, f := range e.Fields {
		if f.Name == "Published" {
			t.Errorf("published field without a date: %q", f.Value)
		}
	}
}

func TestSafeURL(t *testing.T) {
	tests := map[string]string{
		"https://a.example/x?y=1":    "https://a.example/x?y=1",
		"HTTP://a.example":           "HTTP://a.example",
		"javascript:alert(1)":        "",
		"JavaScript://a.example/%0a": "",
		"data:text/html,hi":          "",
		"/relative":                  "",
		"https://a.example/<x>":      "",
		"":                           "",
	}
	for in, want := range tests {
		if got := SafeURL(in); got != want {
			t.Errorf("SafeURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// assertWithinLimits checks every documented Discord limit of a message.
func assertWithinLimits(t *testing.T, msg MessagePayload) {
	t.Helper()
	if n := textLen(msg.Content); n > maxContent {
		t.Errorf("content %d > %d", n, maxContent)
	}
	if len(msg.Embeds) > 10 {
		t.Errorf("%d embeds", len(msg.Embeds))
	}
	total := 0
	for _, e := range msg.Embeds {
		check := func(what, s string, limit int) {
			if n := textLen(s); n > limit {
				t.Errorf("%s is %d long, limit %d", what, n, limit)
			}
			total += textLen(s)
		}
		check("title", e.Title, maxTitle)
		check("description", e.Description, maxDescription)
		if e.Footer != nil {
			check("footer", e.Footer.Text, maxFooter)
		}
		if len(e.Fields) > maxFields {
			t.Errorf("%d fields", len(e.Fields))
		}
		for _, f := range e.Fields {
			check("field name", f.Name, maxFieldName)
			check("field "+f.Name, f.Value, maxFieldValue)
		}
	}
	if total > maxEmbedTotal {
		t.Errorf("embeds total %d > %d", total, maxEmbedTotal)
	}
}

func embedTexts(msg MessagePayload) []string {
	var out []string
	for _, e := range msg.Embeds {
		out = append(out, e.Title, e.Description)
		for _, f := range e.Fields {
			out = append(out, f.Value)
		}
	}
	return out
}

func TestSnippetBoldsTermsWhateverTheirCase(t *testing.T) {
	matches := []alert.Match{{Text: "North Korea"}, {Text: "workers"}}
	tests := []struct{ snippet, want string }{
		{"north korea sends workers", "**north korea** sends **workers**"},
		{"NORTH KOREA SENDS WORKERS", "**NORTH KOREA** SENDS **WORKERS**"},
		{"İstanbul: North Korea workers", `İstanbul\: **North Korea** **workers**`},
		{"no match here", "no match here"},
	}
	for _, tt := range tests {
		if got := fitPieces(boldPieces(tt.snippet, termSpans(tt.snippet, matches)), maxDescription, false); got != tt.want {
			t.Errorf("snippet %q: got %q, want %q", tt.snippet, got, tt.want)
		}
	}
}

func FuzzAlertMessage(f *testing.F) {
	f.Add("@everyone **x**", "North Korea sends [x](javascript:1) workers", "workers", "javascript:alert(1)", 3)
	f.Add(strings.Repeat("title ", 100), strings.Repeat("workers ", 700), "work", "https://a.example", 40)
	f.Fuzz(func(t *testing.T, headline, snippet, term, url string, repeat int) {
		a := kursk()
		a.Headline, a.Snippet, a.URL = headline, snippet, url
		a.Matches = []alert.Match{{Text: term}}
		n := abs(repeat) % 60
		for range n {
			a.References = append(a.References, headline)
			a.Quantities = append(a.Quantities, alert.Quantity{Text: snippet})
			a.Entities = append(a.Entities, alert.Entity{Name: term, Ref: headline})
		}
		msg := AlertMessage(a)
		assertWithinLimits(t, msg)
		e := msg.Embeds[0]
		if e.URL != "" && SafeURL(e.URL) != e.URL {
			t.Fatalf("unsafe URL %q", e.URL)
		}
		if strings.Count(e.Description, "**")%2 != 0 && !strings.Contains(term, "*") && !strings.Contains(snippet, "*") {
			t.Fatalf("unbalanced bold in %q", e.Description)
		}
		for _, text := range embedTexts(msg) {
			for _, r := range text {
				if isHidden(r) {
					t.Fatalf("hidden character %U in %q", r, text)
				}
			}
		}
	})
}

func BenchmarkAlertMessage(b *testing.B) {
	a := kursk()
	a.Snippet = strings.Repeat("North Korea will send 6,000 workers to Kursk. ", 13) // ~600 characters, as alerts carry
	b.Run("term search", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			AlertMessage(a)
		}
	})
	for from := 0; ; {
		i := strings.Index(a.Snippet[from:], "workers")
		if i < 0 {
			break
		}
		a.Highlights = append(a.Highlights, alert.Span{Start: from + i, End: from + i + len("workers")})
		from += i + len("workers")
	}
	b.Run("highlights", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			AlertMessage(a)
		}
	})
}

func TestSnippetIgnoresEmptyTerms(t *testing.T) {
	a := kursk()
	a.Matches = []alert.Match{{Term: "*"}, {Text: " "}, {Text: "workers"}}
	got := AlertMessage(a).Embeds[0].Description // used to loop forever on "*"
	if !strings.Contains(got, "**workers**") || strings.Contains(got, "****") {
		t.Errorf("description %q", got)
	}
}

// span is the byte span of the n-th (from 0) occurrence of word in text.
func span(t *testing.T, text, word string, n int) alert.Span {
	t.Helper()
	from := 0
	for ; n > 0; n-- {
		i := strings.Index(text[from:], word)
		if i < 0 {
			t.Fatalf("%q has no occurrence %d of %q", text, n, word)
		}
		from += i + len(word)
	}
	i := strings.Index(text[from:], word)
	if i < 0 {
		t.Fatalf("%q lacks %q", text, word)
	}
	return alert.Span{Start: from + i, End: from + i + len(word)}
}

func TestAlertMessageBoldsTheHighlights(t *testing.T) {
	const snippet = "The Russian Security Council said Russia will take 6,000 workers."
	tests := []struct {
		name       string
		snippet    string
		highlights func(string) []alert.Span
		want       string
	}{
		{
			name:       "only the highlighted word, not a word that contains it",
			snippet:    snippet,
			highlights: func(s string) []alert.Span { return []alert.Span{span(t, s, "Russia", 1)} },
			want:       "The Russian Security Council said **Russia** will take 6,000 workers.",
		},
		{
			name:    "several, out of order",
			snippet: snippet,
			highlights: func(s string) []alert.Span {
				return []alert.Span{span(t, s, "workers", 0), span(t, s, "Russia", 1)}
			},
			want: "The Russian Security Council said **Russia** will take 6,000 **workers**.",
		},
		{
			name:       "escaped inside and between",
			snippet:    "[x](javascript:1) says *North-Korea* @everyone",
			highlights: func(s string) []alert.Span { return []alert.Span{span(t, s, "*North-Korea*", 0)} },
			want:       `\[x\]\(javascript\:1\) says **\*North-Korea\*** \@everyone`,
		},
		{
			name:       "offsets of the raw snippet, before whitespace and controls are cleaned",
			snippet:    "  A\u202E\n\n  RLO\t\x00 and   Russia\n",
			highlights: func(s string) []alert.Span { return []alert.Span{span(t, s, "Russia", 0), span(t, s, "RLO", 0)} },
			want:       "A **RLO** and **Russia**",
		},
		{
			name:    "broken spans are ignored",
			snippet: "Россия and Russia",
			highlights: func(s string) []alert.Span {
				return []alert.Span{{Start: 1, End: 4}, {Start: 5, End: 500}, {Start: 3, End: 3}, {Start: -1, End: 2}, span(t, s, "Russia", 0)}
			},
			want: "Россия and **Russia**",
		},
		{
			name:    "overlapping spans bold once",
			snippet: snippet,
			highlights: func(s string) []alert.Span {
				r := span(t, s, "Russia", 1)
				return []alert.Span{r, {Start: r.Start + 2, End: r.End + 5}}
			},
			want: "The Russian Security Council said **Russia** will take 6,000 workers.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := kursk()
			a.Snippet = tt.snippet
			a.Highlights = tt.highlights(tt.snippet)
			a.Matches = []alert.Match{{Text: "Russia"}, {Text: "workers"}}
			if got := AlertMessage(a).Embeds[0].Description; got != tt.want {
				t.Errorf("description = %q\nwant          %q", got, tt.want)
			}
		})
	}
}

func TestAlertMessageSearchesTermsWithoutHighlights(t *testing.T) {
	a := kursk()
	a.Snippet = "The Russian Security Council said Russia will take workers."
	a.Matches = []alert.Match{{Text: "Russia"}}
	want := "The **Russia**n Security Council said **Russia** will take workers."
	if got := AlertMessage(a).Embeds[0].Description; got != want {
		t.Errorf("description = %q, want %q", got, want)
	}
}

func TestAlertMessageCutsHighlightsBalanced(t *testing.T) {
	stars := strings.Repeat("*", 3000)
	tests := []struct {
		name       string
		snippet    string
		highlights []alert.Span
	}{
		{"many highlights past the limit", strings.Repeat("Russian Russia ", 600), everyOther(len("Russian "), len("Russia"), 600)},
		{"one highlight longer than the description", stars, []alert.Span{{Start: 0, End: len(stars)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := kursk()
			a.Snippet, a.Highlights = tt.snippet, tt.highlights
			msg := AlertMessage(a)
			assertWithinLimits(t, msg)
			d := msg.Embeds[0].Description
			if !strings.HasSuffix(d, ellipsis) {
				t.Errorf("cut description lacks the ellipsis: %q", d[max(0, len(d)-40):])
			}
			if strings.Contains(d, "**Russia**n") {
				t.Errorf("a word that contains the highlight is bolded: %.80q", d)
			}
			if n := strings.Count(strings.ReplaceAll(d, `\*`, ""), "**"); n%2 != 0 || n == 0 {
				t.Errorf("%d bold markers in %.80q…", n, d)
			}
		})
	}
}

// everyOther is n spans of length size, the first at offset and each next
// one offset+size bytes further ("Russian Russia Russian Russia ").
func everyOther(offset, size, n int) []alert.Span {
	spans := make([]alert.Span, n)
	for i := range spans {
		start := offset + i*(offset+size+1)
		spans[i] = alert.Span{Start: start, End: start + size}
	}
	return spans
}

func FuzzAlertHighlights(f *testing.F) {
	f.Add("The Russian Security Council said Russia", 34, 40, 4, 11)
	f.Add("  a\u202E\n b  c\x00 d", 0, 3, 5, 20)
	f.Add(strings.Repeat("Россия ", 800), 0, 12, 14, 5000)
	f.Fuzz(func(t *testing.T, snippet string, start1, end1, start2, end2 int) {
		a := kursk()
		a.Snippet = snippet
		a.Highlights = []alert.Span{{Start: start1, End: end1}, {Start: start2, End: end2}}
		msg := AlertMessage(a)
		assertWithinLimits(t, msg)
		d := msg.Embeds[0].Description
		if !strings.ContainsAny(snippet, `*\`) && strings.Count(d, "**")%2 != 0 {
			t.Fatalf("unbalanced bold in %q", d)
		}
		for _, r := range d {
			if isHidden(r) {
				t.Fatalf("hidden character %U in %q", r, d)
			}
		}
	})
}

func TestAlertQuantitiesShowTheirText(t *testing.T) {
	a := kursk()
	a.Quantities = []alert.Quantity{
		{Text: "6,000 workers", Value: 6000, Group: "workers"},
		{Text: "6,000 workers", Value: 6000, Group: "dprk"},
		{Text: "**1,000** <@1> engineers", Value: 1000},
		{Text: "", Value: 12},
	}
	var got string
	for _, f := range AlertMessage(a).Embeds[0].Fields {
		if f.Name == "Quantities" {
			got = f.Value
		}
	}
	if want := `6,000 workers, \*\*1,000\*\* \<\@1\> engineers`; got != want {
		t.Errorf("quantities = %q, want %q", got, want)
	}
}
