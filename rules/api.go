// Package rules loads, validates and compiles embargo rule files and matches
// texts against them.
//
// A rule file (rules.yaml) holds sources, sanctions lists, lexicons and rules.
// Every literal term of every rule is compiled into one multi-pattern automaton,
// so a document is scanned once however many rules there are; rule conditions
// are then evaluated from the hits. A compiled Set is immutable and safe for
// concurrent use.
//
// This package imports nothing else of embargo's.
package rules

// Categories a rule may have, in the order they are documented.
var Categories = []string{"labor", "arms", "maritime", "cyber", "finance", "luxury", "wmd", "designation", "other"}

// Severities a rule may have, lowest first.
var Severities = []string{"info", "low", "medium", "high", "critical"}

// SeverityRank orders severities: info 0 … critical 4; -1 when unknown.
func SeverityRank(severity string) int {
	for i, s := range Severities {
		if s == severity {
			return i
		}
	}
	return -1
}

// Position is a place in a rule file.
type Position struct {
	File   string
	Line   int
	Column int
}

// Source is a feed or page to poll, as configured under `sources:`.
type Source struct {
	Name     string
	URL      string // http(s)://, file:// or a local path
	Type     string // "feed" (RSS, Atom, JSON Feed; the default) or "html"
	Schedule string // cron spec or @every; "" means the default
	Selector string // html: CSS selector of the links that become items
	Fulltext bool   // fetch and extract article text for short summaries
	Pos      Position
}

// List is a sanctions list, as configured under `lists:`.
type List struct {
	Name     string
	Format   string            // "un" or "ofac"
	URL      string            // UN XML; OFAC: sdn.csv (add.csv and alt.csv are found beside it)
	Schedule string            // "" means daily
	Severity map[string]string // severity of designation alerts by program; key "default" for the rest
	Pos      Position
}

// WatchTerm is one designated name that rules can look for in texts, taken from
// a loaded sanctions list (see WithWatchlist).
type WatchTerm struct {
	Text    string // the name or alias as written on the list
	List    string // the list's configured name, e.g. "un"
	Ref     string // the entry's reference number, e.g. "KPe.001"
	Name    string // the entry's primary name
	Program string // the regime or program, e.g. "DPRK"
}

// Result is one rule that fired on a text, with why.
type Result struct {
	Rule       *Rule
	Matches    []Match    // the hits that made the condition true, in text order; the first MaxResultMatches
	MatchCount int        // how many such hits there were, kept or not
	Quantities []Quantity // numbers next to kept hits of groups marked `quantity: true`; at most MaxResultQuantities
	Entities   []Entity   // designated names found through watchlist groups in kept hits; at most MaxResultEntities
}

// Match is one hit of a term; Start and End are byte offsets into the original
// text given to Match.
type Match struct {
	Group string // the rule's group that the term belongs to
	Term  string // the term as written in the rule file
	Start int
	End   int
}

// Quantity is a number found next to a hit, e.g. "6,000 workers".
type Quantity struct {
	Text   string  // the span of original text, e.g. "6,000 workers"
	Number string  // the number as written, e.g. "6,000"
	Value  float64 // 6000
	Group  string
	Start  int
	End    int
}

// Entity is a designated name found in a text.
type Entity struct {
	List    string
	Ref     string
	Name    string // the entry's primary name
	Matched string // the original text that matched
	Program string
	Start   int
	End     int
}

// Rule is one compiled rule. Fields are read-only after loading.
type Rule struct {
	ID          string
	Title       string
	Category    string
	Severity    string
	References  []string
	Description string
	Condition   string // as written; "" when the rule fires on all its groups
	Groups      []Group
	Tests       []Test
	Pos         Position

	groups []*group // compiled groups, Groups in the same order, then groups named by lexicon in the condition
	cond   *cond
	index  int // place in the file
}

// Group describes one of a rule's named selections, for display.
type Group struct {
	Name      string
	Lexicons  []string // lexicon names, in order
	Terms     []string // inline terms as written
	Watchlist string   // e.g. "list un, program DPRK"; "" when none
	Quantity  bool     // numbers next to hits are captured
	Unless    []string // lexicons and terms that drop a hit nearby
	Within    int      // words around a hit that Unless looks at
}

// Test is one of a rule's own tests.
type Test struct {
	Name       string
	Text       string
	Fire       bool     // the rule must fire on Text; false: it must not
	Quantities []string // numbers, as written, that must be among the quantities found
	Pos        Position

	number int // place among the rule's tests, from 1
}
