package rules

import (
	"strings"
	"testing"
)

func TestParseCondition(t *testing.T) {
	tests := []struct {
		in   string
		want string // canonical form
	}{
		{"a", "a"},
		{"a and b or c", "((a and b) or c)"},
		{"a or b and c", "(a or (b and c))"},
		{"not a and b", "(not a and b)"},
		{"not (a or b)", "not (a or b)"},
		{"not not a", "not not a"},
		{"a near/20 b", "a near/20 b"},
		{"a near/20 b and not (c near/10 b)", "(a near/20 b and not c near/10 b)"},
		{"not a near/3 b", "not a near/3 b"},
		{"2 of (a, b, c)", "2 of (a, b, c)"},
		{"all of (a, b)", "2 of (a, b)"},
		{"any of (a, b or c)", "1 of (a, (b or c))"},
		{"a >= 3", "a >= 3"},
		{"a>=3 and b", "(a >= 3 and b)"},
		{"(a)", "a"},
		{"dprk-names near/5 work_ers", "dprk-names near/5 work_ers"},
		{"  a\n and\tb  ", "(a and b)"},
	}
	for _, tt := range tests {
		c, err := parseCondition(tt.in)
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if got := c.String(); got != tt.want {
			t.Errorf("%q: got %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestParseConditionErrors(t *testing.T) {
	tests := []struct {
		in     string
		offset int
		msg    string
	}{
		{"", 0, "expected a group name"},
		{"a and", 5, "expected a group name"},
		{"a b", 2, `expected "and", "or" or the end`},
		{"(a or b", 7, `expected ")"`},
		{"a near b", 6, `expected "/"`},
		{"a near/x b", 7, "expected a number of words"},
		{"(a or b) near/3 c", 1, "near needs a group name on each side"},
		{"a near/3 not b", 9, "expected a group name"},
		{"a near/3 (b or c)", 10, "near needs a group name"},
		{"3 of a, b", 5, `expected "(" after "of"`},
		{"4 of (a, b)", 0, "4 of 2 groups"},
		{"0 of (a, b)", 0, "0 of 2 groups"},
		{"a > 2", 2, `expected ">="`},
		{"a >= b", 5, `a number after ">="`},
		{"a & b", 2, "unexpected '&'"},
		{"a and é", 6, "unexpected 'é'"},
		{"all (a, b)", 4, `"of" after "all"`},
		{"and", 0, "expected a group name"},
		{strings.Repeat("(", 200) + "a" + strings.Repeat(")", 200), 100, "nested too deeply"},
		{"99999999999999999999 of (a)", 0, "too large"},
	}
	for _, tt := range tests {
		_, err := parseCondition(tt.in)
		ce, ok := err.(*condError)
		if !ok {
			t.Errorf("%q: got %v, want an error at %d", tt.in, err, tt.offset)
			continue
		}
		if ce.Offset != tt.offset || !strings.Contains(ce.Msg, tt.msg) {
			t.Errorf("%q: got %d %q, want %d %q", tt.in, ce.Offset, ce.Msg, tt.offset, tt.msg)
		}
	}
}

func TestAlwaysTrueConditionsRejected(t *testing.T) {
	for _, c := range []string{"not a", "a or not b", "1 of (a, not b)", "not (a and b)"} {
		_, err := Parse("f.yaml", []byte("version: 1\nrules:\n  - id: r\n    title: t\n    category: other\n    severity: low\n    references: [x]\n    groups: {a: [x], b: [y]}\n    condition: "+c+"\n    tests: [{ok: z}]\n"))
		if err == nil || !strings.Contains(err.Error(), "no hits at all") {
			t.Errorf("%q: got %v, want it rejected", c, err)
		}
	}
}
