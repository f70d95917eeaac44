package rules

import (
	"slices"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// A normalizer turns text into the form that terms are matched in: NFKC,
// case folded, with every run of whitespace and dashes reduced to one space,
// format characters (soft hyphens, zero-width joiners) dropped and invalid
// UTF-8 replaced by U+FFFD. It remembers, for every byte it writes, where in
// the original text that byte came from, so that hits found in the
// normalized text can be reported as offsets into the original.
//
// ASCII, the bulk of most news text, takes a table-driven fast path; x/text
// only sees the runs of non-ASCII characters. A normalizer is not safe for
// concurrent use; Set keeps a pool of them.
type normalizer struct {
	fold  bool
	text  []byte  // the normalized text
	src   []int32 // src[i]: original offset of the character text[i] came from; one extra entry, len(original)
	caser cases.Caser
	iter  norm.Iter
	buf   []byte // case folding output
}

func newNormalizer(fold bool) *normalizer {
	n := &normalizer{fold: fold}
	if fold {
		n.caser = cases.Fold()
	}
	return n
}

// asciiSpace marks a byte that becomes (part of) a single space.
const asciiSpace = 0xFF

// asciiFolded maps each ASCII byte to its folded form, or asciiSpace.
var asciiFolded, asciiKept = asciiTables()

func asciiTables() (folded, kept [128]byte) {
	for c := range 128 {
		b := byte(c)
		kept[c] = b
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		folded[c] = b
	}
	for _, c := range []byte{' ', '\t', '\n', '\r', '\v', '\f', '-'} {
		folded[c], kept[c] = asciiSpace, asciiSpace
	}
	return folded, kept
}

// normalize replaces n's contents with the normalized form of s.
func (n *normalizer) normalize(s string) {
	if len(s) > MaxTextBytes {
		s = s[:MaxTextBytes] // offsets must fit in 32 bits; Set.Match cuts at a character
	}
	// Sized once for the usual case, where the text does not grow: a long
	// document grown by appends would be copied again and again.
	n.text = slices.Grow(n.text[:0], len(s))
	n.src = slices.Grow(n.src[:0], len(s)+1)
	table := &asciiKept
	if n.fold {
		table = &asciiFolded
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			i = n.nonASCII(s, i)
			continue
		}
		if b := table[c]; b == asciiSpace {
			n.space(i)
		} else {
			n.text = append(n.text, b)
			n.src = append(n.src, int32(i))
		}
		i++
	}
	n.src = append(n.src, int32(len(s)))
}

func (n *normalizer) space(at int) {
	if k := len(n.text); k == 0 || n.text[k-1] == ' ' {
		return
	}
	n.text = append(n.text, ' ')
	n.src = append(n.src, int32(at))
}

// nonASCII normalizes the run of valid non-ASCII characters starting at
// s[i] (or one invalid byte) and returns where the run ends.
func (n *normalizer) nonASCII(s string, i int) int {
	if r, size := utf8.DecodeRuneInString(s[i:]); r == utf8.RuneError && size == 1 {
		n.emit('\uFFFD', i)
		return i + 1
	}
	end := i
	for end < len(s) && s[end] >= utf8.RuneSelf {
		r, size := utf8.DecodeRuneInString(s[end:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		end += size
	}
	start := i
	// A combining mark composes with the ASCII letter before it ("e" +
	// U+0301 is "é"), so that letter is normalized again with the run.
	if k := len(n.text); k > 0 && i > 0 && s[i-1] < utf8.RuneSelf && n.src[k-1] == int32(i-1) &&
		n.text[k-1] != ' ' && !norm.NFKC.PropertiesString(s[i:]).BoundaryBefore() {
		n.text = n.text[:k-1]
		n.src = n.src[:k-1]
		start = i - 1
	}
	for p := start; p < end; {
		if size := n.stableRune(s, p, end); size > 0 {
			p += size
			continue
		}
		k := p + norm.NFKC.NextBoundaryInString(s[p:end], true)
		if k <= p {
			k = end
		}
		n.iter.InitString(norm.NFKC, s[p:k])
		for !n.iter.Done() {
			at := p + n.iter.Pos()
			n.segment(n.iter.Next(), at)
		}
		p = k
	}
	return end
}

// stableRune writes the rune at s[p] and returns its size when NFKC leaves
// it alone, nothing after it composes with it, and it folds to a single
// rune; otherwise it writes nothing and returns 0. Most non-ASCII text
// (Cyrillic, Hangul, Han, curly quotes) takes this path, through a table
// computed once with x/text; x/text's normalizer and case folder run only
// for the rest.
func (n *normalizer) stableRune(s string, p, end int) int {
	if s[p] < utf8.RuneSelf {
		return 0 // a combining mark followed an ASCII letter
	}
	r, size := utf8.DecodeRuneInString(s[p:])
	if r >= 0x10000 {
		return 0
	}
	info := runeTable()[r]
	if info&rStable == 0 {
		return 0
	}
	if q := p + size; q < end {
		if next, _ := utf8.DecodeRuneInString(s[q:]); next >= 0x10000 || runeTable()[next]&rBoundaryBefore == 0 {
			return 0
		}
	}
	switch {
	case info&rSeparator != 0:
		n.space(p)
	case info&rDrop != 0:
	case n.fold:
		n.appendRune(rune(info&rRune), p)
	default:
		n.appendRune(r, p)
	}
	return size
}

func (n *normalizer) appendRune(r rune, at int) {
	k := len(n.text)
	n.text = utf8.AppendRune(n.text, r)
	for range len(n.text) - k {
		n.src = append(n.src, int32(at))
	}
}

// Bits of a runeTable entry.
const (
	rRune           = 1<<21 - 1 // the rune folded
	rStable         = 1 << 21   // NFKC leaves it alone, it starts a segment, and it folds to one rune
	rBoundaryBefore = 1 << 22   // nothing before it composes with it
	rSeparator      = 1 << 23   // it becomes a space
	rDrop           = 1 << 24   // it is dropped (format characters)
	rWord           = 1 << 25   // part of a word (isWordRune)
)

// runeTable describes every character of the Basic Multilingual Plane for
// the fast paths, computed on first use with x/text (about 10 ms).
var runeTable = sync.OnceValue(func() *[0x10000]uint32 {
	t := new([0x10000]uint32)
	fold := cases.Fold()
	for r := rune(0); r < 0x10000; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		str := string(r)
		var e uint32
		props := norm.NFKC.PropertiesString(str)
		if props.BoundaryBefore() {
			e |= rBoundaryBefore
		}
		if isWordRuneSlow(r) {
			e |= rWord
		}
		folded := fold.String(str)
		f, size := utf8.DecodeRuneInString(folded)
		if e&rBoundaryBefore != 0 && size == len(folded) && norm.NFKC.String(str) == str {
			e |= rStable | uint32(f)
			if isSeparator(f) {
				e |= rSeparator
			} else if unicode.Is(unicode.Cf, f) {
				e |= rDrop
			}
		}
		t[r] = e
	}
	return t
})

// segment writes one normalized segment that came from original offset at.
func (n *normalizer) segment(seg []byte, at int) {
	if n.fold {
		seg = n.foldBytes(seg)
	}
	for len(seg) > 0 {
		r, size := utf8.DecodeRune(seg)
		n.emit(r, at)
		seg = seg[size:]
	}
}

func (n *normalizer) foldBytes(seg []byte) []byte {
	if cap(n.buf) < 4*len(seg)+16 {
		n.buf = make([]byte, 4*len(seg)+16)
	}
	n.caser.Reset()
	nDst, _, err := n.caser.Transform(n.buf[:cap(n.buf)], seg, true)
	if err != nil && err != transform.ErrShortSrc {
		return seg // cannot happen with this buffer size; keep the text unfolded
	}
	return n.buf[:nDst]
}

func (n *normalizer) emit(r rune, at int) {
	switch {
	case isSeparator(r):
		n.space(at)
	case unicode.Is(unicode.Cf, r):
		// invisible formatting: soft hyphen, zero-width space and joiners
	default:
		k := len(n.text)
		n.text = utf8.AppendRune(n.text, r)
		for range len(n.text) - k {
			n.src = append(n.src, int32(at))
		}
	}
}

func isSeparator(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiFolded[r] == asciiSpace
	}
	return unicode.IsSpace(r) || unicode.Is(unicode.Pd, r)
}

// asciiWord marks the ASCII bytes that are part of words.
var asciiWord = func() (t [128]bool) {
	for c := range 128 {
		b := byte(c)
		t[c] = 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || b == '_'
	}
	return t
}()

// isWordRune reports whether r is part of a word for boundary checks.
// Han and kana characters are not: those scripts do not separate words, so
// a term next to them still stands on its own.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiWord[r]
	}
	if r < 0x10000 {
		return runeTable()[r]&rWord != 0
	}
	return isWordRuneSlow(r)
}

func isWordRuneSlow(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiWord[r]
	}
	if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r) {
		return false
	}
	return !isHanKana(r)
}

func isHanKana(r rune) bool {
	return r >= 0x2E80 && (unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r))
}

func isHangul(r rune) bool {
	return r >= 0x1100 && unicode.Is(unicode.Hangul, r)
}

// wordBefore reports whether the character ending at text[i] is a word character.
func wordBefore(text []byte, i int) bool {
	if i <= 0 {
		return false
	}
	if c := text[i-1]; c < utf8.RuneSelf {
		return asciiWord[c]
	}
	r, _ := utf8.DecodeLastRune(text[:i])
	return isWordRune(r)
}

// wordAt reports whether the character starting at text[i] is a word character.
func wordAt(text []byte, i int) bool {
	if i >= len(text) {
		return false
	}
	if c := text[i]; c < utf8.RuneSelf {
		return asciiWord[c]
	}
	r, _ := utf8.DecodeRune(text[i:])
	return isWordRune(r)
}

// origSpan maps the normalized span [start, end) back to the original text.
// A span edge inside the expansion of one original character (the "f" of
// "ﬁ") widens to that whole character.
func (n *normalizer) origSpan(start, end int) (int, int) {
	from := int(n.src[start])
	last := n.src[end-1]
	k := end
	for k < len(n.src)-1 && n.src[k] == last {
		k++
	}
	return from, int(n.src[k])
}
