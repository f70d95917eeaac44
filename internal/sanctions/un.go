package sanctions

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// ErrEmptyList is returned when a list file parses but holds no entries, which
// is what a broken upstream export looks like.
var ErrEmptyList = errors.New("list has no entries")

// unRecord is one INDIVIDUAL or ENTITY element of the UN Consolidated List.
type unRecord struct {
	First          string      `xml:"FIRST_NAME"`
	Second         string      `xml:"SECOND_NAME"`
	Third          string      `xml:"THIRD_NAME"`
	Fourth         string      `xml:"FOURTH_NAME"`
	Regime         string      `xml:"UN_LIST_TYPE"`
	Ref            string      `xml:"REFERENCE_NUMBER"`
	ListedOn       string      `xml:"LISTED_ON"`
	Comments       string      `xml:"COMMENTS1"`
	Titles         []string    `xml:"TITLE>VALUE"`
	Designations   []string    `xml:"DESIGNATION>VALUE"`
	Nationality    []string    `xml:"NATIONALITY>VALUE"`
	OriginalScript []string    `xml:"NAME_ORIGINAL_SCRIPT"`
	Aliases        []unAlias   `xml:"INDIVIDUAL_ALIAS"`
	EntityAliases  []unAlias   `xml:"ENTITY_ALIAS"`
	Addresses      []unAddress `xml:"INDIVIDUAL_ADDRESS"`
	EntityAddrs    []unAddress `xml:"ENTITY_ADDRESS"`
	Births         []unBirth   `xml:"INDIVIDUAL_DATE_OF_BIRTH"`
}

type unAlias struct {
	Quality string `xml:"QUALITY"`
	Name    string `xml:"ALIAS_NAME"`
}

type unAddress struct {
	Street   string `xml:"STREET"`
	City     string `xml:"CITY"`
	State    string `xml:"STATE_PROVINCE"`
	Zip      string `xml:"ZIP_CODE"`
	Country  string `xml:"COUNTRY"`
	Note     string `xml:"NOTE"`
	FromYear string `xml:"FROM_YEAR"`
}

type unBirth struct {
	Type     string `xml:"TYPE_OF_DATE"`
	Date     string `xml:"DATE"`
	Year     string `xml:"YEAR"`
	FromYear string `xml:"FROM_YEAR"`
	ToYear   string `xml:"TO_YEAR"`
}

// ParseUN reads the UN Security Council Consolidated List (XML) as a stream.
// A file that is malformed, truncated (its root element never closes) or
// empty is an error: a partial result would read as mass delistings.
func ParseUN(r io.Reader, list string) ([]Entry, error) {
	dec := xml.NewDecoder(r)
	var entries []Entry
	depth, rootClosed := 0, false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("parse UN list: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 && t.Name.Local != "CONSOLIDATED_LIST" {
				return nil, fmt.Errorf("parse UN list: root element is <%s>, want <CONSOLIDATED_LIST>", t.Name.Local)
			}
			if t.Name.Local == "INDIVIDUAL" || t.Name.Local == "ENTITY" {
				e, err := decodeUNRecord(dec, &t, list)
				if err != nil {
					return nil, err
				}
				entries = append(entries, e)
				continue
			}
			depth++
		case xml.EndElement:
			depth--
			if depth == 0 {
				rootClosed = true
			}
		}
	}
	if !rootClosed {
		return nil, errors.New("parse UN list: truncated: <CONSOLIDATED_LIST> is not closed")
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("parse UN list: %w", ErrEmptyList)
	}
	return entries, nil
}

func decodeUNRecord(dec *xml.Decoder, start *xml.StartElement, list string) (Entry, error) {
	var rec unRecord
	if err := dec.DecodeElement(&rec, start); err != nil {
		return Entry{}, fmt.Errorf("parse UN list: %s: %w", start.Name.Local, err)
	}
	e := rec.entry(list, strings.ToLower(start.Name.Local))
	if e.Ref == "" || e.Name == "" {
		line, _ := dec.InputPos()
		return Entry{}, fmt.Errorf("parse UN list: line %d: %s without reference number or name", line, start.Name.Local)
	}
	return e, nil
}

func (rec *unRecord) entry(list, typ string) Entry {
	e := Entry{
		List:     list,
		Ref:      strings.TrimSpace(rec.Ref),
		Type:     typ,
		Name:     cleanSpace(strings.Join([]string{rec.First, rec.Second, rec.Third, rec.Fourth}, " ")),
		ListedOn: strings.TrimSpace(rec.ListedOn),
		Comments: cleanSpace(rec.Comments),
		Title:    cleanSpace(strings.Join(append(rec.Titles, rec.Designations...), "; ")),
	}
	e.Programs = appendUnique(nil, rec.Regime)
	for _, n := range rec.Nationality {
		e.Nationality = appendUnique(e.Nationality, n)
	}
	for _, n := range rec.OriginalScript {
		e.OriginalScript = appendUnique(e.OriginalScript, n)
	}
	for _, a := range append(rec.Aliases, rec.EntityAliases...) {
		quality, kind := unAliasQuality(a.Quality)
		for _, name := range splitNames(a.Name) {
			e.addAlias(Alias{Name: name, Quality: quality, Kind: kind})
		}
	}
	for _, a := range append(rec.Addresses, rec.EntityAddrs...) {
		e.Addresses = appendUnique(e.Addresses, a.String())
	}
	for _, b := range rec.Births {
		e.DatesOfBirth = appendUnique(e.DatesOfBirth, b.String())
	}
	if m := unIMO.FindStringSubmatch(e.Comments); m != nil {
		e.IMO = m[1]
	}
	return e
}

// unIMO finds "IMO number: 1790183" and "IMO: 8829593" in UN comments.
var unIMO = regexp.MustCompile(`(?i)\bIMO\)?(?:\s+number)?:?\s*(\d{7})\b`)

// unAliasQuality maps the UN QUALITY field: individuals' aliases are "Good"
// or "Low", entities' are "a.k.a." or "f.k.a." (both of good quality).
func unAliasQuality(q string) (quality, kind string) {
	switch strings.ToLower(strings.TrimSpace(q)) {
	case "low":
		return QualityLow, KindAKA
	case "f.k.a.":
		return QualityGood, KindFKA
	default:
		return QualityGood, KindAKA
	}
}

func (a unAddress) String() string {
	var parts []string
	for _, p := range []string{a.Street, a.City, a.State, a.Zip, a.Country} {
		if p = cleanSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	s := strings.Join(parts, ", ")
	if note := cleanSpace(a.Note); note != "" && s != "" {
		s += " (" + note + ")"
	}
	return s
}

func (b unBirth) String() string {
	var s string
	switch {
	case strings.TrimSpace(b.Date) != "":
		s = strings.TrimSpace(b.Date)
	case strings.TrimSpace(b.Year) != "":
		s = strings.TrimSpace(b.Year)
	case strings.TrimSpace(b.FromYear) != "":
		s = strings.TrimSpace(b.FromYear) + "–" + strings.TrimSpace(b.ToYear)
	default:
		return ""
	}
	if strings.EqualFold(strings.TrimSpace(b.Type), "APPROXIMATELY") {
		s = "circa " + s
	}
	return s
}
