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
	tb.Helper()
	clk := clock.NewManual(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	e := New(nil, clk, slog.New(slog.NewTextHandler(io.Discard, nil)),
		tracking.NewSigner([]byte("0123456789abcdef0123456789abcdef"), time.Hour), Config{})
	r := rand.New(rand.NewPCG(1, 2))
	now := clk.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	for i := range n {
		adv := fmt.Sprintf("acct_adv%05d", i/20)
		g := model.AdGroup{ID: fmt.Sprintf("adg_%07d", i/2), BillingEvent: model.BillCPM,
			Bid: money.Micros(1_000_000 + r.IntN(19_000_000)), Pacing: model.PacingAccelerated, StartTime: now.Add(-time.Hour),
			BudgetMode: model.BudgetDaily, Budget: 1_000_000 * money.PerUnit}
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
		en := &entry{adID: fmt.Sprintf("ad_%07d", i), postID: fmt.Sprintf("post_%07d", i), advertiserID: adv,
			adGroupID: g.ID, campaignID: fmt.Sprintf("cmp_%06d", i/10), creatorID: "acct_c", creatorHandle: "maya",
			creatorName: "Maya", caption: "A caption of a typical length for a short video, with a hashtag #fyp",
			videoURL: "https://cdn.example/v/" + fmt.Sprint(i) + ".mp4", ctaLabel: "Shop now",
			billing: g.BillingEvent, bid: g.Bid, maxPrice: maxUnitPrice(g.BillingEvent, g.Bid),
			countries: t.Countries, ageMin: t.AgeMin, ageMax: t.AgeMax, genders: bitsOf(t.Genders, genderBits),
			oses: bitsOf(t.OS, osBits), start: g.StartTime.UnixMicro(), enabled: true, rates: e.ratesFor(fmt.Sprint(i))}
		en.ctaURL, en.ctaSep, en.ctaFragment = splitURL("https://shop.example/p?utm_campaign=spark")
		for _, l := range t.Languages {
			en.langs = append(en.langs, e.intern("lang:"+l))
		}
		for _, x := range t.Interests {
			en.interests = append(en.interests, e.intern("interest:"+x))
		}
		en.group, _ = e.budgetFor(g.ID, adv, g.BudgetMode, g.Budget, time.UTC, [2]int64{})
		en.auth = e.authFor(model.Authorization{ID: "auth_" + en.postID, PostID: en.postID, GeneratedAt: now,
			ExpiresAt: now.Add(365 * 24 * time.Hour)})
		en.post = &postState{}
		en.post.eligible.Store(true)
		e.ads[en.adID] = en
	}
	e.rebuild()
	return e
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
