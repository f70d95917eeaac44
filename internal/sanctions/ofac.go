package sanctions

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// OFAC CSV column counts.
const (
	sdnColumns = 12 // ent_num, name, type, programs, title, call sign, vessel type, tonnage, GRT, flag, owner, remarks
	addColumns = 6  // ent_num, add_num, address, city/state/postal, country, remarks
	altColumns = 5  // ent_num, alt_num, type, name, remarks
)

// ParseOFAC reads the OFAC SDN list in its CSV form: the primary rows (sdn),
// and optionally the addresses (add) and aliases (alt); nil skips a file.
// "-0-" marks an empty field. Remarks are mined for a.k.a.s, IMO numbers,
// dates of birth, nationalities and vessel details. Any malformed row is an
// error for the whole list, and so is an empty list.
func ParseOFAC(sdn, add, alt io.Reader, list string) ([]Entry, error) {
	entries, byRef, err := parseSDN(sdn, list)
	if err != nil {
		return nil, err
	}
	if add != nil {
		if err := parseAddresses(add, entries, byRef); err != nil {
			return nil, err
		}
	}
	if alt != nil {
		if err := parseAliases(alt, entries, byRef); err != nil {
			return nil, err
		}
	}
	return entries, nil
}

func parseSDN(r io.Reader, list string) ([]Entry, map[string]int, error) {
	var entries []Entry
	byRef := map[string]int{}
	err := eachOFACRow(r, "sdn.csv", sdnColumns, func(line int, f []string) error {
		e, err := sdnEntry(f, list)
		if err != nil {
			return fmt.Errorf("parse OFAC sdn.csv: line %d: %w", line, err)
		}
		if _, dup := byRef[e.Ref]; dup {
			return fmt.Errorf("parse OFAC sdn.csv: line %d: duplicate ent_num %s", line, e.Ref)
		}
		byRef[e.Ref] = len(entries)
		entries = append(entries, e)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if len(entries) == 0 {
		return nil, nil, fmt.Errorf("parse OFAC sdn.csv: %w", ErrEmptyList)
	}
	return entries, byRef, nil
}

func sdnEntry(f []string, list string) (Entry, error) {
	if _, err := strconv.Atoi(f[0]); err != nil {
		return Entry{}, fmt.Errorf("ent_num %q is not a number", f[0])
	}
	if f[1] == "" {
		return Entry{}, errors.New("empty name")
	}
	e := Entry{List: list, Ref: f[0], Name: f[1], Type: ofacType(f[2]), Title: f[4]}
	for _, p := range strings.Split(strings.Trim(f[3], "[]"), "] [") {
		e.Programs = appendUnique(e.Programs, p)
	}
	if e.Type == TypeVessel || f[5]+f[6]+f[7]+f[8]+f[9]+f[10] != "" {
		e.Vessel = &VesselInfo{CallSign: f[5], Type: f[6], Tonnage: f[7], GRT: f[8], Flag: f[9], Owner: f[10]}
	}
	e.Comments = f[11]
	parseRemarks(&e, f[11])
	return e, nil
}

func ofacType(s string) string {
	switch s {
	case "individual", "vessel", "aircraft":
		return s
	default:
		return TypeEntity
	}
}

var (
	ofacIMO  = regexp.MustCompile(`\bIMO (\d{7})\b`)
	ofacMMSI = regexp.MustCompile(`\bMMSI (\d{9})\b`)
)

// parseRemarks mines the remarks column, a "; "-separated run of clauses such
// as "DOB 08 Jan 1984", "a.k.a. 'KOMID'", "nationality Iran" and
// "Vessel Registration Identification IMO 9187629".
func parseRemarks(e *Entry, remarks string) {
	// The guards keep the regular expressions off the many remarks without
	// these numbers.
	if strings.Contains(remarks, "IMO ") {
		if m := ofacIMO.FindStringSubmatch(remarks); m != nil {
			e.IMO = m[1]
		}
	}
	if e.Vessel != nil && strings.Contains(remarks, "MMSI ") {
		if m := ofacMMSI.FindStringSubmatch(remarks); m != nil {
			e.Vessel.MMSI = m[1]
		}
	}
	for _, clause := range strings.Split(remarks, "; ") {
		clause = strings.TrimSuffix(strings.TrimSpace(clause), ".")
		clause = strings.TrimPrefix(clause, "alt. ")
		switch {
		case strings.HasPrefix(clause, "DOB "):
			e.DatesOfBirth = appendUnique(e.DatesOfBirth, clause[len("DOB "):])
		case strings.HasPrefix(clause, "nationality "):
			e.Nationality = appendUnique(e.Nationality, clause[len("nationality "):])
		default:
			if a, ok := remarkAlias(clause); ok {
				e.addAlias(a)
			}
		}
	}
}

// remarkAlias reads "a.k.a. 'NAME'" (also f.k.a., n.k.a.); the name runs from
// the first to the last quote, so names with apostrophes survive.
func remarkAlias(clause string) (Alias, bool) {
	kinds := map[string]string{"a.k.a. ": KindAKA, "f.k.a. ": KindFKA, "n.k.a. ": KindNKA}
	for prefix, kind := range kinds {
		rest, ok := strings.CutPrefix(clause, prefix)
		if !ok {
			continue
		}
		first, last := strings.IndexByte(rest, '\''), strings.LastIndexByte(rest, '\'')
		if first < 0 || last <= first {
			return Alias{}, false
		}
		return Alias{Name: rest[first+1 : last], Quality: QualityGood, Kind: kind}, true
	}
	return Alias{}, false
}

func parseAddresses(r io.Reader, entries []Entry, byRef map[string]int) error {
	return eachOFACRow(r, "add.csv", addColumns, func(line int, f []string) error {
		i, ok := byRef[f[0]]
		if !ok {
			return nil // an address of an entry not on this list: harmless
		}
		var parts []string
		for _, p := range f[2:5] {
			if p != "" {
				parts = append(parts, p)
			}
		}
		entries[i].Addresses = appendUnique(entries[i].Addresses, strings.Join(parts, ", "))
		return nil
	})
}

func parseAliases(r io.Reader, entries []Entry, byRef map[string]int) error {
	return eachOFACRow(r, "alt.csv", altColumns, func(line int, f []string) error {
		i, ok := byRef[f[0]]
		if !ok {
			return nil
		}
		kind := strings.ToLower(f[2])
		if kind != KindFKA && kind != KindNKA {
			kind = KindAKA
		}
		quality := QualityGood
		// OFAC marks weak aliases "low quality" or "weak" in the alias remarks.
		if r := strings.ToLower(f[4]); strings.Contains(r, "weak") || strings.Contains(r, "low quality") {
			quality = QualityLow
		}
		entries[i].addAlias(Alias{Name: f[3], Quality: quality, Kind: kind})
		return nil
	})
}

// eachOFACRow calls fn with each row of an OFAC CSV file, its "-0-" fields
// emptied. Every row must have exactly columns fields; the DOS end-of-file
// mark (0x1A) that OFAC appends is ignored.
func eachOFACRow(r io.Reader, file string, columns int, fn func(line int, fields []string) error) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("parse OFAC %s: %w", file, err) // a csv.ParseError names the line
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(strings.Trim(rec[0], "\x1a")) == "" {
			continue
		}
		if len(rec) != columns {
			return fmt.Errorf("parse OFAC %s: line %d: %d fields, want %d", file, line, len(rec), columns)
		}
		for i, f := range rec {
			f = strings.TrimSpace(f)
			if f == "-0-" {
				f = ""
			}
			rec[i] = f
		}
		if err := fn(line, rec); err != nil {
			return err
		}
	}
}
