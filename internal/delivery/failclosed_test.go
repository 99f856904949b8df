package delivery_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/flintads/flint/internal/change"
	"github.com/flintads/flint/internal/clock"
	"github.com/flintads/flint/internal/delivery"
	"github.com/flintads/flint/internal/demo"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/store"
	"github.com/flintads/flint/internal/store/sqlite"
	"github.com/flintads/flint/internal/tracking"
)

// brokenStore fails every read once broken is set.
type brokenStore struct {
	store.Store
	broken bool
}

var errBroken = errors.New("database unreachable")

func (s *brokenStore) CurrentAuthorization(ctx context.Context, postID string) (model.Authorization, error) {
	if s.broken {
		return model.Authorization{}, errBroken
	}
	return s.Store.CurrentAuthorization(ctx, postID)
}

func (s *brokenStore) ListAdGroups(ctx context.Context, advertiserID, campaignID string) ([]model.AdGroup, error) {
	if s.broken {
		return nil, errBroken
	}
	return s.Store.ListAdGroups(ctx, advertiserID, campaignID)
}

// TestFailsClosed checks that when a change cannot be read from the store,
// the ads it may concern stop serving rather than serve on stale state.
func TestFailsClosed(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "flint.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now()
	w := demo.Generate(40, 7, now)
	if err := db.Seed(ctx, w); err != nil {
		t.Fatal(err)
	}
	st := &brokenStore{Store: db}
	e := delivery.New(st, clock.Real{}, slog.New(slog.NewTextHandler(io.Discard, nil)),
		tracking.NewSigner([]byte("0123456789abcdef0123456789abcdef"), time.Hour), delivery.Config{})
	if err := e.Load(ctx); err != nil {
		t.Fatal(err)
	}
	// Find an ad that serves, and a viewer it serves to.
	var adID, postID string
	var v delivery.Viewer
	for _, g := range w.AdGroups {
		v = delivery.Viewer{ID: "probe", Age: max(g.Targeting.AgeMin, 30), Interests: g.Targeting.Interests}
		if g.Targeting.AgeMax > 0 && v.Age > g.Targeting.AgeMax {
			v.Age = g.Targeting.AgeMax
		}
		for _, f := range []struct {
			dst  *string
			list []string
		}{{&v.Country, g.Targeting.Countries}, {&v.Gender, g.Targeting.Genders}, {&v.Language, g.Targeting.Languages},
			{&v.OS, g.Targeting.OS}} {
			if len(f.list) > 0 {
				*f.dst = f.list[0]
			}
		}
		d, err := e.Decide(ctx, delivery.Request{Viewer: v, Count: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Ads) == 1 {
			adID, postID = d.Ads[0].AdID, d.Ads[0].PostID
			break
		}
	}
	if adID == "" {
		t.Fatal("no ad serves; the test proves nothing")
	}
	served := func() bool {
		for i := range 20 {
			v.ID = "viewer-" + string(rune('a'+i))
			d, err := e.Decide(ctx, delivery.Request{Viewer: v, Count: 10})
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range d.Ads {
				if a.AdID == adID {
					return true
				}
			}
		}
		return false
	}
	if !served() {
		t.Fatal("the ad does not serve again; the test proves nothing")
	}
	st.broken = true
	e.Changed(ctx, change.Event{Kind: change.Authorization, ID: postID})
	if served() {
		t.Fatal("served after a change the engine could not read")
	}
}
