package storetest

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/flintads/flint/internal/ids"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/store"
	"github.com/flintads/flint/internal/store/sqldb"
)

func init() {
	tests["NumericIDs"] = testNumericIDs
	tests["NumericIDTaken"] = testNumericIDTaken
	tests["SealedCode"] = testSealedCode
	tests["AdHourStats"] = testAdHourStats
}

// testNumericIDs: every numbered object stored without a numeric id gets
// one (18-19 digits, distinct), keeps it on every read and change, and is
// found by it; one stored with a numeric id keeps that one.
func testNumericIDs(f *fixture) {
	adv := f.advertiser()
	l := f.library(adv, t0)
	c := f.campaign(adv.ID, t0)
	g := f.adGroup(c, t0)
	ad := f.ad(g, l.sparkPost, t0)

	type numbered struct {
		kind model.NumberedKind
		id   string
		read func() (int64, error)
	}
	objects := []numbered{
		{model.NumberedAccount, adv.ID, func() (int64, error) { a, err := f.s.GetAccount(f.ctx, adv.ID); return a.NumericID, err }},
		{model.NumberedAccount, l.creator.ID, func() (int64, error) {
			a, err := f.s.GetAccount(f.ctx, l.creator.ID)
			return a.NumericID, err
		}},
		{model.NumberedPost, l.post.ID, func() (int64, error) { p, err := f.s.GetPost(f.ctx, l.post.ID); return p.NumericID, err }},
		{model.NumberedCampaign, c.ID, func() (int64, error) { x, err := f.s.GetCampaign(f.ctx, c.ID); return x.NumericID, err }},
		{model.NumberedAdGroup, g.ID, func() (int64, error) { x, err := f.s.GetAdGroup(f.ctx, g.ID); return x.NumericID, err }},
		{model.NumberedAd, ad.ID, func() (int64, error) { x, err := f.s.GetAd(f.ctx, ad.ID); return x.NumericID, err }},
	}
	seen := map[int64]bool{}
	numbers := map[string]int64{}
	for _, o := range objects {
		n, err := o.read()
		f.check(err, "read %s %s", o.kind, o.id)
		if n < ids.MinNumeric || n > ids.MaxNumeric {
			f.t.Errorf("%s %s has numeric id %d, want 18-19 digits", o.kind, o.id, n)
		}
		if seen[n] {
			f.t.Errorf("numeric id %d given twice", n)
		}
		seen[n], numbers[o.id] = true, n
		got, err := f.s.IDByNumber(f.ctx, o.kind, n)
		f.check(err, "IDByNumber(%s, %d)", o.kind, n)
		f.same(got, o.id, "IDByNumber(%s, %d)", o.kind, n)
	}
	// Lists, the library and changes keep them.
	ads, err := f.s.ListAds(f.ctx, adv.ID, "")
	f.check(err, "ListAds")
	f.same(ads[0].NumericID, numbers[ad.ID], "ListAds numeric id")
	entries, err := f.s.LibraryEntries(f.ctx, adv.ID, "")
	f.check(err, "LibraryEntries")
	f.same(entries[0].Post.NumericID, numbers[l.post.ID], "library entry's post numeric id")
	f.same(entries[0].Creator.NumericID, numbers[l.creator.ID], "library entry's creator numeric id")
	updated, err := f.s.UpdateCampaign(f.ctx, c.ID, func(c *model.Campaign, _ []model.AdGroup) error {
		c.Name = "Renamed"
		return nil
	})
	f.check(err, "UpdateCampaign")
	f.same(updated.NumericID, numbers[c.ID], "campaign numeric id after UpdateCampaign")
	p, err := f.s.UpdatePost(f.ctx, l.post.ID, func(p *model.Post) error { p.Caption = "new"; return nil })
	f.check(err, "UpdatePost")
	f.same(p.NumericID, numbers[l.post.ID], "post numeric id after UpdatePost")

	// A kind's numbers are its own: an ad's number is no campaign's.
	_, err = f.s.IDByNumber(f.ctx, model.NumberedCampaign, numbers[ad.ID])
	f.wantErr(err, store.ErrNotFound, "IDByNumber(campaign, an ad's number)")
	_, err = f.s.IDByNumber(f.ctx, model.NumberedAd, ids.MinNumeric)
	f.wantErr(err, store.ErrNotFound, "IDByNumber(ad, unknown)")

	// An object stored with a numeric id keeps it.
	want := model.Campaign{ID: f.id("campaign"), NumericID: 7_310_000_000_000_000_001, AdvertiserID: adv.ID, Name: "Given",
		Objective: model.ObjectiveReach, BudgetMode: model.BudgetNone, Status: model.Enabled, CreatedAt: t0, UpdatedAt: t0,
		Version: 1}
	f.check(f.s.CreateCampaign(f.ctx, want), "CreateCampaign with a numeric id")
	got, err := f.s.GetCampaign(f.ctx, want.ID)
	f.check(err, "GetCampaign")
	f.same(got.NumericID, want.NumericID, "numeric id given on create")
}

// testNumericIDTaken: the database refuses a second object of a kind with
// a numeric id that is taken; the first keeps it.
func testNumericIDTaken(f *fixture) {
	adv := f.advertiser()
	first := model.Campaign{ID: f.id("campaign"), NumericID: 7_310_000_000_000_000_002, AdvertiserID: adv.ID, Name: "One",
		Objective: model.ObjectiveReach, BudgetMode: model.BudgetNone, Status: model.Enabled, CreatedAt: t0, UpdatedAt: t0,
		Version: 1}
	f.check(f.s.CreateCampaign(f.ctx, first), "CreateCampaign")
	second := first
	second.ID = f.id("campaign")
	f.wantErr(f.s.CreateCampaign(f.ctx, second), store.ErrConflict, "CreateCampaign with a taken numeric id")
	id, err := f.s.IDByNumber(f.ctx, model.NumberedCampaign, first.NumericID)
	f.check(err, "IDByNumber")
	f.same(id, first.ID, "owner of the numeric id")
	acct := f.newAdvertiser(t0)
	acct.NumericID = first.NumericID // another kind: no conflict
	f.createAccount(acct)
}

// testSealedCode: a library entry keeps the sealed code it was redeemed
// with; redeeming the same code again changes nothing; a new code of the
// post replaces it; an entry redeemed without one gets it when the same
// code is redeemed again with one.
func testSealedCode(f *fixture) {
	adv := f.advertiser()
	creator := f.creator()
	p := f.post(creator.ID, t0)
	a := f.authorization(p, t0)
	code := f.code(a, 0)
	sp := f.newSparkPost(code, creator.ID, adv.ID, t0)
	sp.SealedCode = []byte("sealed-1")
	entry, created, err := f.s.RedeemCode(f.ctx, code, sp)
	f.check(err, "RedeemCode")
	f.same(created, true, "created")
	f.same(entry.SealedCode, []byte("sealed-1"), "RedeemCode entry's sealed code")
	read := func() model.SparkPost {
		f.t.Helper()
		got, err := f.s.GetSparkPost(f.ctx, sp.ID)
		f.check(err, "GetSparkPost")
		list, err := f.s.LibraryEntries(f.ctx, adv.ID, sp.ID)
		f.check(err, "LibraryEntries")
		f.same(list[0].SparkPost.SealedCode, got.SealedCode, "LibraryEntries and GetSparkPost agree")
		return got
	}
	f.same(read().SealedCode, []byte("sealed-1"), "stored sealed code")

	again := f.newSparkPost(code, creator.ID, adv.ID, t0.Add(time.Hour))
	again.SealedCode = []byte("sealed-other")
	_, created, err = f.s.RedeemCode(f.ctx, code, again)
	f.check(err, "RedeemCode again")
	f.same(created, false, "created on the second redemption")
	f.same(read().SealedCode, []byte("sealed-1"), "sealed code after redeeming the same code again")

	code2 := f.code(a, 0)
	next := f.newSparkPost(code2, creator.ID, adv.ID, t0.Add(2*time.Hour))
	next.SealedCode = []byte("sealed-2")
	entry, _, err = f.s.RedeemCode(f.ctx, code2, next)
	f.check(err, "RedeemCode of a second code")
	f.same(entry.SealedCode, []byte("sealed-2"), "entry after a second code")
	f.same(read().SealedCode, []byte("sealed-2"), "sealed code after a second code")

	// An entry kept without a code (redeemed before Flint kept them).
	adv2 := f.advertiser()
	old := f.newSparkPost(code, creator.ID, adv2.ID, t0)
	_, _, err = f.s.RedeemCode(f.ctx, code, old)
	f.check(err, "RedeemCode without a sealed code")
	got, err := f.s.GetSparkPost(f.ctx, old.ID)
	f.check(err, "GetSparkPost")
	f.same(got.SealedCode == nil, true, "no sealed code")
	heal := f.newSparkPost(code, creator.ID, adv2.ID, t0.Add(time.Hour))
	heal.SealedCode = []byte("sealed-3")
	_, _, err = f.s.RedeemCode(f.ctx, code, heal)
	f.check(err, "RedeemCode with the sealed code")
	got, err = f.s.GetSparkPost(f.ctx, old.ID)
	f.check(err, "GetSparkPost")
	f.same(got.SealedCode, []byte("sealed-3"), "sealed code kept on redeeming again")
}

// testAdHourStats: the hourly rollups of one advertiser's ads, per ad and
// UTC hour, within [from, to); spend under the decision's hour.
func testAdHourStats(f *fixture) {
	ads := f.ads(2)
	x, y := ads[0], ads[1]
	other := f.ads(1)[0] // another advertiser's
	h := t0.Truncate(time.Hour)
	c := newCounters()
	late := paid("x-late", model.EventClick, x, "dx-late", h.Add(time.Hour+10*time.Minute), 300, "dx-late/click")
	late.DecidedAt = h.Add(50 * time.Minute) // decided in the first hour
	f.insert(c, []model.Event{
		paid("x0", model.EventImpression, x, "dx0", h.Add(5*time.Minute), 100, "dx0/impression"),
		paid("x1", model.EventImpression, x, "dx1", h.Add(time.Hour+5*time.Minute), 200, "dx1/impression"),
		late,
		paid("y0", model.EventClick, y, "dy0", h.Add(2*time.Hour), 400, "dy0/click"),
		paid("o0", model.EventImpression, other, "do0", h.Add(10*time.Minute), 900, "do0/impression"),
	}, stored, stored, stored, stored, stored)
	type key struct {
		ad   string
		hour time.Time
	}
	read := func(from, to time.Time) map[key]model.AdStats {
		f.t.Helper()
		rows, err := f.s.AdHourStats(f.ctx, x.AdvertiserID, from, to)
		f.check(err, "AdHourStats")
		out := map[key]model.AdStats{}
		for _, r := range rows {
			out[key{r.AdID, r.Hour.UTC()}] = r.Stats
		}
		return out
	}
	all := read(h.Add(-time.Hour), h.Add(3*time.Hour))
	f.same(all, map[key]model.AdStats{
		{x.ID, h.UTC()}:                    {Impressions: 1, Spend: 400},
		{x.ID, h.Add(time.Hour).UTC()}:     {Impressions: 1, Clicks: 1, Spend: 200},
		{y.ID, h.Add(2 * time.Hour).UTC()}: {Clicks: 1, Spend: 400},
	}, "AdHourStats over every hour")
	// Hours that start in [from, to): from inside an hour skips it; to at
	// an hour's start leaves it out.
	f.same(read(h.Add(time.Minute), h.Add(2*time.Hour)), map[key]model.AdStats{
		{x.ID, h.Add(time.Hour).UTC()}: {Impressions: 1, Clicks: 1, Spend: 200},
	}, "AdHourStats of [h+1m, h+2h)")
	f.same(len(read(h.Add(3*time.Hour), h.Add(4*time.Hour))), 0, "AdHourStats of hours without events")
}

// NumericBackfill checks that rows stored before the numeric ids existed
// (numeric_id NULL) read with no numeric id and get one, distinct and
// stable, when the migrations run again (as at every start).
func NumericBackfill(t *testing.T, db *sqldb.DB, migrate func(context.Context, *sql.DB) error) {
	ctx := t.Context()
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	var accounts []string
	for i := range 3 {
		a := model.Account{ID: "adv-backfill-" + string(rune('a'+i)), Kind: model.KindAdvertiser, Name: "Acme",
			Currency: "USD", Timezone: "UTC", TokenHash: []byte{byte(i), 'b', 'f'}, CreatedAt: at, UpdatedAt: at}
		if err := db.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		accounts = append(accounts, a.ID)
	}
	if _, err := db.W.ExecContext(ctx, `UPDATE accounts SET numeric_id = NULL`); err != nil {
		t.Fatal(err)
	}
	if a, err := db.GetAccount(ctx, accounts[0]); err != nil || a.NumericID != 0 {
		t.Fatalf("an account without a numeric id reads as %d, %v; want 0, nil", a.NumericID, err)
	}
	if err := migrate(ctx, db.W); err != nil {
		t.Fatal(err)
	}
	numbers := map[int64]string{}
	for _, id := range accounts {
		a, err := db.GetAccount(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if a.NumericID < ids.MinNumeric {
			t.Fatalf("account %s has numeric id %d after the back-fill", id, a.NumericID)
		}
		if other, ok := numbers[a.NumericID]; ok {
			t.Fatalf("accounts %s and %s share numeric id %d", other, id, a.NumericID)
		}
		numbers[a.NumericID] = id
	}
	if err := migrate(ctx, db.W); err != nil {
		t.Fatal(err)
	}
	for n, id := range numbers {
		if a, err := db.GetAccount(ctx, id); err != nil || a.NumericID != n {
			t.Fatalf("account %s: numeric id %d after migrating again, had %d (%v)", id, a.NumericID, n, err)
		}
	}
	if _, err := db.IDByNumber(ctx, model.NumberedAccount, 0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("IDByNumber(0) = %v, want ErrNotFound", err)
	}
}
