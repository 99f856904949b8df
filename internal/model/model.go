// Package model holds the plain data types that Flint's domain packages and
// its storage backends share: accounts, posts, authorizations, ad codes,
// library entries (Spark posts), campaigns, ad groups, ads and events.
//
// The types carry no behaviour beyond small derived properties that every
// user of them needs in the same way (an authorization's status at a given
// time, for example). Rules live in the domain packages.
package model

import (
	"time"

	"github.com/flintads/flint/internal/money"
)

// AccountKind says what an account is for.
type AccountKind string

// The kinds of account.
const (
	KindCreator    AccountKind = "creator"
	KindAdvertiser AccountKind = "advertiser"
)

// CreatorType is the kind of creator account; only business and creator
// accounts may authorize their posts for ads.
type CreatorType string

// The creator account types.
const (
	CreatorPersonal CreatorType = "personal"
	CreatorBusiness CreatorType = "business"
	CreatorCreator  CreatorType = "creator"
)

// Account is a creator or an advertiser. Fields that do not apply to the
// account's kind are empty.
type Account struct {
	ID string
	// NumericID is the account's decimal id on the TikTok-compatible API
	// (see NumericID below).
	NumericID   int64
	Kind        AccountKind
	Handle      string      // creator
	DisplayName string      // creator
	CreatorType CreatorType // creator
	Name        string      // advertiser
	Currency    string      // advertiser, ISO 4217
	Timezone    string      // advertiser, IANA name
	Email       string      // advertiser, optional, unique, lower case: the web login
	// TokenHash is the SHA-256 of the account's API token; the token itself
	// is never stored.
	TokenHash    []byte
	PasswordHash string // PBKDF2, empty when web login is not set up
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Session is a signed-in web session. Only the hash of its secret is
// stored; the secret lives in the browser's cookie.
type Session struct {
	Hash      []byte // SHA-256 of the secret
	AccountID string // empty for the operator
	Operator  bool
	// PasswordTag is a digest of the account's password hash when the
	// session began; a session whose tag no longer matches has ended.
	PasswordTag []byte
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

// Visibility is who may see a post.
type Visibility string

// The post visibilities.
const (
	Public  Visibility = "public"
	Friends Visibility = "friends"
	Private Visibility = "private"
)

// Music describes the sound a post uses.
type Music struct {
	Title string `json:"title"`
	// Commercial is true when the track is in the commercial music library.
	Commercial bool `json:"commercial"`
	// Own is true when the sound is the creator's own original audio.
	Own bool `json:"own,omitempty"`
}

// Post is a creator's video, as synced by the operator.
type Post struct {
	ID         string
	NumericID  int64 // the post's item_id on the TikTok-compatible API
	CreatorID  string
	Caption    string
	VideoURL   string
	DurationMS int64
	Visibility Visibility
	Original   bool
	Music      *Music // nil when the post has no music
	Deleted    bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
	// Version is 1 for a new post and grows by one with every stored change.
	Version int64
}

// Engagement counts what a post earned from one source.
type Engagement struct {
	Views    int64 `json:"views"`
	Likes    int64 `json:"likes"`
	Comments int64 `json:"comments"`
	Shares   int64 `json:"shares"`
	Follows  int64 `json:"follows"`
}

// Add returns the field-wise sum of e and o.
func (e Engagement) Add(o Engagement) Engagement {
	return Engagement{e.Views + o.Views, e.Likes + o.Likes, e.Comments + o.Comments, e.Shares + o.Shares, e.Follows + o.Follows}
}

// PostStats is a post's engagement split by source.
type PostStats struct {
	Organic Engagement
	Paid    Engagement
}

// AuthStatus is the state of a post's ad authorization as the creator sees it.
type AuthStatus string

// The authorization statuses.
const (
	AuthOff     AuthStatus = "OFF"
	AuthOn      AuthStatus = "ON"
	AuthRevoked AuthStatus = "REVOKED"
	AuthExpired AuthStatus = "EXPIRED"
)

// Authorization is one episode of ad authorization on a post: from the moment
// the creator turns it on (accepting the terms and choosing a period) until it
// is revoked or expires. Turning authorization on again later starts a new
// episode; codes and library entries stay tied to the episode they came from.
type Authorization struct {
	ID              string
	PostID          string
	CreatorID       string
	Days            int // the period chosen: 7, 30, 60 or 365
	TermsVersion    string
	TermsAcceptedAt time.Time
	CreatedAt       time.Time
	// GeneratedAt is when the first code was generated: the window opens
	// then. Zero until a code exists.
	GeneratedAt time.Time
	// ExpiresAt is GeneratedAt plus the period, moved later by extensions.
	ExpiresAt time.Time
	RevokedAt time.Time // zero unless revoked
	UpdatedAt time.Time
	// Version is 1 for a new episode and grows by one with every stored change.
	Version int64
}

// Status returns the episode's status at time now.
func (a Authorization) Status(now time.Time) AuthStatus {
	switch {
	case !a.RevokedAt.IsZero():
		return AuthRevoked
	case !a.ExpiresAt.IsZero() && !now.Before(a.ExpiresAt):
		return AuthExpired
	default:
		return AuthOn
	}
}

// Active reports whether codes of this episode work at time now: a code has
// been generated, the window has not closed, and the creator has not revoked.
func (a Authorization) Active(now time.Time) bool {
	return a.RevokedAt.IsZero() && !a.GeneratedAt.IsZero() && now.Before(a.ExpiresAt)
}

// AdCode is a generated ad code. Only the hash of the code is stored.
type AdCode struct {
	ID              string
	AuthorizationID string
	PostID          string
	Hash            []byte
	// AdvertiserID, when set, is the only advertiser that may redeem the code.
	AdvertiserID string
	// MaxRedemptions, when positive, limits how many advertisers may redeem it.
	MaxRedemptions int
	Redemptions    int
	CreatedAt      time.Time
}

// SparkPost is an entry of an advertiser's library: a creator's post that
// the advertiser may run as a Spark ad, under the authorization episode of
// the code it redeemed last.
type SparkPost struct {
	ID              string
	AdvertiserID    string
	PostID          string
	CreatorID       string
	AuthorizationID string
	CodeID          string
	// SealedCode is the code the advertiser redeemed last (the one of
	// CodeID), sealed for the advertiser (package seal); nil for entries
	// redeemed before Flint kept it. Only the advertiser's side keeps it:
	// the creator's side stores the code's hash alone.
	SealedCode []byte
	AddedAt    time.Time
	UpdatedAt  time.Time
}

// LibraryStatus is what an advertiser sees of a Spark post in its library.
type LibraryStatus string

// The library statuses.
const (
	LibraryAuthorized      LibraryStatus = "AUTHORIZED"
	LibraryExpired         LibraryStatus = "EXPIRED"
	LibraryRevoked         LibraryStatus = "REVOKED"
	LibraryPostUnavailable LibraryStatus = "POST_UNAVAILABLE"
)

// PostAdvertiser is an advertiser that has a post in its library.
type PostAdvertiser struct {
	AdvertiserID string
	Name         string
	// Authorization is the episode the advertiser's entry is under.
	Authorization Authorization
	AddedAt       time.Time
}

// LibraryEntry is a library entry with what its status depends on: the
// post, the creator (ID, Handle, DisplayName and CreatorType only) and the
// episode the entry is under.
type LibraryEntry struct {
	SparkPost     SparkPost
	Post          Post
	Creator       Account
	Authorization Authorization
}

// Status is the on/off switch of a campaign, ad group or ad.
type Status string

// The switch positions.
const (
	Enabled  Status = "ENABLED"
	Disabled Status = "DISABLED"
)

// BudgetMode says whether and how a budget limits spend.
type BudgetMode string

// The budget modes.
const (
	BudgetNone     BudgetMode = "NONE"
	BudgetDaily    BudgetMode = "DAILY"
	BudgetLifetime BudgetMode = "LIFETIME"
)

// Objective is what a campaign optimises for.
type Objective string

// The campaign objectives.
const (
	ObjectiveReach       Objective = "REACH"
	ObjectiveVideoViews  Objective = "VIDEO_VIEWS"
	ObjectiveTraffic     Objective = "TRAFFIC"
	ObjectiveEngagement  Objective = "ENGAGEMENT"
	ObjectiveConversions Objective = "CONVERSIONS"
)

// BillingEvent is what an advertiser pays for.
type BillingEvent string

// The billing events.
const (
	BillCPM BillingEvent = "CPM" // per thousand impressions
	BillCPC BillingEvent = "CPC" // per click
	BillCPV BillingEvent = "CPV" // per 6-second view
)

// Pacing says how fast a budget may be spent.
type Pacing string

// The pacing modes.
const (
	PacingStandard    Pacing = "STANDARD"
	PacingAccelerated Pacing = "ACCELERATED"
)

// Campaign is the top level of an advertiser's structure.
type Campaign struct {
	ID           string
	NumericID    int64
	AdvertiserID string
	Name         string
	Objective    Objective
	BudgetMode   BudgetMode
	Budget       money.Micros
	Status       Status
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// Version is 1 for a new campaign and grows by one with every stored change.
	Version int64
}

// Targeting selects viewers. An empty list or zero bound means "any".
type Targeting struct {
	Countries []string `json:"countries"`
	AgeMin    int      `json:"age_min,omitempty"`
	AgeMax    int      `json:"age_max,omitempty"`
	Genders   []string `json:"genders"`
	Languages []string `json:"languages"`
	OS        []string `json:"os"`
	Interests []string `json:"interests"`
}

// FrequencyCap limits how many impressions of an ad group one viewer sees in
// a rolling window of Days days. Zero Impressions means no cap.
type FrequencyCap struct {
	Impressions int `json:"impressions"`
	Days        int `json:"days"`
}

// AdGroup holds targeting, schedule, budget and bidding for its ads.
type AdGroup struct {
	ID           string
	NumericID    int64
	AdvertiserID string
	CampaignID   string
	Name         string
	Targeting    Targeting
	StartTime    time.Time
	EndTime      time.Time // zero: runs until stopped
	BudgetMode   BudgetMode
	Budget       money.Micros
	BillingEvent BillingEvent
	Bid          money.Micros // per thousand impressions for CPM, per event otherwise
	FrequencyCap FrequencyCap
	Pacing       Pacing
	Status       Status
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// Version is 1 for a new ad group and grows by one with every stored change.
	Version int64
}

// Ad delivers a Spark post with a call to action.
type Ad struct {
	ID           string
	NumericID    int64
	AdvertiserID string
	CampaignID   string
	AdGroupID    string
	Name         string
	SparkPostID  string
	PostID       string // the Spark post's post, denormalised for delivery
	CTALabel     string
	CTAURL       string
	Status       Status
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// Version is 1 for a new ad and grows by one with every stored change.
	Version int64
}

// NumberedKind names the kinds of object that carry a numeric id besides
// their opaque one. Every account, post, campaign, ad group and ad gets a
// random decimal id of 18 or 19 digits (ids.NewNumeric) when it is created;
// it never changes, is unique among objects of its kind, and is never
// given to another object (these objects are never deleted). The
// TikTok-compatible API shows objects by these ids, as TikTok's clients
// expect decimal ids.
type NumberedKind string

// The kinds of numbered object.
const (
	NumberedAccount  NumberedKind = "account"
	NumberedPost     NumberedKind = "post"
	NumberedCampaign NumberedKind = "campaign"
	NumberedAdGroup  NumberedKind = "ad_group"
	NumberedAd       NumberedKind = "ad"
)
