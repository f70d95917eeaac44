package rules

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/robfig/cron/v3"
	"gopkg.in/yaml.v3"
)

// Option changes how a rule file is loaded.
type Option func(*options)

type options struct {
	watchlist []WatchTerm
}

// WithWatchlist supplies the designated names that `watchlist:` groups look
// for. Without it such groups never hit.
func WithWatchlist(terms []WatchTerm) Option {
	return func(o *options) { o.watchlist = terms }
}

// LoadFile reads, validates and compiles a rule file. The error lists every
// problem found, as Errors.
func LoadFile(path string, opts ...Option) (*Set, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read rule file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxRuleFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read rule file %s: %w", path, err)
	}
	if len(data) > MaxRuleFileBytes {
		return nil, Errors{{Pos: Position{File: path, Line: 1, Column: 1}, Msg: fmt.Sprintf("rule file is larger than %d MiB", MaxRuleFileBytes>>20)}}
	}
	return Parse(path, data, opts...)
}

// MaxRuleFileBytes is the largest rule file LoadFile reads.
const MaxRuleFileBytes = 16 << 20

// Parse validates and compiles rules from data; filename is used in error
// positions. The error lists every problem found, as Errors.
func Parse(filename string, data []byte, opts ...Option) (*Set, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	l := &loader{
		file: filename, norm: newNormalizer(true),
		sourceNames: map[string]bool{}, listNames: map[string]bool{}, ruleIDs: map[string]bool{},
	}
	f := l.load(data)
	if len(l.errs) > 0 {
		return nil, l.errs.sorted()
	}
	return compile(f, o), nil
}

// file is a rule file after validation, before compilation.
type file struct {
	sources  []Source
	lists    []List
	lexicons map[string][]termSpec
	lexOrder []string
	rules    []*Rule
}

// termSpec is one term as configured.
type termSpec struct {
	written       string // as written, with the * of a prefix term
	text          string // without the *
	caseSensitive bool
	prefix        bool
}

// loader walks the YAML node tree, collecting every problem with its position.
type loader struct {
	file        string
	norm        *normalizer // for checking that terms are not empty
	errs        Errors
	sourceNames map[string]bool
	listNames   map[string]bool
	ruleIDs     map[string]bool
}

func (l *loader) pos(n *yaml.Node) Position {
	return Position{File: l.file, Line: n.Line, Column: n.Column}
}

func (l *loader) errorf(n *yaml.Node, format string, args ...any) {
	l.errs = append(l.errs, &Error{Pos: l.pos(n), Msg: fmt.Sprintf(format, args...)})
}

func (l *loader) errorAt(p Position, format string, args ...any) {
	l.errs = append(l.errs, &Error{Pos: p, Msg: fmt.Sprintf(format, args...)})
}

func (l *loader) load(data []byte) *file {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		l.syntaxError(data, err)
		return nil
	}
	if len(doc.Content) == 0 {
		l.errorAt(Position{File: l.file, Line: 1, Column: 1}, "empty rule file")
		return nil
	}
	l.rejectAliases(doc.Content[0])
	f := &file{lexicons: map[string][]termSpec{}}
	// Rules refer to lexicons and lists, so those are read first, wherever
	// they stand in the file.
	var sources, lists, lexicons, rules *yaml.Node
	l.fields(doc.Content[0], "the rule file", map[string]func(k, v *yaml.Node){
		"version":  func(k, v *yaml.Node) { l.integer(v, "version", 1, 1) },
		"sources":  func(k, v *yaml.Node) { sources = v },
		"lists":    func(k, v *yaml.Node) { lists = v },
		"lexicons": func(k, v *yaml.Node) { lexicons = v },
		"rules":    func(k, v *yaml.Node) { rules = v },
	}, "version")
	if sources != nil {
		f.sources = l.sources(sources)
	}
	if lists != nil {
		f.lists = l.lists(lists)
	}
	if lexicons != nil {
		l.lexicons(lexicons, f)
	}
	if rules != nil {
		f.rules = l.rules(rules, f)
	}
	return f
}

// rejectAliases refuses anchors and aliases: rule files share terms through
// lexicons, and expanding aliases would let a small file grow without bound.
// Each is reported; the rest of the file is still checked, with an alias
// standing for what it names while that adds no more nodes than the file
// has, and for nothing after.
func (l *loader) rejectAliases(root *yaml.Node) {
	budget := countNodes(root)
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Anchor != "" {
			l.errorf(n, "YAML anchors and aliases are not supported (&%s); share terms through lexicons", n.Anchor)
			n.Anchor = ""
		}
		if n.Kind == yaml.AliasNode {
			l.errorf(n, "YAML anchors and aliases are not supported (*%s); share terms through lexicons", n.Value)
			l.resolveAlias(n, &budget)
			return
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(root)
}

// resolveAlias replaces alias n by a copy of the node it names, sharing
// its children, or by an empty value when that would hold an alias or
// exceed the budget of nodes.
func (l *loader) resolveAlias(n *yaml.Node, budget *int) {
	line, column := n.Line, n.Column
	target := n.Alias
	size := countNodes(target)
	if target == nil || hasAlias(target) || size > *budget {
		*n = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str"}
	} else {
		*budget -= size
		*n = *target
	}
	n.Line, n.Column = line, column
}

func countNodes(n *yaml.Node) int {
	if n == nil {
		return 0
	}
	total := 1
	for _, c := range n.Content {
		total += countNodes(c)
	}
	return total
}

func hasAlias(n *yaml.Node) bool {
	if n.Kind == yaml.AliasNode {
		return true
	}
	return slices.ContainsFunc(n.Content, hasAlias)
}

// fields walks a mapping, calling the handler of each known key and
// reporting unknown, duplicate and missing required keys.
func (l *loader) fields(n *yaml.Node, what string, handlers map[string]func(k, v *yaml.Node), required ...string) bool {
	if n.Kind != yaml.MappingNode {
		l.errorf(n, "%s must be a mapping", what)
		return false
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		h, ok := handlers[k.Value]
		switch {
		case !ok:
			l.errorf(k, "unknown key %q in %s (known: %s)", k.Value, what, strings.Join(sortedKeys(handlers), ", "))
		case seen[k.Value]:
			l.errorf(k, "duplicate key %q in %s", k.Value, what)
		default:
			seen[k.Value] = true
			h(k, v)
		}
	}
	for _, r := range required {
		if !seen[r] {
			l.errorf(n, "%s has no %q", what, r)
		}
	}
	return true
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func (l *loader) str(n *yaml.Node, what string) string {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		l.errorf(n, "%s must be a string", what)
		return ""
	}
	return n.Value
}

func (l *loader) nonEmpty(n *yaml.Node, what string) string {
	s := l.str(n, what)
	if n.Kind == yaml.ScalarNode && n.Tag != "!!null" && strings.TrimSpace(s) == "" {
		l.errorf(n, "%s is empty", what)
	}
	return s
}

func (l *loader) boolean(n *yaml.Node, what string) bool {
	var b bool
	if n.Kind != yaml.ScalarNode || n.Decode(&b) != nil {
		l.errorf(n, "%s must be true or false", what)
	}
	return b
}

func (l *loader) integer(n *yaml.Node, what string, lo, hi int) int {
	var i int
	if n.Kind != yaml.ScalarNode || n.Decode(&i) != nil || i < lo || i > hi {
		if lo == hi {
			l.errorf(n, "%s must be %d", what, lo)
		} else {
			l.errorf(n, "%s must be a whole number from %d to %d", what, lo, hi)
		}
		return lo
	}
	return i
}

func (l *loader) seq(n *yaml.Node, what string) []*yaml.Node {
	if n.Kind != yaml.SequenceNode {
		l.errorf(n, "%s must be a list", what)
		return nil
	}
	return n.Content
}

func (l *loader) strings(n *yaml.Node, what string) []string {
	var out []string
	for i, c := range l.seq(n, what) {
		out = append(out, l.nonEmpty(c, fmt.Sprintf("%s: entry %d", what, i+1)))
	}
	return out
}

var namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

func (l *loader) name(n *yaml.Node, what string, seen map[string]bool) string {
	s := l.nonEmpty(n, what)
	switch {
	case s == "":
	case !namePattern.MatchString(s):
		l.errorf(n, "%s %q must be lower-case letters, digits and dashes", what, s)
	case seen[s]:
		l.errorf(n, "duplicate %s %q", what, s)
	default:
		seen[s] = true
	}
	return s
}

func (l *loader) schedule(n *yaml.Node, what string) string {
	s := l.nonEmpty(n, what)
	if s == "" {
		return ""
	}
	if _, err := cron.ParseStandard(s); err != nil {
		l.errorf(n, "%s %q: %v", what, s, err)
	}
	return s
}

func (l *loader) url(n *yaml.Node, what string) string {
	s := l.nonEmpty(n, what)
	if s == "" || !strings.Contains(s, "://") {
		return s // a local path
	}
	u, err := url.Parse(s)
	switch {
	case err != nil:
		l.errorf(n, "%s: %v", what, errors.Unwrap(err))
	case u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "file":
		l.errorf(n, "%s %q: scheme must be http, https or file", what, s)
	case u.Scheme != "file" && u.Host == "":
		l.errorf(n, "%s %q has no host", what, s)
	}
	return s
}

func (l *loader) sources(n *yaml.Node) []Source {
	var out []Source
	for _, item := range l.seq(n, "sources") {
		s := Source{Type: "feed", Pos: l.pos(item)}
		var selector *yaml.Node
		l.fields(item, "a source", map[string]func(k, v *yaml.Node){
			"name":     func(k, v *yaml.Node) { s.Name = l.name(v, "source name", l.sourceNames) },
			"url":      func(k, v *yaml.Node) { s.URL = l.url(v, "source url") },
			"type":     func(k, v *yaml.Node) { s.Type = l.oneOf(v, "source type", "feed", "html") },
			"schedule": func(k, v *yaml.Node) { s.Schedule = l.schedule(v, "schedule") },
			"selector": func(k, v *yaml.Node) { s.Selector, selector = l.nonEmpty(v, "selector"), v },
			"fulltext": func(k, v *yaml.Node) { s.Fulltext = l.boolean(v, "fulltext") },
		}, "name", "url")
		if s.Type == "html" && selector == nil {
			l.errorf(item, "source %q of type html needs a selector", s.Name)
		}
		if s.Type != "html" && selector != nil {
			l.errorf(selector, "selector is only for sources of type html")
		}
		out = append(out, s)
	}
	return out
}

func (l *loader) oneOf(n *yaml.Node, what string, allowed ...string) string {
	s := l.str(n, what)
	if s != "" && !slices.Contains(allowed, s) {
		l.errorf(n, "unknown %s %q (one of: %s)", what, s, strings.Join(allowed, ", "))
	}
	return s
}

func (l *loader) lists(n *yaml.Node) []List {
	var out []List
	for _, item := range l.seq(n, "lists") {
		list := List{Pos: l.pos(item)}
		l.fields(item, "a list", map[string]func(k, v *yaml.Node){
			"name":     func(k, v *yaml.Node) { list.Name = l.name(v, "list name", l.listNames) },
			"format":   func(k, v *yaml.Node) { list.Format = l.oneOf(v, "list format", "un", "ofac") },
			"url":      func(k, v *yaml.Node) { list.URL = l.url(v, "list url") },
			"schedule": func(k, v *yaml.Node) { list.Schedule = l.schedule(v, "schedule") },
			"severity": func(k, v *yaml.Node) { list.Severity = l.severityMap(v) },
		}, "name", "format", "url")
		out = append(out, list)
	}
	return out
}

func (l *loader) severityMap(n *yaml.Node) map[string]string {
	if n.Kind != yaml.MappingNode {
		l.errorf(n, "severity must be a mapping from program to severity, e.g. {DPRK: high, default: medium}")
		return nil
	}
	m := map[string]string{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if _, dup := m[k.Value]; dup {
			l.errorf(k, "duplicate program %q", k.Value)
		}
		m[k.Value] = l.oneOf(v, "severity", Severities...)
	}
	return m
}

func (l *loader) lexicons(n *yaml.Node, f *file) {
	if n.Kind != yaml.MappingNode {
		l.errorf(n, "lexicons must be a mapping from name to a list of terms")
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if _, dup := f.lexicons[k.Value]; dup {
			l.errorf(k, "duplicate lexicon %q", k.Value)
			continue
		}
		if k.Value == "" {
			l.errorf(k, "lexicon name is empty")
		}
		terms := l.terms(v, "lexicon "+k.Value)
		if len(terms) == 0 && v.Kind == yaml.SequenceNode {
			l.errorf(v, "lexicon %q has no terms", k.Value)
		}
		f.lexicons[k.Value] = terms
		f.lexOrder = append(f.lexOrder, k.Value)
	}
}

func (l *loader) terms(n *yaml.Node, what string) []termSpec {
	var out []termSpec
	for _, item := range l.seq(n, what) {
		if t, ok := l.term(item); ok {
			out = append(out, t)
		}
	}
	return out
}

// term reads `word`, `word*` or {term: word, case: true, prefix: true}.
func (l *loader) term(n *yaml.Node) (termSpec, bool) {
	var t termSpec
	textNode := n
	if n.Kind == yaml.MappingNode {
		textNode = nil
		l.fields(n, "a term", map[string]func(k, v *yaml.Node){
			"term":   func(k, v *yaml.Node) { textNode = v },
			"case":   func(k, v *yaml.Node) { t.caseSensitive = l.boolean(v, "case") },
			"prefix": func(k, v *yaml.Node) { t.prefix = l.boolean(v, "prefix") },
		}, "term")
		if textNode == nil {
			return t, false
		}
	}
	if textNode.Kind != yaml.ScalarNode || textNode.Tag == "!!null" {
		l.errorf(textNode, "a term must be a string or {term: …, case: …, prefix: …}")
		return t, false
	}
	t.written = textNode.Value
	t.text = strings.TrimSpace(textNode.Value)
	if strings.HasSuffix(t.text, "*") {
		t.prefix = true
		t.text = strings.TrimSpace(strings.TrimSuffix(t.text, "*"))
	}
	if l.norm.termKey(t.text) == "" {
		l.errorf(textNode, "empty term %q", textNode.Value)
		return t, false
	}
	return t, true
}

// termKey is the form of a term that is looked for in normalized text.
func (n *normalizer) termKey(s string) string {
	n.normalize(s)
	return strings.TrimSpace(string(n.text))
}
