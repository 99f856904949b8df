// Package store defines the persistence interface that Flint's domain
// packages use, and the errors its implementations return.
//
// There are two implementations, store/sqlite (the embedded default) and
// store/postgres, sharing their SQL in store/sqldb; both pass the conformance
// suite in store/storetest. Open picks one from a data source name.
//
// Implementations keep no rules of their own: they store and fetch what they
// are given, and enforce what the database itself guarantees (uniqueness,
// one current authorization episode per post, the atomicity of the
// transactional calls documented below). Every change of an existing row
// goes through a call that reads the row, lets the caller change it and
// writes it back in one transaction holding the row's lock (the Update calls
// and ChangeAuthorization), so that two processes sharing a database cannot
// lose each other's changes and a rule that the caller checks in its change
// function holds for the row as stored. Such a change function must not call
// the store; an error it returns is returned as is, and nothing is stored.
package store

import (
	"context"
	"errors"
	"iter"
	"time"

	"github.com/flintads/flint/internal/change"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
)

// Errors returned by every implementation. Callers test them with errors.Is.
var (
	// ErrNotFound: no object with that identifier.
	ErrNotFound = errors.New("store: not found")
	// ErrConflict: the write would break a uniqueness rule or the object is
	// referenced by others.
	ErrConflict = errors.New("store: conflict")
	// ErrLimitReached: a code has been redeemed by as many advertisers as it allows.
	ErrLimitReached = errors.New("store: redemption limit reached")
	// ErrUnstorable: the database refused a value it cannot hold (such as
	// text that is not valid UTF-8 on PostgreSQL); the input is at fault,
	// and the same write will fail again.
	ErrUnstorable = errors.New("store: value cannot be stored")
)

// Store is everything Flint persists.
type Store interface {
	Accounts
	Posts
	Authorizations
	Campaigns
	Events
	Sessions
	Reports
	Measurement
	Cluster
	Numbered
	IndexSource
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	// Close releases the database.
	Close() error
}

// IndexSource reads in bulk what the delivery index is built from.
type IndexSource interface {
	// ScanIndex calls v's functions with every stored object of each kind,
	// one kind after another in the order of IndexVisitor's fields (Ad in
	// ListAds' order; AdParts and AdTotals in none), on the caller's
	// goroutine. Each kind is read by streaming queries; the object passed
	// is reused after the call returns, but the strings and slices in it
	// are not. Only the fields that IndexVisitor lists are set. The first
	// error a function returns stops the scan and is returned. A nil
	// function skips its kind.
	ScanIndex(ctx context.Context, v IndexVisitor) error
}

// IndexVisitor receives the objects ScanIndex reads, each with only the
// fields listed here set.
type IndexVisitor struct {
	// Account: ID, Handle, DisplayName, CreatorType, Timezone.
	Account func(*model.Account) error
	// Campaign: ID, BudgetMode, Budget, Status.
	Campaign func(*model.Campaign) error
	// AdGroup: every field but AdvertiserID, CampaignID, Name, CreatedAt,
	// UpdatedAt, Version and NumericID. Groups with equal targeting may
	// share its slices.
	AdGroup func(*model.AdGroup) error
	// Authorization: ID, PostID, GeneratedAt, ExpiresAt, RevokedAt.
	Authorization func(*model.Authorization) error
	// SparkPost: ID, PostID, AuthorizationID.
	SparkPost func(*model.SparkPost) error
	// Post: ID, CreatorID, Caption, VideoURL, Visibility, Original, Music,
	// Deleted.
	Post func(*model.Post) error
	// Ad: ID, AdvertiserID, CampaignID, AdGroupID, SparkPostID, CTALabel,
	// CTAURL, Status.
	Ad func(*model.Ad) error
	// AdParts: every ad (with Ad's fields, in no particular order) with
	// the Spark post it runs, that Spark post's post and authorization
	// episode, read together: what the delivery index builds an entry
	// from, without holding every post and authorization until the ads
	// come.
	AdParts func(*IndexAd) error
	// AdTotals: each ad's counters over all time, as AdStats gives them,
	// for every ad that has any, in no particular order.
	AdTotals func(*AdTotals) error
}

// AdTotals is one ad's counters, as IndexVisitor.AdTotals reads them.
type AdTotals struct {
	AdID string
	model.AdStats
}

// IndexAd is an ad with what it runs, as IndexVisitor.AdParts reads it.
// Each part has the fields IndexVisitor lists for its kind; a part that is
// not stored (which the schema's foreign keys rule out) has an empty ID.
type IndexAd struct {
	Ad            model.Ad
	SparkPost     model.SparkPost
	Post          model.Post
	Authorization model.Authorization
}

// Numbered finds objects by their numeric ids (model.NumberedKind).
type Numbered interface {
	// IDByNumber returns the opaque id of the object of the kind whose
	// numeric id is n; ErrNotFound if there is none.
	IDByNumber(ctx context.Context, kind model.NumberedKind, n int64) (string, error)
}

// Accounts persists creator and advertiser accounts.
type Accounts interface {
	// CreateAccount stores a new account; ErrConflict if the handle or token
	// hash is taken.
	CreateAccount(ctx context.Context, a model.Account) error
	GetAccount(ctx context.Context, id string) (model.Account, error)
	AccountByTokenHash(ctx context.Context, hash []byte) (model.Account, error)
	// AccountByEmail and AccountByHandle find the account that logs in to
	// the web UI with this (lower-case) email or handle.
	AccountByEmail(ctx context.Context, email string) (model.Account, error)
	AccountByHandle(ctx context.Context, handle string) (model.Account, error)
	// UpdateAccount changes only the columns that ch sets, in one statement,
	// so that concurrent edits of different fields never undo each other
	// (an edit of the name never rewrites the token hash it read earlier).
	// ErrNotFound if there is no such account; ErrConflict if the email or
	// token hash is taken.
	UpdateAccount(ctx context.Context, id string, ch AccountChanges) error
	// ListAccounts lists accounts of one kind, oldest first.
	ListAccounts(ctx context.Context, kind model.AccountKind) ([]model.Account, error)
}

// AccountChanges are the columns of an account to change; nil (or an empty
// TokenHash) leaves a column as it is. An empty Email clears it.
type AccountChanges struct {
	DisplayName  *string
	CreatorType  *model.CreatorType
	Name         *string
	Timezone     *string
	Email        *string
	PasswordHash *string
	TokenHash    []byte
	UpdatedAt    time.Time
}

// Sessions persists web sessions.
type Sessions interface {
	// CreateSession stores a new session; ErrConflict if its hash is taken.
	CreateSession(ctx context.Context, s model.Session) error
	// SessionByHash returns the session with this hash, expired or not.
	SessionByHash(ctx context.Context, hash []byte) (model.Session, error)
	// DeleteSession ends one session; deleting a missing one is no error.
	DeleteSession(ctx context.Context, hash []byte) error
	// DeleteExpiredSessions removes sessions whose expiry is not after now
	// and returns how many it removed.
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error)
}

// Posts persists posts and their engagement counters.
type Posts interface {
	// CreatePost stores a new post with version 1.
	CreatePost(ctx context.Context, p model.Post) error
	GetPost(ctx context.Context, id string) (model.Post, error)
	// UpdatePost changes a post atomically (see the package comment):
	// change may edit every field but the ID, creator and creation time.
	// It returns the post as stored; ErrNotFound if there is none.
	UpdatePost(ctx context.Context, id string, change func(p *model.Post) error) (model.Post, error)
	// ListPosts lists a creator's posts, newest first; all posts when
	// creatorID is empty.
	ListPosts(ctx context.Context, creatorID string) ([]model.Post, error)
	// PostStats returns the engagement of the given posts; posts without any
	// are absent from the map.
	PostStats(ctx context.Context, postIDs []string) (map[string]model.PostStats, error)
	// ExistingPosts returns which of the given post IDs exist.
	ExistingPosts(ctx context.Context, postIDs []string) (map[string]bool, error)
}

// Authorizations persists authorization episodes, ad codes and advertisers'
// libraries of Spark posts.
type Authorizations interface {
	GetAuthorization(ctx context.Context, id string) (model.Authorization, error)
	// CurrentAuthorization returns the post's current (latest) episode;
	// ErrNotFound if authorization was never turned on.
	CurrentAuthorization(ctx context.Context, postID string) (model.Authorization, error)
	// ChangeAuthorization runs one step of a post's authorization lifecycle
	// as one transaction: it locks the post (so that steps on one post run
	// one at a time, in every process sharing the database), reads it and
	// its current episode (ok is false when there is none), calls step, and
	// stores the change that step returns. ErrNotFound if there is no such
	// post; ErrConflict if the change would give the post a second current
	// episode.
	ChangeAuthorization(ctx context.Context, postID string,
		step func(p model.Post, cur model.Authorization, ok bool) (EpisodeChange, error)) error
	// ListAuthorizations returns every episode, for building the delivery index.
	ListAuthorizations(ctx context.Context) ([]model.Authorization, error)

	CreateCode(ctx context.Context, c model.AdCode) error
	CodeByHash(ctx context.Context, hash []byte) (model.AdCode, error)

	// RedeemCode records in one transaction that sp.AdvertiserID redeemed
	// code and puts code's post into that advertiser's library:
	//   - if this advertiser redeemed this code before, nothing changes and
	//     the existing entry is returned with created=false;
	//   - otherwise, if the code has a positive MaxRedemptions and that many
	//     advertisers redeemed it already, ErrLimitReached;
	//   - otherwise the redemption is counted and the advertiser's entry for
	//     the post is created from sp (created=true) or, if the post was in
	//     its library already, re-pointed at the code's episode.
	RedeemCode(ctx context.Context, code model.AdCode, sp model.SparkPost) (entry model.SparkPost, created bool, err error)
	GetSparkPost(ctx context.Context, id string) (model.SparkPost, error)
	// ListSparkPosts lists an advertiser's library, newest first; every
	// library when advertiserID is empty.
	ListSparkPosts(ctx context.Context, advertiserID string) ([]model.SparkPost, error)
	// DeleteSparkPost removes a library entry; ErrConflict if an ad uses it.
	DeleteSparkPost(ctx context.Context, id string) error
	// PostAdvertisers lists the advertisers that have the post in their
	// library, each with the episode its entry is under, oldest entry first.
	PostAdvertisers(ctx context.Context, postID string) ([]model.PostAdvertiser, error)
	// LibraryEntries returns an advertiser's library entries, newest first,
	// each with its post, creator and episode, in one read; when id is not
	// empty, only the advertiser's entry with that ID (none if there is no
	// such entry of that advertiser).
	LibraryEntries(ctx context.Context, advertiserID, id string) ([]model.LibraryEntry, error)
}

// EpisodeChange is what one step of the authorization lifecycle stores.
// The zero value stores nothing.
type EpisodeChange struct {
	// New, when set, is a new episode: it becomes the post's current one,
	// and the episode that was current is current no longer.
	New *model.Authorization
	// Updated, when set, is the current episode with its fields changed.
	Updated *model.Authorization
	// Code, when set, is a new ad code.
	Code *model.AdCode
}

// Campaigns persists campaigns, ad groups and ads.
type Campaigns interface {
	// CreateCampaign stores a new campaign with version 1.
	CreateCampaign(ctx context.Context, c model.Campaign) error
	GetCampaign(ctx context.Context, id string) (model.Campaign, error)
	// UpdateCampaign changes a campaign atomically (see the package
	// comment); change sees the campaign's ad groups as stored, and no ad
	// group of the campaign changes until the campaign is stored. change may
	// edit every field but the ID, advertiser and creation time.
	UpdateCampaign(ctx context.Context, id string,
		change func(c *model.Campaign, groups []model.AdGroup) error) (model.Campaign, error)
	// ListCampaigns lists an advertiser's campaigns, oldest first; all when
	// advertiserID is empty.
	ListCampaigns(ctx context.Context, advertiserID string) ([]model.Campaign, error)

	// CreateAdGroup stores a new ad group with version 1 if check (when not
	// nil), called with its campaign as stored (locked until the ad group is
	// stored), returns nil. ErrNotFound if the campaign does not exist.
	CreateAdGroup(ctx context.Context, g model.AdGroup, check func(c model.Campaign) error) error
	GetAdGroup(ctx context.Context, id string) (model.AdGroup, error)
	// UpdateAdGroup changes an ad group atomically (see the package
	// comment); change sees its campaign as stored, locked until the ad
	// group is stored. change may edit every field but the ID, advertiser,
	// campaign and creation time.
	UpdateAdGroup(ctx context.Context, id string,
		change func(g *model.AdGroup, c model.Campaign) error) (model.AdGroup, error)
	// ListAdGroups lists ad groups, oldest first, filtered by advertiser and
	// campaign where those are not empty.
	ListAdGroups(ctx context.Context, advertiserID, campaignID string) ([]model.AdGroup, error)

	// CreateAd stores a new ad with version 1.
	CreateAd(ctx context.Context, a model.Ad) error
	// CreateAds stores new ads of one ad group, each with version 1, in one
	// transaction: all of them or none; ErrNotFound if the ad group does
	// not exist.
	CreateAds(ctx context.Context, ads []model.Ad) error
	// CreateAdTree stores, in one transaction, a new campaign (when c is not
	// nil), a new ad group (when g is not nil; if check is not nil it is
	// called with the ad group's campaign as stored, locked, and a non-nil
	// answer stores nothing) and the new ad a, each with version 1. Either
	// all of them are stored or none; ErrNotFound if a campaign or ad group
	// they belong to does not exist.
	CreateAdTree(ctx context.Context, c *model.Campaign, g *model.AdGroup, a model.Ad, check func(c model.Campaign) error) error
	GetAd(ctx context.Context, id string) (model.Ad, error)
	// UpdateAd changes an ad atomically (see the package comment): change
	// may edit its name, call to action, status and update time.
	UpdateAd(ctx context.Context, id string, change func(a *model.Ad) error) (model.Ad, error)
	// ListAds lists ads, oldest first, filtered by advertiser and ad group
	// where those are not empty.
	ListAds(ctx context.Context, advertiserID, adGroupID string) ([]model.Ad, error)
	// AdsForPost lists every ad that delivers the given post.
	AdsForPost(ctx context.Context, postID string) ([]model.Ad, error)
	// CountLiveAds counts the ads that deliver the post under the given
	// episode and are switched on at every level (ad, ad group, campaign).
	CountLiveAds(ctx context.Context, postID, authorizationID string) (int, error)
}

// Seeder stores a whole world at once, for demos and load tests. It is not
// part of Store: only the demo needs it (both backends implement it).
type Seeder interface {
	// Seed stores every object of w in one transaction, in dependency order
	// (accounts, posts, authorizations, codes, Spark posts, campaigns, ad
	// groups, ads): all of it, or on any error nothing. Objects are stored
	// as given, as the Create calls would store them; each Spark post also
	// records that its advertiser redeemed its code, as RedeemCode does, so
	// that redeeming that code again is idempotent (the codes' Redemptions
	// are stored as given: the caller counts them). A duplicate identifier,
	// handle or hash is ErrConflict; a reference to a missing object is an
	// error too.
	Seed(ctx context.Context, w model.World) error
}

// Events persists engagement events and the counters they feed.
type Events interface {
	// InsertEvents stores a batch in one transaction and returns one outcome
	// per event, or ErrUnstorable if the database refused one of its values
	// (then nothing is stored). Only stored events count: each adds its
	// Engagement to its post's organic or paid counters and, for ad events,
	// its counts to the ad's rollup of the hour of At and its Charge to the
	// rollup of the hour of DecidedAt. When InsertEvents returns nil, every
	// stored event is durable.
	InsertEvents(ctx context.Context, events []model.Event) ([]model.EventOutcome, error)
	// AdSpend returns the spend of the given ads (all ads when adIDs is
	// nil) from the rollup hours that start at or after since (zero: all
	// time). Ads without spend are absent. Spend is rolled up under the
	// hour of the decision that priced it (Event.DecidedAt), counts under
	// the hour of the event.
	AdSpend(ctx context.Context, since time.Time, adIDs []string) ([]model.AdSpend, error)
	// AdStats returns the all-time counters of the given ads.
	AdStats(ctx context.Context, adIDs []string) (map[string]model.AdStats, error)
	// AdvertiserHourlyStats returns the counters of all of an advertiser's
	// ads, summed per hour, for the hours that start at or after the hour
	// that contains since, oldest first; hours without events are absent.
	AdvertiserHourlyStats(ctx context.Context, advertiserID string, since time.Time) ([]model.HourStats, error)
	// ProbeWrite makes a small durable write, to learn whether the database
	// takes writes (after event writes failed).
	ProbeWrite(ctx context.Context) error
}

// Reports reads the rollups that reports and recommendations are built from,
// and purges raw events past their retention.
type Reports interface {
	// AdDayStats sums an advertiser's own-ad rollups over local days,
	// grouped and filtered as q says. Rows come in no particular order.
	AdDayStats(ctx context.Context, q model.StatsQuery) ([]model.StatsRow, error)
	// PostActivity returns the organic engagement of the given posts in the
	// rollup hours that start at or after since; posts without any are absent.
	PostActivity(ctx context.Context, postIDs []string, since time.Time) (map[string]model.PostActivity, error)
	// Impressions calls fn with the ad and viewer of every stored impression
	// of the advertiser's ads whose time is in [from, to) and whose once key
	// is in [keyFrom, keyTo) (once keys start with the time-ordered decision
	// id, and their index bounds the scan). Raw events are kept only for the
	// retention period.
	Impressions(ctx context.Context, advertiserID string, from, to time.Time, keyFrom, keyTo []byte,
		fn func(adID, viewerID string, at time.Time) error) error
	// AdHourStats returns the hourly rollups (ad_stats_hourly) of the
	// advertiser's ads, one row per ad and UTC hour, for the hours that
	// start in [from, to); rows come in no particular order. Spend is under
	// the hour of the decision that priced it, counts under the hour of
	// the event, as in AdSpend.
	AdHourStats(ctx context.Context, advertiserID string, from, to time.Time) ([]model.AdHourRow, error)
	// PurgeEvents deletes raw events: at most limit of those whose once key
	// sorts below keyedBefore, and at most limit of those without a once key
	// whose time is before before. It returns how many it deleted. Rollups
	// and counters are never touched.
	PurgeEvents(ctx context.Context, before time.Time, keyedBefore []byte, limit int) (int64, error)
}

// Measurement persists what advertisers tell Flint about their results:
// conversions, store orders, spend on other channels, and their
// attribution settings.
type Measurement interface {
	// MeasurementSettings returns an advertiser's settings; ErrNotFound if
	// it never saved any.
	MeasurementSettings(ctx context.Context, advertiserID string) (model.MeasurementSettings, error)
	// PutMeasurementSettings creates or overwrites an advertiser's settings.
	PutMeasurementSettings(ctx context.Context, s model.MeasurementSettings) error
	// Clicks returns the stored click events with the given click ids.
	Clicks(ctx context.Context, clickIDs []string) (map[string]model.Click, error)

	// InsertConversions stores the conversions whose (advertiser, event id)
	// is new and reports, per conversion, whether it was stored.
	InsertConversions(ctx context.Context, cs []model.Conversion) ([]bool, error)
	// ImportOrders stores the batches of orders in one transaction: if the
	// sequence yields an error, nothing is stored. An order whose id (or,
	// when either side lacks an id, whose name) is stored already is
	// updated when its payment state or amounts differ, keeping its earlier
	// attribution unless it had none; otherwise it is skipped.
	ImportOrders(ctx context.Context, advertiserID string, batches iter.Seq2[[]model.Order, error]) (model.ImportCounts, error)
	// OrderWebhook records a webhook delivery and stores its order (as
	// ImportOrders would) in one transaction. A delivery id seen before
	// stores nothing and returns duplicate = true.
	OrderWebhook(ctx context.Context, advertiserID, webhookID string, receivedAt time.Time, o *model.Order) (duplicate bool, counts model.ImportCounts, err error)
	// ImportSpend stores the batches of imported spend in one transaction
	// (nothing if the sequence yields an error). A row whose key (channel,
	// campaign, detail, currency, span, day) is stored already is updated
	// when its amounts differ, else skipped.
	ImportSpend(ctx context.Context, advertiserID string, batches iter.Seq2[[]model.ChannelSpend, error]) (model.ImportCounts, error)

	// ConversionRevenue sums the advertiser's purchase conversions.
	ConversionRevenue(ctx context.Context, q model.RevenueQuery) ([]model.RevenueRow, error)
	// OrderRevenue sums the advertiser's counted orders.
	OrderRevenue(ctx context.Context, q model.RevenueQuery) ([]model.RevenueRow, error)
	// ChannelSpend sums the advertiser's imported spend.
	ChannelSpend(ctx context.Context, q model.SpendQuery) ([]model.SpendRow, error)
	// Channels lists the channels the advertiser imported spend for.
	Channels(ctx context.Context, advertiserID string) ([]string, error)
}

// Cluster is what the nodes that share a database coordinate through: the
// change log, their heartbeats, budget leases and shared rate limits. One
// node on SQLite uses the same calls.
type Cluster interface {
	// Every change that affects serving or authentication is logged, in
	// the transaction that stores it, by the calls that store it:
	// UpdateAccount (Account, or Credentials when only the token changes),
	// UpdatePost (Post), ChangeAuthorization (Authorization, with the
	// post's ID), RedeemCode when it changes the library and
	// DeleteSparkPost (SparkPost), CreateCampaign and UpdateCampaign
	// (Campaign), CreateAdGroup and UpdateAdGroup (AdGroup), CreateAd and
	// UpdateAd (Ad). Sequence numbers follow commit order without gaps: a
	// reader that has seen seq n sees every change up to n.

	// ChangeHead returns the sequence number of the newest logged change
	// (0 when there is none).
	ChangeHead(ctx context.Context) (uint64, error)
	// ChangesAfter returns up to limit logged changes whose sequence
	// numbers are above after, oldest first.
	ChangesAfter(ctx context.Context, after uint64, limit int) ([]LoggedChange, error)
	// PruneChanges deletes the changes logged before t, and returns how
	// many it deleted.
	PruneChanges(ctx context.Context, before time.Time) (int, error)
	// ChangeSignal receives a value after this process logged a change.
	ChangeSignal() <-chan struct{}

	// JoinCluster records a node that starts serving.
	JoinCluster(ctx context.Context, node string) error
	// Heartbeat records that node is alive and has applied the change log
	// up to applied. alive is false when the node was taken for dead
	// meanwhile (its leases were taken back): it must forget its leases
	// and join again.
	Heartbeat(ctx context.Context, node string, applied uint64) (alive bool, err error)
	// LeaveCluster returns every lease of node and forgets the node.
	LeaveCluster(ctx context.Context, node string) error
	// ReclaimDead takes back the leases of nodes (other than except) whose
	// last heartbeat is older than timeout by the database's clock, forgets
	// those nodes, and returns their IDs.
	ReclaimDead(ctx context.Context, timeout time.Duration, except string) ([]string, error)
	// LiveNodes counts the nodes whose last heartbeat is within timeout.
	LiveNodes(ctx context.Context, timeout time.Duration) (int, error)

	// LeaseBudget grants node more of a budget's period, as much of
	// req.Want as the budget allows: what every node was granted of the
	// period, plus what was charged to it outside leases, never exceeds the
	// budget (nor req.Cap, when set). The budget's limit and mode are read
	// from its ad group or campaign as stored; a request whose mode is not
	// the stored one is granted nothing. A period's pool starts from the
	// spend its ads already have: all of it for a lifetime budget; for a
	// daily one, the spend of the local day req.Period (a model.Day of the
	// advertiser's zone) in the report rollups.
	LeaseBudget(ctx context.Context, req LeaseRequest) (LeaseGrant, error)
	// ReturnLease gives back to the pool what node did not spend of its
	// lease of a budget's period, and ends the lease.
	ReturnLease(ctx context.Context, node, budgetID string, period int64) error
	// NodeLeases returns node's leases.
	NodeLeases(ctx context.Context, node string) ([]Lease, error)

	// TakeToken takes a token from the shared bucket key, which holds at
	// most burst tokens and gains rate per second, at time now. When the
	// bucket is empty it returns false and how long until a token is there.
	TakeToken(ctx context.Context, key string, rate float64, burst int, now time.Time) (ok bool, wait time.Duration, err error)
	// PruneBuckets deletes buckets last used before t (full again by now).
	PruneBuckets(ctx context.Context, before time.Time) (int, error)
}

// LoggedChange is one entry of the change log.
type LoggedChange = change.Logged

// LeaseRequest asks for more of one period of one budget.
type LeaseRequest struct {
	Node     string
	BudgetID string // an ad group's or a campaign's ID
	Mode     model.BudgetMode
	Period   int64 // 0 for a lifetime budget; the local day (see model.BudgetPeriod) for a daily one
	Want     money.Micros
	// Cap, when positive, bounds what the pool may have granted in all
	// (standard pacing of a daily budget).
	Cap money.Micros
}

// LeaseGrant is what LeaseBudget granted.
type LeaseGrant struct {
	Granted money.Micros // by this call
	Lease   Lease        // the node's lease afterwards
	// Room is what the pool may still grant, under the budget.
	Room money.Micros
}

// Lease is what one node holds of one budget's period.
type Lease struct {
	BudgetID string
	Period   int64
	Granted  money.Micros
	Used     money.Micros // charged, by this node and others
	// Foreign is the part of Used charged by other nodes: events of this
	// node's decisions that reached them.
	Foreign money.Micros
}
