package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/embargo-watch/embargo/internal/alert"
	"github.com/embargo-watch/embargo/internal/console"
	"github.com/embargo-watch/embargo/internal/delivery"
	"github.com/embargo-watch/embargo/internal/discord"
	"github.com/embargo-watch/embargo/internal/metrics"
	"github.com/embargo-watch/embargo/internal/monitor"
	"github.com/embargo-watch/embargo/internal/sanctions"
	"github.com/embargo-watch/embargo/internal/source"
	"github.com/embargo-watch/embargo/internal/store"
	"github.com/embargo-watch/embargo/rules"
)

type appConfig struct {
	rulesFile string
	dbFile    string
	jsonOut   bool
	stdout    io.Writer
	getenv    env
	log       *slog.Logger
}

// app is one running embargo: the database, the current rules, the lists,
// the monitor, and the sink that alerts are delivered to.
type app struct {
	cfg     appConfig
	log     *slog.Logger
	metrics *metrics.Metrics
	db      *store.DB
	lists   *loadedLists
	current atomic.Pointer[rules.Set]
	// lastGood is the rule file as it was when it last loaded, so that a
	// list sync can recompile the running rules while the file on disk is
	// broken.
	lastGood atomic.Pointer[[]byte]
	monitor  *monitor.Monitor
	sink     sink
	worker   *delivery.Worker
	bot      *discord.Bot
}

func newApp(ctx context.Context, cfg appConfig) (*app, error) {
	// The rules name the lists; the lists' names then join the rules.
	plain, err := loadRules(cfg.rulesFile)
	if err != nil {
		return nil, err
	}
	lists, err := openLists(ctx, plain.Lists(), cfg.dbFile)
	if err != nil {
		return nil, err
	}
	a := &app{cfg: cfg, log: cfg.log, metrics: metrics.New(), db: lists.db, lists: lists}
	if err := a.loadRules(); err != nil {
		lists.close()
		return nil, err
	}
	a.sink = chooseSink(cfg.getenv)
	mon, err := monitor.New(monitor.Config{
		Store:   a.db,
		Fetcher: sourceFetcher(source.DefaultMaxBody, source.DefaultTimeout),
		Rules:   a.rules,
		Targets: a.targets,
		Lists:   monitor.ListSyncFunc(a.syncList),
		Log:     a.log,
		OnPoll:  a.observePoll,
		OnAlert: func(al alert.Alert) { a.metrics.Alerts.WithLabelValues(al.Rule).Inc() },
	})
	if err != nil {
		lists.close()
		return nil, err
	}
	a.monitor = mon
	a.metrics.WatchOutbox(a.db.OutboxStats)
	return a, nil
}

func (a *app) close() {
	if a.bot != nil {
		if err := a.bot.Close(); err != nil {
			a.log.Warn("close Discord session", "err", err)
		}
	}
	a.lists.close()
}

func (a *app) rules() *rules.Set { return a.current.Load() }

// observePoll records one poll of a source in the metrics.
func (a *app) observePoll(s monitor.Stats, _ error) {
	a.metrics.Fetches.WithLabelValues(s.Source, s.Status).Inc()
	if s.Status == monitor.StatusSkipped {
		return
	}
	a.metrics.FetchSeconds.WithLabelValues(s.Source).Observe(s.Duration.Seconds())
	a.metrics.ItemsSeen.WithLabelValues(s.Source).Add(float64(s.Items))
	a.metrics.ItemsNew.WithLabelValues(s.Source).Add(float64(s.New))
}

// loadRules compiles the rule file with the lists' designated names.
func (a *app) loadRules() error {
	data, err := os.ReadFile(a.cfg.rulesFile)
	if err != nil {
		return fmt.Errorf("load rules: %w", err)
	}
	if err := a.compile(data); err != nil {
		return err
	}
	a.lastGood.Store(&data)
	return nil
}

// compile makes data, a rule file, the running rules.
func (a *app) compile(data []byte) error {
	set, err := rules.Parse(a.cfg.rulesFile, data, a.lists.watchlist())
	if err != nil {
		return rulesError(err)
	}
	a.current.Store(set)
	a.metrics.RulesLoaded.Set(float64(len(set.Rules())))
	return nil
}

// reloadRules swaps in the rule file as it is now. A file that fails
// validation is logged with every problem's file:line:column and the rules
// already running stay.
func (a *app) reloadRules(ctx context.Context) {
	if err := a.loadRules(); err != nil {
		a.metrics.RuleReloads.WithLabelValues("error").Inc()
		a.log.Error("rule file rejected; the previous rules keep running", "path", a.cfg.rulesFile, "err", err)
		return
	}
	a.metrics.RuleReloads.WithLabelValues("ok").Inc()
	a.monitor.Reload()
	set := a.rules()
	a.log.Info("rules reloaded", "path", a.cfg.rulesFile, "rules", len(set.Rules()),
		"sources", len(set.Sources()), "lists", len(set.Lists()))
}

// syncList syncs one list for the monitor; after a change the name index and
// the rules' designated names are rebuilt.
func (a *app) syncList(ctx context.Context, l rules.List, targets func(alert.Alert) []string) error {
	res, err := a.lists.syncer.Sync(ctx, l, targets)
	if err != nil {
		a.metrics.ListSyncs.WithLabelValues(l.Name, "error").Inc()
		return err
	}
	a.metrics.ListSyncs.WithLabelValues(l.Name, syncResult(res)).Inc()
	a.metrics.ListLastSync.WithLabelValues(l.Name).SetToCurrentTime()
	a.metrics.ListEntries.WithLabelValues(l.Name).Set(float64(res.Count))
	if res.Held {
		a.log.Warn("list version held, not applied", "list", l.Name, "summary", syncSummary(res))
	} else {
		a.log.Info("list synced", "list", l.Name, "summary", syncSummary(res))
	}
	if res.Held || res.Unchanged {
		return nil
	}
	if !res.Baseline {
		a.metrics.Alerts.WithLabelValues("designation-" + l.Name).Add(float64(len(res.Changes)))
	}
	if err := a.lists.reload(ctx, a.rules().Lists()); err != nil {
		return err
	}
	// The rules look for the lists' designated names: compile the running
	// rules anew, even while the file on disk fails validation.
	if good := a.lastGood.Load(); good != nil {
		if err := a.compile(*good); err != nil {
			a.log.Error("recompiling the rules with the new list failed", "list", l.Name, "err", err)
		}
	}
	return nil
}

func syncResult(res sanctions.Result) string {
	switch {
	case res.Held:
		return "held"
	case res.Baseline:
		return "baseline"
	case res.Unchanged:
		return "unchanged"
	}
	return "changed"
}

// targets names the outbox targets of a new alert for the sink in use.
func (a *app) targets(ctx context.Context, al alert.Alert) ([]string, error) {
	if a.sink.kind == sinkBot {
		return discord.Targets(ctx, a.db, al)
	}
	return []string{a.sink.target}, nil
}

// sink is where alerts go: the console, a webhook or Discord channels.
type sink struct {
	kind   sinkKind
	name   string
	target string // outbox target, or prefix for channels
}

type sinkKind int

const (
	sinkConsole sinkKind = iota
	sinkWebhook
	sinkBot
)

func chooseSink(getenv env) sink {
	switch {
	case getenv("DISCORD_TOKEN") != "":
		return sink{sinkBot, "discord bot", "channel:"}
	case getenv("DISCORD_WEBHOOK_URL") != "":
		return sink{sinkWebhook, "discord webhook", store.TargetWebhook}
	}
	return sink{sinkConsole, "console", store.TargetConsole}
}

// newTargets is the target function for commands other than run.
func newTargets(_ context.Context, getenv env, db *store.DB) (targetFunc, error) {
	s := chooseSink(getenv)
	if s.kind != sinkBot {
		return func(alert.Alert) []string { return []string{s.target} }, nil
	}
	return func(al alert.Alert) []string {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		t, err := discord.Targets(ctx, db, al)
		if err != nil {
			return nil
		}
		return t
	}, nil
}

// startSink connects the sink and makes the delivery worker for it.
func (a *app) startSink(ctx context.Context) error {
	sender, err := a.newSender(ctx)
	if err != nil {
		return err
	}
	a.worker = &delivery.Worker{
		Outbox: a.db,
		Sender: sender,
		Prefix: a.sink.target,
		Log:    a.log,
		OnResult: func(d store.Delivery, result string, _ error) {
			a.metrics.Deliveries.WithLabelValues(a.sink.name, result).Inc()
		},
	}
	return nil
}

func (a *app) newSender(ctx context.Context) (delivery.Sender, error) {
	getenv := a.cfg.getenv
	apiBase := getenv("EMBARGO_DISCORD_API")
	switch a.sink.kind {
	case sinkWebhook:
		client := &http.Client{Timeout: 30 * time.Second, Transport: a.metrics.CountRateLimits(nil)}
		return discord.NewWebhookSender(getenv("DISCORD_WEBHOOK_URL"), client, apiBase)
	case sinkBot:
		bot, err := discord.NewBot(discord.Config{
			Token:     getenv("DISCORD_TOKEN"),
			GuildID:   getenv("DISCORD_GUILD_ID"),
			APIBase:   apiBase,
			Store:     a.db,
			Rules:     a.rules,
			Lookup:    a.lookup,
			Sources:   a.sourceStatus,
			FetchText: newArticleFetcher(allowPrivateURLs(getenv)),
			Log:       a.log,
			Transport: a.metrics.CountRateLimits(nil),
		})
		if err != nil {
			return nil, err
		}
		if err := bot.Start(ctx); err != nil {
			return nil, fmt.Errorf("start Discord bot: %w", err)
		}
		a.bot = bot
		return bot.Sender(), nil
	}
	return console.NewSender(a.cfg.stdout, a.cfg.jsonOut), nil
}

// lookup answers /lookup from the name index. It says so when lists are not
// loaded yet, so that "no match" is never read as "not sanctioned".
func (a *app) lookup(_ context.Context, name, list string, limit int) ([]discord.LookupResult, error) {
	ix := a.lists.Index()
	missing := a.lists.missing(a.rules().Lists())
	if ix == nil || ix.Len() == 0 {
		return nil, discord.Refusal("No sanctions list is loaded yet (%s): they load on their first sync.", strings.Join(missing, ", "))
	}
	hits := ix.Search(name, sanctions.SearchOptions{Limit: limit, List: list})
	if len(hits) == 0 && len(missing) > 0 {
		return nil, discord.Refusal("No entry on the loaded lists matches; not loaded yet: %s.", strings.Join(missing, ", "))
	}
	out := make([]discord.LookupResult, 0, len(hits))
	for _, r := range toLookupResults(hits) {
		out = append(out, discord.LookupResult{List: r.List, Ref: r.Ref, Name: r.Name, Matched: r.Matched,
			Type: r.Type, Program: r.Program, ListedOn: r.ListedOn, Aliases: r.Aliases, Score: r.Score})
	}
	return out, nil
}

// sourceStatus answers /sources from the monitor.
func (a *app) sourceStatus(ctx context.Context) ([]discord.SourceStatus, error) {
	rows, err := a.monitor.Status(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]discord.SourceStatus, 0, len(rows))
	for _, r := range rows {
		out = append(out, toDiscordStatus(r))
	}
	return out, nil
}

func (a *app) healthChecks() map[string]metrics.Check {
	checks := map[string]metrics.Check{"database": a.db.Ping}
	if a.bot != nil {
		checks["gateway"] = func(context.Context) error {
			if !a.bot.Connected() {
				return errors.New("not connected to the Discord gateway")
			}
			return nil
		}
	}
	return checks
}

func toDiscordStatus(s monitor.SourceStatus) discord.SourceStatus {
	next := s.NextRun
	if s.NextAttempt.After(next) {
		next = s.NextAttempt // backing off after failures
	}
	return discord.SourceStatus{Name: s.Name, URL: s.URL, LastFetch: s.LastFetch, Result: s.Status,
		NextRun: next, Error: s.Error}
}
