package alert

import (
	"strings"

	"github.com/embargo-watch/embargo/rules"
)

// SnippetRunes is how much text around the matched words an alert carries:
// enough for a reader to judge the context, within a Discord embed description.
const SnippetRunes = 600

// FromResult builds the rule side of an alert (the rule, why it fired, and
// the legal basis) from a rule result on text. The caller adds where the text
// came from: headline, URL, source and publication time.
func FromResult(r rules.Result, text string) Alert {
	snippet, spans := rules.Snippet(text, r.Matches, SnippetRunes)
	highlights := make([]Span, len(spans))
	for i, sp := range spans {
		highlights[i] = Span{Start: sp.Start, End: sp.End}
	}
	return Alert{
		Rule:       r.Rule.ID,
		Title:      r.Rule.Title,
		Category:   r.Rule.Category,
		Severity:   r.Rule.Severity,
		References: append([]string{}, r.Rule.References...),
		Snippet:    snippet,
		Highlights: highlights,
		Matches:    matches(r.Matches, text),
		MatchCount: r.MatchCount,
		Quantities: quantities(r.Quantities),
		Entities:   entities(r.Entities),
	}
}

func matches(ms []rules.Match, text string) []Match {
	out := make([]Match, 0, len(ms))
	for _, m := range ms {
		out = append(out, Match{Group: m.Group, Term: m.Term, Text: text[m.Start:m.End], Start: m.Start, End: m.End})
	}
	return out
}

// quantities lists each quantity once: a story that repeats "6,000 workers"
// in its headline and its body is about one number.
func quantities(qs []rules.Quantity) []Quantity {
	out := make([]Quantity, 0, len(qs))
	seen := make(map[string]bool, len(qs))
	for _, q := range qs {
		key := strings.ToLower(strings.Join(strings.Fields(q.Text), " "))
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, Quantity{Text: q.Text, Number: q.Number, Value: q.Value, Group: q.Group})
	}
	return out
}

// entities lists each designated entry once, however often it is named.
func entities(es []rules.Entity) []Entity {
	out := make([]Entity, 0, len(es))
	seen := make(map[[2]string]bool, len(es))
	for _, e := range es {
		key := [2]string{e.List, e.Ref}
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, Entity{List: e.List, Ref: e.Ref, Name: e.Name, Matched: e.Matched, Program: e.Program})
	}
	return out
}
