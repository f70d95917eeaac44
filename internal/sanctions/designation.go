package sanctions

import (
	"fmt"
	"strings"
	"time"

	"github.com/embargo-watch/embargo/internal/alert"
	"github.com/embargo-watch/embargo/internal/store"
	"github.com/embargo-watch/embargo/rules"
)

// maxHeadline bounds the headline of an amendment, whose detail can list
// many aliases; the whole detail is in the snippet.
const maxHeadline = 250

// designationAlerts turns list changes into alerts of category designation,
// one per change, each queued for targets(alert).
func designationAlerts(l rules.List, changes []Change, targets func(alert.Alert) []string, now time.Time) []store.Pending {
	pendings := make([]store.Pending, 0, len(changes))
	for _, c := range changes {
		a := DesignationAlert(l, c, now)
		var to []string
		if targets != nil {
			to = targets(a)
		}
		pendings = append(pendings, store.Pending{Alert: a, Targets: to})
	}
	return pendings
}

// DesignationAlert describes one change to list l as an alert: rule
// "designation-<list>", severity by program (see Severity), published on the
// listing date for a new designation.
func DesignationAlert(l rules.List, c Change, now time.Time) alert.Alert {
	e := &c.Entry
	name := listTitle(l)
	a := alert.Alert{
		Rule:       "designation-" + l.Name,
		Category:   "designation",
		Severity:   Severity(l, e.Programs),
		References: references(l, e),
		URL:        entryURL(l, e),
		Source:     l.Name,
		Published:  now,
		Snippet:    summary(e),
		Matches:    []alert.Match{},
		Quantities: []alert.Quantity{},
		Entities:   []alert.Entity{{List: e.List, Ref: e.Ref, Name: e.Name, Program: e.Program()}},
		Created:    now,
	}
	who := fmt.Sprintf("%s (%s)", e.Name, e.Ref)
	switch c.Kind {
	case Added:
		a.Title = "New " + name + " designation"
		a.Headline = fmt.Sprintf("%s added to the %s list%s", who, name, programPhrase(l, e))
		if listed, err := time.Parse(time.DateOnly, e.ListedOn); err == nil {
			a.Published = listed
		}
	case Removed:
		a.Title = name + " delisting"
		a.Headline = fmt.Sprintf("%s removed from the %s list%s", who, name, programPhrase(l, e))
	default:
		a.Title = name + " designation amended"
		a.Headline = truncate(fmt.Sprintf("%s amended on the %s list: %s", who, name, c.Detail), maxHeadline)
		a.Snippet = c.Detail + "\n" + a.Snippet
	}
	return a
}

// Severity is the severity of a designation alert for an entry under
// programs: the highest configured in l.Severity for any of them; for the
// rest "high" for DPRK programs (DPRK, DPRK2, DPRK3…) unless configured,
// then l.Severity["default"], then "medium".
func Severity(l rules.List, programs []string) string {
	best := ""
	for _, p := range programs {
		sev, ok := l.Severity[p]
		if !ok && strings.HasPrefix(strings.ToUpper(p), "DPRK") {
			sev = "high"
		}
		if rules.SeverityRank(sev) > rules.SeverityRank(best) {
			best = sev
		}
	}
	if best == "" {
		best = l.Severity["default"]
	}
	if rules.SeverityRank(best) < 0 {
		best = "medium"
	}
	return best
}

// listTitle is how alerts name a list: "UN", "OFAC SDN", or its name.
func listTitle(l rules.List) string {
	switch strings.ToLower(l.Format) {
	case "un":
		return "UN"
	case "ofac":
		return "OFAC SDN"
	}
	return strings.ToUpper(l.Name)
}

func programPhrase(l rules.List, e *Entry) string {
	if len(e.Programs) == 0 {
		return ""
	}
	if strings.EqualFold(l.Format, "un") {
		return ", " + e.Program() + " regime"
	}
	return ", " + e.Program() + " program"
}

func references(l rules.List, e *Entry) []string {
	if strings.EqualFold(l.Format, "un") {
		return []string{"UNSC Consolidated List " + e.Ref}
	}
	refs := make([]string, 0, len(e.Programs))
	for _, p := range e.Programs {
		refs = append(refs, "OFAC SDN List, "+p+" program")
	}
	if len(refs) == 0 {
		refs = append(refs, "OFAC SDN List")
	}
	return refs
}

func entryURL(l rules.List, e *Entry) string {
	if strings.EqualFold(l.Format, "ofac") {
		return "https://sanctionssearch.ofac.treas.gov/Details.aspx?id=" + e.Ref
	}
	return ""
}

// summary is the entry in a few lines for the alert's snippet.
func summary(e *Entry) string {
	var parts []string
	add := func(label string, values ...string) {
		if v := strings.Join(values, "; "); v != "" {
			parts = append(parts, label+v)
		}
	}
	add("a.k.a. ", e.AliasNames()...)
	add("", e.OriginalScript...)
	add("", e.Title)
	add("DOB ", e.DatesOfBirth...)
	add("nationality ", e.Nationality...)
	add("IMO ", e.IMO)
	add("listed on ", e.ListedOn)
	return truncate(strings.Join(parts, " · "), 1000)
}

// truncate cuts s to at most n runes, marking the cut.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
