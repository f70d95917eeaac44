package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"github.com/embargo-watch/embargo/internal/alert"
	"github.com/embargo-watch/embargo/internal/sanctions"
	"github.com/embargo-watch/embargo/rules"
)

const listsSynopsis = "lists sync [--rules FILE] [--db FILE] [--json] [--list NAME] [--confirm NAME]\n\n" +
	"Fetches the sanctions lists named in the rule file now, stores the new\n" +
	"versions and prints what changed since the previous one: designations\n" +
	"added, removed and amended. Each change is also queued as a designation\n" +
	"alert for the configured sink. The first sync of a list is a baseline and\n" +
	"alerts nothing. A version that removes more than 20% of the entries at\n" +
	"once is held until confirmed with --confirm NAME; the command then exits 1."

// listChange is one change: the JSON contract of `embargo lists sync --json`.
type listChange struct {
	List    string `json:"list"`
	Ref     string `json:"ref"`
	Change  string `json:"change"`
	Name    string `json:"name"`
	Program string `json:"program"`
	Detail  string `json:"detail,omitempty"`
}

func runLists(ctx context.Context, c cli) error {
	if len(c.args) == 0 || c.args[0] != "sync" {
		if len(c.args) > 0 && (c.args[0] == "-h" || c.args[0] == "--help") {
			newFlags(c, "lists", listsSynopsis).Usage()
			return nil
		}
		return fmt.Errorf("%w: the lists command takes the subcommand sync (embargo lists sync)", errUsage)
	}
	fs := newFlags(c, "lists sync", listsSynopsis)
	rulesFile := fs.String("rules", "", "rule file naming the lists (default $EMBARGO_RULES or rules.yaml)")
	dbFile := fs.String("db", "", "database (default $EMBARGO_DB or embargo.db)")
	jsonOut := fs.Bool("json", false, "print one JSON object per change")
	only := fs.String("list", "", "sync only this list")
	confirm := fs.String("confirm", "", "apply the held version of this list")
	if err := parseFlags(fs, c.args[1:]); err != nil {
		return err
	}
	set, err := loadRules(rulesPath(*rulesFile, c.getenv))
	if err != nil {
		return err
	}
	lists, err := openLists(ctx, set.Lists(), dbPath(*dbFile, c.getenv))
	if err != nil {
		return err
	}
	defer lists.close()
	configured, err := selectLists(set.Lists(), *only, *confirm)
	if err != nil {
		return err
	}
	targets, err := newTargets(ctx, c.getenv, lists.db)
	if err != nil {
		return err
	}
	var failed bool
	for _, l := range configured {
		var res sanctions.Result
		if *confirm != "" {
			res, err = lists.syncer.Confirm(ctx, l, targets)
		} else {
			res, err = lists.syncer.Sync(ctx, l, targets)
		}
		if err != nil {
			fmt.Fprintf(c.stderr, "embargo lists sync: %s: %v\n", l.Name, err)
			failed = true
			continue
		}
		if err := printSync(c.stdout, c.stderr, res, *jsonOut); err != nil {
			return err
		}
		failed = failed || res.Held // held until confirmed: a script should notice
	}
	if failed {
		return errFailed
	}
	return nil
}

// selectLists picks the lists to sync: all, or the one named by --list or
// --confirm.
func selectLists(all []rules.List, only, confirm string) ([]rules.List, error) {
	if only != "" && confirm != "" && only != confirm {
		return nil, fmt.Errorf("%w: --list %s and --confirm %s name different lists", errUsage, only, confirm)
	}
	name := only
	if confirm != "" {
		name = confirm
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("the rule file configures no lists (add them under `lists:`)")
	}
	if name == "" {
		return all, nil
	}
	i := slices.IndexFunc(all, func(l rules.List) bool { return l.Name == name })
	if i < 0 {
		return nil, fmt.Errorf("%w: no list named %q in the rule file", errUsage, name)
	}
	return all[i : i+1], nil
}

func printSync(stdout, stderr io.Writer, res sanctions.Result, jsonOut bool) error {
	if jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		for _, ch := range res.Changes {
			c := listChange{List: ch.List, Ref: ch.Ref, Change: ch.Kind, Name: ch.Name, Program: ch.Program, Detail: ch.Detail}
			if err := enc.Encode(c); err != nil {
				return err
			}
		}
		// The summary goes to stderr so that stdout stays one object a line.
		_, err := fmt.Fprintln(stderr, syncSummary(res))
		return err
	}
	if _, err := fmt.Fprintln(stdout, syncSummary(res)); err != nil {
		return err
	}
	for _, ch := range res.Changes {
		mark := map[string]string{"added": "+", "removed": "-", "amended": "~"}[ch.Kind]
		line := fmt.Sprintf("  %s %s %s (%s)", mark, ch.Ref, ch.Name, ch.Program)
		if ch.Detail != "" {
			line += ": " + ch.Detail
		}
		if _, err := fmt.Fprintln(stdout, line); err != nil {
			return err
		}
	}
	return nil
}

func syncSummary(res sanctions.Result) string {
	switch {
	case res.Held:
		return fmt.Sprintf("%s: new version HELD, not applied: %s (apply with `embargo lists sync --confirm %s`)",
			res.List, res.Reason, res.List)
	case res.Baseline:
		return fmt.Sprintf("%s: first sync, %d entries stored as the baseline (no alerts)", res.List, res.Count)
	case res.Unchanged:
		return fmt.Sprintf("%s: unchanged, %d entries", res.List, res.Count)
	}
	counts := map[string]int{}
	for _, ch := range res.Changes {
		counts[ch.Kind]++
	}
	return fmt.Sprintf("%s: %d entries; %d added, %d removed, %d amended",
		res.List, res.Count, counts["added"], counts["removed"], counts["amended"])
}

// targetFunc is where a new alert is delivered.
type targetFunc = func(alert.Alert) []string
