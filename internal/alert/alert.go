// Package alert holds the alert: what a rule found in one text, with the words
// that fired it and the legal basis. It is what the monitor stores, the outbox
// delivers, the console sink prints and Discord shows.
package alert

import "time"

// Alert is one (story, rule) that fired, or one change to a sanctions list.
// Its JSON form is the contract of `embargo check --json` and of the console
// sink's `--json` output (DESIGN.md).
type Alert struct {
	// Input is what the rules read: the file, URL or "-" given to `embargo
	// check`, or the article's URL for an alert from a source.
	Input      string    `json:"input,omitempty"`
	ID         int64     `json:"id,omitempty"`
	Rule       string    `json:"rule"`
	Title      string    `json:"title"` // the rule's title
	Category   string    `json:"category"`
	Severity   string    `json:"severity"`
	References []string  `json:"references"`
	Headline   string    `json:"headline,omitempty"` // the article's title
	URL        string    `json:"url,omitempty"`
	Source     string    `json:"source,omitempty"`
	Published  time.Time `json:"published,omitzero"`
	Snippet    string    `json:"snippet,omitempty"`
	// Highlights are the matched words within Snippet, as byte offsets.
	Highlights []Span  `json:"highlights,omitempty"`
	Matches    []Match `json:"matches"`
	// MatchCount counts every hit; Matches keeps the first 100 of them.
	MatchCount int        `json:"match_count,omitempty"`
	Quantities []Quantity `json:"quantities"`
	Entities   []Entity   `json:"entities"`
	// AlsoReportedBy names the other sources that carried the same story.
	AlsoReportedBy []string  `json:"also_reported_by,omitempty"`
	Created        time.Time `json:"created,omitzero"`
}

// Span is a part of a text, in byte offsets.
type Span struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Match is a term that fired, and where: Start and End are UTF-8 byte
// offsets into the text the rules saw (title, summary and article text).
type Match struct {
	Group string `json:"group"`
	Term  string `json:"term"`
	Text  string `json:"text"`
	Start int    `json:"start"`
	End   int    `json:"end"`
}

// Quantity is a number found next to a term, e.g. "6,000 workers".
type Quantity struct {
	Text   string  `json:"text"`   // the words, e.g. "6,000 workers"
	Number string  `json:"number"` // the number as written, e.g. "6,000"
	Value  float64 `json:"value"`  // 6000
	Group  string  `json:"group,omitempty"`
}

// Entity is a designated name found in the text.
type Entity struct {
	List    string `json:"list"`
	Ref     string `json:"ref"`
	Name    string `json:"name"`
	Matched string `json:"matched,omitempty"`
	Program string `json:"program,omitempty"`
}
