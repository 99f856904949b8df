package retention_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/retention"
	"github.com/flintads/flint/internal/store/sqlite"
)

// TestPurge stores organic events over 40 days and checks that a purge
// with 30 days' retention removes the older ones, across several batches,
// and leaves the post's counters alone. (Ad events, found by their once
// keys, are covered by the store's conformance suite.)
func TestPurge(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "flint.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	w := model.World{Accounts: []model.Account{{ID: "c", Kind: model.KindCreator, Handle: "c", TokenHash: []byte("c"),
		CreatedAt: now, UpdatedAt: now}}, Posts: []model.Post{{ID: "p", CreatorID: "c", Caption: "x", VideoURL: "https://v/x",
		Visibility: model.Public, Original: true, CreatedAt: now, UpdatedAt: now}}}
	if err := st.Seed(ctx, w); err != nil {
		t.Fatal(err)
	}
	var events []model.Event
	for i := range 12_000 {
		at := now.Add(-time.Duration(i) * (40 * 24 * time.Hour / 12_000))
		events = append(events, model.Event{ID: "e" + time.Duration(i).String(), Type: model.EventLike, PostID: "p", At: at})
	}
	out, err := st.InsertEvents(ctx, events)
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range out {
		if o != model.EventStored {
			t.Fatalf("event %d: outcome %d", i, o)
		}
	}
	n, err := retention.Purge(ctx, st, now, 30*24*time.Hour, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2999 && n != 3000 {
		t.Fatalf("purged %d events, want the 3,000 older than 30 days", n)
	}
	stats, err := st.PostStats(ctx, []string{"p"})
	if err != nil {
		t.Fatal(err)
	}
	if stats["p"].Organic.Likes != 12_000 {
		t.Fatalf("likes after the purge: %d, want 12000 (counters are never purged)", stats["p"].Organic.Likes)
	}
	if n, _ := retention.Purge(ctx, st, now, 30*24*time.Hour, 24*time.Hour); n != 0 {
		t.Fatalf("a second purge deleted %d", n)
	}
}
