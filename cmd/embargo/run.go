package main

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/embargo-watch/embargo/internal/logging"
	"github.com/embargo-watch/embargo/internal/metrics"
	"github.com/embargo-watch/embargo/internal/reload"
)

const runSynopsis = "run [--rules FILE] [--db FILE] [--once] [--json] [--log-format text|json] [--log-level LEVEL]\n\n" +
	"Runs the monitor: polls every source and sanctions list on its schedule,\n" +
	"runs the rules on what comes in, stores alerts and delivers them. With\n" +
	"DISCORD_TOKEN set it runs the Discord bot; with DISCORD_WEBHOOK_URL it posts\n" +
	"through that webhook; with neither it prints alerts on standard output.\n" +
	"SIGHUP, or saving the rule file, reloads the rules; SIGINT or SIGTERM stops\n" +
	"it cleanly. EMBARGO_HTTP_ADDR (default 127.0.0.1:9464, or off) serves\n" +
	"/healthz and /metrics."

func runMonitor(ctx context.Context, c cli) error {
	fs := newFlags(c, "run", runSynopsis)
	rulesFile := fs.String("rules", "", "rule file (default $EMBARGO_RULES or rules.yaml)")
	dbFile := fs.String("db", "", "SQLite database (default $EMBARGO_DB or embargo.db)")
	once := fs.Bool("once", false, "one pass over every source and list, deliver what is due, exit")
	jsonOut := fs.Bool("json", false, "console sink: one JSON object per alert per line")
	logFormat := fs.String("log-format", "text", "log format: text or json")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn or error")
	if err := parseFlags(fs, c.args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	log, err := logging.New(c.stderr, *logFormat, *logLevel,
		c.getenv("DISCORD_TOKEN"), c.getenv("DISCORD_WEBHOOK_URL"))
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	a, err := newApp(ctx, appConfig{
		rulesFile: rulesPath(*rulesFile, c.getenv),
		dbFile:    dbPath(*dbFile, c.getenv),
		jsonOut:   *jsonOut,
		stdout:    c.stdout,
		getenv:    c.getenv,
		log:       log,
	})
	if err != nil {
		return err
	}
	defer a.close()
	if *once {
		return a.runOnce(ctx)
	}
	return a.run(ctx, c.getenv("EMBARGO_HTTP_ADDR"))
}

// runOnce makes one pass over every source and list and delivers what is due.
func (a *app) runOnce(ctx context.Context) error {
	// The sink first: a bad webhook URL or token fails before anything is
	// fetched and queued for a sink that cannot take it.
	if err := a.startSink(ctx); err != nil {
		return err
	}
	if err := a.monitor.Once(ctx); err != nil {
		return err
	}
	n, err := a.worker.Drain(ctx)
	if err != nil {
		return err
	}
	a.log.Info("pass complete", "delivered", n)
	return a.checkUndelivered(ctx)
}

// checkUndelivered makes `run --once` fail, for a cron job to notice, when
// alerts for the sink are still queued: they wait for a retry (a 5xx, a
// rate limit, a broken webhook) and go out on the next run.
func (a *app) checkUndelivered(ctx context.Context) error {
	far := time.Now().AddDate(100, 0, 0)
	left, err := a.db.DueDeliveries(ctx, a.sink.target, far, 1)
	if err != nil {
		return err
	}
	if len(left) > 0 {
		return fmt.Errorf("some alerts could not be delivered to the %s yet (last error: %s); they stay queued for the next run",
			a.sink.name, left[0].LastError)
	}
	return nil
}

// syncMissingLists syncs the lists before the first poll when none has ever
// been synced, so that the first news already meets the designated names.
// A failure is logged and the lists are tried again on their schedule.
func (a *app) syncMissingLists(ctx context.Context) {
	if ix := a.lists.Index(); ix != nil && ix.Len() > 0 {
		return
	}
	for _, l := range a.rules().Lists() {
		_ = a.monitor.SyncList(ctx, l) // logged by SyncList
	}
}

// run serves until ctx ends: the scheduler, the delivery worker, the bot,
// the rule-file watcher and the health and metrics listener.
func (a *app) run(ctx context.Context, httpAddr string) error {
	if err := a.startSink(ctx); err != nil {
		return err
	}
	a.syncMissingLists(ctx)
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return a.monitor.Run(ctx) })
	g.Go(func() error { return a.worker.Run(ctx) })
	g.Go(func() error {
		w := &reload.Watcher{Path: a.cfg.rulesFile, Reload: a.reloadRules, Log: a.log}
		return w.Run(ctx)
	})
	if httpAddr != "off" {
		if httpAddr == "" {
			httpAddr = metrics.DefaultAddr
		}
		srv := &metrics.Server{Metrics: a.metrics, Checks: a.healthChecks(), Log: a.log}
		g.Go(func() error { return srv.ListenAndServe(ctx, httpAddr) })
	}
	a.log.Info("embargo running", "rules", a.cfg.rulesFile, "db", a.cfg.dbFile,
		"sink", a.sink.name, "sources", len(a.rules().Sources()), "lists", len(a.rules().Lists()))
	err := g.Wait()
	a.log.Info("embargo stopped")
	return err
}
