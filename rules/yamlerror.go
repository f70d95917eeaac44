package rules

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// yaml.v3 reports a syntax error with the line where the construct that
// failed began (a mapping, a [ list, a quote), not where it failed, and
// without a column; its parser, unlike its scanner, counts that line from
// zero. syntaxError finds the line where the file stops being valid YAML,
// the column of the construct on that line, and says what is wrong in
// plain words.

var yamlLine = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)

// yamlProblems are the problems yaml.v3 reports, in plain words. parser
// marks those whose line is counted from zero; find locates the column
// on the offending line.
var yamlProblems = map[string]struct {
	plain  string
	parser bool
	find   func(line []byte) int
}{
	"did not find expected ',' or ']'":                {"a [ list is not closed with ], or two of its items lack a comma between them", true, unclosed('[')},
	"did not find expected ',' or '}'":                {"a { mapping is not closed with }, or two of its entries lack a comma between them", true, unclosed('{')},
	"found unexpected end of stream":                  {"quoted text is not closed: its closing quote is missing", false, openQuote},
	"did not find expected key":                       {"the indentation of this line does not match the keys above it", true, indentation},
	"did not find expected '-' indicator":             {"a list item must start with \"- \" at the indentation of the items above it", true, indentation},
	"did not find expected node content":              {"a value is missing, or a [ or { is not closed", true, firstOf(unclosed('['), unclosed('{'), indentation)},
	"mapping values are not allowed in this context":  {"\": \" is not allowed here: indent the line like the keys above it, or put text that contains \": \" in quotes", false, secondColon},
	"found a tab character that violates indentation": {"a tab indents this line; indent with spaces", false, tab},
	"found character that cannot start any token":     {"a value cannot start with this character; put it in quotes", false, indentation},
	"invalid leading UTF-8 octet":                     {"the file is not UTF-8 text", false, invalidUTF8},
	"invalid trailing UTF-8 octet":                    {"the file is not UTF-8 text", false, invalidUTF8},
	"could not find expected ':'":                     {"a key is not followed by \":\"", false, indentation},
}

func (l *loader) syntaxError(data []byte, err error) {
	msg := err.Error()
	line, problem := 1, strings.TrimPrefix(msg, "yaml: ")
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		problem = m[2]
	}
	known, ok := yamlProblems[problem]
	if l := failingLine(data, max(line, 1), msg); l > 0 {
		line = l
	} else if ok && known.parser {
		line++
	}
	line = min(max(line, 1), lastLine(data))
	column := 1
	plain := problem
	if ok {
		plain = known.plain
		if c := known.find(lineText(data, line)); c > 0 {
			column = c
		}
	}
	l.errorAt(Position{File: l.file, Line: line, Column: column}, "YAML syntax: %s", plain)
}

// lastLine is the number of the last line that has text.
func lastLine(data []byte) int {
	return bytes.Count(bytes.TrimRight(data, "\r\n"), []byte("\n")) + 1
}

// failingLine returns the first line, from line from on, at the end of
// which the file already fails with the same error as the whole file, or
// 0 when none does within a few hundred lines or, for a huge file, within
// the bytes it is worth parsing again.
func failingLine(data []byte, from int, msg string) int {
	const maxLines, maxBytes = 300, 16 << 20
	end, parsed := lineEnd(data, from-1), 0
	for n := from; n < from+maxLines && parsed < maxBytes; n++ {
		if next := bytes.IndexByte(data[end:], '\n'); next >= 0 {
			end += next + 1
		} else {
			end = len(data)
		}
		parsed += end
		var doc yaml.Node
		if err := yaml.Unmarshal(data[:end], &doc); err != nil && err.Error() == msg {
			return n
		}
		if end == len(data) {
			return 0
		}
	}
	return 0
}

// lineEnd is the offset just past line n (counted from 1), or len(data).
func lineEnd(data []byte, n int) int {
	end := 0
	for ; n > 0; n-- {
		i := bytes.IndexByte(data[end:], '\n')
		if i < 0 {
			return len(data)
		}
		end += i + 1
	}
	return end
}

func lineText(data []byte, n int) []byte {
	text := data[lineEnd(data, n-1):lineEnd(data, n)]
	return bytes.TrimRight(text, "\r\n")
}

// unclosed finds the column of the last open bracket that the line does
// not close, outside quotes.
func unclosed(open byte) func([]byte) int {
	closer := map[byte]byte{'[': ']', '{': '}'}[open]
	return func(line []byte) int {
		var stack []int
		quote := byte(0)
		for i, c := range line {
			switch {
			case quote != 0:
				if c == quote {
					quote = 0
				}
			case c == '"' || c == '\'':
				quote = c
			case c == '#' && (i == 0 || line[i-1] == ' '):
				return lastOr(stack, 0)
			case c == open:
				stack = append(stack, column(line, i))
			case c == closer && len(stack) > 0:
				stack = stack[:len(stack)-1]
			}
		}
		return lastOr(stack, 0)
	}
}

// firstOf tries each finder in turn.
func firstOf(finders ...func([]byte) int) func([]byte) int {
	return func(line []byte) int {
		for _, find := range finders {
			if c := find(line); c > 0 {
				return c
			}
		}
		return 0
	}
}

func lastOr(xs []int, none int) int {
	if len(xs) == 0 {
		return none
	}
	return xs[len(xs)-1]
}

// openQuote finds the column of the quote that the line opens and does not close.
func openQuote(line []byte) int {
	open, quote := 0, byte(0)
	for i, c := range line {
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case (c == '"' || c == '\'') && (i == 0 || bytes.IndexByte([]byte(" [{,:-"), line[i-1]) >= 0):
			open, quote = column(line, i), c
		}
	}
	if quote == 0 {
		return 0
	}
	return open
}

// indentation is the column of the line's first character.
func indentation(line []byte) int {
	return column(line, len(line)-len(bytes.TrimLeft(line, " ")))
}

// secondColon finds the column of the ": " after the line's key.
func secondColon(line []byte) int {
	first := bytes.Index(line, []byte(": "))
	if first < 0 {
		return 0
	}
	second := bytes.Index(line[first+2:], []byte(": "))
	if second < 0 {
		return column(line, first)
	}
	return column(line, first+2+second)
}

func tab(line []byte) int {
	return column(line, bytes.IndexByte(line, '\t'))
}

func invalidUTF8(line []byte) int {
	for i := 0; i < len(line); {
		r, size := utf8.DecodeRune(line[i:])
		if r == utf8.RuneError && size == 1 {
			return column(line, i)
		}
		i += size
	}
	return 0
}

// column is the column, counted in characters from 1, of byte i of line;
// 0 when i is negative.
func column(line []byte, i int) int {
	if i < 0 {
		return 0
	}
	return utf8.RuneCount(line[:i]) + 1
}
