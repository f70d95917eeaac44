package discordtest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// alertEmbed is about the size of an embargo alert.
func alertEmbed(i int) *discordgo.MessageEmbed {
	return &discordgo.MessageEmbed{
		Title:       fmt.Sprintf("DPRK to send 6,000 workers to Kursk (%d)", i),
		URL:         "https://news.example/story/" + strconv.Itoa(i),
		Description: strings.Repeat("North Korea will send **6,000 workers** to rebuild the region. ", 20),
		Fields: []*discordgo.MessageEmbedField{
			{Name: "Rule", Value: "dprk-labor-abroad", Inline: true},
			{Name: "Legal basis", Value: "UNSCR 2397 (2017) OP8", Inline: true},
			{Name: "Quantities", Value: "6,000 workers; 1,000 military engineers"},
		},
		Footer: &discordgo.MessageEmbedFooter{Text: "dprk-labor-abroad"},
	}
}

// BenchmarkMessageCreate measures what the fake costs per message: HTTP,
// schema and limit checks, recording. Rate limits are out of the way.
func BenchmarkMessageCreate(b *testing.B) {
	s := New(b, WithMessageRateLimit(1<<30, time.Hour))
	dg, err := discordgo.New("Bot " + s.Token())
	if err != nil {
		b.Fatal(err)
	}
	dg.Client = s.Client()
	var lat []time.Duration
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		_, err := dg.ChannelMessageSendComplex(DefaultChannelID, &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{alertEmbed(i)}, AllowedMentions: noPings})
		if err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	reportPercentiles(b, lat)
}

// BenchmarkRateLimitedFanout sends 1,000 messages to 10 channels at once
// through discordgo, each channel limited to 5 per 200 ms, and reports the
// wall time against the floor the limits allow and the 429s answered.
func BenchmarkRateLimitedFanout(b *testing.B) {
	const (
		channels   = 10
		perChannel = 100
		limit      = 5
		window     = 200 * time.Millisecond
	)
	// The first window opens with the first request: perChannel/limit windows,
	// of which the last need not run out.
	floor := time.Duration(perChannel/limit-1) * window
	for b.Loop() {
		s := New(b, WithMessageRateLimit(limit, window))
		dg, err := discordgo.New("Bot " + s.Token())
		if err != nil {
			b.Fatal(err)
		}
		dg.Client = s.Client()
		start := time.Now()
		var wg sync.WaitGroup
		for c := range channels {
			channelID := strconv.Itoa(1700 + c)
			wg.Go(func() {
				for i := range perChannel {
					if _, err := dg.ChannelMessageSendComplex(channelID, &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{alertEmbed(i)}, AllowedMentions: noPings}); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		wall := time.Since(start)
		total := 0
		for _, n := range s.RateLimited() {
			total += n
		}
		b.ReportMetric(wall.Seconds(), "wall-s")
		b.ReportMetric(wall.Seconds()/floor.Seconds(), "wall/floor")
		b.ReportMetric(float64(total), "429s")
		b.ReportMetric(float64(channels*perChannel)/wall.Seconds(), "msgs/s")
	}
}

func reportPercentiles(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) }
	b.ReportMetric(pct(0.50), "p50-µs")
	b.ReportMetric(pct(0.99), "p99-µs")
}
