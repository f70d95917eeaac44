package rules

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestValidationListsEveryProblem(t *testing.T) {
	_, err := LoadFile("testdata/invalid.yaml")
	if err == nil {
		t.Fatal("loaded an invalid file")
	}
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("error is %T, want Errors", err)
	}
	want := []string{
		`testdata/invalid.yaml:2:1: unknown key "colour" in the rule file`,
		`testdata/invalid.yaml:6:11: duplicate source name "feed-a"`,
		`testdata/invalid.yaml:7:10: source url "ftp://example.org/feed": scheme must be http, https or file`,
		`testdata/invalid.yaml:8:11: unknown source type "pdf"`,
		`testdata/invalid.yaml:9:5: source "page" of type html needs a selector`,
		`testdata/invalid.yaml:14:13: unknown list format "xml"`,
		`testdata/invalid.yaml:16:22: unknown severity "urgent"`,
		`testdata/invalid.yaml:20:7: empty term ""`,
		`testdata/invalid.yaml:21:20: unknown key "cse" in a term`,
		`testdata/invalid.yaml:22:10: lexicon "empty" has no terms`,
		`testdata/invalid.yaml:26:15: unknown category "labour"`,
		`testdata/invalid.yaml:31:27: unknown lexicon "workers"`,
		`testdata/invalid.yaml:32:29: condition: unknown group "wrkers" (groups: dprk, workers)`,
		`testdata/invalid.yaml:35:9: test has no expectation`,
		`testdata/invalid.yaml:36:9: duplicate rule id "labor"`,
		`testdata/invalid.yaml:39:15: unknown severity "severe"`,
		`testdata/invalid.yaml:43:27: condition: expected a group name`,
		`testdata/invalid.yaml:44:12: rule "labor" has no tests`,
		`testdata/invalid.yaml:52:16: condition holds for a text with no hits at all`,
		`testdata/invalid.yaml:55:9: quantities only go with fire: tests`,
	}
	got := strings.Split(err.Error(), "\n")
	for _, w := range want {
		if !containsPrefix(got, w) {
			t.Errorf("missing error %q", w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d errors, want %d:\n%s", len(got), len(want), err)
	}
}

func containsPrefix(lines []string, prefix string) bool {
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			return true
		}
	}
	return false
}

func TestValidationSingleProblems(t *testing.T) {
	const rule = "rules:\n  - id: r\n    title: t\n    category: other\n    severity: low\n    references: [x]\n"
	tests := []struct {
		name string
		yaml string
		want string
	}{
		{"empty file", "", "f.yaml:1:1: empty rule file"},
		{"comments only", "# nothing\n", "f.yaml:1:1: empty rule file"},
		{"binary", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "f.yaml:1:1: YAML syntax"},
		{"invalid utf-8", "version: 1\nlexicons:\n  a: [\"\xff\xfe\"]\n", "f.yaml:3:8: YAML syntax: the file is not UTF-8 text"},
		{"yaml syntax", "version: 1\nrules: [\n", "f.yaml:2:8: YAML syntax: a value is missing, or a [ or { is not closed"},
		{"tab indentation", "version: 1\n\trules: []\n", "f.yaml:2:1: YAML syntax"},
		{"not a mapping", "- a\n- b\n", "f.yaml:1:1: the rule file must be a mapping"},
		{"missing version", "rules: []\n", `f.yaml:1:1: the rule file has no "version"`},
		{"wrong version", "version: 2\n", "f.yaml:1:10: version must be 1"},
		{"duplicate key", "version: 1\nversion: 1\n", `f.yaml:2:1: duplicate key "version"`},
		{"alias", "version: 1\nlexicons:\n  a: &x [one]\n  b: *x\n", "f.yaml:3:6: YAML anchors and aliases are not supported"},
		{"unknown group key", "version: 1\n" + rule + "    groups:\n      g: {terms: [a], lexicons: [b]}\n    tests: [{fire: a}]\n", `f.yaml:9:23: unknown key "lexicons" in a group`},
		{"unknown rule key", "version: 1\n" + rule + "    group: {}\n    tests: [{fire: a}]\n", `f.yaml:8:5: unknown key "group" in a rule`},
		{"no groups or condition", "version: 1\n" + rule + "    tests: [{fire: a}]\n", `f.yaml:3:5: rule "r" has neither groups nor a condition`},
		{"keyword as group name", "version: 1\n" + rule + "    groups:\n      and: [a]\n    tests: [{fire: a}]\n", `f.yaml:9:7: group name "and"`},
		{"bad condition token", "version: 1\n" + rule + "    groups:\n      g: [a]\n    condition: g & g\n    tests: [{fire: a}]\n", `f.yaml:10:18: condition: unexpected '&'`},
		{"quoted condition column", "version: 1\n" + rule + "    groups:\n      g: [a]\n    condition: \"g near/ g\"\n    tests: [{fire: a}]\n", `f.yaml:10:24: condition: expected a number of words`},
		{"watchlist of unknown list", "version: 1\n" + rule + "    groups:\n      g: {watchlist: {list: ofac}}\n    tests: [{fire: a}]\n", `f.yaml:9:29: unknown list "ofac"`},
		{"both fire and ok", "version: 1\n" + rule + "    groups:\n      g: [a]\n    tests: [{fire: a, ok: b}]\n", `f.yaml:10:23: test has both fire: and ok:`},
		{"bad schedule", "version: 1\nsources:\n  - {name: a, url: /tmp/x.xml, schedule: every day}\n", `f.yaml:3:42: schedule "every day"`},
		{"group selects nothing", "version: 1\n" + rule + "    groups:\n      g: {quantity: true}\n    tests: [{fire: a}]\n", `f.yaml:9:10: group has no lexicon, terms or watchlist`},
		{"no references", "version: 1\n" + strings.Replace(rule, "[x]", "[]", 1) + "    groups:\n      g: [a]\n    tests: [{fire: a}]\n", `f.yaml:7:17: references is empty`},
		{"empty reference", "version: 1\n" + strings.Replace(rule, "[x]", "[x, '']", 1) + "    groups:\n      g: [a]\n    tests: [{fire: a}]\n", `f.yaml:7:21: references: entry 2 is empty`},
		{"duplicate lexicon", "version: 1\nlexicons:\n  a: [x]\n  a: [y]\n", `f.yaml:4:3: duplicate lexicon "a"`},
		{"unless without within", "version: 1\n" + rule + "    groups:\n      g: {terms: [a], unless: {terms: [b]}}\n    tests: [{fire: a}]\n", `f.yaml:9:31: unless has no "within"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("f.yaml", []byte(tt.yaml))
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if !containsPrefix(strings.Split(err.Error(), "\n"), tt.want) {
				t.Errorf("got  %q\nwant %q…", err, tt.want)
			}
		})
	}
}

func TestYAMLSyntaxPositions(t *testing.T) {
	const head = "version: 1\nrules:\n  - id: a\n"
	tests := []struct {
		name string
		yaml string
		want string
	}{
		{"unclosed list", head + "    title: [unclosed\n    category: x\n", "f.yaml:4:12: YAML syntax: a [ list is not closed with ]"},
		{"unclosed mapping", "a: {x: 1\n", "f.yaml:1:4: YAML syntax: a { mapping is not closed with }"},
		{"key indented too little", "version: 1\nlexicons:\n  a: [x]\n b: [y]\n", "f.yaml:4:2: YAML syntax: the indentation of this line does not match the keys above it"},
		{"list item indented too little", "version: 1\nlexicons:\n  a:\n    - x\n   - y\n", "f.yaml:5:4: YAML syntax: the indentation of this line does not match"},
		{"key indented too deep", head + "      title: b\n", "f.yaml:4:12: YAML syntax: \": \" is not allowed here"},
		{"key outside its list item", head + "    title: b\n  category: c\n", `f.yaml:5:3: YAML syntax: a list item must start with "- "`},
		{"unterminated quote", head + "    title: b\n    category: c\n    severity: \"high\n", "f.yaml:6:15: YAML syntax: quoted text is not closed"},
		{"unterminated quote in a list", "version: 1\nlexicons:\n  a: [x, 'y]\n", "f.yaml:3:10: YAML syntax: quoted text is not closed"},
		{"two colons", "a: b: c\n", "f.yaml:1:5: YAML syntax: \": \" is not allowed here"},
		{"non-ASCII before the problem", "version: 1\nlexicons:\n  a: [노동자, \"x]\n", "f.yaml:3:12: YAML syntax: quoted text is not closed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("f.yaml", []byte(tt.yaml))
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("got  %v\nwant %s…", err, tt.want)
			}
		})
	}
}

func TestAnchorsReportedAndValidationGoesOn(t *testing.T) {
	_, err := Parse("f.yaml", []byte("version: 2\nlexicons:\n  a: &x [one]\n  b: *x\n  c: [\"\"]\n"))
	want := []string{
		"f.yaml:1:10: version must be 1",
		"f.yaml:3:6: YAML anchors and aliases are not supported (&x); share terms through lexicons",
		"f.yaml:4:6: YAML anchors and aliases are not supported (*x); share terms through lexicons",
		`f.yaml:5:6: lexicon "c" has no terms`,
		`f.yaml:5:7: empty term ""`,
	}
	if err == nil || err.Error() != strings.Join(want, "\n") {
		t.Errorf("got\n%v\nwant\n%s", err, strings.Join(want, "\n"))
	}
}

func TestLoadFileProblems(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, bytes.Repeat([]byte("# comment\n"), MaxRuleFileBytes/10+1), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		want string
	}{
		{filepath.Join(dir, "missing.yaml"), "read rule file: open " + filepath.Join(dir, "missing.yaml") + ": no such file or directory"},
		{big, big + ":1:1: rule file is larger than 16 MiB"},
		{dir, "read rule file " + dir + ": read " + dir + ": is a directory"},
	}
	for _, tt := range tests {
		_, err := LoadFile(tt.path)
		if err == nil || err.Error() != tt.want {
			t.Errorf("LoadFile(%s):\n got %v\nwant %s", tt.path, err, tt.want)
		}
	}
}

func TestRulesBeforeLexiconsAndLists(t *testing.T) {
	s := mustParse(t, `
rules:
  - id: r
    title: t
    category: other
    severity: low
    references: [x]
    groups:
      a: {lexicon: words}
      b: {watchlist: {list: un}}
    condition: a or b
    tests: [{fire: alpha}]
lexicons:
  words: [alpha]
lists:
  - {name: un, format: un, url: /tmp/un.xml}
version: 1
`)
	if got := ruleIDs(s.Match("alpha")); got != "r" {
		t.Errorf("fired %q, want r", got)
	}
}
