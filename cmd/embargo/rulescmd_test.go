package main

import (
	"strings"
	"testing"
)

func TestRulesTestDefaultPackPasses(t *testing.T) {
	r := embargo(t, "", nil, "rules", "test", "--rules", repoFile(t, defaultRules))
	if r.code != exitOK || !strings.Contains(r.stdout, " 0 failed") {
		t.Fatalf("rules test on the default pack = %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

const failingPack = `version: 1
rules:
  - id: dprk-workers
    title: DPRK workers
    category: labor
    severity: high
    references: ["UNSCR 2397 (2017) OP8"]
    groups:
      dprk: [North Korea]
      workers: ["worker*"]
    condition: dprk and workers
    tests:
      - name: seafood plant
        fire: North Korean laborers work at a seafood plant in China.
      - fire: North Korea sent workers abroad.
      - fire: Workers from North Korea arrived.
      - ok: Workers in Uzbekistan.
      - ok: North Korea launched a missile.
      - ok: Uzbek workers arrived.
`

func TestRulesTestReportsFailures(t *testing.T) {
	pack := writeFile(t, "rules.yaml", failingPack)
	r := embargo(t, "", nil, "rules", "test", "--rules", pack)
	if r.code != exitFailure {
		t.Fatalf("rules test with a failing test = %d, want 1\n%s", r.code, r.stdout)
	}
	if !strings.Contains(r.stdout, "FAIL dprk-workers") || !strings.Contains(r.stdout, "seafood plant") ||
		!strings.Contains(r.stdout, "1 failed") {
		t.Fatalf("failure not named with rule and test:\n%s", r.stdout)
	}
}

func TestRulesTestInvalidFile(t *testing.T) {
	pack := writeFile(t, "rules.yaml", "version: 1\nrules:\n  - id: x\n    category: weapons\n")
	r := embargo(t, "", nil, "rules", "test", "--rules", pack)
	if r.code != exitFailure || !strings.Contains(r.stderr, "rules.yaml:4:15") {
		t.Fatalf("invalid rule file = %d, stderr %q; want 1 and the position of the bad category", r.code, r.stderr)
	}
	if r := embargo(t, "", nil, "rules"); r.code != exitUsage {
		t.Fatalf("`rules` without test = %d, want usage error", r.code)
	}
}
