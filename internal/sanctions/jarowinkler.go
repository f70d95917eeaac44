package sanctions

// jaroWinkler returns the Jaro–Winkler similarity of a and b (0..1), with
// the usual prefix scale 0.1 over at most 4 runes. It does not allocate for
// tokens of up to 64 runes, which is every name token in practice.
func jaroWinkler(a, b []rune) float64 {
	j := jaro(a, b)
	if j < 0.7 {
		return j
	}
	prefix := 0
	for prefix < 4 && prefix < len(a) && prefix < len(b) && a[prefix] == b[prefix] {
		prefix++
	}
	return j + float64(prefix)*0.1*(1-j)
}

func jaro(a, b []rune) float64 {
	if len(a) == 0 || len(b) == 0 {
		if len(a) == len(b) {
			return 1
		}
		return 0
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	var aBuf, bBuf [64]bool
	aMatched, bMatched := aBuf[:0], bBuf[:0]
	if len(b) <= len(bBuf) {
		aMatched, bMatched = aBuf[:len(a)], bBuf[:len(b)]
	} else {
		aMatched, bMatched = make([]bool, len(a)), make([]bool, len(b))
	}
	window := max(len(b)/2-1, 0)
	matches := 0
	for i, r := range a {
		lo, hi := max(i-window, 0), min(i+window+1, len(b))
		for k := lo; k < hi; k++ {
			if !bMatched[k] && b[k] == r {
				aMatched[i], bMatched[k] = true, true
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}
	transpositions, k := 0, 0
	for i, r := range a {
		if !aMatched[i] {
			continue
		}
		for !bMatched[k] {
			k++
		}
		if r != b[k] {
			transpositions++
		}
		k++
	}
	m := float64(matches)
	return (m/float64(len(a)) + m/float64(len(b)) + (m-float64(transpositions/2))/m) / 3
}
