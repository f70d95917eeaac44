package source

import "testing"

func TestPlainText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain words", "plain words"},
		{"  spaced \n\t out  ", "spaced out"},
		{"<p>North Korea sends <b>6,000</b> workers</p>", "North Korea sends 6,000 workers"},
		{"<p>one</p><p>two</p>", "one two"},
		{"line<br>break<br/>again", "line break again"},
		{"<ul><li>a</li><li>b</li></ul>", "a b"},
		{"AT&amp;T &lt;tag&gt; &#8220;quoted&#8221; &nbsp;x", "AT&T <tag> “quoted” x"},
		{"Q&A without entities", "Q&A without entities"},
		{"a < b and c > d", "a < b and c > d"},
		{"<script>alert('x')</script>visible<style>p{}</style>", "visible"},
		{"<div>before<noscript>enable js</noscript>after</div>", "before after"},
		{"un<em>broken</em>word", "unbrokenword"},
		{"<p>unclosed <b>bold", "unclosed bold"},
		{"<![CDATA[raw]]> text", "text"},
		{"<!-- comment -->kept", "kept"},
		{"bad \xff byte", "bad byte"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := PlainText(tt.in); got != tt.want {
				t.Errorf("PlainText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
