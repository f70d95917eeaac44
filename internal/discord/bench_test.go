package discord

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/embargo-watch/embargo/internal/delivery"
	"github.com/embargo-watch/embargo/internal/discordtest"
	"github.com/embargo-watch/embargo/internal/store"
	"github.com/embargo-watch/embargo/rules"
)

// BenchmarkDeliverToRateLimitedChannels sends 1,000 alerts to each of 10
// channels through the fake Discord, whose channels allow 5 messages per
// 250 ms window (Discord's 5 per 5 s, shortened), and reports the 429s drawn
// beyond the first of each bucket and the wall time against the floor the
// rate limits allow. The window is long enough that the rate limits, not the
// store's commits, set the pace: the floor is what Discord would allow.
func BenchmarkDeliverToRateLimitedChannels(b *testing.B) {
	const (
		alerts   = 1000
		channels = 10
		limit    = 5
		window   = 250 * time.Millisecond
	)
	for range b.N {
		b.StopTimer()
		fake, db, w := benchSetup(b, alerts, channels, limit, window)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		b.StartTimer()

		start := time.Now()
		delivered := 0
		for delivered < alerts*channels && ctx.Err() == nil {
			n, err := w.Drain(ctx)
			if err != nil {
				b.Fatal(err)
			}
			delivered += n
		}
		wall := time.Since(start)

		b.StopTimer()
		cancel()
		if delivered != alerts*channels {
			b.Fatalf("delivered %d of %d", delivered, alerts*channels)
		}
		for c := range channels {
			if n := len(fake.Messages(benchChannel(c))); n != alerts {
				b.Fatalf("channel %d holds %d messages", c, n)
			}
		}
		extra := 0
		for _, n := range fake.RateLimited() {
			extra += max(0, n-1)
		}
		floor := time.Duration((alerts+limit-1)/limit-1) * window
		b.ReportMetric(float64(extra), "429s-beyond-first")
		b.ReportMetric(wall.Seconds(), "wall-s")
		b.ReportMetric(floor.Seconds(), "floor-s")
		b.ReportMetric(wall.Seconds()/floor.Seconds(), "wall/floor")
		b.ReportMetric(float64(alerts*channels)/wall.Seconds(), "msgs/s")
		db.Close()
	}
}

func benchChannel(i int) string { return strconv.Itoa(1300000000000000000 + i) }

// benchSetup starts the fake, stores the alerts with one outbox row per
// channel, and returns a Worker with the bot's Sender.
func benchSetup(b *testing.B, alerts, channels, limit int, window time.Duration) (*discordtest.Server, *store.DB, *delivery.Worker) {
	b.Helper()
	guild := discordtest.Guild{ID: guildID, Name: "bench"}
	for c := range channels {
		guild.Channels = append(guild.Channels, benchChannel(c))
	}
	fake := discordtest.New(b, discordtest.WithGuilds(guild), discordtest.WithMessageRateLimit(limit, window))
	db, err := store.Open(context.Background(), b.TempDir()+"/bench.db")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var targets []string
	for c := range channels {
		if _, err := db.AddSubscription(ctx, store.Subscription{GuildID: guildID, ChannelID: benchChannel(c)}); err != nil {
			b.Fatal(err)
		}
		targets = append(targets, store.ChannelTarget(benchChannel(c)))
	}
	pending := make([]store.Pending, 0, alerts)
	for i := range alerts {
		a := kursk()
		a.URL = fmt.Sprintf("https://news.example/%d", i)
		pending = append(pending, store.Pending{Alert: a, Targets: targets})
	}
	if _, err := db.SaveAlerts(ctx, pending); err != nil {
		b.Fatal(err)
	}
	bot, err := NewBot(Config{
		Token: fake.Token(), APIBase: fake.URL(), Store: db,
		Rules: func() *rules.Set { return nil }, Log: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		b.Fatal(err)
	}
	w := &delivery.Worker{Outbox: db, Sender: bot.Sender(), Prefix: "channel:", Concurrency: channels}
	return fake, db, w
}
