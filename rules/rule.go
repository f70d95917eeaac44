package rules

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// group is a compiled named selection of a rule.
type group struct {
	name     string
	slot     int // index among all groups of all rules of the Set
	terms    []termSpec
	watch    *watchSpec
	quantity bool
	unless   []termSpec
	within   int
}

// watchSpec selects watchlist names by list and program prefix.
type watchSpec struct {
	list    string
	program string
}

func (w *watchSpec) String() string {
	var parts []string
	if w.list != "" {
		parts = append(parts, "list "+w.list)
	}
	if w.program != "" {
		parts = append(parts, "program "+w.program)
	}
	if len(parts) == 0 {
		return "every list"
	}
	return strings.Join(parts, ", ")
}

func (w *watchSpec) selects(t *WatchTerm) bool {
	return (w.list == "" || t.List == w.list) && strings.HasPrefix(t.Program, w.program)
}

var groupName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

func (l *loader) rules(n *yaml.Node, f *file) []*Rule {
	var out []*Rule
	for _, item := range l.seq(n, "rules") {
		if r := l.rule(item, f); r != nil {
			r.index = len(out)
			out = append(out, r)
		}
	}
	return out
}

func (l *loader) rule(n *yaml.Node, f *file) *Rule {
	r := &Rule{Pos: l.pos(n)}
	var condNode, testsNode *yaml.Node
	ok := l.fields(n, "a rule", map[string]func(k, v *yaml.Node){
		"id":       func(k, v *yaml.Node) { r.ID = l.name(v, "rule id", l.ruleIDs) },
		"title":    func(k, v *yaml.Node) { r.Title = l.nonEmpty(v, "title") },
		"category": func(k, v *yaml.Node) { r.Category = l.oneOf(v, "category", Categories...) },
		"severity": func(k, v *yaml.Node) { r.Severity = l.oneOf(v, "severity", Severities...) },
		"references": func(k, v *yaml.Node) {
			if r.References = l.strings(v, "references"); len(r.References) == 0 && v.Kind == yaml.SequenceNode {
				l.errorf(v, "references is empty; name the legal basis, e.g. UNSCR 2397 (2017) OP8")
			}
		},
		"description": func(k, v *yaml.Node) { r.Description = l.str(v, "description") },
		"groups":      func(k, v *yaml.Node) { l.groups(v, r, f) },
		"condition":   func(k, v *yaml.Node) { r.Condition, condNode = l.nonEmpty(v, "condition"), v },
		"tests":       func(k, v *yaml.Node) { r.Tests, testsNode = l.tests(v), v },
	}, "id", "title", "category", "severity", "references", "tests")
	if !ok {
		return nil
	}
	if testsNode != nil && len(r.Tests) == 0 && testsNode.Kind == yaml.SequenceNode {
		l.errorf(testsNode, "rule %q has no tests", r.ID)
	}
	l.condition(n, condNode, r, f)
	return r
}

func (l *loader) groups(n *yaml.Node, r *Rule, f *file) {
	if n.Kind != yaml.MappingNode {
		l.errorf(n, "groups must be a mapping from group name to a selection")
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case !groupName.MatchString(k.Value) || keywords[k.Value]:
			l.errorf(k, "group name %q must be a word of letters, digits, _ and -, and not one of: and, or, not, of, all, any, near", k.Value)
		case r.group(k.Value) != nil:
			l.errorf(k, "duplicate group %q", k.Value)
		}
		g, info := l.group(v, f)
		g.name, info.Name = k.Value, k.Value
		r.groups = append(r.groups, g)
		r.Groups = append(r.Groups, info)
	}
}

func (r *Rule) group(name string) *group {
	for _, g := range r.groups {
		if g.name == name {
			return g
		}
	}
	return nil
}

// group reads a selection: a list of terms, or a mapping of lexicon,
// terms, watchlist, quantity and unless.
func (l *loader) group(n *yaml.Node, f *file) (*group, Group) {
	g := &group{}
	var info Group
	if n.Kind == yaml.SequenceNode {
		g.terms = l.terms(n, "a group")
		info.Terms = written(g.terms)
		if len(n.Content) == 0 {
			l.errorf(n, "group has no terms")
		}
		return g, info
	}
	l.fields(n, "a group", map[string]func(k, v *yaml.Node){
		"lexicon": func(k, v *yaml.Node) {
			info.Lexicons = l.lexiconNames(v, f)
			for _, name := range info.Lexicons {
				g.terms = append(g.terms, f.lexicons[name]...)
			}
		},
		"terms": func(k, v *yaml.Node) {
			terms := l.terms(v, "terms")
			g.terms = append(g.terms, terms...)
			info.Terms = written(terms)
		},
		"watchlist": func(k, v *yaml.Node) {
			g.watch = l.watchlist(v)
			info.Watchlist = g.watch.String()
		},
		"quantity": func(k, v *yaml.Node) { g.quantity = l.boolean(v, "quantity"); info.Quantity = g.quantity },
		"unless": func(k, v *yaml.Node) {
			g.unless, g.within, info.Unless = l.unless(v, f)
			info.Within = g.within
		},
	})
	if n.Kind == yaml.MappingNode && !hasAnyKey(n, "lexicon", "terms", "watchlist") {
		l.errorf(n, "group has no lexicon, terms or watchlist")
	}
	return g, info
}

func hasAnyKey(n *yaml.Node, keys ...string) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if slices.Contains(keys, n.Content[i].Value) {
			return true
		}
	}
	return false
}

func written(terms []termSpec) []string {
	out := make([]string, len(terms))
	for i, t := range terms {
		out[i] = t.written
	}
	return out
}

// lexiconNames reads `name` or `[name, …]`, each a defined lexicon.
func (l *loader) lexiconNames(n *yaml.Node, f *file) []string {
	nodes := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		nodes = n.Content
	}
	var names []string
	for _, c := range nodes {
		name := l.nonEmpty(c, "lexicon")
		if _, ok := f.lexicons[name]; name != "" && !ok {
			l.errorf(c, "unknown lexicon %q", name)
			continue
		}
		names = append(names, name)
	}
	return names
}

func (l *loader) watchlist(n *yaml.Node) *watchSpec {
	w := &watchSpec{}
	l.fields(n, "a watchlist", map[string]func(k, v *yaml.Node){
		"list": func(k, v *yaml.Node) {
			w.list = l.nonEmpty(v, "list")
			if w.list != "" && !l.listNames[w.list] {
				l.errorf(v, "unknown list %q (lists are defined above the rules)", w.list)
			}
		},
		"program": func(k, v *yaml.Node) { w.program = l.nonEmpty(v, "program") },
	})
	return w
}

func (l *loader) unless(n *yaml.Node, f *file) ([]termSpec, int, []string) {
	var terms []termSpec
	var shown []string
	within := 0
	l.fields(n, "unless", map[string]func(k, v *yaml.Node){
		"lexicon": func(k, v *yaml.Node) {
			for _, name := range l.lexiconNames(v, f) {
				terms = append(terms, f.lexicons[name]...)
				shown = append(shown, name)
			}
		},
		"terms": func(k, v *yaml.Node) {
			ts := l.terms(v, "terms")
			terms = append(terms, ts...)
			shown = append(shown, written(ts)...)
		},
		"within": func(k, v *yaml.Node) { within = l.integer(v, "within", 0, 10000) },
	}, "within")
	return terms, within, shown
}

func (l *loader) tests(n *yaml.Node) []Test {
	var out []Test
	for _, item := range l.seq(n, "tests") {
		t := Test{Pos: l.pos(item), number: len(out) + 1}
		var fire, ok, quantities *yaml.Node
		l.fields(item, "a test", map[string]func(k, v *yaml.Node){
			"name":       func(k, v *yaml.Node) { t.Name = l.nonEmpty(v, "test name") },
			"fire":       func(k, v *yaml.Node) { t.Text, fire = l.nonEmpty(v, "fire text"), k },
			"ok":         func(k, v *yaml.Node) { t.Text, ok = l.nonEmpty(v, "ok text"), k },
			"quantities": func(k, v *yaml.Node) { t.Quantities, quantities = l.strings(v, "quantities"), k },
		})
		t.Fire = fire != nil
		switch {
		case item.Kind != yaml.MappingNode:
		case fire == nil && ok == nil:
			l.errorf(item, "test has no expectation: give the text as fire: (must fire) or ok: (must not)")
		case fire != nil && ok != nil:
			l.errorf(ok, "test has both fire: and ok:; write two tests")
		case quantities != nil && fire == nil:
			l.errorf(quantities, "quantities only go with fire: tests")
		}
		out = append(out, t)
	}
	return out
}

// condition parses the rule's condition, or builds the default "all
// groups", and resolves group names; a lexicon name stands for a group of
// that lexicon.
func (l *loader) condition(ruleNode, n *yaml.Node, r *Rule, f *file) {
	if n == nil {
		if len(r.groups) == 0 {
			l.errorf(ruleNode, "rule %q has neither groups nor a condition", r.ID)
			return
		}
		r.cond = &cond{op: opAtLeast, n: len(r.groups)}
		for _, g := range r.groups {
			r.cond.args = append(r.cond.args, &cond{op: opGroup, group: g.name})
		}
	} else {
		c, err := parseCondition(r.Condition)
		if err != nil {
			ce := err.(*condError)
			l.errorAt(condPos(l.pos(n), n, ce.Offset), "condition: %s", ce.Msg)
			return
		}
		r.cond = c
	}
	declared := len(r.groups)
	r.cond.groupRefs(func(c *cond) {
		idx := slices.IndexFunc(r.groups, func(g *group) bool { return g.name == c.group })
		if idx < 0 {
			terms, ok := f.lexicons[c.group]
			if !ok {
				l.errorAt(condPos(l.pos(n), n, c.pos), "condition: unknown group %q (groups: %s)", c.group, strings.Join(r.groupNames(declared), ", "))
				return
			}
			idx = len(r.groups)
			r.groups = append(r.groups, &group{name: c.group, terms: terms})
		}
		c.slot = idx
	})
	if n != nil && r.cond.alwaysTrue() {
		l.errorf(n, "condition holds for a text with no hits at all; it needs a group that must hit")
	}
}

func (r *Rule) groupNames(k int) []string {
	names := make([]string, 0, k)
	for _, g := range r.groups[:k] {
		names = append(names, g.name)
	}
	if len(names) == 0 {
		names = append(names, "none declared")
	}
	return names
}

// condPos is the position of byte offset off of a condition written at node n.
// Offsets are exact for conditions on one line; for block scalars the
// position of the condition is the best available.
func condPos(p Position, n *yaml.Node, off int) Position {
	v := n.Value
	if off > len(v) || strings.Contains(v, "\n") || n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return p
	}
	p.Column += utf8.RuneCountInString(v[:off])
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
		p.Column++
	}
	return p
}

// alwaysTrue reports whether c holds when no group has any hit; such a
// condition would fire on every text.
func (c *cond) alwaysTrue() bool {
	switch c.op {
	case opGroup, opNear:
		return false
	case opCount:
		return c.n <= 0
	case opNot:
		return !c.args[0].alwaysTrue()
	case opAnd:
		return c.args[0].alwaysTrue() && c.args[1].alwaysTrue()
	case opOr:
		return c.args[0].alwaysTrue() || c.args[1].alwaysTrue()
	case opAtLeast:
		k := 0
		for _, a := range c.args {
			if a.alwaysTrue() {
				k++
			}
		}
		return k >= c.n
	}
	return false
}

func (t Test) String() string {
	if t.Name != "" {
		return t.Name
	}
	kind := "ok"
	if t.Fire {
		kind = "fire"
	}
	return fmt.Sprintf("%s #%d (line %d)", kind, t.number, t.Pos.Line)
}
