package rules_test

import (
	"fmt"

	"github.com/embargo-watch/embargo/rules"
)

func ExampleSet_Match() {
	set, err := rules.Parse("rules.yaml", []byte(`
version: 1
lexicons:
  dprk: [North Korea, North Korean, Pyongyang, КНДР, 북한]
  workers: [workers, laborers, рабоч*, 노동자]
rules:
  - id: dprk-labor-abroad
    title: DPRK workers earning income abroad
    category: labor
    severity: high
    references: [UNSCR 2397 (2017) OP8]
    groups:
      dprk: {lexicon: dprk}
      workers: {lexicon: workers, quantity: true}
    condition: dprk near/20 workers
    tests:
      - fire: North Korea will send 6,000 workers to Russia.
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	text := "Pyongyang agreed to send 5,000 construction workers to Kursk."
	for _, res := range set.Match(text) {
		fmt.Println(res.Rule.ID, res.Rule.References)
		for _, m := range res.Matches {
			fmt.Printf("  %s: %q\n", m.Group, text[m.Start:m.End])
		}
		for _, q := range res.Quantities {
			fmt.Printf("  quantity %q = %g\n", q.Text, q.Value)
		}
	}
	// Output:
	// dprk-labor-abroad [UNSCR 2397 (2017) OP8]
	//   dprk: "Pyongyang"
	//   workers: "workers"
	//   quantity "5,000 construction workers" = 5000
}

func ExampleSnippet() {
	text := "Officials said on Monday that North Korea will send 6,000 workers to rebuild the region."
	start := 30
	snip, spans := rules.Snippet(text, []rules.Match{{Start: start, End: start + len("North Korea")}}, 40)
	fmt.Println(snip)
	for _, s := range spans {
		fmt.Println(snip[s.Start:s.End])
	}
	// Output:
	// …Monday that North Korea will send…
	// North Korea
}

func ExampleParse_errors() {
	_, err := rules.Parse("rules.yaml", []byte("version: 1\nrules:\n  - id: x\n    title: t\n    category: labour\n"))
	fmt.Println(err)
	// Output:
	// rules.yaml:3:5: a rule has no "severity"
	// rules.yaml:3:5: a rule has no "references"
	// rules.yaml:3:5: a rule has no "tests"
	// rules.yaml:3:5: rule "x" has neither groups nor a condition
	// rules.yaml:5:15: unknown category "labour" (one of: labor, arms, maritime, cyber, finance, luxury, wmd, designation, other)
}
