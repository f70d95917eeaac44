package rules

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// condOp is the kind of a condition node.
type condOp int

const (
	opGroup   condOp = iota // a: the group has a hit
	opAnd                   // a and b
	opOr                    // a or b
	opNot                   // not a
	opNear                  // a near/N b
	opAtLeast               // N of (a, b, …); all of and any of are written this way
	opCount                 // a >= N
)

// cond is a parsed condition. Conditions are small trees evaluated once per
// rule per document, straight from the hits.
type cond struct {
	op    condOp
	group string // opGroup, opCount; opNear uses args
	slot  int    // opGroup, opCount: index of the group in its rule
	n     int    // opNear: words; opAtLeast: how many; opCount: hits
	args  []*cond
	pos   int // byte offset of the node's first token in the condition text
}

// CondError is a syntax error at a byte offset of a condition.
type condError struct {
	Offset int
	Msg    string
}

func (e *condError) Error() string { return fmt.Sprintf("offset %d: %s", e.Offset, e.Msg) }

type tokKind int

const (
	tokEOF tokKind = iota
	tokName
	tokNumber
	tokLParen
	tokRParen
	tokComma
	tokGE
	tokNear // near/N; the number is in tok.n
)

type token struct {
	kind tokKind
	text string
	n    int
	pos  int
}

var keywords = map[string]bool{"and": true, "or": true, "not": true, "of": true, "all": true, "any": true, "near": true}

// lexCondition splits a condition into tokens.
func lexCondition(s string) ([]token, error) {
	var toks []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(':
			toks = append(toks, token{kind: tokLParen, text: "(", pos: i})
			i++
		case c == ')':
			toks = append(toks, token{kind: tokRParen, text: ")", pos: i})
			i++
		case c == ',':
			toks = append(toks, token{kind: tokComma, text: ",", pos: i})
			i++
		case c == '>':
			if !strings.HasPrefix(s[i:], ">=") {
				return nil, &condError{i, `expected ">="`}
			}
			toks = append(toks, token{kind: tokGE, text: ">=", pos: i})
			i += 2
		case '0' <= c && c <= '9':
			j := i
			for j < len(s) && '0' <= s[j] && s[j] <= '9' {
				j++
			}
			n, err := strconv.Atoi(s[i:j])
			if err != nil || n > 1_000_000 {
				return nil, &condError{i, fmt.Sprintf("number %s too large", s[i:j])}
			}
			toks = append(toks, token{kind: tokNumber, text: s[i:j], n: n, pos: i})
			i = j
		case isNameByte(c):
			j := i
			for j < len(s) && (isNameByte(s[j]) || '0' <= s[j] && s[j] <= '9') {
				j++
			}
			word := s[i:j]
			if word != "near" {
				toks = append(toks, token{kind: tokName, text: word, pos: i})
				i = j
				continue
			}
			tok, next, err := lexNear(s, i, j)
			if err != nil {
				return nil, err
			}
			toks = append(toks, tok)
			i = next
		default:
			r, _ := utf8.DecodeRuneInString(s[i:])
			return nil, &condError{i, fmt.Sprintf("unexpected %q", r)}
		}
	}
	return append(toks, token{kind: tokEOF, text: "end of condition", pos: len(s)}), nil
}

func isNameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || c == '-'
}

// lexNear reads "near/N" whose "near" is s[i:j].
func lexNear(s string, i, j int) (token, int, error) {
	if j >= len(s) || s[j] != '/' {
		return token{}, 0, &condError{j, `expected "/" and a number of words after "near", as in near/10`}
	}
	k := j + 1
	for k < len(s) && '0' <= s[k] && s[k] <= '9' {
		k++
	}
	if k == j+1 {
		return token{}, 0, &condError{j + 1, `expected a number of words after "near/"`}
	}
	n, err := strconv.Atoi(s[j+1 : k])
	if err != nil || n > 100_000 {
		return token{}, 0, &condError{j + 1, "near distance too large"}
	}
	return token{kind: tokNear, text: s[i:k], n: n, pos: i}, k, nil
}

// parseCondition parses a condition by recursive descent:
//
//	or      = and { "or" and }
//	and     = not { "and" not }
//	not     = "not" not | near
//	near    = primary [ "near/N" primary ]
//	primary = "(" or ")" | N "of" list | ("all"|"any") "of" list | name [ ">=" N ]
//	list    = "(" or { "," or } ")"
func parseCondition(s string) (*cond, error) {
	toks, err := lexCondition(s)
	if err != nil {
		return nil, err
	}
	p := &condParser{toks: toks}
	c, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, p.unexpected(t, `"and", "or" or the end of the condition`)
	}
	return c, nil
}

type condParser struct {
	toks  []token
	i     int
	depth int
}

func (p *condParser) peek() token { return p.toks[p.i] }

func (p *condParser) take() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func (p *condParser) isWord(w string) bool {
	t := p.peek()
	return t.kind == tokName && t.text == w
}

func (p *condParser) unexpected(t token, want string) error {
	return &condError{t.pos, fmt.Sprintf("expected %s, found %q", want, t.text)}
}

func (p *condParser) or() (*cond, error) {
	return p.binary(opOr, "or", p.and)
}

func (p *condParser) and() (*cond, error) {
	return p.binary(opAnd, "and", p.not)
}

func (p *condParser) binary(op condOp, word string, operand func() (*cond, error)) (*cond, error) {
	left, err := operand()
	if err != nil {
		return nil, err
	}
	for p.isWord(word) {
		p.take()
		right, err := operand()
		if err != nil {
			return nil, err
		}
		left = &cond{op: op, args: []*cond{left, right}, pos: left.pos}
	}
	return left, nil
}

func (p *condParser) not() (*cond, error) {
	if !p.isWord("not") {
		return p.near()
	}
	t := p.take()
	if err := p.enter(t); err != nil {
		return nil, err
	}
	defer p.leave()
	arg, err := p.not()
	if err != nil {
		return nil, err
	}
	return &cond{op: opNot, args: []*cond{arg}, pos: t.pos}, nil
}

func (p *condParser) near() (*cond, error) {
	left, err := p.primary()
	if err != nil {
		return nil, err
	}
	if p.peek().kind != tokNear {
		return left, nil
	}
	t := p.take()
	if left.op != opGroup {
		return nil, &condError{left.pos, "near needs a group name on each side"}
	}
	right, err := p.primary()
	if err != nil {
		return nil, err
	}
	if right.op != opGroup {
		return nil, &condError{right.pos, "near needs a group name on each side"}
	}
	return &cond{op: opNear, n: t.n, args: []*cond{left, right}, pos: left.pos}, nil
}

// enter bounds nesting so that hostile input cannot exhaust the stack.
func (p *condParser) enter(t token) error {
	p.depth++
	if p.depth > 100 {
		return &condError{t.pos, "condition nested too deeply"}
	}
	return nil
}

func (p *condParser) leave() { p.depth-- }

func (p *condParser) primary() (*cond, error) {
	t := p.peek()
	switch {
	case t.kind == tokLParen:
		p.take()
		if err := p.enter(t); err != nil {
			return nil, err
		}
		defer p.leave()
		c, err := p.or()
		if err != nil {
			return nil, err
		}
		if r := p.take(); r.kind != tokRParen {
			return nil, p.unexpected(r, `")"`)
		}
		return c, nil
	case t.kind == tokNumber:
		p.take()
		return p.of(t, t.n)
	case t.kind == tokName && (t.text == "all" || t.text == "any"):
		p.take()
		n := 1
		if t.text == "all" {
			n = -1 // resolved once the list's length is known
		}
		return p.of(t, n)
	case t.kind == tokName && !keywords[t.text]:
		p.take()
		c := &cond{op: opGroup, group: t.text, pos: t.pos}
		if p.peek().kind != tokGE {
			return c, nil
		}
		p.take()
		num := p.take()
		if num.kind != tokNumber {
			return nil, p.unexpected(num, `a number after ">="`)
		}
		c.op, c.n = opCount, num.n
		return c, nil
	default:
		return nil, p.unexpected(t, "a group name, \"not\", \"(\" or \"N of\"")
	}
}

// of parses `of (a, b, …)` after N, all or any.
func (p *condParser) of(first token, n int) (*cond, error) {
	if !p.isWord("of") {
		return nil, p.unexpected(p.peek(), fmt.Sprintf(`"of" after %q`, first.text))
	}
	p.take()
	if l := p.take(); l.kind != tokLParen {
		return nil, p.unexpected(l, `"(" after "of"`)
	}
	if err := p.enter(first); err != nil {
		return nil, err
	}
	defer p.leave()
	c := &cond{op: opAtLeast, n: n, pos: first.pos}
	for {
		arg, err := p.or()
		if err != nil {
			return nil, err
		}
		c.args = append(c.args, arg)
		t := p.take()
		if t.kind == tokRParen {
			break
		}
		if t.kind != tokComma {
			return nil, p.unexpected(t, `"," or ")"`)
		}
	}
	if c.n < 0 {
		c.n = len(c.args)
	}
	if c.n == 0 || c.n > len(c.args) {
		return nil, &condError{first.pos, fmt.Sprintf("%d of %d groups can never be true, or always is", c.n, len(c.args))}
	}
	return c, nil
}

// groupRefs calls fn for every group name node in c.
func (c *cond) groupRefs(fn func(*cond)) {
	if c.op == opGroup || c.op == opCount {
		fn(c)
	}
	for _, a := range c.args {
		a.groupRefs(fn)
	}
}

// String renders the condition in canonical form, fully parenthesized
// where precedence matters.
func (c *cond) String() string {
	switch c.op {
	case opGroup:
		return c.group
	case opCount:
		return fmt.Sprintf("%s >= %d", c.group, c.n)
	case opAnd, opOr:
		word := map[condOp]string{opAnd: " and ", opOr: " or "}[c.op]
		return "(" + c.args[0].String() + word + c.args[1].String() + ")"
	case opNot:
		return "not " + c.args[0].String()
	case opNear:
		return fmt.Sprintf("%s near/%d %s", c.args[0], c.n, c.args[1])
	case opAtLeast:
		parts := make([]string, len(c.args))
		for i, a := range c.args {
			parts[i] = a.String()
		}
		return fmt.Sprintf("%d of (%s)", c.n, strings.Join(parts, ", "))
	}
	return "?"
}
