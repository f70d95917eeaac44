package sanctions

import (
	"slices"
	"strings"
)

// Entry types.
const (
	TypeIndividual = "individual"
	TypeEntity     = "entity"
	TypeVessel     = "vessel"
	TypeAircraft   = "aircraft"
)

// Alias qualities and kinds.
const (
	QualityGood = "good"
	QualityLow  = "low"
	KindAKA     = "aka"
	KindFKA     = "fka"
	KindNKA     = "nka"
)

// Entry is one designation on a list: a person, an entity, a vessel or an
// aircraft.
type Entry struct {
	List           string      `json:"list"`
	Ref            string      `json:"ref"`  // "KPi.077" (UN), "20157" (OFAC ent_num)
	Type           string      `json:"type"` // individual, entity, vessel or aircraft
	Name           string      `json:"name"` // the primary name as written on the list
	Aliases        []Alias     `json:"aliases,omitempty"`
	OriginalScript []string    `json:"original_script,omitempty"`
	Programs       []string    `json:"programs,omitempty"` // UN regime ("DPRK") or OFAC programs ("DPRK3")
	Nationality    []string    `json:"nationality,omitempty"`
	DatesOfBirth   []string    `json:"dates_of_birth,omitempty"`
	Addresses      []string    `json:"addresses,omitempty"`
	ListedOn       string      `json:"listed_on,omitempty"` // YYYY-MM-DD; OFAC's CSV has none
	Title          string      `json:"title,omitempty"`     // designation or position
	Comments       string      `json:"comments,omitempty"`
	IMO            string      `json:"imo,omitempty"` // IMO ship or company number, 7 digits
	Vessel         *VesselInfo `json:"vessel,omitempty"`
}

// Alias is another name of an entry.
type Alias struct {
	Name    string `json:"name"`
	Quality string `json:"quality"` // good or low
	Kind    string `json:"kind"`    // aka, fka or nka
}

// VesselInfo holds the vessel columns of the OFAC list.
type VesselInfo struct {
	Flag     string `json:"flag,omitempty"`
	Type     string `json:"type,omitempty"`
	Tonnage  string `json:"tonnage,omitempty"`
	GRT      string `json:"grt,omitempty"`
	CallSign string `json:"call_sign,omitempty"`
	Owner    string `json:"owner,omitempty"`
	MMSI     string `json:"mmsi,omitempty"`
}

// Program is the entry's programs joined for display ("NPWMD, DPRK2").
func (e *Entry) Program() string { return strings.Join(e.Programs, ", ") }

// Key identifies an entry across lists.
func (e *Entry) Key() string { return e.List + "/" + e.Ref }

// AliasNames returns the names of the entry's aliases.
func (e *Entry) AliasNames() []string {
	names := make([]string, 0, len(e.Aliases))
	for _, a := range e.Aliases {
		names = append(names, a.Name)
	}
	return names
}

// addAlias appends an alias unless the entry already has that name (ignoring
// case and spacing), keeping the better quality of the two.
func (e *Entry) addAlias(a Alias) {
	a.Name = unquote(cleanSpace(a.Name))
	if a.Name == "" || strings.EqualFold(a.Name, e.Name) {
		return
	}
	for i, old := range e.Aliases {
		if strings.EqualFold(old.Name, a.Name) {
			if old.Quality == QualityLow && a.Quality == QualityGood {
				e.Aliases[i].Quality = QualityGood
			}
			return
		}
	}
	e.Aliases = append(e.Aliases, a)
}

// appendUnique appends s when it is not empty and not already present.
func appendUnique(list []string, s string) []string {
	s = cleanSpace(s)
	if s == "" || slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// cleanSpace trims s and collapses runs of white space (the UN file wraps
// long values over several indented lines).
func cleanSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// splitNames splits a field holding several names at the semicolons outside
// parentheses and brackets: the UN writes `جبهة النصرة (the Victory Front;
// Jabhat al-Nusrah)` as one name with its spellings in parentheses.
func splitNames(s string) []string {
	var names []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '(', '[':
			depth++
		case ')', ']':
			depth = max(depth-1, 0)
		case ';':
			if depth == 0 {
				names = append(names, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	return append(names, strings.TrimSpace(s[start:]))
}

// unquote removes double quotes around a whole name: the UN writes some
// aliases as "KOMID", with the quotes. Single quotes stay: names start or
// end with an apostrophe for the Arabic ayn ('Abd al-Aziz).
func unquote(s string) string {
	pairs := [][2]string{{`"`, `"`}, {"“", "”"}, {"„", "“"}}
	for _, p := range pairs {
		if len(s) > len(p[0])+len(p[1]) && strings.HasPrefix(s, p[0]) && strings.HasSuffix(s, p[1]) {
			inner := s[len(p[0]) : len(s)-len(p[1])]
			if !strings.ContainsAny(inner, p[0]+p[1]) {
				return strings.TrimSpace(inner)
			}
		}
	}
	return s
}
