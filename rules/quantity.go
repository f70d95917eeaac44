package rules

import (
	"bytes"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Quantities are read from the normalized text around a hit: digits are
// ASCII there (NFKC turns full-width digits into ASCII), letters are folded
// and every run of spaces is one space.
//
// A number counts when it stands at most maxWordsBetween words before the
// hit ("6,000 workers", "5,000 construction workers", "1 million artillery
// shells", "5천여 명의 노동자"), or, for Hangul and Han terms, just after it
// ("노동자 5천 명", "劳工5000名"), which is where Korean and Chinese put it.
// Not quantities: years ("in 2017 workers"), dates (8월), percentages,
// sums of money, calibres (152mm), durations (24 months), numbers in model
// names (KN-23, Hwasong 15) and in ship names (Yu Jong 2). A sentence end, a
// comma or a dash between number and hit stops the search.
const maxWordsBetween = 2

// qtoken is a token of the text around a hit.
type qtoken struct {
	kind       qkind
	start, end int // normalized offsets
	value      float64
	year       bool   // a bare four-digit number that reads as a year
	abbrev     bool   // the number ends in an abbreviated multiplier ("15 тыс"), which a full stop may follow
	text       []byte // words and stops: their text, within the normalized text
}

type qkind int

const (
	qWord qkind = iota
	qNumber
	qStop // punctuation that ends the search: sentence ends, commas, dashes, %, currency
)

// foundQuantity is a quantity with where its number starts in the
// normalized text: two hits may find the same number, which counts once.
type foundQuantity struct {
	Quantity
	number int
}

// quantity finds the number next to hit hi. Rules that share a hit share
// the work: the answer is kept for the rest of the document.
func (sc *scratch) quantity(hi int32, group string) (foundQuantity, bool) {
	if sc.qdone == nil {
		sc.qdone = make(map[int32]foundQuantity)
	}
	q, done := sc.qdone[hi]
	if !done {
		q = sc.findQuantity(hi)
		sc.qdone[hi] = q
	}
	q.Group = group
	return q, q.Text != ""
}

func (sc *scratch) findQuantity(hi int32) foundQuantity {
	h := sc.hits[hi]
	last, _ := utf8.DecodeLastRune(sc.norm.text[h.start:h.end])
	cjk := isHangul(last) || isHanKana(last)
	if cjk {
		if q := sc.numberAfterHit(h); q.Text != "" {
			return q
		}
	}
	return sc.numberBeforeHit(h, cjk)
}

// numberBeforeHit looks for the number before hit h. Before a Hangul or Han
// term only a number that modifies it counts (5천여 명의 노동자): one
// further back belongs to an earlier term (노동자 5천 명과 군 공병).
func (sc *scratch) numberBeforeHit(h hit, cjk bool) foundQuantity {
	text := sc.norm.text
	from := windowStart(text, int(h.start))
	sc.qtoks = sc.markModelNumbers(qtokens(text, from, int(h.start), sc.qtoks[:0]))
	i, ok := numberBefore(sc.qtoks)
	if !ok || sc.inName(sc.qtoks, i, int(h.start)) || cjk && !modifiesTerm(sc.qtoks, i) ||
		sc.dashBetween(sc.qtoks[i].end, int(h.start)) {
		return foundQuantity{}
	}
	q := sc.qtoks[i]
	return sc.makeQuantity(q.start, q.end, q.start, int(h.end), q.value)
}

// numberAfterHit looks for the number after hit h, with its counter:
// 노동자 5천 명, 劳工5000名.
func (sc *scratch) numberAfterHit(h hit) foundQuantity {
	text := sc.norm.text
	sc.qtoks = sc.markModelNumbers(qtokens(text, int(h.end), min(len(text), int(h.end)+80), sc.qtoks[:0]))
	q, end, ok := numberAfter(sc.qtoks)
	if !ok || sc.dashBetween(int(h.end), q.start) {
		return foundQuantity{}
	}
	return sc.makeQuantity(q.start, q.end, int(h.start), end, q.value)
}

// markModelNumbers turns numbers joined by a hyphen to the word before
// them (KN-23, Hwasong-11, Su-27) into words: they name, not count. The
// normalized text has no hyphens, so the original text tells.
func (sc *scratch) markModelNumbers(toks []qtoken) []qtoken {
	for i, t := range toks {
		if t.kind != qNumber || i == 0 || toks[i-1].kind != qWord || toks[i-1].end+1 != t.start {
			continue
		}
		at, _ := sc.norm.origSpan(t.start, t.start+1)
		before := sc.text[:at]
		if strings.HasSuffix(before, "-") && unicode.IsLetter(lastRune(before[:len(before)-1])) {
			toks[i].kind = qWord
		}
	}
	return toks
}

func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

// dashBetween reports whether a dash that separates parts of a sentence
// ("1,000 sappers—military personnel", "5,000 - workers") stands in the
// original text between normalized offsets from and to, which the
// normalized text has turned into a space.
func (sc *scratch) dashBetween(from, to int) bool {
	if from >= to {
		return false
	}
	_, start := sc.norm.origSpan(from-1, from)
	end, _ := sc.norm.origSpan(to, to+1)
	between := sc.text[start:max(start, end)]
	return strings.ContainsAny(between, "—–―") || strings.Contains(between, " - ")
}

// modifiesTerm reports whether number i stands right before the term, or
// with only a counter in the modifier form between (명의, 名).
func modifiesTerm(toks []qtoken, i int) bool {
	switch len(toks) - i {
	case 1:
		return true
	case 2:
		c := toks[i+1]
		return c.kind == qWord && isCounter(c.text) && (bytes.HasSuffix(c.text, []byte("의")) || !isHangulWord(c.text))
	}
	return false
}

func isHangulWord(w []byte) bool {
	r, _ := utf8.DecodeRune(w)
	return isHangul(r)
}

// inName reports whether number i is part of a name such as a ship's (Yu
// Jong 2, Hwasong 15): one or two bare digits after a capitalized word that
// does not start a sentence, and the word after is not capitalized too, as
// in a title. "Russia 1 million shells" and "Kursk 300 workers" are counts.
func (sc *scratch) inName(toks []qtoken, i, hitStart int) bool {
	if i == 0 || toks[i-1].kind != qWord || toks[i].end-toks[i].start > 2 || !isDigit(sc.norm.text[toks[i].end-1]) {
		return false
	}
	prev := toks[i-1]
	next := hitStart
	if i+1 < len(toks) {
		next = toks[i+1].start
	}
	return sc.capitalized(prev.start) && !sc.capitalized(next) && !sc.sentenceStart(prev.start)
}

// capitalized reports whether the original text at normalized offset i
// starts with an upper-case letter.
func (sc *scratch) capitalized(i int) bool {
	if i >= len(sc.norm.text) {
		return false
	}
	o, _ := sc.norm.origSpan(i, i+1)
	r, _ := utf8.DecodeRuneInString(sc.text[o:])
	return unicode.IsUpper(r)
}

// sentenceStart reports whether the word at normalized offset i starts the
// text, a sentence, a quotation or a parenthesis.
func (sc *scratch) sentenceStart(i int) bool {
	text := sc.norm.text
	for i > 0 && text[i-1] == ' ' {
		i--
	}
	if i == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRune(text[:i])
	return !isWordRune(r) && !isHanKana(r) && r != ','
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

func (sc *scratch) makeQuantity(numStart, numEnd, spanStart, spanEnd int, value float64) foundQuantity {
	ns, ne := sc.norm.origSpan(numStart, numEnd)
	ss, se := sc.norm.origSpan(spanStart, spanEnd)
	return foundQuantity{Quantity: Quantity{
		Text:   sc.text[ss:se],
		Number: sc.text[ns:ne],
		Value:  value,
		Start:  ss,
		End:    se,
	}, number: numStart}
}

// numberBefore returns the index of the number token closest before the
// hit, within reach; found is false when a stop, a year, a sum of money or
// a number with a unit (152 mm, 24 months) comes first.
func numberBefore(toks []qtoken) (int, bool) {
	words := 0
	for i := len(toks) - 1; i >= 0; i-- {
		t := toks[i]
		switch t.kind {
		case qStop:
			return 0, false
		case qNumber:
			if t.year || i > 0 && isCurrencyStop(toks[i-1]) || hasUnit(toks, i) {
				return 0, false
			}
			return i, true
		case qWord:
			if words++; words > maxWordsBetween {
				return 0, false
			}
		}
	}
	return 0, false
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
			if t.year || hasUnit(toks, i) {
				return qtoken{}, 0, false
			}
			return t, counterEnd(toks, i), true
		case qWord:
			if words++; words > 2 {
				return qtoken{}, 0, false
			}
		}
	}
	return qtoken{}, 0, false
}

// counterEnd is where the span of number i ends: after a counter, with the
// mark for "about" before it (5천 여 명). A particle written onto the counter
// (명과, 명을) belongs to the sentence, not the quantity, so the span stops
// before it: "노동자 5천 명과" reads "노동자 5천 명".
func counterEnd(toks []qtoken, i int) int {
	end := toks[i].end
	j := i + 1
	if j < len(toks) && toks[j].kind == qWord && string(toks[j].text) == "여" {
		j++
	}
	if j < len(toks) && toks[j].kind == qWord {
		if n, ok := counterLen(toks[j].text); ok {
			end = toks[j].start + n
		}
	}
	return end
}

// hasUnit reports whether number i is followed by a unit that makes it a
// size, a duration or a share rather than a count.
func hasUnit(toks []qtoken, i int) bool {
	return i+1 < len(toks) && toks[i+1].kind == qWord && nonCountUnits[string(toks[i+1].text)]
}

var nonCountUnits = map[string]bool{
	"mm": true, "cm": true, "caliber": true, "calibre": true, "мм": true, "калибра": true, "밀리": true, "미리": true,
	"day": true, "days": true, "week": true, "weeks": true, "month": true, "months": true, "year": true, "years": true, "hours": true,
	"дня": true, "дней": true, "недели": true, "недель": true, "месяца": true, "месяцев": true, "года": true, "лет": true, "час": true, "часов": true,
	"percent": true, "per": true, "процентов": true, "процента": true, "퍼센트": true, "개월": true, "년": true, "월": true, "일": true,
}

// isCounter recognizes the words that count people or things after a
// number: 명 (people), 발 (rounds) and 척 (ships) with their particles,
// 名, 人, человек.
func isCounter(w []byte) bool {
	_, ok := counterLen(w)
	return ok
}

// counterLen reports whether w is a counter and the length in bytes of the
// counter itself, without the Korean particle written onto it (명과 → 명).
func counterLen(w []byte) (int, bool) {
	switch string(w) {
	case "名", "人", "человек":
		return len(w), true
	}
	for _, c := range koreanCounters {
		if rest, ok := bytes.CutPrefix(w, []byte(c)); ok {
			return len(c), koreanParticles[string(rest)]
		}
	}
	return 0, false
}

var koreanCounters = []string{"명", "발", "척"}

// koreanParticles are the endings that may follow a counter: case and
// topic particles in both their forms (과/와, 을/를, 이/가, 은/는, 으로/로),
// and "about" (가량), "each" (씩).
var koreanParticles = map[string]bool{
	"": true, "의": true, "이": true, "가": true, "을": true, "를": true, "은": true, "는": true,
	"과": true, "와": true, "도": true, "에": true, "만": true, "씩": true, "가량": true,
	"으로": true, "로": true, "에게": true, "에서": true, "까지": true,
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
		case c == ' ' || c == '\'' || c == '"':
			i++
		case c == '.' && len(toks) > 0 && toks[len(toks)-1].abbrev && toks[len(toks)-1].end == i:
			i++ // 15 тыс. рабочих
		case isDigit(c):
			t := readNumber(text, i, to)
			toks = append(toks, t)
			i = t.end
		default:
			r, size := utf8.DecodeRune(text[i:])
			if !isWordRune(r) && !isHanKana(r) {
				if strings.ContainsRune(".,;:!?%$€£₩¥()—–、", r) {
					toks = append(toks, qtoken{kind: qStop, start: i, end: i + size, text: text[i : i+size]})
				}
				i += size // other punctuation neither counts nor stops
				continue
			}
			end := i + size
			if !isHanKana(r) {
				end = wordRunEnd(text, i, to)
			}
			toks = appendWord(toks, qtoken{kind: qWord, start: i, end: end, text: text[i:end]})
			i = end
		}
	}
	return toks
}

// wordRunEnd is the end of the word that starts at i.
func wordRunEnd(text []byte, i, to int) int {
	for i < to && wordAt(text, i) {
		_, size := utf8.DecodeRune(text[i:])
		i += size
	}
	return i
}

// appendWord adds a word, merging a multiplier or number word into a number.
func appendWord(toks []qtoken, t qtoken) []qtoken {
	if m, ok := multiplierWord(t.text); ok {
		if n := len(toks); n > 0 && toks[n-1].kind == qNumber {
			prev := &toks[n-1]
			prev.value *= m
			prev.end, prev.year, prev.abbrev = t.end, false, abbreviations[string(t.text)]
			return toks
		}
		if n := len(toks); n > 0 && toks[n-1].kind == qWord && string(toks[n-1].text) == "a" {
			toks[n-1] = qtoken{kind: qNumber, start: toks[n-1].start, end: t.end, value: m} // a million
			return toks
		}
		if singularMultipliers[string(t.text)] {
			t.kind, t.value = qNumber, m // миллион снарядов
			return append(toks, t)
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

// abbreviations are the multipliers that a full stop may follow.
var abbreviations = map[string]bool{"тыс": true, "млн": true, "млрд": true, "mln": true, "bn": true, "mn": true}

// singularMultipliers stand for one of themselves without a number before.
var singularMultipliers = map[string]bool{"миллион": true, "миллиард": true, "тысяча": true, "тысячу": true}

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
	return readSuffix(text, readAttachedMultipliers(text, t, to), to)
}

// readSuffix reads letters written onto a number. A multiplier (1m, 1bn,
// 5k) scales it; a counter (5천명) is left to be read as a word; anything
// else (152mm, 8월, 2017년, 1990s, 3rd) makes it a word, not a count.
func readSuffix(text []byte, t qtoken, to int) qtoken {
	if t.end >= to {
		return t
	}
	r, size := utf8.DecodeRune(text[t.end:])
	end := t.end + size
	if !isHanKana(r) {
		end = wordRunEnd(text, t.end, to)
	}
	suffix := text[t.end:end]
	switch {
	case end == t.end:
		return t
	case isHanKana(r) && !strings.ContainsRune("年月日号时時", r):
		return t
	case isCounter(suffix):
		return t // 5천명이: the counter is read next
	}
	if m := attachedLatin[string(suffix)]; m > 0 {
		t.value *= m
		t.end, t.year = end, false
		return t
	}
	t.kind, t.end, t.text = qWord, end, text[t.start:end]
	return t
}

// attachedLatin are the multipliers written onto a number: 1m, 1.5bn, 5k.
var attachedLatin = map[string]float64{"k": 1e3, "m": 1e6, "mn": 1e6, "mln": 1e6, "bn": 1e9}

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
