package store

import (
	"context"
	"testing"
)

func TestSubscriptions(t *testing.T) {
	t.Parallel()
	db, _ := openTest(t)
	ctx := context.Background()
	add := func(s Subscription) int64 {
		t.Helper()
		id, err := db.AddSubscription(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	a := add(Subscription{GuildID: "g1", ChannelID: "c1", Rule: "dprk-labor", CreatedBy: "u1"})
	b := add(Subscription{GuildID: "g1", ChannelID: "c2", Category: "arms", MinSeverity: "high"})
	c := add(Subscription{GuildID: "g2", ChannelID: "c3"})

	g1, err := db.Subscriptions(ctx, "g1")
	if err != nil || len(g1) != 2 || g1[0].ID != a || g1[1].ID != b {
		t.Fatalf("g1 subscriptions = %+v, %v", g1, err)
	}
	if got := g1[0]; got.Rule != "dprk-labor" || got.CreatedBy != "u1" || !got.Created.Equal(t0) {
		t.Errorf("subscription read back as %+v", got)
	}
	if got := g1[1]; got.Category != "arms" || got.MinSeverity != "high" {
		t.Errorf("subscription read back as %+v", got)
	}
	if all, _ := db.Subscriptions(ctx, ""); len(all) != 3 {
		t.Errorf("all subscriptions = %+v, want 3", all)
	}

	// A guild cannot remove another guild's subscription.
	if removed, err := db.RemoveSubscription(ctx, "g1", c); err != nil || removed {
		t.Errorf("g1 removed g2's subscription: %v, %v", removed, err)
	}
	if removed, err := db.RemoveSubscription(ctx, "g2", c); err != nil || !removed {
		t.Errorf("g2 could not remove its subscription: %v, %v", removed, err)
	}
	if removed, _ := db.RemoveSubscription(ctx, "g2", c); removed {
		t.Error("removed the same subscription twice")
	}
	if _, err := db.AddSubscription(ctx, Subscription{GuildID: "g1"}); err == nil {
		t.Error("subscription without channel accepted")
	}
}

func TestChannelFailuresPauseAndResume(t *testing.T) {
	t.Parallel()
	db, _ := openTest(t)
	ctx := context.Background()
	for _, rule := range []string{"r1", "r2"} {
		if _, err := db.AddSubscription(ctx, Subscription{GuildID: "g", ChannelID: "c1", Rule: rule}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.AddSubscription(ctx, Subscription{GuildID: "g", ChannelID: "other"}); err != nil {
		t.Fatal(err)
	}
	channel := func() []Subscription {
		t.Helper()
		subs, err := db.SubscriptionsForChannel(ctx, "c1")
		if err != nil || len(subs) != 2 {
			t.Fatalf("channel subscriptions = %+v, %v", subs, err)
		}
		return subs
	}

	for range 2 {
		if err := db.RecordChannelFailure(ctx, "c1", "403 missing access", 3); err != nil {
			t.Fatal(err)
		}
	}
	if s := channel()[0]; s.Failures != 2 || s.Paused {
		t.Errorf("after 2 failures: %+v, want counted, not paused", s)
	}
	if err := db.ResetChannelFailures(ctx, "c1"); err != nil {
		t.Fatal(err)
	}
	if s := channel()[1]; s.Failures != 0 {
		t.Errorf("after success: failures = %d", s.Failures)
	}
	for range 3 {
		if err := db.RecordChannelFailure(ctx, "c1", "403 missing access", 3); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range channel() {
		if !s.Paused || s.PauseReason != "403 missing access" || s.Failures != 3 {
			t.Errorf("after 3 failures: %+v, want paused with reason", s)
		}
	}
	if other, _ := db.SubscriptionsForChannel(ctx, "other"); other[0].Failures != 0 || other[0].Paused {
		t.Errorf("another channel's subscription changed: %+v", other[0])
	}
	n, err := db.ResumeChannel(ctx, "c1")
	if err != nil || n != 2 {
		t.Errorf("resumed %d, %v; want 2", n, err)
	}
	if s := channel()[0]; s.Paused || s.PauseReason != "" || s.Failures != 0 {
		t.Errorf("after resume: %+v", s)
	}
}

func TestRecordChannelFailureNeverPausesWithoutLimit(t *testing.T) {
	t.Parallel()
	db, _ := openTest(t)
	ctx := context.Background()
	if _, err := db.AddSubscription(ctx, Subscription{GuildID: "g", ChannelID: "c"}); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if err := db.RecordChannelFailure(ctx, "c", "timeout", 0); err != nil {
			t.Fatal(err)
		}
	}
	subs, _ := db.SubscriptionsForChannel(ctx, "c")
	if subs[0].Paused || subs[0].Failures != 5 {
		t.Errorf("subscription = %+v, want 5 failures and not paused", subs[0])
	}
}
