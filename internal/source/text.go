package source

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// PlainText returns the text of an HTML fragment: tags stripped, entities
// decoded, scripts and styles dropped, whitespace collapsed to single spaces.
// Block elements separate words, so "<p>a</p><p>b</p>" reads "a b". Plain
// text passes through with only its entities decoded and spaces collapsed.
func PlainText(fragment string) string {
	if !strings.ContainsAny(fragment, "<&") {
		return collapseSpaces(fragment)
	}
	var b strings.Builder
	b.Grow(len(fragment))
	z := html.NewTokenizer(strings.NewReader(fragment))
	skip := 0 // depth inside script, style and the like
	for {
		switch z.Next() {
		case html.ErrorToken:
			return collapseSpaces(b.String())
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if invisible(a) {
				skip++
			}
			if separates(a) || invisible(a) {
				b.WriteByte(' ')
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if invisible(a) && skip > 0 {
				skip--
			}
			if separates(a) || invisible(a) {
				b.WriteByte(' ')
			}
		case html.SelfClosingTagToken:
			name, _ := z.TagName()
			if separates(atom.Lookup(name)) {
				b.WriteByte(' ')
			}
		}
	}
}

func invisible(a atom.Atom) bool {
	switch a {
	case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Iframe, atom.Object, atom.Svg:
		return true
	}
	return false
}

// separates reports elements that end a word: blocks, line breaks, cells.
func separates(a atom.Atom) bool {
	switch a {
	case atom.Br, atom.P, atom.Div, atom.Li, atom.Ul, atom.Ol, atom.Dl, atom.Dt, atom.Dd,
		atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Tr, atom.Td, atom.Th,
		atom.Blockquote, atom.Pre, atom.Hr, atom.Section, atom.Article, atom.Header,
		atom.Footer, atom.Figure, atom.Figcaption, atom.Table, atom.Img:
		return true
	}
	return false
}

// collapseSpaces trims and turns every run of white space (including
// non-breaking spaces) into one space.
func collapseSpaces(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || r == '\u00a0' {
			space = b.Len() > 0
			continue
		}
		if r == utf8.RuneError {
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}
