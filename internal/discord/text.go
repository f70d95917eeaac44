package discord

import (
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// ellipsis marks text that was cut to fit a Discord limit.
const ellipsis = "…"

// markdownSpecial holds every character that Discord's markdown (or its
// mention, emoji, timestamp and autolink syntax) gives a meaning to. Discord
// renders a backslash followed by any ASCII punctuation as that character, so
// escaping them all is safe and leaves nothing to interpret.
const markdownSpecial = "\\*_~`|><#-[]()@:"

// Escape makes text from a feed inert in Discord markdown: control and bidi
// characters are removed, whitespace is collapsed to single spaces, and every
// markdown character is backslash-escaped, so no link, mention, heading or
// formatting can be injected.
func Escape(text string) string {
	return escapeClean(Clean(text))
}

// escapeClean escapes text that Clean has already seen.
func escapeClean(text string) string {
	var b strings.Builder
	b.Grow(len(text) + len(text)/8)
	wordStart := true
	for _, r := range text {
		// A hyphen inside a word ("Jong-un", "2016-03-02") cannot start a
		// list or a subtext line; only one that begins a word is escaped.
		if strings.ContainsRune(markdownSpecial, r) && (r != '-' || wordStart) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
		wordStart = r == ' '
	}
	return b.String()
}

// Clean removes control characters, bidirectional overrides and isolates,
// and invisible marks from text, and collapses runs of whitespace (newlines
// included) into one space. A right-to-left override in a headline could
// otherwise make the message read differently from what it says.
func Clean(text string) string {
	return cleanMarked(text, nil)
}

// cleanMarked is Clean that also tells mark, for each byte offset i of text
// at a rune boundary (and len(text)), where text[i:] begins in the result:
// before is the length written so far, after adds the space that will be
// written before the next kept rune, if one is pending.
func cleanMarked(text string, mark func(i, before, after int)) string {
	var b strings.Builder
	b.Grow(len(text))
	space := false
	pending := func() int {
		if space {
			return 1
		}
		return 0
	}
	for i, r := range text {
		if mark != nil {
			mark(i, b.Len(), b.Len()+pending())
		}
		switch {
		case r == utf8.RuneError || isHidden(r):
			continue
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case unicode.IsControl(r):
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	if mark != nil {
		mark(len(text), b.Len(), b.Len()) // a trailing space is never written
	}
	return b.String()
}

// isHidden reports the invisible formatting characters that can reorder or
// disguise text: bidi embeddings, overrides, isolates and marks, and the
// zero-width space and byte-order mark.
func isHidden(r rune) bool {
	switch {
	case r >= 0x202A && r <= 0x202E, // LRE RLE PDF LRO RLO
		r >= 0x2066 && r <= 0x2069,            // LRI RLI FSI PDI
		r == 0x200E, r == 0x200F, r == 0x061C, // LRM RLM ALM
		r == 0x200B, r == 0xFEFF:
		return true
	}
	return false
}

// textLen is a text's length as Discord counts it for its limits. Discord
// counts UTF-16 code units; that is never less than the number of code points
// that a JSON Schema validator counts, so a text within textLen is within both.
func textLen(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// Fit escapes feed text and cuts it to at most limit characters, at a word
// boundary where there is one, ending with "…" when something was cut.
func Fit(text string, limit int) string {
	h, cut := head(Clean(text), limit)
	return fitPieces(wordPieces(h, true), limit, cut)
}

// fitPlain cuts text we wrote ourselves, or escaped already, to limit.
func fitPlain(text string, limit int) string {
	h, cut := head(text, limit)
	return fitPieces(rawPieces(h), limit, cut)
}

// head returns s when it has at most n characters (runes). Otherwise it
// returns the whole words of s that fit in n runes (the first n runes when
// the first word alone is longer) and reports the cut. Escaping only makes
// text longer, so nothing beyond the head could fit a limit of n: the rest
// of a long text is never split into pieces.
func head(s string, n int) (string, bool) {
	i := 0
	for runes := 0; i < len(s); runes++ {
		if runes == n {
			break
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	if i == len(s) {
		return s, false
	}
	prefix := s[:i]
	if s[i] != ' ' {
		if sp := strings.LastIndexByte(prefix, ' '); sp > 0 {
			prefix = prefix[:sp]
		}
	}
	return strings.TrimRight(prefix, " "), true
}

// piece is a unit that is kept whole or dropped whole when text is cut: an
// escaped word, the space before it, or a bolded term.
type piece struct {
	text  string
	space bool // a separator: never left dangling at the end
	bold  bool // text is shown between "**" markers
}

// boldMarks is what the "**" around a bold piece take.
const boldMarks = 4

// String is the piece as it is shown.
func (p piece) String() string {
	if p.bold {
		return "**" + p.text + "**"
	}
	return p.text
}

// size is the piece's length as Discord counts it.
func (p piece) size() int {
	if p.bold {
		return textLen(p.text) + boldMarks
	}
	return textLen(p.text)
}

// cut is the longest start of the piece within room characters, bold
// markers included and kept in pairs; "" when nothing fits.
func (p piece) cut(room int) string {
	if !p.bold {
		return cutUnits(p.text, room)
	}
	inner := cutUnits(p.text, room-boldMarks)
	if inner == "" {
		return ""
	}
	return "**" + inner + "**"
}

// wordPieces splits cleaned text into escaped words and the spaces between;
// atStart says whether the text begins a line.
func wordPieces(clean string, atStart bool) []piece {
	var out []piece
	for i, w := range strings.Split(clean, " ") {
		if i > 0 {
			out = append(out, piece{text: " ", space: true})
		}
		if w != "" {
			out = append(out, piece{text: escapeLeading(escapeClean(w), atStart && i == 0)})
		}
	}
	return out
}

// escapeLeading escapes what has a meaning only at the start of a line: the
// dot of "1." that would begin an ordered list. Clean leaves one line only.
func escapeLeading(w string, first bool) string {
	digits := strings.TrimLeft(w, "0123456789")
	if !first || len(digits) == len(w) || !strings.HasPrefix(digits, ".") {
		return w
	}
	return w[:len(w)-len(digits)] + "\\" + digits
}

// rawPieces splits text we wrote ourselves into words without escaping.
func rawPieces(text string) []piece {
	var out []piece
	for i, w := range strings.Split(text, " ") {
		if i > 0 {
			out = append(out, piece{text: " ", space: true})
		}
		if w != "" {
			out = append(out, piece{text: w})
		}
	}
	return out
}

// fitPieces joins pieces within limit. When they do not all fit, or the
// text they come from was cut before (cut), it keeps the longest prefix of
// whole pieces that leaves room for "…"; a first word too long on its own is
// cut between characters (never inside an escape).
func fitPieces(pieces []piece, limit int, cut bool) string {
	total := 0
	for _, p := range pieces {
		total += p.size()
	}
	var b strings.Builder
	if total <= limit && !cut {
		for _, p := range pieces {
			b.WriteString(p.String())
		}
		return strings.TrimSpace(b.String())
	}
	room := limit - textLen(ellipsis)
	if room < 0 {
		return ""
	}
	used, kept := 0, 0
	for _, p := range pieces {
		n := p.size()
		if used+n > room {
			break
		}
		b.WriteString(p.String())
		used += n
		kept++
	}
	if kept == 0 && len(pieces) > 0 {
		b.WriteString(pieces[0].cut(room))
	}
	return strings.TrimRight(b.String(), " ") + ellipsis
}

// cutUnits cuts an escaped word to at most room characters without splitting
// a backslash from the character it escapes.
func cutUnits(word string, room int) string {
	used, end := 0, 0
	for i := 0; i < len(word); {
		r, size := utf8.DecodeRuneInString(word[i:])
		unit := size
		if r == '\\' && i+size < len(word) {
			_, next := utf8.DecodeRuneInString(word[i+size:])
			unit += next
		}
		n := textLen(word[i : i+unit])
		if used+n > room {
			break
		}
		used += n
		i += unit
		end = i
	}
	return word[:end]
}
