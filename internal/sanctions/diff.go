package sanctions

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Change kinds.
const (
	Added   = "added"
	Removed = "removed"
	Amended = "amended"
)

// Change is one difference between two versions of a list.
type Change struct {
	List    string `json:"list"`
	Ref     string `json:"ref"`
	Kind    string `json:"change"` // added, removed or amended
	Name    string `json:"name"`
	Program string `json:"program"`
	Entry   Entry  `json:"-"` // the entry as it is now (as it was, for removed)
	Old     *Entry `json:"-"` // the previous entry, for amended
	Detail  string `json:"detail,omitempty"`
}

// Diff compares two versions of a list by reference number: entries only in
// new are added, only in old removed, and in both amended when their names,
// aliases, original-script names or programs differ. Changes come sorted by
// kind (added, removed, amended) and then reference.
func Diff(old, new []Entry) []Change {
	before := make(map[string]*Entry, len(old))
	for i := range old {
		before[old[i].Ref] = &old[i]
	}
	var changes []Change
	seen := make(map[string]bool, len(new))
	for i := range new {
		e := &new[i]
		seen[e.Ref] = true
		prev, ok := before[e.Ref]
		switch {
		case !ok:
			changes = append(changes, newChange(Added, e, nil, ""))
		default:
			if detail := amendment(prev, e); detail != "" {
				changes = append(changes, newChange(Amended, e, prev, detail))
			}
		}
	}
	for i := range old {
		if !seen[old[i].Ref] {
			changes = append(changes, newChange(Removed, &old[i], nil, ""))
		}
	}
	rank := map[string]int{Added: 0, Removed: 1, Amended: 2}
	slices.SortStableFunc(changes, func(a, b Change) int {
		return cmp.Or(cmp.Compare(rank[a.Kind], rank[b.Kind]), cmp.Compare(a.Ref, b.Ref))
	})
	return changes
}

func newChange(kind string, e, old *Entry, detail string) Change {
	return Change{List: e.List, Ref: e.Ref, Kind: kind, Name: e.Name, Program: e.Program(), Entry: *e, Old: old, Detail: detail}
}

// amendment describes what changed in the names of an entry, or "" when
// nothing that identifies it did. Spacing and case are ignored: the UN file
// rewraps text between versions.
func amendment(old, new *Entry) string {
	var parts []string
	if !strings.EqualFold(cleanSpace(old.Name), cleanSpace(new.Name)) {
		parts = append(parts, fmt.Sprintf("name %q → %q", old.Name, new.Name))
	}
	oldNames := append(old.AliasNames(), old.OriginalScript...)
	newNames := append(new.AliasNames(), new.OriginalScript...)
	if added := missingFrom(oldNames, newNames); len(added) > 0 {
		parts = append(parts, "aliases added: "+strings.Join(added, "; "))
	}
	if removed := missingFrom(newNames, oldNames); len(removed) > 0 {
		parts = append(parts, "aliases removed: "+strings.Join(removed, "; "))
	}
	if old.Program() != new.Program() {
		parts = append(parts, fmt.Sprintf("programs %q → %q", old.Program(), new.Program()))
	}
	return strings.Join(parts, "; ")
}

// missingFrom returns the names of b that a lacks, ignoring case and spacing.
func missingFrom(a, b []string) []string {
	have := make(map[string]bool, len(a))
	for _, s := range a {
		have[strings.ToLower(cleanSpace(s))] = true
	}
	var missing []string
	for _, s := range b {
		if !have[strings.ToLower(cleanSpace(s))] {
			missing = append(missing, s)
		}
	}
	return missing
}
