package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/embargo-watch/embargo/internal/sanctions"
)

const lookupSynopsis = "lookup [--rules FILE] [--db FILE] [--json] [--limit N] [--min-score S] [--list NAME] NAME...\n" +
	"       embargo lookup [flags] --batch FILE\n\n" +
	"Fuzzy search of the sanctions lists loaded by `embargo lists sync` or the\n" +
	"monitor: names, aliases, original-script names and IMO numbers, however\n" +
	"they are spelled. Results are ranked, best first, with a score from 0 to 1;\n" +
	"only those at or above --min-score are shown."

// lookupAnswer is one query's answer: the JSON contract of
// `embargo lookup --json`.
type lookupAnswer struct {
	Query   string                   `json:"query"`
	Results []sanctions.LookupResult `json:"results"`
}

func runLookup(ctx context.Context, c cli) error {
	fs := newFlags(c, "lookup", lookupSynopsis)
	rulesFile := fs.String("rules", "", "rule file naming the lists (default $EMBARGO_RULES or rules.yaml)")
	dbFile := fs.String("db", "", "database holding the synced lists (default $EMBARGO_DB or embargo.db)")
	jsonOut := fs.Bool("json", false, "print one JSON object per query")
	limit := fs.Int("limit", sanctions.DefaultLimit, "at most this many results per query")
	minScore := fs.Float64("min-score", sanctions.DefaultMinScore, "only results scoring at least this (0..1)")
	list := fs.String("list", "", "search only this list (e.g. un or ofac)")
	batch := fs.String("batch", "", "read queries from this file, one name a line (- for standard input)")
	if err := parseFlags(fs, c.args); err != nil {
		return err
	}
	queries, err := lookupQueries(fs.Args(), *batch, c.stdin)
	if err != nil {
		return err
	}
	if *minScore < 0 || *minScore > 1 || *limit < 1 {
		return fmt.Errorf("%w: --min-score must be within 0..1 and --limit at least 1", errUsage)
	}
	set, err := loadRules(rulesPath(*rulesFile, c.getenv))
	if err != nil {
		return err
	}
	db := dbPath(*dbFile, c.getenv)
	if _, err := os.Stat(db); err != nil {
		return fmt.Errorf("no database at %s: run `embargo lists sync` first, or give --db", db)
	}
	lists, err := openLists(ctx, set.Lists(), db)
	if err != nil {
		return err
	}
	defer lists.close()
	if lists.Index().Len() == 0 {
		return fmt.Errorf("no sanctions list is loaded in %s: run `embargo lists sync` first", lists.dbPath)
	}
	if *list != "" && !slices.Contains(lists.names, *list) {
		return fmt.Errorf("%w: no list named %q in the rule file (it names %s)", errUsage, *list, strings.Join(lists.names, ", "))
	}
	opts := sanctions.SearchOptions{Limit: *limit, MinScore: *minScore, List: *list}
	for _, q := range queries {
		answer := lookupAnswer{Query: q, Results: toLookupResults(lists.Index().Search(q, opts))}
		if err := printLookup(c.stdout, answer, *jsonOut); err != nil {
			return err
		}
	}
	return nil
}

// lookupQueries are the names given as arguments or, with --batch, the
// non-empty lines of a file.
func lookupQueries(args []string, batch string, stdin io.Reader) ([]string, error) {
	if batch == "" {
		if len(args) == 0 {
			return nil, fmt.Errorf("%w: name at least one NAME, or --batch FILE", errUsage)
		}
		for _, a := range args {
			if strings.TrimSpace(a) == "" {
				return nil, fmt.Errorf("%w: an empty name", errUsage)
			}
		}
		return args, nil
	}
	if len(args) > 0 {
		return nil, fmt.Errorf("%w: give names either as arguments or with --batch, not both", errUsage)
	}
	r := stdin
	if batch != "-" {
		f, err := os.Open(batch)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	var queries []string
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if q := strings.TrimSpace(sc.Text()); q != "" {
			queries = append(queries, q)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", batch, err)
	}
	if len(queries) == 0 {
		return nil, fmt.Errorf("%s holds no names", batch)
	}
	return queries, nil
}

func toLookupResults(hits []sanctions.Hit) []sanctions.LookupResult {
	out := make([]sanctions.LookupResult, 0, len(hits))
	for _, h := range hits {
		out = append(out, h.Result())
	}
	return out
}

func printLookup(w io.Writer, a lookupAnswer, jsonOut bool) error {
	if jsonOut {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		return enc.Encode(a)
	}
	if len(a.Results) == 0 {
		_, err := fmt.Fprintf(w, "%s: no match\n", a.Query)
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s:\n", a.Query)
	for _, r := range a.Results {
		fmt.Fprintf(&b, "  %.2f  %s %s  %s (%s", r.Score, r.List, r.Ref, r.Name, r.Type)
		if r.Program != "" {
			fmt.Fprintf(&b, ", %s", r.Program)
		}
		if r.ListedOn != "" {
			fmt.Fprintf(&b, ", listed %s", r.ListedOn)
		}
		b.WriteString(")")
		if r.Matched != "" && r.Matched != r.Name {
			fmt.Fprintf(&b, "  matched %q", r.Matched)
		}
		b.WriteString("\n")
		if len(r.Aliases) > 0 {
			fmt.Fprintf(&b, "        a.k.a. %s\n", strings.Join(r.Aliases, "; "))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
