package monitor

import (
	"math/bits"
	"slices"
	"strings"
	"unicode"
)

// Near-duplicate stories are found with SimHash (Charikar, 2002): every word
// of a text is hashed to 64 bits, each bit votes +1 or -1, and the
// fingerprint keeps the sign of each bit's total. Texts that share most of
// their words get fingerprints a few bits apart, so "the same story" is a
// small Hamming distance. Fingerprints are stored, so the hash must be the
// same in every process: FNV-1a with a final mix, never a seeded hash.
//
// The features are single content words. On a title and a lead of some
// hundred words, longer shingles make every changed word disturb several
// features, and an outlet's rewritten headline then pushes a wire copy past
// any threshold that still keeps different stories apart. Function words
// ("the", "said", "и") are left out: every text has them, and they pull all
// fingerprints towards one another.
const (
	// leadWords is how much of the article body joins the title: enough to
	// tell two stories with a similar headline apart, short enough that an
	// outlet's extra paragraphs do not matter.
	leadWords = 100
	// nearDuplicate is the largest Hamming distance between two fingerprints
	// of one story. A rewritten headline or a dateline over the same wire
	// copy measures 2–5 bits; different stories on one subject 14 or more
	// (1 pair in 100 under 20, over the 100 news texts of rules/testdata).
	nearDuplicate = 7
)

// Fingerprint is the SimHash of the title and the first leadWords words of
// the body.
func Fingerprint(title, body string) uint64 {
	words := wordsOf(title, -1)
	words = append(words, wordsOf(body, leadWords)...)
	return simHash(slices.DeleteFunc(words, isFunctionWord))
}

// functionWords are the commonest words of English and Russian news copy
// that say nothing about the story.
var functionWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a an the of to in on at for and or but is are was were be been
		by with from as that this it its said says will would has have had not he she they their
		his her we our who which than after before over into about more also new
		и в во на с со по что не о об к из за от для а как это его её их он она они был была было
		были будет также`) {
		m[w] = true
	}
	return m
}()

func isFunctionWord(w string) bool { return functionWords[w] }

// Hamming is the number of bits in which a and b differ.
func Hamming(a, b uint64) int { return bits.OnesCount64(a ^ b) }

// wordsOf lowercases s and splits it into runs of letters and digits; limit
// < 0 keeps every word.
func wordsOf(s string, limit int) []string {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	if limit >= 0 && len(words) > limit {
		words = words[:limit]
	}
	return words
}

func simHash(features []string) uint64 {
	var votes [64]int
	for _, f := range features {
		h := hash64(f)
		for bit := range 64 {
			votes[bit] += int(h>>bit&1)*2 - 1
		}
	}
	var fp uint64
	for bit, v := range votes {
		if v > 0 {
			fp |= 1 << bit
		}
	}
	return fp
}

// hash64 is FNV-1a followed by the SplitMix64 finaliser: FNV alone spreads
// short strings poorly over the low bits, and SimHash needs every bit to be
// an even coin.
func hash64(s string) uint64 {
	const offset, prime = 14695981039346656037, 1099511628211
	h := uint64(offset)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= prime
	}
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}
