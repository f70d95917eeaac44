package sanctions

// scratch is the per-search working memory, pooled so that a search
// allocates little and scores each candidate without allocating.
type scratch struct {
	epoch       uint32
	nameMark    []uint32 // == epoch: the name is already a candidate
	searchEpoch uint32
	entryMark   []uint32 // == searchEpoch: the entry already has a hit

	gramCount []uint16 // shared trigrams per vocabulary token, zeroed after use
	touched   []int32

	vocabSlot []int32                   // vocabulary token → row in rows, or -1
	slotVocab []int32                   // row → vocabulary token
	rows      [][maxQueryTokens]float32 // similarity of a token to each query token

	similar    map[string][]tokenMatch // query token → similar index tokens, per search
	query      query
	candidates []int32
	hits       []scored
}

type scored struct {
	name  int32
	score float64
}

func (ix *Index) newScratch() *scratch {
	s := &scratch{
		nameMark:  make([]uint32, len(ix.names)),
		entryMark: make([]uint32, len(ix.entries)),
		gramCount: make([]uint16, len(ix.vocabText)),
		vocabSlot: make([]int32, len(ix.vocabText)),
		similar:   map[string][]tokenMatch{},
	}
	for i := range s.vocabSlot {
		s.vocabSlot[i] = -1
	}
	return s
}

// resetSearch readies the scratch for the next search.
func (s *scratch) resetSearch() {
	s.hits = s.hits[:0]
	clear(s.similar)
	s.searchEpoch = s.nextEpoch(s.searchEpoch, s.entryMark)
}

// resetVariant readies the scratch for the next variant of a query.
func (s *scratch) resetVariant() {
	for _, v := range s.slotVocab {
		s.vocabSlot[v] = -1
	}
	s.slotVocab, s.rows, s.candidates = s.slotVocab[:0], s.rows[:0], s.candidates[:0]
	s.epoch = s.nextEpoch(s.epoch, s.nameMark)
}

// nextEpoch advances an epoch, clearing its marks when it wraps around.
func (s *scratch) nextEpoch(epoch uint32, marks []uint32) uint32 {
	epoch++
	if epoch == 0 {
		clear(marks)
		epoch = 1
	}
	return epoch
}

// setSim records that vocabulary token v is sim-similar to query token i.
func (s *scratch) setSim(v int32, i int, sim float32) {
	slot := s.vocabSlot[v]
	if slot < 0 {
		slot = int32(len(s.rows))
		s.vocabSlot[v] = slot
		s.slotVocab = append(s.slotVocab, v)
		s.rows = append(s.rows, [maxQueryTokens]float32{})
	}
	s.rows[slot][i] = max(s.rows[slot][i], sim)
}

func (s *scratch) addCandidate(name int32) {
	if s.nameMark[name] != s.epoch {
		s.nameMark[name] = s.epoch
		s.candidates = append(s.candidates, name)
	}
}

func (s *scratch) firstOfEntry(entry int32) bool {
	if s.entryMark[entry] == s.searchEpoch {
		return false
	}
	s.entryMark[entry] = s.searchEpoch
	return true
}
