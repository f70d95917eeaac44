package source

import (
	"bytes"
	"fmt"
	"regexp"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// xmlDecl matches an XML declaration at the start of a document, capturing
// what comes before and after its encoding's value.
var (
	xmlDecl     = regexp.MustCompile(`^\s*<\?xml[^>]*\?>`)
	xmlEncoding = regexp.MustCompile(`(\sencoding\s*=\s*)(?:"[^"]*"|'[^']*')`)
)

// feedToUTF8 returns an XML or JSON feed as UTF-8 with any XML declaration
// saying so, so that the parser never decodes it a second time.
//
// Which charset applies, in order: a byte order mark; bytes that are valid
// UTF-8 already (a wrong label is the usual mistake, and a double decode the
// usual result); the charset of the HTTP Content-Type, which RFC 7303 puts
// above the document's own declaration; the XML declaration.
func feedToUTF8(body []byte, contentType string) ([]byte, error) {
	if utf16, ok := utf16Encoding(body); ok {
		decoded, err := utf16.NewDecoder().Bytes(body)
		if err != nil {
			return nil, fmt.Errorf("decode UTF-16: %w", err)
		}
		return declareUTF8(decoded), nil
	}
	body = bytes.TrimPrefix(body, utf8BOM)
	if utf8.Valid(body) {
		return declareUTF8(body), nil
	}
	label := charsetOf(contentType)
	if label == "" {
		label = declaredEncoding(body)
	}
	if label == "" {
		// Neither says: keep the bytes and let the parser cope, replacing
		// what is not UTF-8.
		return declareUTF8(bytes.ToValidUTF8(body, []byte("\uFFFD"))), nil
	}
	enc, name := charset.Lookup(label)
	if enc == nil {
		return nil, fmt.Errorf("unknown charset %q", label)
	}
	decoded, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", name, err)
	}
	return declareUTF8(decoded), nil
}

func utf16Encoding(body []byte) (encoding.Encoding, bool) {
	switch {
	case bytes.HasPrefix(body, []byte{0xFE, 0xFF}):
		return unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM), true
	case bytes.HasPrefix(body, []byte{0xFF, 0xFE}):
		return unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM), true
	}
	return nil, false
}

// declaredEncoding returns the encoding named by the XML declaration, "" if
// none.
func declaredEncoding(body []byte) string {
	decl := xmlDecl.Find(body)
	if decl == nil {
		return ""
	}
	m := xmlEncoding.FindSubmatch(decl)
	if m == nil {
		return ""
	}
	value := m[0][len(m[1]):]
	return string(value[1 : len(value)-1])
}

// declareUTF8 rewrites the encoding of an XML declaration to UTF-8; a
// document without one is UTF-8 for an XML parser already.
func declareUTF8(body []byte) []byte {
	decl := xmlDecl.Find(body)
	if decl == nil || !xmlEncoding.Match(decl) {
		return body
	}
	fixed := xmlEncoding.ReplaceAll(decl, []byte(`${1}"UTF-8"`))
	if bytes.Equal(fixed, decl) {
		return body
	}
	return append(fixed, body[len(decl):]...)
}
