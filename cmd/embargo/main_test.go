package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// result is what one in-process run of embargo printed and returned.
type result struct {
	code           int
	stdout, stderr string
}

// embargo runs the command line in-process with the given environment.
func embargo(t *testing.T, stdin string, environ map[string]string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := execute(context.Background(), cli{
		args:   args,
		stdin:  strings.NewReader(stdin),
		stdout: &out,
		stderr: &errOut,
		getenv: func(k string) string { return environ[k] },
	})
	return result{code, out.String(), errOut.String()}
}

// repoFile is a path relative to the repository root.
func repoFile(t *testing.T, rel string) string {
	t.Helper()
	return filepath.Join("..", "..", rel)
}

// sharedFile is a path under ../shared beside the repository, or a skip.
func sharedFile(t *testing.T, rel string) string {
	t.Helper()
	p := filepath.Join("..", "..", "..", "shared", rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared data %s is absent (%v); it lives in ../shared beside the repository", rel, err)
	}
	return p
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestHelp(t *testing.T) {
	r := embargo(t, "", nil, "--help")
	if r.code != exitOK || !strings.Contains(r.stderr, "Commands:") {
		t.Fatalf("--help = %d, %q", r.code, r.stderr)
	}
	for _, cmd := range []string{"run", "check", "lookup"} {
		r := embargo(t, "", nil, cmd, "--help")
		if r.code != exitOK || !strings.Contains(r.stderr, "Usage: embargo "+cmd) {
			t.Errorf("%s --help = %d, %q", cmd, r.code, r.stderr)
		}
	}
	for _, args := range [][]string{{"rules", "--help"}, {"lists", "--help"}} {
		r := embargo(t, "", nil, args...)
		if r.code != exitOK || !strings.Contains(r.stderr, "Usage: embargo "+args[0]) {
			t.Errorf("%v = %d, %q", args, r.code, r.stderr)
		}
	}
}

func TestUnknownCommandAndFlag(t *testing.T) {
	if r := embargo(t, "", nil, "frobnicate"); r.code != exitUsage || !strings.Contains(r.stderr, `unknown command "frobnicate"`) {
		t.Errorf("unknown command = %d, %q", r.code, r.stderr)
	}
	if r := embargo(t, "", nil, "check", "--nope", "x"); r.code != exitUsage {
		t.Errorf("unknown flag = %d, %q", r.code, r.stderr)
	}
}

func TestFlagsAfterArguments(t *testing.T) {
	story := writeFile(t, "story.txt", "North Korea will send 6,000 workers to Russia's Kursk region.")
	r := embargo(t, "", nil, "check", story, "--json", "--rules", repoFile(t, defaultRules))
	if r.code != exitOK || !strings.HasPrefix(r.stdout, "{") {
		t.Fatalf("flags after the file: code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	// After "--" a name that looks like a flag is an argument.
	r = embargo(t, "", nil, "check", "--rules", repoFile(t, defaultRules), "--", "--json")
	if r.code != exitFailure || !strings.Contains(r.stderr, "--json: no such file") {
		t.Fatalf(`"--" then --json: code %d, stderr %q`, r.code, r.stderr)
	}
}

func TestHelpForACommand(t *testing.T) {
	r := embargo(t, "", nil, "help", "lookup")
	if r.code != exitOK || !strings.Contains(r.stderr, "Usage: embargo lookup") {
		t.Fatalf("help lookup = %d, %q", r.code, r.stderr)
	}
}
