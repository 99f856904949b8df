package delivery

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/flintads/flint/internal/clock"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
	"github.com/flintads/flint/internal/tracking"
)

var (
	benchCountries = []string{"US", "GB", "DE", "FR", "BR", "IN", "ID", "JP", "MX", "CA", "AU", "ES", "IT", "KR", "TR",
		"PH", "VN", "TH", "PL", "NL"}
	benchInterests = []string{"beauty", "fitness", "gaming", "food", "travel", "fashion", "tech", "music", "pets",
		"sports", "diy", "books", "cars", "finance", "parenting", "comedy", "dance", "art", "outdoors", "skincare"}
	benchLanguages = []string{"en", "es", "pt", "de", "fr", "ja", "id", "hi"}
)

// syntheticEngine builds an engine over n in-memory ads with varied
// targeting, bids and lasting budgets, without a store: the index alone.
func syntheticEngine(tb testing.TB, n int) *Engine {
	e, _, _ := syntheticWorld(tb, n)
	return e
}

// syntheticWorld is syntheticEngine that also returns the source the
// entries were built from and the ads.
func syntheticWorld(tb testing.TB, n int) (*Engine, *source, []model.Ad) {
	tb.Helper()
	clk := clock.NewManual(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	e := New(nil, clk, slog.New(slog.NewTextHandler(io.Discard, nil)),
		tracking.NewSigner([]byte("0123456789abcdef0123456789abcdef"), time.Hour), Config{})
	r := rand.New(rand.NewPCG(1, 2))
	now := clk.Now()
	src := newSource(context.Background(), nil)
	src.accounts["acct_c"] = model.Account{ID: "acct_c", Kind: model.KindCreator, Handle: "maya", DisplayName: "Maya",
		CreatorType: model.CreatorCreator}
	e.writer.Lock()
	defer e.writer.Unlock()
	ads := make([]model.Ad, 0, n)
	for i := range n {
		adv := fmt.Sprintf("acct_adv%05d", i/20)
		src.accounts[adv] = model.Account{ID: adv, Kind: model.KindAdvertiser, Timezone: "UTC"}
		cmp := fmt.Sprintf("cmp_%06d", i/10)
		src.campaigns[cmp] = model.Campaign{ID: cmp, BudgetMode: model.BudgetNone, Status: model.Enabled}
		g := model.AdGroup{ID: fmt.Sprintf("adg_%07d", i/2), CampaignID: cmp, BillingEvent: model.BillCPM,
			Bid: money.Micros(1_000_000 + r.IntN(19_000_000)), Pacing: model.PacingAccelerated, StartTime: now.Add(-time.Hour),
			BudgetMode: model.BudgetDaily, Budget: 1_000_000 * money.PerUnit, Status: model.Enabled}
		switch r.IntN(10) {
		case 0:
			g.BillingEvent, g.Bid = model.BillCPC, money.Micros(100_000+r.IntN(1_900_000))
		case 1:
			g.BillingEvent, g.Bid = model.BillCPV, money.Micros(10_000+r.IntN(190_000))
		}
		t := &g.Targeting
		for range r.IntN(4) {
			t.Countries = append(t.Countries, benchCountries[r.IntN(len(benchCountries))])
		}
		if r.IntN(2) == 0 {
			t.AgeMin, t.AgeMax = 18+r.IntN(10), 30+r.IntN(30)
		}
		if r.IntN(3) == 0 {
			t.Genders = []string{[]string{"female", "male"}[r.IntN(2)]}
		}
		if r.IntN(3) == 0 {
			t.Languages = []string{benchLanguages[r.IntN(len(benchLanguages))]}
		}
		if r.IntN(4) == 0 {
			t.OS = []string{[]string{"ios", "android"}[r.IntN(2)]}
		}
		for range r.IntN(3) {
			t.Interests = append(t.Interests, benchInterests[r.IntN(len(benchInterests))])
		}
		src.groups[g.ID] = g
		p := model.Post{ID: fmt.Sprintf("post_%07d", i), CreatorID: "acct_c", Visibility: model.Public, Original: true,
			Caption:  "A caption of a typical length for a short video, with a hashtag #fyp",
			VideoURL: fmt.Sprintf("https://cdn.example/v/%d.mp4", i)}
		src.posts[p.ID] = p
		au := model.Authorization{ID: "auth_" + p.ID, PostID: p.ID, GeneratedAt: now, ExpiresAt: now.Add(365 * 24 * time.Hour)}
		src.auths[au.ID] = au
		sp := model.SparkPost{ID: "sp_" + p.ID, PostID: p.ID, AuthorizationID: au.ID, AdvertiserID: adv, CreatorID: "acct_c"}
		src.sparkPosts[sp.ID] = sp
		ad := model.Ad{ID: fmt.Sprintf("ad_%07d", i), AdvertiserID: adv, CampaignID: cmp, AdGroupID: g.ID, SparkPostID: sp.ID,
			PostID: p.ID, CTALabel: "Shop now", CTAURL: "https://shop.example/p?utm_campaign=spark", Status: model.Enabled}
		parts, err := src.part(ad)
		if err != nil {
			tb.Fatal(err)
		}
		e.ix.ads[key(ad.ID)] = e.ix.build(e.ledger, now, &parts)
		ads = append(ads, ad)
	}
	e.rerank()
	e.loaded.Store(true)
	return e, src, ads
}

// benchViewers returns varied viewers, as a feed would send them.
func benchViewers(n int) []Request {
	r := rand.New(rand.NewPCG(3, 4))
	out := make([]Request, n)
	for i := range out {
		v := Viewer{ID: fmt.Sprintf("viewer-%d", r.IntN(100_000)), Country: benchCountries[r.IntN(len(benchCountries))],
			Age: 13 + r.IntN(50), Gender: []string{"female", "male", ""}[r.IntN(3)],
			Language: benchLanguages[r.IntN(len(benchLanguages))], OS: []string{"ios", "android"}[r.IntN(2)]}
		for range r.IntN(4) {
			v.Interests = append(v.Interests, benchInterests[r.IntN(len(benchInterests))])
		}
		out[i] = Request{Placement: "feed", Viewer: v, Count: 1}
	}
	return out
}

// BenchmarkIndexDecide measures one decision against an index of 100,000
// serving ads, varied viewers, including the budget reservation and the
// signing of the tracking token.
func BenchmarkIndexDecide(b *testing.B) {
	e := syntheticEngine(b, 100_000)
	reqs := benchViewers(4096)
	ctx := context.Background()
	filled := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		d, err := e.Decide(ctx, reqs[i%len(reqs)])
		if err != nil {
			b.Fatal(err)
		}
		filled += len(d.Ads)
	}
	b.ReportMetric(float64(filled)/float64(b.N), "ads/decision")
}

func TestSyntheticIndexServes(t *testing.T) {
	e := syntheticEngine(t, 5_000)
	filled := 0
	for _, r := range benchViewers(500) {
		d, err := e.Decide(context.Background(), r)
		if err != nil {
			t.Fatal(err)
		}
		filled += len(d.Ads)
	}
	if filled < 400 {
		t.Fatalf("only %d of 500 varied viewers got an ad from 5,000 ads", filled)
	}
}

// BenchmarkInstallChange measures steps 2 and 3 of a change (build an
// ad's entry, file it, publish a snapshot with its buckets merged) against
// an index of 100,000 serving ads.
func BenchmarkInstallChange(b *testing.B) {
	e, src, ads := syntheticWorld(b, 100_000)
	ps := make([]parts, 0, 1024)
	for _, ad := range ads[:1024] {
		p, err := src.part(ad)
		if err != nil {
			b.Fatal(err)
		}
		ps = append(ps, p)
	}
	now := e.clock.Now()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		e.writer.Lock()
		e.install(now, ps[i%len(ps):i%len(ps)+1])
		e.writer.Unlock()
	}
}

// BenchmarkRerank measures a full re-rank of 100,000 serving ads.
func BenchmarkRerank(b *testing.B) {
	e := syntheticEngine(b, 100_000)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		e.writer.Lock()
		e.rerank()
		e.writer.Unlock()
	}
}

// BenchmarkAdDuringRerank measures Engine.Ad (which every ad event calls)
// while the index is re-ranked and compacted over and over, and reports
// the slowest lookup: the time event ingestion can be held up by the
// writer.
func BenchmarkAdDuringRerank(b *testing.B) {
	e, _, ads := syntheticWorld(b, 100_000)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			e.writer.Lock()
			e.ix.dead = len(e.ix.ads) // compact every time
			e.rerank()
			e.writer.Unlock()
		}
	}()
	var worst time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		if _, ok := e.Ad(ads[i%len(ads)].ID); !ok {
			b.Fatal("ad not found")
		}
		worst = max(worst, time.Since(start))
	}
	close(stop)
	<-done
	b.ReportMetric(float64(worst.Microseconds()), "worst-µs")
}
