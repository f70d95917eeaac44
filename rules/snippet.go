package rules

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// zeroWidthNoBreakSpace is U+FEFF, the byte-order mark.
const zeroWidthNoBreakSpace = '\uFEFF'

// Span is a highlighted part of a snippet, in byte offsets of the snippet.
type Span struct {
	Start, End int
}

// Snippet returns a window of at most maxRunes characters of text around
// the matches, cut at word boundaries and marked with "…" where text was
// cut, with every run of whitespace shown as one space, byte-order marks
// (U+FEFF) dropped and invalid UTF-8 replaced. highlights are the matches inside the window, in snippet byte
// offsets, in order and without overlaps.
func Snippet(text string, matches []Match, maxRunes int) (snippet string, highlights []Span) {
	if maxRunes <= 0 || text == "" {
		return "", nil
	}
	from, to := snippetWindow(text, matches, maxRunes)
	if maxRunes < 3 { // no room for an ellipsis
		return strings.ReplaceAll(strings.ToValidUTF8(text[from:forward(text, from, maxRunes)], "\uFFFD"), "\uFEFF", ""), nil
	}
	var b strings.Builder
	at := make(map[int]int) // original offset -> snippet offset, at match edges
	edges := matchEdges(matches, from, to)
	if from > 0 {
		b.WriteString("…")
	}
	space := false
	for i := from; i < to; {
		if edges[i] {
			at[i] = b.Len()
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case r == zeroWidthNoBreakSpace:
			// A byte-order mark at the start, or stray inside: invisible,
			// and it would only get in the way of the reader.
		case unicode.IsSpace(r):
			if !space {
				b.WriteByte(' ')
			}
			space = true
		default:
			b.WriteRune(r) // an invalid byte is written as U+FFFD
			space = false
		}
		i += size
	}
	if edges[to] {
		at[to] = b.Len()
	}
	if to < len(text) {
		b.WriteString("…")
	}
	return b.String(), highlightSpans(matches, from, to, at)
}

// snippetWindow chooses the byte range of text to show: the matches, as
// many as fit starting from the first, with context shared on both sides.
func snippetWindow(text string, matches []Match, maxRunes int) (int, int) {
	lo, hi := len(text), 0
	for _, m := range matches {
		if m.Start >= 0 && m.End <= len(text) && m.Start < m.End {
			lo, hi = min(lo, m.Start), max(hi, m.End)
		}
	}
	if lo > hi {
		lo, hi = 0, 0
	}
	budget := maxRunes - 2 // room for the ellipses
	if n := utf8.RuneCountInString(text[lo:hi]); n > budget {
		return lo, forward(text, lo, max(budget, 1))
	}
	spare := budget - utf8.RuneCountInString(text[lo:hi])
	from := back(text, lo, spare/2)
	to := forward(text, hi, spare-utf8.RuneCountInString(text[from:lo]))
	from = back(text, from, budget-utf8.RuneCountInString(text[from:to]))
	return wordStart(text, from, lo), wordEnd(text, to, hi)
}

func forward(text string, i, n int) int {
	for ; n > 0 && i < len(text); n-- {
		_, size := utf8.DecodeRuneInString(text[i:])
		i += size
	}
	return i
}

func back(text string, i, n int) int {
	for ; n > 0 && i > 0; n-- {
		_, size := utf8.DecodeLastRuneInString(text[:i])
		i -= size
	}
	return i
}

// wordStart moves from forward past a partial word, but not beyond limit.
func wordStart(text string, from, limit int) int {
	if from == 0 {
		return 0
	}
	if r, _ := utf8.DecodeLastRuneInString(text[:from]); unicode.IsSpace(r) {
		return from
	}
	if i := strings.IndexFunc(text[from:limit], unicode.IsSpace); i >= 0 {
		return from + i + 1
	}
	return from
}

// wordEnd moves to back before a partial word, but not before limit.
func wordEnd(text string, to, limit int) int {
	if to >= len(text) {
		return len(text)
	}
	if r, _ := utf8.DecodeRuneInString(text[to:]); unicode.IsSpace(r) {
		return to
	}
	if i := strings.LastIndexFunc(text[limit:to], unicode.IsSpace); i >= 0 {
		return limit + i
	}
	return to
}

func matchEdges(matches []Match, from, to int) map[int]bool {
	edges := make(map[int]bool, 2*len(matches))
	for _, m := range matches {
		if m.Start >= from && m.End <= to && m.Start < m.End {
			edges[m.Start], edges[m.End] = true, true
		}
	}
	return edges
}

// highlightSpans maps the matches inside the window to snippet offsets and
// merges overlapping ones.
func highlightSpans(matches []Match, from, to int, at map[int]int) []Span {
	var spans []Span
	for _, m := range matches {
		s, okS := at[m.Start]
		e, okE := at[m.End]
		if m.Start < from || m.End > to || !okS || !okE || s >= e {
			continue
		}
		spans = append(spans, Span{s, e})
	}
	return mergeSpans(spans)
}

func mergeSpans(spans []Span) []Span {
	if len(spans) == 0 {
		return nil
	}
	sortSpans(spans)
	out := spans[:1]
	for _, s := range spans[1:] {
		last := &out[len(out)-1]
		if s.Start <= last.End {
			last.End = max(last.End, s.End)
			continue
		}
		out = append(out, s)
	}
	return out
}

func sortSpans(spans []Span) {
	for i := 1; i < len(spans); i++ {
		for j := i; j > 0 && (spans[j].Start < spans[j-1].Start || spans[j].Start == spans[j-1].Start && spans[j].End < spans[j-1].End); j-- {
			spans[j], spans[j-1] = spans[j-1], spans[j]
		}
	}
}
