package store

import (
	"context"
	"testing"
	"time"
)

func TestMutes(t *testing.T) {
	t.Parallel()
	db, _ := openTest(t)
	ctx := context.Background()
	add := func(guild, rule string, until time.Time) int64 {
		t.Helper()
		id, err := db.AddMute(ctx, Mute{GuildID: guild, Rule: rule, Until: until, CreatedBy: "u", Reason: "noisy"})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	long := add("g1", "dprk-labor", t0.Add(24*time.Hour))
	short := add("g1", "dprk-arms", t0.Add(time.Hour))
	add("g1", "dprk-labor", t0.Add(-time.Hour)) // already over
	add("g2", "dprk-labor", t0.Add(time.Hour))

	active, err := db.ActiveMutes(ctx, "g1", t0)
	if err != nil || len(active) != 2 || active[0].ID != short || active[1].ID != long {
		t.Fatalf("active mutes = %+v, %v; want short then long", active, err)
	}
	if m := active[1]; m.Rule != "dprk-labor" || m.Reason != "noisy" || m.CreatedBy != "u" ||
		!m.Until.Equal(t0.Add(24*time.Hour)) || !m.Created.Equal(t0) {
		t.Errorf("mute read back as %+v", m)
	}
	if later, _ := db.ActiveMutes(ctx, "g1", t0.Add(2*time.Hour)); len(later) != 1 || later[0].ID != long {
		t.Errorf("mutes after 2h = %+v, want only the long one", later)
	}
	if all, _ := db.ActiveMutes(ctx, "", t0); len(all) != 3 {
		t.Errorf("active mutes of all guilds = %+v, want 3", all)
	}

	n, err := db.RemoveMutes(ctx, "g1", "dprk-labor")
	if err != nil || n != 2 {
		t.Errorf("removed %d, %v; want 2 (active and expired)", n, err)
	}
	if left, _ := db.ActiveMutes(ctx, "", t0); len(left) != 2 {
		t.Errorf("mutes left = %+v, want g1's arms mute and g2's", left)
	}
	if _, err := db.AddMute(ctx, Mute{GuildID: "g1", Rule: "x"}); err == nil {
		t.Error("mute without end accepted")
	}
}
