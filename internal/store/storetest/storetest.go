// Package storetest is the conformance suite that every store.Store implementation must pass.
//
// A backend's test calls Run with a function that opens a fresh, empty,
// migrated store:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store {
//			s, err := mybackend.Open(…)
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// open is called once per subtest and must release what it opened with
// t.Cleanup; the suite may close a store itself, so cleanup must tolerate a
// second Close. The suite checks the contract documented in package store:
// round trips of every type, ordering and filtering of the list calls,
// ErrNotFound, ErrConflict and ErrLimitReached, the redemption rules of
// RedeemCode (also under concurrency), the outcomes and counters of
// InsertEvents, and the atomicity of Seed.
package storetest

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
	"github.com/flintads/flint/internal/store"
)

// Option changes how Run runs the suite.
type Option func(*options)

type options struct{ parallel bool }

// Parallel runs the subtests in parallel: for backends whose open gives
// each subtest a database of its own.
func Parallel() Option { return func(o *options) { o.parallel = true } }

// Run runs the conformance suite, one subtest per behaviour, each on its own
// store from open.
func Run(t *testing.T, open func(t *testing.T) store.Store, opts ...Option) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	for _, name := range slices.Sorted(maps.Keys(tests)) {
		test := tests[name]
		t.Run(name, func(t *testing.T) {
			if o.parallel {
				t.Parallel()
			}
			s := open(t)
			if s == nil {
				t.Fatal("open returned a nil store")
			}
			test(&fixture{t: t, ctx: t.Context(), s: s})
		})
	}
}

// tests maps subtest names to the checks they run.
var tests = map[string]func(f *fixture){
	"Ping":  testPing,
	"Close": testClose,

	"AccountRoundTrip":   testAccountRoundTrip,
	"AccountTimes":       testAccountTimes,
	"AccountConflicts":   testAccountConflicts,
	"AccountEmptyHandle": testAccountEmptyHandle,
	"AccountUpdate":      testAccountUpdate,
	"AccountList":        testAccountList,

	"PostRoundTrip":       testPostRoundTrip,
	"PostUpdate":          testPostUpdate,
	"PostList":            testPostList,
	"PostExisting":        testPostExisting,
	"PostStatsNoEvents":   testPostStatsNoEvents,
	"PostConcurrentEdits": testPostConcurrentEdits,

	"AuthorizationRoundTrip":  testAuthorizationRoundTrip,
	"AuthorizationCurrent":    testAuthorizationCurrent,
	"AuthorizationList":       testAuthorizationList,
	"AuthorizationOneCurrent": testAuthorizationOneCurrent,
	"TimesBeyondYear9999":     testTimesBeyondYear9999,
	"LibraryEntries":          testLibraryEntries,
	"CodeRoundTrip":           testCodeRoundTrip,

	"RedeemFirst":             testRedeemFirst,
	"RedeemIdempotent":        testRedeemIdempotent,
	"RedeemLimit":             testRedeemLimit,
	"RedeemUnlimited":         testRedeemUnlimited,
	"RedeemRepoint":           testRedeemRepoint,
	"RedeemSameEpisode":       testRedeemSameEpisode,
	"RedeemOldCodeAgain":      testRedeemOldCodeAgain,
	"RedeemAfterDelete":       testRedeemAfterDelete,
	"RedeemUnknownCode":       testRedeemUnknownCode,
	"RedeemConcurrentLimit":   testRedeemConcurrentLimit,
	"RedeemConcurrentSameAdv": testRedeemConcurrentSameAdvertiser,
	"RedeemConcurrentCodes":   testRedeemConcurrentCodes,

	"SparkPostList":        testSparkPostList,
	"SparkPostDelete":      testSparkPostDelete,
	"SparkPostInUse":       testSparkPostInUse,
	"SparkPostDeleteRace":  testSparkPostDeleteRace,
	"SparkPostAdvertisers": testPostAdvertisers,

	"CampaignRoundTrip":            testCampaignRoundTrip,
	"CampaignList":                 testCampaignList,
	"AdGroupRoundTrip":             testAdGroupRoundTrip,
	"AdGroupList":                  testAdGroupList,
	"AdRoundTrip":                  testAdRoundTrip,
	"AdList":                       testAdList,
	"ScanIndex":                    testScanIndex,
	"AdsForPost":                   testAdsForPost,
	"CampaignConcurrentEdits":      testCampaignConcurrentEdits,
	"CampaignRulesSeeCurrentState": testCampaignRulesSeeCurrentState,
	"CountLiveAds":                 testCountLiveAds,

	"EventOutcomes":           testEventOutcomes,
	"EventOutcomesSameBatch":  testEventOutcomesSameBatch,
	"EventNilOnceKey":         testEventNilOnceKey,
	"EventCounters":           testEventCounters,
	"EventRejectedNotCounted": testEventRejectedNotCounted,
	"EventAdSpend":            testEventAdSpend,
	"EventSpendDecisionHour":  testEventSpendUnderDecisionHour,
	"EventLargeBatch":         testEventLargeBatch,
	"EventUnstorable":         testEventUnstorable,
	"EventProbeWrite":         testEventProbeWrite,
	"EventEmptyBatch":         testEventEmptyBatch,
	"EventConcurrent":         testEventConcurrent,
	"EventConcurrentOverlap":  testEventConcurrentOverlap,

	"SeedRoundTrip":    testSeedRoundTrip,
	"SeedRedemptions":  testSeedRedemptions,
	"SeedAllOrNothing": testSeedAllOrNothing,
	"SeedEmpty":        testSeedEmpty,
	"SeedLarge":        testSeedLarge,
}

// t0 is the suite's reference time: microsecond precision, in a zone other
// than UTC so that comparisons must use time.Time.Equal.
var t0 = time.Date(2025, 3, 14, 9, 26, 53, 589793000, time.FixedZone("UTC+2", 2*3600))

// fixture carries a subtest's store and builds the objects it needs.
type fixture struct {
	t   *testing.T
	ctx context.Context
	s   store.Store
	seq int
}

// id returns a new identifier with the given prefix.
func (f *fixture) id(prefix string) string {
	f.seq++
	return fmt.Sprintf("%s-%03d", prefix, f.seq)
}

// hash returns a stable 32-byte hash of s.
func hash(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// check fails the test when err is not nil.
func (f *fixture) check(err error, what string, args ...any) {
	f.t.Helper()
	if err != nil {
		f.t.Fatalf("%s: %v", fmt.Sprintf(what, args...), err)
	}
}

// wantErr fails the test unless errors.Is(err, target).
func (f *fixture) wantErr(err, target error, what string, args ...any) {
	f.t.Helper()
	if !errors.Is(err, target) {
		f.t.Fatalf("%s: got error %v, want %v", fmt.Sprintf(what, args...), err, target)
	}
}

// same fails the test when got differs from want.
func (f *fixture) same(got, want any, what string, args ...any) {
	f.t.Helper()
	if d := diff(got, want); d != "" {
		f.t.Fatalf("%s:\n%s", fmt.Sprintf(what, args...), d)
	}
}

func (f *fixture) newCreator(createdAt time.Time) model.Account {
	id := f.id("creator")
	return model.Account{
		ID: id, Kind: model.KindCreator, Handle: "h" + id, DisplayName: "Creator " + id,
		CreatorType: model.CreatorCreator, TokenHash: hash(id), CreatedAt: createdAt, UpdatedAt: createdAt,
	}
}

func (f *fixture) newAdvertiser(createdAt time.Time) model.Account {
	id := f.id("adv")
	return model.Account{
		ID: id, Kind: model.KindAdvertiser, Name: "Advertiser " + id, Currency: "USD",
		Timezone: "America/New_York", TokenHash: hash(id), CreatedAt: createdAt, UpdatedAt: createdAt,
	}
}

func (f *fixture) createAccount(a model.Account) model.Account {
	f.t.Helper()
	f.check(f.s.CreateAccount(f.ctx, a), "CreateAccount(%s)", a.ID)
	return a
}

func (f *fixture) creator() model.Account { f.t.Helper(); return f.createAccount(f.newCreator(t0)) }
func (f *fixture) advertiser() model.Account {
	f.t.Helper()
	return f.createAccount(f.newAdvertiser(t0))
}

func (f *fixture) newPost(creatorID string, createdAt time.Time) model.Post {
	id := f.id("post")
	return model.Post{
		ID: id, CreatorID: creatorID, Caption: "caption of " + id, VideoURL: "https://video.example/" + id + ".mp4",
		DurationMS: 15_000, Visibility: model.Public, Original: true,
		Music:     &model.Music{Title: "Original sound", Own: true},
		CreatedAt: createdAt, UpdatedAt: createdAt, Version: 1,
	}
}

func (f *fixture) post(creatorID string, createdAt time.Time) model.Post {
	f.t.Helper()
	p := f.newPost(creatorID, createdAt)
	f.check(f.s.CreatePost(f.ctx, p), "CreatePost(%s)", p.ID)
	return p
}

// authorization creates an active episode on p that was created (and had its
// first code generated) at createdAt.
func (f *fixture) authorization(p model.Post, createdAt time.Time) model.Authorization {
	f.t.Helper()
	a := model.Authorization{
		ID: f.id("auth"), PostID: p.ID, CreatorID: p.CreatorID, Days: 30, TermsVersion: "2025-01",
		TermsAcceptedAt: createdAt, CreatedAt: createdAt, GeneratedAt: createdAt,
		ExpiresAt: createdAt.AddDate(0, 0, 30), UpdatedAt: createdAt, Version: 1,
	}
	f.startEpisode(a)
	return a
}

// startEpisode stores a as the new current episode of its post.
func (f *fixture) startEpisode(a model.Authorization) {
	f.t.Helper()
	f.check(f.s.ChangeAuthorization(f.ctx, a.PostID, func(model.Post, model.Authorization, bool) (store.EpisodeChange, error) {
		return store.EpisodeChange{New: &a}, nil
	}), "ChangeAuthorization(%s): new episode %s", a.PostID, a.ID)
}

// changeEpisode changes the current episode of a post as fn says and
// returns it as stored.
func (f *fixture) changeEpisode(postID string, fn func(a *model.Authorization)) model.Authorization {
	f.t.Helper()
	var out model.Authorization
	f.check(f.s.ChangeAuthorization(f.ctx, postID, func(_ model.Post, cur model.Authorization, ok bool) (store.EpisodeChange, error) {
		if !ok {
			return store.EpisodeChange{}, errors.New("no current episode")
		}
		fn(&cur)
		out = cur
		return store.EpisodeChange{Updated: &out}, nil
	}), "ChangeAuthorization(%s): update", postID)
	return out
}

func (f *fixture) code(a model.Authorization, maxRedemptions int) model.AdCode {
	f.t.Helper()
	id := f.id("code")
	c := model.AdCode{
		ID: id, AuthorizationID: a.ID, PostID: a.PostID, Hash: hash(id),
		MaxRedemptions: maxRedemptions, CreatedAt: a.CreatedAt,
	}
	f.check(f.s.CreateCode(f.ctx, c), "CreateCode(%s)", c.ID)
	return c
}

// newSparkPost returns the library entry that advertiserID redeeming code at
// time at asks for.
func (f *fixture) newSparkPost(c model.AdCode, creatorID, advertiserID string, at time.Time) model.SparkPost {
	return model.SparkPost{
		ID: f.id("sp"), AdvertiserID: advertiserID, PostID: c.PostID, CreatorID: creatorID,
		AuthorizationID: c.AuthorizationID, CodeID: c.ID, AddedAt: at, UpdatedAt: at,
	}
}

// redeem redeems c for advertiserID and expects a new library entry.
func (f *fixture) redeem(c model.AdCode, creatorID, advertiserID string, at time.Time) model.SparkPost {
	f.t.Helper()
	sp := f.newSparkPost(c, creatorID, advertiserID, at)
	entry, created, err := f.s.RedeemCode(f.ctx, c, sp)
	f.check(err, "RedeemCode(%s, %s)", c.ID, advertiserID)
	if !created {
		f.t.Fatalf("RedeemCode(%s, %s): created = false, want true", c.ID, advertiserID)
	}
	f.same(entry, sp, "RedeemCode(%s, %s) entry", c.ID, advertiserID)
	return entry
}

// codeRedemptions reads c back and returns its redemption count.
func (f *fixture) codeRedemptions(c model.AdCode) int {
	f.t.Helper()
	got, err := f.s.CodeByHash(f.ctx, c.Hash)
	f.check(err, "CodeByHash(%s)", c.ID)
	return got.Redemptions
}

// library is a post in an advertiser's library.
type library struct {
	creator    model.Account
	post       model.Post
	auth       model.Authorization
	code       model.AdCode
	sparkPost  model.SparkPost
	advertiser model.Account
}

// library creates a post of a new creator and redeems it into advertiser's
// library.
func (f *fixture) library(advertiser model.Account, at time.Time) library {
	f.t.Helper()
	var l library
	l.creator = f.creator()
	l.advertiser = advertiser
	l.post = f.post(l.creator.ID, at)
	l.auth = f.authorization(l.post, at)
	l.code = f.code(l.auth, 0)
	l.sparkPost = f.redeem(l.code, l.creator.ID, advertiser.ID, at)
	return l
}

func (f *fixture) campaign(advertiserID string, createdAt time.Time) model.Campaign {
	f.t.Helper()
	c := model.Campaign{
		ID: f.id("campaign"), AdvertiserID: advertiserID, Name: "Spring sale", Objective: model.ObjectiveTraffic,
		BudgetMode: model.BudgetLifetime, Budget: 500 * money.PerUnit, Status: model.Enabled,
		CreatedAt: createdAt, UpdatedAt: createdAt, Version: 1,
	}
	f.check(f.s.CreateCampaign(f.ctx, c), "CreateCampaign(%s)", c.ID)
	return c
}

func (f *fixture) newAdGroup(c model.Campaign, createdAt time.Time) model.AdGroup {
	return model.AdGroup{
		ID: f.id("group"), AdvertiserID: c.AdvertiserID, CampaignID: c.ID, Name: "Group",
		Targeting: model.Targeting{Countries: []string{"US", "CA"}, AgeMin: 18, AgeMax: 34,
			Genders: []string{"female"}, Languages: []string{"en"}, OS: []string{"ios", "android"},
			Interests: []string{"fitness"}},
		StartTime: createdAt, BudgetMode: model.BudgetDaily, Budget: 50 * money.PerUnit,
		BillingEvent: model.BillCPM, Bid: 4 * money.PerUnit, FrequencyCap: model.FrequencyCap{Impressions: 3, Days: 7},
		Pacing: model.PacingStandard, Status: model.Enabled, CreatedAt: createdAt, UpdatedAt: createdAt, Version: 1,
	}
}

func (f *fixture) adGroup(c model.Campaign, createdAt time.Time) model.AdGroup {
	f.t.Helper()
	g := f.newAdGroup(c, createdAt)
	f.check(f.s.CreateAdGroup(f.ctx, g, nil), "CreateAdGroup(%s)", g.ID)
	return g
}

func (f *fixture) ad(g model.AdGroup, sp model.SparkPost, createdAt time.Time) model.Ad {
	f.t.Helper()
	id := f.id("ad")
	a := model.Ad{
		ID: id, AdvertiserID: g.AdvertiserID, CampaignID: g.CampaignID, AdGroupID: g.ID, Name: "Ad " + id,
		SparkPostID: sp.ID, PostID: sp.PostID, CTALabel: "Shop now", CTAURL: "https://shop.example/?ad=" + id,
		Status: model.Enabled, CreatedAt: createdAt, UpdatedAt: createdAt, Version: 1,
	}
	f.check(f.s.CreateAd(f.ctx, a), "CreateAd(%s)", a.ID)
	return a
}

// ads creates an advertiser with one campaign and ad group and n ads, each
// on its own post.
func (f *fixture) ads(n int) []model.Ad {
	f.t.Helper()
	adv := f.advertiser()
	g := f.adGroup(f.campaign(adv.ID, t0), t0)
	out := make([]model.Ad, n)
	for i := range out {
		out[i] = f.ad(g, f.library(adv, t0).sparkPost, t0)
	}
	return out
}

func testPing(f *fixture) {
	f.check(f.s.Ping(f.ctx), "Ping")
}

func testClose(f *fixture) {
	f.check(f.s.Ping(f.ctx), "Ping")
	f.check(f.s.Close(), "Close")
	if err := f.s.Ping(f.ctx); err == nil {
		f.t.Fatal("Ping after Close succeeded")
	}
}
