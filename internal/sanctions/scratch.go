package sanctions

// scratch is the per-search working memory, pooled so that a search
// allocates little and scores each candidate without allocating.
type scratch struct {
	epoch     uint32
	nameMark  []uint32 // == epoch: the name is already a candidate
	entryMark []uint32 // == epoch: the entry already has a hit

	gramCount []uint16 // shared trigrams per vocabulary token, zeroed after use
	touched   []int32

	vocabSlot []int32                   // vocabulary token → row in rows, or -1
	slotVocab []int32                   // row → vocabulary token
	rows      [][maxQueryTokens]float32 // similarity of a token to each query token

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
	}
	for i := range s.vocabSlot {
		s.vocabSlot[i] = -1
	}
	return s
}

// reset readies the scratch for the next search.
func (s *scratch) reset() {
	for _, v := range s.slotVocab {
		s.vocabSlot[v] = -1
	}
	s.slotVocab, s.rows = s.slotVocab[:0], s.rows[:0]
	s.candidates, s.hits = s.candidates[:0], s.hits[:0]
	s.epoch++
	if s.epoch == 0 { // wrapped: old marks could collide
		clear(s.nameMark)
		clear(s.entryMark)
		s.epoch = 1
	}
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
	if s.entryMark[entry] == s.epoch {
		return false
	}
	s.entryMark[entry] = s.epoch
	return true
}
