package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/embargo-watch/embargo/internal/alert"
	"github.com/embargo-watch/embargo/internal/console"
	"github.com/embargo-watch/embargo/rules"
)

// maxInput caps what `embargo check` reads from one file or stdin: news texts
// are far smaller, and a cap turns a mistaken multi-gigabyte input into an
// error instead of an exhausted machine.
const maxInput = 10 << 20

const checkSynopsis = "check [--rules FILE] [--db FILE] [--json] [FILE|URL|-]...\n\n" +
	"Runs the rules on each input (a file, an http(s) URL whose article text is\n" +
	"extracted, or - for standard input) and shows which rules fire, on which\n" +
	"words, with the numbers involved and the legal basis. Prints nothing and\n" +
	"exits 0 when no rule fires."

func runCheck(ctx context.Context, c cli) error {
	fs := newFlags(c, "check", checkSynopsis)
	rulesFile := fs.String("rules", "", "rule file (default $EMBARGO_RULES or rules.yaml)")
	dbFile := fs.String("db", "", "database whose sanctions lists name designated entities (default $EMBARGO_DB or embargo.db, if it exists)")
	jsonOut := fs.Bool("json", false, "print one JSON object per (input, rule that fired)")
	allowPrivate := fs.Bool("allow-private", false,
		"allow URLs on loopback, private and link-local addresses (also EMBARGO_ALLOW_PRIVATE_URLS=1)")
	if err := parseFlags(fs, c.args); err != nil {
		return err
	}
	inputs := fs.Args()
	if len(inputs) == 0 {
		return fmt.Errorf("%w: name at least one FILE, URL or - for standard input", errUsage)
	}
	set, err := loadCheckRules(ctx, c.stderr, rulesPath(*rulesFile, c.getenv), dbPath(*dbFile, c.getenv))
	if err != nil {
		return err
	}
	reader := inputReader{stdin: c.stdin, fetch: newArticleFetcher(*allowPrivate || allowPrivateURLs(c.getenv))}
	var failed bool
	for _, name := range inputs {
		text, err := reader.read(ctx, name)
		if err != nil {
			fmt.Fprintf(c.stderr, "embargo check: %v\n", err)
			failed = true
			continue
		}
		if err := printFindings(c.stdout, name, text, set, *jsonOut); err != nil {
			return err
		}
	}
	if failed {
		return errFailed
	}
	return nil
}

// loadRules loads and compiles a rule file, with the lists' designated names
// when a database holds them.
func loadRules(path string, opts ...rules.Option) (*rules.Set, error) {
	set, err := rules.LoadFile(path, opts...)
	if err != nil {
		return nil, rulesError(err)
	}
	return set, nil
}

// rulesError puts a rule file's problems one per line under a heading when
// there are several, and on the heading's line when there is one.
func rulesError(err error) error {
	var problems rules.Errors
	if errors.As(err, &problems) && len(problems) > 1 {
		return fmt.Errorf("rule file has %d problems:\n%w", len(problems), err)
	}
	return fmt.Errorf("load rules: %w", err)
}

// loadCheckRules loads the rules with the designated names of the lists
// synced into the database, when there is one: check never creates a
// database of its own.
func loadCheckRules(ctx context.Context, warn io.Writer, rulesFile, dbFile string) (*rules.Set, error) {
	set, err := loadRules(rulesFile)
	if err != nil {
		return nil, err
	}
	if len(set.Lists()) == 0 {
		return set, nil
	}
	if _, err := os.Stat(dbFile); err != nil {
		fmt.Fprintf(warn, "embargo check: note: no database at %s, so designated names are not looked for (run `embargo lists sync`, or give --db)\n", dbFile)
		return set, nil
	}
	lists, err := openLists(ctx, set.Lists(), dbFile)
	if err != nil {
		return nil, err
	}
	defer lists.close()
	return loadRules(rulesFile, lists.watchlist())
}

// printFindings prints one (input, rule that fired) per result: readable, or
// as the JSON objects of `embargo check --json`.
func printFindings(w io.Writer, input, text string, set *rules.Set, jsonOut bool) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, r := range set.Match(text) {
		a := alert.FromResult(r, text)
		a.Input = input
		var err error
		if jsonOut {
			err = enc.Encode(a)
		} else {
			_, err = fmt.Fprintf(w, "%s: %s", input, console.Format(a))
		}
		if err != nil {
			return fmt.Errorf("write result: %w", err)
		}
	}
	return nil
}

// inputReader reads the texts that `embargo check` is given.
type inputReader struct {
	stdin io.Reader
	fetch func(ctx context.Context, url string) (string, error)
}

func (r inputReader) read(ctx context.Context, name string) (string, error) {
	switch {
	case name == "-":
		return readText("standard input", r.stdin)
	case strings.HasPrefix(name, "http://"), strings.HasPrefix(name, "https://"):
		return r.fetch(ctx, name) // its errors name the URL
	default:
		f, err := os.Open(name)
		if err != nil {
			return "", err
		}
		defer f.Close()
		return readText(name, f)
	}
}

// readText reads at most maxInput bytes and refuses empty and binary input
// with a message that says what was wrong.
func readText(name string, r io.Reader) (string, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxInput+1))
	if err != nil {
		return "", fmt.Errorf("read %s: %w", name, err)
	}
	switch {
	case len(data) > maxInput:
		return "", fmt.Errorf("%s: larger than %d MiB; check reads at most that much of one text", name, maxInput>>20)
	case len(bytes.TrimSpace(data)) == 0:
		return "", fmt.Errorf("%s: empty input", name)
	case looksBinary(data):
		return "", fmt.Errorf("%s: looks like a binary file, not text", name)
	}
	// A byte-order mark says nothing about the text and would show in snippets.
	return strings.TrimPrefix(string(data), "\ufeff"), nil
}

// looksBinary reports a NUL byte in the first 8 KiB, as git and grep do.
func looksBinary(data []byte) bool {
	return bytes.IndexByte(data[:min(len(data), 8<<10)], 0) >= 0
}
