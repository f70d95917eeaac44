package store

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/embargo-watch/embargo/internal/alert"
)

func designation(ref string) Pending {
	return Pending{
		Alert: alert.Alert{
			Rule: "designation", Title: "New designation", Category: "designation", Severity: "high",
			Headline: "UN adds " + ref, Source: "un",
			Entities: []alert.Entity{{List: "un", Ref: ref, Name: "Name of " + ref, Program: "DPRK"}},
		},
		Targets: []string{TargetConsole, ChannelTarget("9")},
	}
}

func TestListVersions(t *testing.T) {
	t.Parallel()
	db, _ := openTest(t)
	ctx := context.Background()
	if _, ok, err := db.LatestListVersion(ctx, "un"); ok || err != nil {
		t.Fatalf("latest of an empty store: %v, %v", ok, err)
	}

	v1, err := db.SaveListVersion(ctx, ListVersion{List: "un", Hash: "h1", Count: 1000, Payload: []byte("v1")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	latest, ok, err := db.LatestListVersion(ctx, "un")
	if err != nil || !ok || latest.ID != v1 || latest.Hash != "h1" || latest.Count != 1000 ||
		!bytes.Equal(latest.Payload, []byte("v1")) || !latest.FetchedAt.Equal(t0) {
		t.Fatalf("latest = %+v, %v, %v", latest, ok, err)
	}

	// A version that lost 30% of the entries is held; the active one stays.
	held, err := db.SaveListVersion(ctx, ListVersion{List: "un", Hash: "h2", Count: 700, Payload: []byte("v2"),
		Held: true, Reason: "30% drop"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if latest, _, _ := db.LatestListVersion(ctx, "un"); latest.ID != v1 {
		t.Errorf("a held version became active: %+v", latest)
	}
	h, ok, err := db.HeldListVersion(ctx, "un")
	if err != nil || !ok || h.ID != held || !h.Held || h.Reason != "30% drop" {
		t.Fatalf("held = %+v, %v, %v", h, ok, err)
	}
	if _, ok, _ := db.HeldListVersion(ctx, "ofac"); ok {
		t.Error("held version of another list")
	}

	if err := db.ConfirmListVersion(ctx, held); err != nil {
		t.Fatal(err)
	}
	if latest, _, _ := db.LatestListVersion(ctx, "un"); latest.ID != held || latest.Held {
		t.Errorf("after confirm latest = %+v", latest)
	}
	if _, ok, _ := db.HeldListVersion(ctx, "un"); ok {
		t.Error("confirmed version still held")
	}
	if err := db.ConfirmListVersion(ctx, 9999); !errors.Is(err, ErrNotFound) {
		t.Errorf("confirm unknown version: %v, want ErrNotFound", err)
	}
}

func TestSaveListVersionStoresDesignationAlerts(t *testing.T) {
	t.Parallel()
	db, _ := openTest(t)
	ctx := context.Background()
	_, err := db.SaveListVersion(ctx, ListVersion{List: "un", Hash: "h", Count: 2},
		[]Pending{designation("KPi.001"), designation("KPi.002")})
	if err != nil {
		t.Fatal(err)
	}
	due, err := db.DueDeliveries(ctx, "", t0, 10)
	if err != nil || len(due) != 4 {
		t.Fatalf("due = %d deliveries, %v; want 2 alerts × 2 targets", len(due), err)
	}
	found, err := db.SearchAlerts(ctx, AlertQuery{Text: "KPi.002"})
	if err != nil || len(found) != 1 || found[0].Entities[0].Ref != "KPi.002" {
		t.Errorf("search designation = %+v, %v", found, err)
	}

	// A failing alert takes the version down with it.
	bad := designation("KPi.003")
	bad.Targets = []string{""}
	if _, err := db.SaveListVersion(ctx, ListVersion{List: "un", Hash: "h3", Count: 3}, []Pending{bad}); err == nil {
		t.Fatal("version with a bad alert saved")
	}
	if latest, _, _ := db.LatestListVersion(ctx, "un"); latest.Hash != "h" {
		t.Errorf("latest after failed save = %+v, want the previous", latest)
	}
}

func TestSaveAlerts(t *testing.T) {
	t.Parallel()
	db, _ := openTest(t)
	ctx := context.Background()
	stored, err := db.SaveAlerts(ctx, []Pending{designation("KPi.010")})
	if err != nil || len(stored) != 1 || stored[0].ID == 0 || !stored[0].Created.Equal(t0) {
		t.Fatalf("stored = %+v, %v", stored, err)
	}
	got, err := db.Alert(ctx, stored[0].ID)
	if err != nil || got.Headline != "UN adds KPi.010" || got.AlsoReportedBy != nil {
		t.Errorf("alert = %+v, %v", got, err)
	}
	if _, err := db.Alert(ctx, 12345); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown alert: %v, want ErrNotFound", err)
	}
	if pending, _, _ := db.OutboxStats(ctx); pending != 2 {
		t.Errorf("pending = %d, want 2", pending)
	}
}
