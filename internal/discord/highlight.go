package discord

import (
	"sort"
	"unicode/utf8"

	"github.com/embargo-watch/embargo/internal/alert"
)

// snippetSpans cleans an alert's snippet and finds the words to bold in it.
// The alert's highlights say exactly which words matched; searching the
// snippet for the matched texts, which would also bold "Russia" inside
// "Russian", is the fallback for alerts stored before they had highlights.
func snippetSpans(a alert.Alert) (string, [][2]int) {
	if len(a.Highlights) == 0 {
		clean := Clean(a.Snippet)
		return clean, termSpans(clean, a.Matches)
	}
	return cleanHighlights(a.Snippet, a.Highlights)
}

// cleanHighlights cleans text and carries the highlights, byte spans of text,
// over to the cleaned text. Spans that do not fit text or do not fall on
// character boundaries are ignored; overlapping ones are merged away.
func cleanHighlights(text string, hs []alert.Span) (string, [][2]int) {
	type edge struct{ start, end int }
	at := make(map[int]edge, 2*len(hs))
	for _, h := range hs {
		if validSpan(text, h) {
			at[h.Start], at[h.End] = edge{}, edge{}
		}
	}
	clean := cleanMarked(text, func(i, before, after int) {
		if _, ok := at[i]; ok {
			// A span starts at its first kept character, after the space
			// that separates it, and ends before any space that follows.
			at[i] = edge{start: after, end: before}
		}
	})
	var spans [][2]int
	for _, h := range hs {
		if !validSpan(text, h) {
			continue
		}
		if s, e := at[h.Start].start, at[h.End].end; s < e {
			spans = append(spans, [2]int{s, e})
		}
	}
	return clean, disjoint(spans)
}

// validSpan reports whether h is a non-empty span of text whose edges fall
// between characters.
func validSpan(text string, h alert.Span) bool {
	return 0 <= h.Start && h.Start < h.End && h.End <= len(text) &&
		utf8.RuneStart(text[h.Start]) && (h.End == len(text) || utf8.RuneStart(text[h.End]))
}

// disjoint sorts spans by start and drops those that overlap an earlier one.
func disjoint(spans [][2]int) [][2]int {
	sort.Slice(spans, func(i, j int) bool { return spans[i][0] < spans[j][0] })
	var out [][2]int
	for _, s := range spans {
		if n := len(out); n > 0 && s[0] < out[n-1][1] {
			continue
		}
		out = append(out, s)
	}
	return out
}

// clipSpans keeps the parts of spans that lie within the first n bytes.
func clipSpans(spans [][2]int, n int) [][2]int {
	var out [][2]int
	for _, s := range spans {
		if s[0] >= n {
			break
		}
		out = append(out, [2]int{s[0], min(s[1], n)})
	}
	return out
}
