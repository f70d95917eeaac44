package alert

import (
	"strings"
	"testing"

	"github.com/embargo-watch/embargo/rules"
)

const pack = `version: 1
lexicons:
  dprk: [North Korea, North Korean]
rules:
  - id: dprk-labor-abroad
    title: DPRK workers abroad
    category: labor
    severity: high
    references: ["UNSCR 2397 (2017) OP8"]
    groups:
      dprk: {lexicon: dprk}
      workers: {terms: ["worker*"], quantity: true}
    condition: dprk near/10 workers
    tests:
      - fire: North Korea sends 6,000 workers to Russia.
      - fire: 200 North Korean workers arrived.
      - fire: North Korean workers, 300 of them, arrived.
      - ok: Workers in Uzbekistan.
      - ok: North Korea fired a missile.
      - ok: Uzbek workers fill jobs.
`

func TestFromResult(t *testing.T) {
	set, err := rules.Parse("pack.yaml", []byte(pack))
	if err != nil {
		t.Fatal(err)
	}
	text := "North Korea will send 6,000 workers. Again: 6,000 Workers from North Korea."
	results := set.Match(text)
	if len(results) != 1 {
		t.Fatalf("want one rule to fire, got %d", len(results))
	}
	a := FromResult(results[0], text)
	if a.Rule != "dprk-labor-abroad" || a.Category != "labor" || a.Severity != "high" ||
		a.Title != "DPRK workers abroad" || len(a.References) != 1 {
		t.Fatalf("rule fields not copied: %+v", a)
	}
	for _, m := range a.Matches {
		if text[m.Start:m.End] != m.Text || m.Text == "" {
			t.Fatalf("match %+v does not point at its text", m)
		}
	}
	if len(a.Quantities) != 1 || a.Quantities[0].Value != 6000 {
		t.Fatalf("quantities = %+v; want 6,000 once, however often it is repeated", a.Quantities)
	}
	if !strings.Contains(a.Snippet, "6,000 workers") {
		t.Fatalf("snippet %q lacks the matched words", a.Snippet)
	}
	if len(a.Highlights) == 0 {
		t.Fatal("no highlights in the snippet")
	}
	for _, h := range a.Highlights {
		if w := a.Snippet[h.Start:h.End]; !strings.EqualFold(w, "North Korea") && !strings.EqualFold(w, "workers") {
			t.Fatalf("highlight %q is not a matched term", w)
		}
	}
	a.References[0] = "changed"
	if set.Rules()[0].References[0] == "changed" {
		t.Fatal("the alert shares its references with the compiled rule")
	}
}
