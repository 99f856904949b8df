package delivery_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/flintads/flint/internal/clock"
	"github.com/flintads/flint/internal/delivery"
	"github.com/flintads/flint/internal/demo"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/store"
	"github.com/flintads/flint/internal/store/sqlite"
	"github.com/flintads/flint/internal/tracking"
)

// hookStore is a store whose reads can be made to fail, by method name, or
// to stop after reading until released.
type hookStore struct {
	store.Store
	mu     sync.Mutex
	broken map[string]bool
	hold   map[string]*held
}

// held stops the next read of one method: read is closed once it has read,
// and it returns once release is closed.
type held struct {
	read, release chan struct{}
	once          sync.Once
}

var errBroken = errors.New("database unreachable")

func (s *hookStore) breakReads(methods ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range methods {
		s.broken[m] = true
	}
}

func (s *hookStore) heal() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.broken)
}

// holdNext makes the next read of method wait after reading.
func (s *hookStore) holdNext(method string) *held {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := &held{read: make(chan struct{}), release: make(chan struct{})}
	s.hold[method] = h
	return h
}

// down makes every read fail, as in a database outage.
func (s *hookStore) down() { s.breakReads("*") }

// before is called by each hooked read; it returns the read's error, if
// any, and what to do after reading.
func (s *hookStore) before(method string) (error, func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.broken[method] || s.broken["*"] {
		return fmt.Errorf("%s: %w", method, errBroken), func() {}
	}
	h := s.hold[method]
	if h == nil {
		return nil, func() {}
	}
	delete(s.hold, method)
	return nil, func() {
		h.once.Do(func() { close(h.read) })
		<-h.release
	}
}

func hooked[T any](s *hookStore, method string, read func() (T, error)) (T, error) {
	err, after := s.before(method)
	if err != nil {
		var zero T
		return zero, err
	}
	v, err := read()
	after()
	return v, err
}

func (s *hookStore) GetAd(ctx context.Context, id string) (model.Ad, error) {
	return hooked(s, "GetAd", func() (model.Ad, error) { return s.Store.GetAd(ctx, id) })
}

func (s *hookStore) GetCampaign(ctx context.Context, id string) (model.Campaign, error) {
	return hooked(s, "GetCampaign", func() (model.Campaign, error) { return s.Store.GetCampaign(ctx, id) })
}

func (s *hookStore) GetPost(ctx context.Context, id string) (model.Post, error) {
	return hooked(s, "GetPost", func() (model.Post, error) { return s.Store.GetPost(ctx, id) })
}

func (s *hookStore) GetAccount(ctx context.Context, id string) (model.Account, error) {
	return hooked(s, "GetAccount", func() (model.Account, error) { return s.Store.GetAccount(ctx, id) })
}

func (s *hookStore) GetAuthorization(ctx context.Context, id string) (model.Authorization, error) {
	return hooked(s, "GetAuthorization", func() (model.Authorization, error) { return s.Store.GetAuthorization(ctx, id) })
}

func (s *hookStore) ListAds(ctx context.Context, advertiserID, adGroupID string) ([]model.Ad, error) {
	return hooked(s, "ListAds", func() ([]model.Ad, error) { return s.Store.ListAds(ctx, advertiserID, adGroupID) })
}

func (s *hookStore) AdsForPost(ctx context.Context, postID string) ([]model.Ad, error) {
	return hooked(s, "AdsForPost", func() ([]model.Ad, error) { return s.Store.AdsForPost(ctx, postID) })
}

func (s *hookStore) ListCampaigns(ctx context.Context, advertiserID string) ([]model.Campaign, error) {
	return hooked(s, "ListCampaigns", func() ([]model.Campaign, error) { return s.Store.ListCampaigns(ctx, advertiserID) })
}

func (s *hookStore) ListSparkPosts(ctx context.Context, advertiserID string) ([]model.SparkPost, error) {
	return hooked(s, "ListSparkPosts", func() ([]model.SparkPost, error) { return s.Store.ListSparkPosts(ctx, advertiserID) })
}

func (s *hookStore) ListPosts(ctx context.Context, creatorID string) ([]model.Post, error) {
	return hooked(s, "ListPosts", func() ([]model.Post, error) { return s.Store.ListPosts(ctx, creatorID) })
}

func (s *hookStore) ListAccounts(ctx context.Context, kind model.AccountKind) ([]model.Account, error) {
	return hooked(s, "ListAccounts", func() ([]model.Account, error) { return s.Store.ListAccounts(ctx, kind) })
}

func (s *hookStore) ListAuthorizations(ctx context.Context) ([]model.Authorization, error) {
	return hooked(s, "ListAuthorizations", func() ([]model.Authorization, error) { return s.Store.ListAuthorizations(ctx) })
}

func (s *hookStore) GetAdGroup(ctx context.Context, id string) (model.AdGroup, error) {
	return hooked(s, "GetAdGroup", func() (model.AdGroup, error) { return s.Store.GetAdGroup(ctx, id) })
}

func (s *hookStore) GetSparkPost(ctx context.Context, id string) (model.SparkPost, error) {
	return hooked(s, "GetSparkPost", func() (model.SparkPost, error) { return s.Store.GetSparkPost(ctx, id) })
}

func (s *hookStore) CurrentAuthorization(ctx context.Context, postID string) (model.Authorization, error) {
	return hooked(s, "CurrentAuthorization", func() (model.Authorization, error) {
		return s.Store.CurrentAuthorization(ctx, postID)
	})
}

func (s *hookStore) ListAdGroups(ctx context.Context, advertiserID, campaignID string) ([]model.AdGroup, error) {
	return hooked(s, "ListAdGroups", func() ([]model.AdGroup, error) {
		return s.Store.ListAdGroups(ctx, advertiserID, campaignID)
	})
}

func (s *hookStore) AdSpend(ctx context.Context, since time.Time, adIDs []string) ([]model.AdSpend, error) {
	return hooked(s, "AdSpend", func() ([]model.AdSpend, error) { return s.Store.AdSpend(ctx, since, adIDs) })
}

// ScanIndex fails, when broken, after it has handed every object over: a
// load that fails on its last read.
func (s *hookStore) ScanIndex(ctx context.Context, v store.IndexVisitor) error {
	if err := s.Store.ScanIndex(ctx, v); err != nil {
		return err
	}
	_, err := hooked(s, "ScanIndex", func() (struct{}, error) { return struct{}{}, nil })
	return err
}

func (s *hookStore) AdStats(ctx context.Context, adIDs []string) (map[string]model.AdStats, error) {
	return hooked(s, "AdStats", func() (map[string]model.AdStats, error) { return s.Store.AdStats(ctx, adIDs) })
}

// testWorld is a small demo world in SQLite behind a hookStore, and an
// engine loaded from it.
type testWorld struct {
	t  *testing.T
	db store.Store
	st *hookStore
	w  model.World
	e  *delivery.Engine
}

func newTestWorld(t *testing.T, ads int, clk clock.Clock, cfg delivery.Config) *testWorld {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "flint.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w := demo.Generate(ads, 7, clk.Now())
	if err := db.Seed(ctx, w); err != nil {
		t.Fatal(err)
	}
	st := &hookStore{Store: db, broken: map[string]bool{}, hold: map[string]*held{}}
	e := delivery.New(st, clk, slog.New(slog.NewTextHandler(io.Discard, nil)),
		tracking.NewSigner([]byte("0123456789abcdef0123456789abcdef"), time.Hour), cfg)
	if err := e.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.LeaseAll(ctx); err != nil {
		t.Fatal(err)
	}
	return &testWorld{t: t, db: db, st: st, w: w, e: e}
}

// viewerFor returns a viewer that group g targets.
func viewerFor(g model.AdGroup) delivery.Viewer {
	v := delivery.Viewer{ID: "probe", Age: max(g.Targeting.AgeMin, 30), Interests: g.Targeting.Interests}
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
	return v
}

// servingAds returns up to n ads that serve, each with a viewer it serves
// to, from distinct ad groups.
func (tw *testWorld) servingAds(n int) []servingAd {
	tw.t.Helper()
	var out []servingAd
	for _, g := range tw.w.AdGroups {
		v := viewerFor(g)
		for _, ad := range tw.w.Ads {
			if ad.AdGroupID == g.ID && tw.serves(ad.ID, v) {
				out = append(out, servingAd{ad: ad, group: g, viewer: v})
				break
			}
		}
		if len(out) == n {
			return out
		}
	}
	tw.t.Fatalf("only %d of %d ads serve; the test proves nothing", len(out), n)
	return nil
}

type servingAd struct {
	ad     model.Ad
	group  model.AdGroup
	viewer delivery.Viewer
}

// serves reports whether adID is among the ads decided for v (and twenty
// other viewers like v, so that a frequency cap or the auction's order do
// not hide it).
func (tw *testWorld) serves(adID string, v delivery.Viewer) bool {
	tw.t.Helper()
	for i := range 20 {
		v.ID = fmt.Sprintf("viewer-%s-%d", adID, i)
		d, err := tw.e.Decide(context.Background(), delivery.Request{Viewer: v, Count: delivery.MaxCount})
		if err != nil {
			tw.t.Fatal(err)
		}
		for _, a := range d.Ads {
			if a.AdID == adID {
				return true
			}
		}
	}
	return false
}
