// Command embargo watches news feeds, web pages and the official sanctions
// lists, flags what looks like a sanctions violation with rules written in
// YAML, and posts each alert to Discord (or prints it).
//
// This file holds the subcommand table; each subcommand lives in its own file.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// env reads the process environment; tests pass their own.
type env func(key string) string

// cli is what a subcommand gets: its arguments and the process's streams.
type cli struct {
	args   []string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv env
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, c cli) error
}

func commands() []command {
	return []command{
		{"run", "run the monitor: poll sources and lists, alert, deliver", runMonitor},
		{"check", "run the rules on texts, files or URLs and explain what fires", runCheck},
		{"rules", "work with the rule file: `embargo rules test`", runRules},
		{"lookup", "search the sanctions lists for a name", runLookup},
		{"lists", "work with sanctions lists: `embargo lists sync`", runLists},
	}
}

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // the command ran and found failures (rules test) or failed
	exitUsage   = 2
)

// errUsage marks an error in how the command was called.
var errUsage = errors.New("usage")

// errFailed is returned after a command has already reported its failures.
var errFailed = errors.New("failed")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(execute(ctx, cli{os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv}))
}

// execute runs the subcommand named by c.args[0] and returns the exit code.
func execute(ctx context.Context, c cli) int {
	if len(c.args) == 2 && c.args[0] == "help" {
		c.args = []string{c.args[1], "--help"} // embargo help check
	}
	if len(c.args) == 0 || c.args[0] == "-h" || c.args[0] == "--help" || c.args[0] == "help" {
		usage(c.stderr)
		if len(c.args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, cmd := range commands() {
		if cmd.name != c.args[0] {
			continue
		}
		sub := c
		sub.args = c.args[1:]
		return exitCode(c.stderr, cmd.name, cmd.run(ctx, sub))
	}
	fmt.Fprintf(c.stderr, "embargo: unknown command %q\n\n", c.args[0])
	usage(c.stderr)
	return exitUsage
}

func exitCode(stderr io.Writer, name string, err error) int {
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.Is(err, errFailed):
		return exitFailure
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "embargo %s: %v\n", name, err)
		return exitUsage
	default:
		fmt.Fprintf(stderr, "embargo %s: %v\n", name, err)
		return exitFailure
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "embargo watches news, web pages and sanctions lists and alerts on likely sanctions violations.")
	fmt.Fprintln(w, "\nUsage: embargo <command> [flags] [args]\n\nCommands:")
	for _, cmd := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", cmd.name, cmd.summary)
	}
	fmt.Fprintln(w, "\nRun 'embargo <command> --help' for a command's flags.")
	fmt.Fprintln(w, "\nEnvironment: DISCORD_TOKEN, DISCORD_GUILD_ID, DISCORD_WEBHOOK_URL, EMBARGO_DISCORD_API,")
	fmt.Fprintln(w, "EMBARGO_DB, EMBARGO_RULES, EMBARGO_HTTP_ADDR, EMBARGO_ALLOW_PRIVATE_URLS.")
}

// newFlags makes a subcommand's flag set whose --help prints synopsis first.
func newFlags(c cli, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet("embargo "+name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.Usage = func() {
		fmt.Fprintf(c.stderr, "Usage: embargo %s\n\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, turning a flag error into a usage error (the flag
// package has already printed it). Flags may follow the arguments, as in
// `embargo check story.txt --json`; after "--" everything is an argument.
func parseFlags(fs *flag.FlagSet, args []string) error {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return err
			}
			return fmt.Errorf("%w: %v", errUsage, err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			positional = append(positional, rest...)
			break
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
	// Leave the arguments where fs.Args finds them.
	return fs.Parse(append([]string{"--"}, positional...))
}

// rulesPath is --rules, else $EMBARGO_RULES, else rules.yaml.
func rulesPath(flagValue string, getenv env) string {
	if flagValue != "" {
		return flagValue
	}
	if p := getenv("EMBARGO_RULES"); p != "" {
		return p
	}
	return "rules.yaml"
}

// dbPath is --db, else $EMBARGO_DB, else embargo.db.
func dbPath(flagValue string, getenv env) string {
	if flagValue != "" {
		return flagValue
	}
	if p := getenv("EMBARGO_DB"); p != "" {
		return p
	}
	return "embargo.db"
}
