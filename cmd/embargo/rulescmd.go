package main

import (
	"context"
	"fmt"
)

const rulesSynopsis = "rules test [--rules FILE] [-v]\n\n" +
	"Loads the rule file, reports every problem as file:line:column, and runs\n" +
	"the tests written beside each rule: texts that must fire it and texts that\n" +
	"must not. Exits 1 on any failure, naming the rule, the test and why."

func runRules(ctx context.Context, c cli) error {
	if len(c.args) == 0 || c.args[0] != "test" {
		if len(c.args) > 0 && (c.args[0] == "-h" || c.args[0] == "--help") {
			newFlags(c, "rules", rulesSynopsis).Usage()
			return nil
		}
		return fmt.Errorf("%w: the rules command takes the subcommand test (embargo rules test)", errUsage)
	}
	fs := newFlags(c, "rules test", rulesSynopsis)
	rulesFile := fs.String("rules", "", "rule file (default $EMBARGO_RULES or rules.yaml)")
	verbose := fs.Bool("v", false, "list every test, not only failures")
	if err := parseFlags(fs, c.args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	path := rulesPath(*rulesFile, c.getenv)
	set, err := loadRules(path)
	if err != nil {
		return err
	}
	report := set.RunTests()
	for _, r := range report.Results {
		switch {
		case !r.Pass:
			fmt.Fprintf(c.stdout, "FAIL %s: test %s (want %s): %s\n", r.Rule, r.Name, r.Want, r.Reason)
		case *verbose:
			fmt.Fprintf(c.stdout, "ok   %s: test %s (want %s)\n", r.Rule, r.Name, r.Want)
		}
	}
	failed := report.Failed()
	fmt.Fprintf(c.stdout, "%s: %d rules, %d tests: %d passed, %d failed\n",
		path, len(set.Rules()), len(report.Results), len(report.Results)-failed, failed)
	if failed > 0 {
		return errFailed
	}
	return nil
}
