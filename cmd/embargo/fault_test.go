package main

// The fault suite: the real binary, built by the test, against the fake
// Discord and loopback feeds. It is killed with SIGKILL at random moments,
// talks to a Discord that fails 30% of requests, loses its gateway, and has
// its rule file broken under it; at the end every alert has reached every
// subscribed channel exactly once, counted from the fake's record.

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/embargo-watch/embargo/internal/discordtest"
)

// A token shaped like Discord's, so that its absence from logs means something.
const secretToken = "MTEwMDAwMDAwMDAwMDAwMDAwMQ.GzXk3p.Tn8qv0sJ2bYwXcR5eHd7LmPaKu9ViQ1fNoSgEt"

var (
	buildOnce sync.Once
	builtPath string
	buildErr  error
)

// binary builds cmd/embargo once per test process.
func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the real binary; skipped with -short")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "embargo-bin")
		if err != nil {
			buildErr = err
			return
		}
		builtPath = filepath.Join(dir, "embargo")
		out, err := exec.Command("go", "build", "-o", builtPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtPath
}

// proc is a running embargo with its output captured.
type proc struct {
	cmd    *exec.Cmd
	stdout bytes.Buffer
	stderr syncBuffer
	done   chan error
}

// syncBuffer is a bytes.Buffer safe to read while the process writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// world is one fault scenario: a feed farm, a fake Discord, a rule file and
// a database, and the logs of every process run against them.
type world struct {
	t     *testing.T
	bin   string
	farm  *farm
	fake  *discordtest.Server
	dir   string
	rules string
	db    string
	logs  []*syncBuffer
}

func newWorld(t *testing.T, f *farm, opts ...discordtest.Option) *world {
	t.Helper()
	w := &world{t: t, bin: binary(t), farm: f, dir: t.TempDir()}
	w.fake = discordtest.New(t, append([]discordtest.Option{discordtest.WithToken(secretToken)}, opts...)...)
	w.rules = f.writeRules(t, w.dir, 0, "@every 1h")
	w.db = filepath.Join(w.dir, "embargo.db")
	t.Cleanup(w.checkLogs)
	return w
}

func (w *world) env() []string {
	return append(os.Environ(),
		"DISCORD_TOKEN="+secretToken,
		"DISCORD_GUILD_ID="+discordtest.DefaultGuildID,
		"EMBARGO_DISCORD_API="+w.fake.URL(),
		"EMBARGO_RULES="+w.rules,
		"EMBARGO_DB="+w.db,
		"EMBARGO_HTTP_ADDR=off",
	)
}

func (w *world) start(args ...string) *proc {
	w.t.Helper()
	p := &proc{cmd: exec.Command(w.bin, args...), done: make(chan error, 1)}
	p.cmd.Env = w.env()
	p.cmd.Stdout = &p.stdout
	p.cmd.Stderr = &p.stderr
	if err := p.cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	w.logs = append(w.logs, &p.stderr)
	go func() { p.done <- p.cmd.Wait() }()
	w.t.Cleanup(func() { p.cmd.Process.Kill(); <-p.done })
	return p
}

func (p *proc) kill9() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
	p.done <- nil // for the cleanup's receive
}

// wait waits for the process to exit by itself within limit.
func (p *proc) wait(t *testing.T, limit time.Duration) error {
	t.Helper()
	select {
	case err := <-p.done:
		p.done <- err
		return err
	case <-time.After(limit):
		t.Fatalf("embargo did not finish within %s; its log:\n%s", limit, p.stderr.String())
		return nil
	}
}

// checkLogs fails the test if the token appears in any process's output.
func (w *world) checkLogs() {
	for i, l := range w.logs {
		if strings.Contains(l.String(), secretToken) {
			w.t.Errorf("the Discord token appears in the log of process %d", i)
		}
	}
}

// subscribe runs the bot and subscribes the default channel to labor alerts
// as a member with Manage Channels, then stops it.
func (w *world) subscribe(ctx context.Context) {
	w.t.Helper()
	p := w.startBot(ctx)
	res, err := w.fake.Interact(ctx, discordtest.Interaction{
		Command:     "subscribe",
		Options:     []*discordgo.ApplicationCommandInteractionDataOption{discordtest.Opt("category", "labor")},
		Permissions: discordgo.PermissionManageChannels,
	})
	if err != nil {
		w.t.Fatalf("/subscribe: %v\n%s", err, p.stderr.String())
	}
	if !strings.Contains(strings.ToLower(res.Content()), "subscri") {
		w.t.Fatalf("/subscribe answered %q", res.Content())
	}
	p.kill9()
}

// startBot runs `embargo run` and waits until its commands are registered.
func (w *world) startBot(ctx context.Context) *proc {
	w.t.Helper()
	p := w.start("run")
	if err := w.fake.WaitReady(ctx); err != nil {
		w.t.Fatalf("bot never connected: %v\n%s", err, p.stderr.String())
	}
	waitFor(w.t, 30*time.Second, "the slash commands to be registered", func() bool {
		return len(w.fake.Commands(discordtest.DefaultGuildID)) > 0
	})
	return p
}

// finish runs `embargo run --once` to completion.
func (w *world) finish() {
	w.t.Helper()
	p := w.start("run", "--once")
	started := time.Now()
	if err := p.wait(w.t, 3*time.Minute); err != nil {
		w.t.Fatalf("final run --once: %v\n%s", err, p.stderr.String())
	}
	if os.Getenv("EMBARGO_TEST_LOGS") != "" {
		w.t.Logf("run --once took %s:\n%s", time.Since(started), p.stderr.String())
	}
}

// assertExactlyOnce checks that the channel got one message per feed item.
func (w *world) assertExactlyOnce() {
	w.t.Helper()
	counts := map[string]int{}
	for _, m := range w.fake.Messages(discordtest.DefaultChannelID) {
		if len(m.Embeds) != 1 {
			w.t.Fatalf("message %s has %d embeds, want 1", m.ID, len(m.Embeds))
		}
		counts[m.Embeds[0].URL]++
	}
	var missing, doubled []string
	for _, u := range w.farm.allItemURLs() {
		switch counts[u] {
		case 0:
			missing = append(missing, u)
		case 1:
		default:
			doubled = append(doubled, u)
		}
	}
	if len(missing) > 0 || len(doubled) > 0 || len(counts) != len(w.farm.allItemURLs()) {
		w.t.Fatalf("delivery not exactly once: %d messages for %d items; missing %v; delivered more than once %v",
			len(w.fake.Messages(discordtest.DefaultChannelID)), len(w.farm.allItemURLs()), missing, doubled)
	}
}

func TestKilledAtRandomLosesNothing(t *testing.T) {
	f := newFarm(t, 4, 15, 150*time.Millisecond)
	// A tight per-channel limit stretches delivery over seconds, so that the
	// kills land during fetching and during delivery alike.
	w := newWorld(t, f, discordtest.WithMessageRateLimit(5, 600*time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	w.subscribe(ctx)

	seed := uint64(time.Now().UnixNano())
	t.Logf("kill schedule seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	for i := range 20 {
		p := w.start("run", "--once")
		time.Sleep(time.Duration(rng.IntN(1500)) * time.Millisecond)
		p.kill9()
		t.Logf("kill %d: %d messages so far", i+1, len(w.fake.Messages(discordtest.DefaultChannelID)))
	}
	w.finish()
	w.assertExactlyOnce()
}

func TestFlakyDiscordLosesNothing(t *testing.T) {
	f := newFarm(t, 2, 8, 0)
	const retryAfter = 300 * time.Millisecond
	w := newWorld(t, f, discordtest.WithFaultRetryAfter(retryAfter), discordtest.WithMessageRateLimit(5, 500*time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	w.subscribe(ctx)
	w.fake.FaultRate(0.3, 429, 500, 502)
	w.finish()
	w.fake.FaultRate(0)
	// Backed-off rows may still wait: run until the outbox is empty.
	for range 10 {
		if len(w.fake.Messages(discordtest.DefaultChannelID)) == len(f.allItemURLs()) {
			break
		}
		time.Sleep(time.Second)
		w.finish()
	}
	w.assertExactlyOnce()
	assertRetryAfterHonoured(t, w.fake.Requests(), retryAfter)
}

// assertRetryAfterHonoured checks that after a 429 on a channel, the next
// message to that channel came no sooner than the retry_after it was told.
func assertRetryAfterHonoured(t *testing.T, reqs []discordtest.Request, retryAfter time.Duration) {
	t.Helper()
	last := map[string]time.Time{}
	checked := 0
	for _, r := range reqs {
		if r.Method != "POST" || !strings.Contains(r.Path, "/messages") {
			continue
		}
		if at, ok := last[r.Path]; ok {
			if gap := r.Time.Sub(at); gap < retryAfter-20*time.Millisecond {
				t.Errorf("%s retried after %s, before the retry_after of %s", r.Path, gap, retryAfter)
			}
			checked++
			delete(last, r.Path)
		}
		if r.Status == 429 {
			last[r.Path] = r.Time
		}
	}
	if checked == 0 {
		t.Error("no 429 was followed by a retry: the fault injection did not bite")
	}
}

func TestGatewayDropsStillAnswerCommands(t *testing.T) {
	f := newFarm(t, 1, 1, 0)
	w := newWorld(t, f, discordtest.WithHeartbeatInterval(500*time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	p := w.startBot(ctx)
	for i := range 4 {
		w.fake.DropGateway()
		time.Sleep(2 * time.Second)
		res, err := w.fake.Interact(ctx, discordtest.Interaction{Command: "rules",
			Options: []*discordgo.ApplicationCommandInteractionDataOption{discordtest.Opt("id", "dprk-workers")}})
		if err != nil {
			t.Fatalf("after gateway drop %d, /rules was not answered: %v\n%s", i+1, err, p.stderr.String())
		}
		if !strings.Contains(res.Content()+embedText(res), "UNSCR 2397") {
			t.Fatalf("after gateway drop %d, /rules answered %q", i+1, res.Content())
		}
	}
	if n := w.fake.GatewayConnections(); n < 5 {
		t.Fatalf("gateway connections = %d, want a reconnect after each of 4 drops", n)
	}
}

func embedText(res *discordtest.InteractionResult) string {
	var b strings.Builder
	if res.Original == nil {
		return ""
	}
	for _, e := range res.Original.Embeds {
		b.WriteString(e.Title + "\n" + e.Description + "\n")
		for _, f := range e.Fields {
			b.WriteString(f.Name + ": " + f.Value + "\n")
		}
	}
	return b.String()
}

func TestHotReload(t *testing.T) {
	f := newFarm(t, 3, 1, 0)
	w := newWorld(t, f)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	w.rules = f.writeRules(t, w.dir, 1, "@every 1s")
	p := w.startBot(ctx)
	waitFor(t, 30*time.Second, "the first source to be polled", func() bool { return f.requests("/feed/0.xml") > 0 })

	// A broken file is rejected with its position, and the old rules stay.
	if err := os.WriteFile(w.rules, []byte("version: 1\nrules:\n  - id: x\n    severity: extreme\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the rejection to be logged", func() bool {
		return strings.Contains(p.stderr.String(), "rules.yaml:4:15")
	})
	res, err := w.fake.Interact(ctx, discordtest.Interaction{Command: "check",
		Options: []*discordgo.ApplicationCommandInteractionDataOption{discordtest.Opt("text", "North Korea sent 300 workers to Omsk.")}})
	if err != nil || !strings.Contains(res.Content()+embedText(res), "dprk-workers") {
		t.Fatalf("after a rejected reload, /check no longer fires the old rule: %v %q", err, res.Content())
	}

	// A good file that adds sources takes effect without a restart.
	f.writeRules(t, w.dir, 3, "@every 1s")
	waitFor(t, 30*time.Second, "the added source to be polled", func() bool { return f.requests("/feed/2.xml") > 0 })
	if !slices.ContainsFunc(strings.Split(p.stderr.String(), "\n"), func(l string) bool {
		return strings.Contains(l, "rules reloaded")
	}) {
		t.Fatalf("no reload logged:\n%s", p.stderr.String())
	}
}

func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
