package rules

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Quantities are read from the normalized text around a hit: digits are
// ASCII there (NFKC turns full-width digits into ASCII), letters are folded
// and every run of spaces is one space.
//
// A number counts when it stands at most maxWordsBetween words before the
// hit ("6,000 workers", "5,000 construction workers", "1 million artillery
// shells", "5천여 명의 노동자"), or, for Hangul and Han terms, just after it
// ("노동자 5천 명", "劳工5000名"). Years ("in 2017 workers"), percentages and
// sums of money are not quantities, and a sentence end stops the search.
const maxWordsBetween = 3

// qtoken is a token of the text around a hit.
type qtoken struct {
	kind       qkind
	start, end int // normalized offsets
	value      float64
	year       bool   // a bare four-digit number that reads as a year
	text       []byte // words and stops: their text, within the normalized text
}

type qkind int

const (
	qWord qkind = iota
	qNumber
	qStop // punctuation that ends the search: sentence ends, %, currency
)

// quantity finds the number next to hit hi. Rules that share a hit share
// the work: the answer is kept for the rest of the document.
func (sc *scratch) quantity(hi int32, group string) (Quantity, bool) {
	if sc.qdone == nil {
		sc.qdone = make(map[int32]Quantity)
	}
	q, done := sc.qdone[hi]
	if !done {
		q = sc.findQuantity(hi)
		sc.qdone[hi] = q
	}
	q.Group = group
	return q, q.Text != ""
}

func (sc *scratch) findQuantity(hi int32) Quantity {
	h := sc.hits[hi]
	text := sc.norm.text
	from := windowStart(text, int(h.start))
	sc.qtoks = qtokens(text, from, int(h.start), sc.qtoks[:0])
	if q, ok := numberBefore(sc.qtoks); ok {
		return sc.makeQuantity(q.start, q.end, q.start, int(h.end), q.value)
	}
	last, _ := utf8.DecodeLastRune(text[h.start:h.end])
	if !isHangul(last) && !isHanKana(last) {
		return Quantity{}
	}
	sc.qtoks = qtokens(text, int(h.end), min(len(text), int(h.end)+80), sc.qtoks[:0])
	if q, end, ok := numberAfter(sc.qtoks); ok {
		return sc.makeQuantity(q.start, q.end, int(h.start), end, q.value)
	}
	return Quantity{}
}

// windowStart is where to start reading for a number before offset end:
// far enough back for the words allowed between and a number of a few
// words ("1.5 million", "six thousand"), at a word start.
func windowStart(text []byte, end int) int {
	const words, maxBytes = maxWordsBetween + 4, 160
	spaces := 0
	for i := end - 1; i > 0 && i > end-maxBytes; i-- {
		if text[i-1] == ' ' {
			if spaces++; spaces == words {
				return i
			}
		}
	}
	from := max(0, end-maxBytes)
	for from > 0 && from < end && text[from-1] != ' ' {
		from++
	}
	return from
}

func (sc *scratch) makeQuantity(numStart, numEnd, spanStart, spanEnd int, value float64) Quantity {
	ns, ne := sc.norm.origSpan(numStart, numEnd)
	ss, se := sc.norm.origSpan(spanStart, spanEnd)
	return Quantity{
		Text:   sc.text[ss:se],
		Number: sc.text[ns:ne],
		Value:  value,
		Start:  ss,
		End:    se,
	}
}

// numberBefore returns the number token closest before the hit, within
// reach; found is false when a stop or a year comes first.
func numberBefore(toks []qtoken) (qtoken, bool) {
	words := 0
	for i := len(toks) - 1; i >= 0; i-- {
		t := toks[i]
		switch t.kind {
		case qStop:
			return qtoken{}, false
		case qNumber:
			if t.year || i > 0 && toks[i-1].kind == qStop && isCurrencyStop(toks[i-1]) {
				return qtoken{}, false
			}
			return t, true
		case qWord:
			words++
			if words > maxWordsBetween {
				return qtoken{}, false
			}
		}
	}
	return qtoken{}, false
}

// numberAfter returns the first number after the hit, within two words, and
// where its span ends (after a counter such as 명 or 名).
func numberAfter(toks []qtoken) (qtoken, int, bool) {
	words := 0
	for i, t := range toks {
		switch t.kind {
		case qStop:
			return qtoken{}, 0, false
		case qNumber:
			if t.year {
				return qtoken{}, 0, false
			}
			end := t.end
			if i+1 < len(toks) && toks[i+1].kind == qWord && isCounter(toks[i+1].text) {
				end = toks[i+1].end
			}
			return t, end, true
		case qWord:
			if words++; words > 2 {
				return qtoken{}, 0, false
			}
		}
	}
	return qtoken{}, 0, false
}

func isCounter(w []byte) bool {
	switch string(w) {
	case "명", "명의", "명이", "명을", "명은", "名", "人", "человек":
		return true
	}
	return false
}

func isCurrencyStop(t qtoken) bool {
	switch string(t.text) {
	case "$", "€", "£", "₩", "¥":
		return true
	}
	return false
}

// qtokens splits text[from:to] into words, numbers and stops. Multiplier
// words merge into the number before them ("1 million", "6 тысяч").
func qtokens(text []byte, from, to int, toks []qtoken) []qtoken {
	for i := from; i < to; {
		c := text[i]
		switch {
		case c == ' ' || c == ',' || c == '\'' || c == '"':
			i++
		case isDigit(c):
			t := readNumber(text, i, to)
			toks = append(toks, t)
			i = t.end
		default:
			r, size := utf8.DecodeRune(text[i:])
			if !isWordRune(r) && !isHanKana(r) {
				if strings.ContainsRune(".;:!?%$€£₩¥()", r) {
					toks = append(toks, qtoken{kind: qStop, start: i, end: i + size, text: text[i : i+size]})
				}
				i += size // other punctuation neither counts nor stops
				continue
			}
			end := i + size
			if !isHanKana(r) {
				for end < to && wordAt(text, end) {
					_, s := utf8.DecodeRune(text[end:])
					end += s
				}
			}
			toks = appendWord(toks, qtoken{kind: qWord, start: i, end: end, text: text[i:end]})
			i = end
		}
	}
	return toks
}

// appendWord adds a word, merging a multiplier or number word into a number.
func appendWord(toks []qtoken, t qtoken) []qtoken {
	if m, ok := multiplierWord(t.text); ok && len(toks) > 0 {
		if prev := &toks[len(toks)-1]; prev.kind == qNumber {
			prev.value *= m
			prev.end, prev.year = t.end, false
			return toks
		}
	}
	if v, ok := numberWords[string(t.text)]; ok {
		t.kind, t.value = qNumber, v
		if len(toks) > 0 {
			if prev := &toks[len(toks)-1]; prev.kind == qNumber && prev.value >= 20 && prev.value < 100 && v < 10 {
				prev.value += v // twenty five
				prev.end = t.end
				return toks
			}
		}
	}
	return append(toks, t)
}

// readNumber reads digits with thousands separators or a decimal part
// ("6,000", "6 000", "1.5", "1,5"), then multipliers written onto them.
func readNumber(text []byte, i, to int) qtoken {
	j := skipDigits(text, i, to)
	digits := append(make([]byte, 0, 24), text[i:j]...)
	grouped := false
	for j+1 < to && isDigit(text[j+1]) && (text[j] == ',' || text[j] == '.' || text[j] == ' ' && j-i <= 3) {
		k := skipDigits(text, j+1, to)
		if k-j-1 == 3 && (text[j] != ' ' || len(digits) <= 3) {
			digits = append(digits, text[j+1:k]...) // a group of thousands
			grouped, j = true, k
			continue
		}
		if text[j] != ' ' && !grouped {
			digits = append(append(digits, '.'), text[j+1:k]...) // a decimal part
			j = k
		}
		break
	}
	value, _ := strconv.ParseFloat(string(digits), 64)
	t := qtoken{kind: qNumber, start: i, end: j, value: value}
	t.year = !grouped && j-i == 4 && value >= 1900 && value <= 2100
	return readAttachedMultipliers(text, t, to)
}

func skipDigits(text []byte, i, to int) int {
	for i < to && isDigit(text[i]) {
		i++
	}
	return i
}

// readAttachedMultipliers reads Korean and Chinese multipliers written onto
// a number (5천, 1만5천, 3万) and the marks for "about" (5천여, 5000余).
func readAttachedMultipliers(text []byte, t qtoken, to int) qtoken {
	total, current := 0.0, t.value
	j := t.end
	for j < to {
		r, size := utf8.DecodeRune(text[j:])
		if m := attachedMultiplier[r]; m > 0 {
			total += current * m
			current, t.year = 0, false
			j += size
			// 1만5천: digits followed by another multiplier go on with the number.
			if k := skipDigits(text, j, to); k > j && k < to {
				if next, _ := utf8.DecodeRune(text[k:]); attachedMultiplier[next] > 0 {
					current, _ = strconv.ParseFloat(string(text[j:k]), 64)
					j = k
				}
			}
			continue
		}
		if r != '여' && r != '余' && r != '多' {
			break
		}
		j += size
	}
	t.value, t.end = total+current, j
	return t
}

var attachedMultiplier = map[rune]float64{
	'백': 100, '천': 1e3, '만': 1e4, '억': 1e8,
	'百': 100, '千': 1e3, '万': 1e4, '萬': 1e4, '亿': 1e8, '億': 1e8,
}

// multiplierWord recognizes the words that multiply the number before them.
func multiplierWord(word []byte) (float64, bool) {
	if len(word) > 24 {
		return 0, false
	}
	w := string(word) // short: on the stack
	switch {
	case w == "hundred" || w == "hundreds":
		return 100, true
	case w == "thousand" || w == "thousands" || w == "тыс" || strings.HasPrefix(w, "тысяч"):
		return 1e3, true
	case w == "million" || w == "millions" || w == "mln" || w == "млн" || strings.HasPrefix(w, "миллион"):
		return 1e6, true
	case w == "billion" || w == "billions" || w == "bn" || w == "млрд" || strings.HasPrefix(w, "миллиард"):
		return 1e9, true
	}
	return 0, false
}

var numberWords = map[string]float64{
	"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
	"eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
	"sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "dozen": 12,
}
