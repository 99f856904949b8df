// Package authorization is the heart of Flint: a creator's ad authorization
// on a post (terms, period, codes, extension, revocation), and the
// advertiser's side of it (looking a code up, confirming it into the
// library of Spark posts, and each library entry's status).
//
// The lifecycle follows DESIGN.md: eligibility is checked when authorization
// is turned on and again whenever a code is used; the window opens when the
// first code of an episode is generated; revocation, expiry or the post
// turning ineligible end every code of the post at once.
package authorization

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/flintads/flint/internal/apperr"
	"github.com/flintads/flint/internal/change"
	"github.com/flintads/flint/internal/clock"
	"github.com/flintads/flint/internal/ids"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/post"
	"github.com/flintads/flint/internal/ratelimit"
	"github.com/flintads/flint/internal/seal"
	"github.com/flintads/flint/internal/store"
)

// TermsVersion is the version of the advertising terms a creator accepts.
const TermsVersion = "2026-11-01"

// Error codes of the lifecycle. Eligibility codes are in package post.
const (
	CodeTermsNotAccepted  = "TERMS_NOT_ACCEPTED"
	CodeAuthorizationOff  = "AUTHORIZATION_OFF"
	CodeAlreadyAuthorized = "AUTHORIZATION_ACTIVE"
	CodeNotStarted        = "AUTHORIZATION_NOT_STARTED"
	CodeAuthRevoked       = "AUTHORIZATION_REVOKED"
	CodeAuthExpired       = "AUTHORIZATION_EXPIRED"
	CodeUnknownAdvertiser = "ADVERTISER_NOT_FOUND"
	CodeMalformed         = "AD_CODE_MALFORMED"
	CodeNotFound          = "AD_CODE_NOT_FOUND"
	CodeExpired           = "AD_CODE_EXPIRED"
	CodeRevoked           = "AD_CODE_REVOKED"
	CodeNotForYou         = "AD_CODE_NOT_FOR_YOU"
	CodePostUnavailable   = "AD_CODE_POST_UNAVAILABLE"
	CodeSparkPostInUse    = "SPARK_POST_IN_USE"
	CodeTooFar            = "AUTHORIZATION_TOO_FAR"
	maxRedemptionsAllowed = 1000
)

// MaxReach is how far ahead of now an authorization may run: an extension
// that would take its expiry further is refused. Two years: a 365-day
// period, extended once more by a year before it ends.
const MaxReach = 2 * 365 * Day

// Store is what the authorization service needs from storage.
type Store interface {
	store.Authorizations
	GetPost(ctx context.Context, id string) (model.Post, error)
	GetAccount(ctx context.Context, id string) (model.Account, error)
	CountLiveAds(ctx context.Context, postID, authorizationID string) (int, error)
}

// Service runs the authorization lifecycle. Each step on a post runs as one
// store transaction that holds the post's lock (store.ChangeAuthorization),
// so steps on one post never interleave, in this process or any other that
// shares the database.
type Service struct {
	store   Store
	clock   clock.Clock
	notify  change.Notifier
	limiter *ratelimit.Limiter
	codes   *seal.Sealer
}

// New returns a Service. limiter bounds code attempts per advertiser;
// codes seals the code each advertiser redeemed, which its library shows
// it again (seal.AdCodes).
func New(s Store, c clock.Clock, n change.Notifier, limiter *ratelimit.Limiter, codes *seal.Sealer) *Service {
	if n == nil {
		n = change.Nop{}
	}
	return &Service{store: s, clock: c, notify: n, limiter: limiter, codes: codes}
}

// creator returns the creator's account.
func (s *Service) creator(ctx context.Context, creatorID string) (model.Account, error) {
	return s.store.GetAccount(ctx, creatorID)
}

// ownPost returns the creator's post and account; another creator's post
// is not found.
func (s *Service) ownPost(ctx context.Context, creatorID, postID string) (model.Post, model.Account, error) {
	p, err := s.store.GetPost(ctx, postID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && p.CreatorID != creatorID) {
		return p, model.Account{}, notFound(postID)
	}
	if err != nil {
		return p, model.Account{}, err
	}
	creator, err := s.creator(ctx, creatorID)
	return p, creator, err
}

func notFound(postID string) error { return apperr.NotFoundf("no post %s", postID) }

// step runs one lifecycle step on the creator's post: fn sees the post, the
// creator, its current episode (ok=false if authorization was never turned
// on) and the time, and returns what to store. It returns the post and the
// episode that is current afterwards (nil if none).
func (s *Service) step(ctx context.Context, creatorID, postID string,
	fn func(p *model.Post, creator model.Account, cur model.Authorization, ok bool, now time.Time) (store.EpisodeChange, error)) (
	model.Post, model.Account, *model.Authorization, error) {
	creator, err := s.creator(ctx, creatorID)
	if err != nil {
		return model.Post{}, creator, nil, err
	}
	now := s.clock.Now()
	var post model.Post
	var after *model.Authorization
	err = s.store.ChangeAuthorization(ctx, postID, func(p model.Post, cur model.Authorization, ok bool) (store.EpisodeChange, error) {
		if p.CreatorID != creatorID {
			return store.EpisodeChange{}, notFound(postID)
		}
		post = p
		ch, err := fn(&p, creator, cur, ok, now)
		switch {
		case ch.New != nil:
			after = ch.New
		case ch.Updated != nil:
			after = ch.Updated
		case ok:
			after = &cur
		}
		return ch, err
	})
	if errors.Is(err, store.ErrNotFound) {
		return post, creator, nil, notFound(postID)
	}
	return post, creator, after, err
}

// View is a creator's view of a post's authorization.
type View struct {
	Status model.AuthStatus
	// Authorization is the current episode; nil when Status is OFF.
	Authorization *model.Authorization
	Advertisers   []AdvertiserUse
	// Ineligibility is the code of the rule the post breaks now, or "".
	Ineligibility string
	// PausedAds is set by Revoke: how many switched-on ads stopped.
	PausedAds int
}

// AdvertiserUse is an advertiser that has the post in its library.
type AdvertiserUse struct {
	ID      string
	Name    string
	AddedAt time.Time
	Status  model.LibraryStatus
}

// SetInput is what the creator sends to turn authorization on or off.
type SetInput struct {
	Enabled     *bool
	AcceptTerms bool
	Days        *int
}

// Set turns a post's authorization on (starting an episode: terms accepted,
// period chosen) or off (the same as Revoke). Turning it on while an
// episode is ON changes the period if no code has been generated yet, and
// is otherwise allowed only with the same period (an idempotent repeat).
func (s *Service) Set(ctx context.Context, creatorID, postID string, in SetInput) (View, error) {
	if in.Enabled == nil {
		return View{}, apperr.Missing("enabled")
	}
	if !*in.Enabled {
		return s.Revoke(ctx, creatorID, postID)
	}
	if err := checkDays(in.Days); err != nil {
		return View{}, err
	}
	started := false
	p, creator, cur, err := s.step(ctx, creatorID, postID, func(p *model.Post, creator model.Account, cur model.Authorization,
		ok bool, now time.Time) (store.EpisodeChange, error) {
		if err := post.CheckEligible(creator.CreatorType, p); err != nil {
			return store.EpisodeChange{}, err
		}
		if !in.AcceptTerms {
			return store.EpisodeChange{}, &apperr.Error{Kind: apperr.Unprocessable, Code: CodeTermsNotAccepted,
				Field: "accept_terms", Message: "the advertising terms (version " + TermsVersion +
					") must be accepted to turn on ad authorization"}
		}
		if ok && cur.Status(now) == model.AuthOn {
			switch {
			case cur.GeneratedAt.IsZero():
				cur.Days, cur.TermsVersion, cur.TermsAcceptedAt, cur.UpdatedAt = *in.Days, TermsVersion, now, now
				return store.EpisodeChange{Updated: &cur}, nil
			case cur.Days != *in.Days:
				return store.EpisodeChange{}, &apperr.Error{Kind: apperr.Conflict, Code: CodeAlreadyAuthorized,
					Field: "days", Message: "authorization is already on with another period; extend it instead, " +
						"or revoke and start again"}
			}
			return store.EpisodeChange{}, nil
		}
		started = true
		return store.EpisodeChange{New: &model.Authorization{ID: ids.New("auth"), PostID: postID, CreatorID: creatorID,
			Days: *in.Days, TermsVersion: TermsVersion, TermsAcceptedAt: now, CreatedAt: now, UpdatedAt: now, Version: 1}}, nil
	})
	if err != nil {
		return View{}, err
	}
	if started {
		s.notify.Changed(ctx, change.Event{Kind: change.Authorization, ID: postID})
	}
	return s.view(ctx, p, creator, cur)
}

// checkDays validates a requested period.
func checkDays(days *int) error {
	if days == nil {
		return apperr.Missing("days")
	}
	if !ValidPeriod(*days) {
		return apperr.Invalidf("days", "days must be 7, 30, 60 or 365")
	}
	return nil
}

// Get returns the creator's view of a post's authorization.
func (s *Service) Get(ctx context.Context, creatorID, postID string) (View, error) {
	p, creator, err := s.ownPost(ctx, creatorID, postID)
	if err != nil {
		return View{}, err
	}
	cur, err := s.store.CurrentAuthorization(ctx, postID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return s.view(ctx, p, creator, nil)
	case err != nil:
		return View{}, err
	}
	return s.view(ctx, p, creator, &cur)
}

// view builds the creator's view: one read of the advertisers that use the
// post, each with the episode its entry is under.
func (s *Service) view(ctx context.Context, p model.Post, creator model.Account, a *model.Authorization) (View, error) {
	v := View{Status: model.AuthOff, Authorization: a, Ineligibility: post.Ineligibility(creator.CreatorType, &p),
		Advertisers: []AdvertiserUse{}}
	if a == nil {
		return v, nil
	}
	now := s.clock.Now()
	v.Status = a.Status(now)
	uses, err := s.store.PostAdvertisers(ctx, p.ID)
	if err != nil {
		return v, err
	}
	for _, u := range uses {
		v.Advertisers = append(v.Advertisers, AdvertiserUse{ID: u.AdvertiserID, Name: u.Name, AddedAt: u.AddedAt,
			Status: LibraryStatus(u.Authorization, creator.CreatorType, &p, now)})
	}
	return v, nil
}

// GenerateInput restricts a new code; the zero value restricts nothing.
type GenerateInput struct {
	AdvertiserID   string
	MaxRedemptions *int
}

// Generated is a freshly generated code. Code is the only copy of the
// secret: it is shown once and never stored.
type Generated struct {
	Code          string
	AdCode        model.AdCode
	Authorization model.Authorization
}

// Generate creates a code for the post's current episode. The first code of
// an episode opens its window: expires_at = now + period.
func (s *Service) Generate(ctx context.Context, creatorID, postID string, in GenerateInput) (Generated, error) {
	if in.MaxRedemptions != nil && (*in.MaxRedemptions < 1 || *in.MaxRedemptions > maxRedemptionsAllowed) {
		return Generated{}, apperr.Invalidf("max_redemptions", "max_redemptions must be between 1 and %d", maxRedemptionsAllowed)
	}
	if in.AdvertiserID != "" {
		adv, err := s.store.GetAccount(ctx, in.AdvertiserID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && adv.Kind != model.KindAdvertiser) {
			return Generated{}, &apperr.Error{Kind: apperr.Unprocessable, Code: CodeUnknownAdvertiser,
				Field: "advertiser_id", Message: "advertiser_id does not name an advertiser"}
		}
		if err != nil {
			return Generated{}, err
		}
	}
	secret := NewSecret()
	var code model.AdCode
	_, _, cur, err := s.step(ctx, creatorID, postID, func(p *model.Post, creator model.Account, cur model.Authorization,
		ok bool, now time.Time) (store.EpisodeChange, error) {
		if err := notActiveError(cur, ok, now, false); err != nil {
			return store.EpisodeChange{}, err
		}
		if err := post.CheckEligible(creator.CreatorType, p); err != nil {
			return store.EpisodeChange{}, err
		}
		ch := store.EpisodeChange{Code: &code}
		if cur.GeneratedAt.IsZero() {
			cur.GeneratedAt, cur.ExpiresAt, cur.UpdatedAt = now, WindowEnd(now, cur.Days), now
			ch.Updated = &cur
		}
		code = model.AdCode{ID: ids.New("code"), AuthorizationID: cur.ID, PostID: postID, Hash: secret.Hash(),
			AdvertiserID: in.AdvertiserID, CreatedAt: now}
		if in.MaxRedemptions != nil {
			code.MaxRedemptions = *in.MaxRedemptions
		}
		return ch, nil
	})
	if err != nil {
		return Generated{}, err
	}
	s.notify.Changed(ctx, change.Event{Kind: change.Authorization, ID: postID})
	return Generated{Code: secret.Code(), AdCode: code, Authorization: *cur}, nil
}

// notActiveError explains why an episode cannot take a new code or an
// extension, or returns nil if it can. allowExpired admits expired episodes.
func notActiveError(a model.Authorization, exists bool, now time.Time, allowExpired bool) error {
	switch {
	case !exists:
		return apperr.New(apperr.Conflict, CodeAuthorizationOff, "ad authorization is off for this post; turn it on first")
	case a.Status(now) == model.AuthRevoked:
		return apperr.New(apperr.Conflict, CodeAuthRevoked, "ad authorization was revoked; turn it on again to start a new period")
	case a.Status(now) == model.AuthExpired && !allowExpired:
		return apperr.New(apperr.Conflict, CodeAuthExpired, "ad authorization expired; extend it or turn it on again")
	}
	return nil
}

// ExtendInput is the extension a creator asks for.
type ExtendInput struct {
	Days *int
}

// Extend lengthens the current episode: the new expiry is the later of now
// and the old expiry, plus the days given. An expired episode may be
// extended (its codes and library entries work again); a revoked one not.
// No extension may take the expiry more than MaxReach past now.
func (s *Service) Extend(ctx context.Context, creatorID, postID string, in ExtendInput) (View, error) {
	if err := checkDays(in.Days); err != nil {
		return View{}, err
	}
	p, creator, cur, err := s.step(ctx, creatorID, postID, func(p *model.Post, creator model.Account, cur model.Authorization,
		ok bool, now time.Time) (store.EpisodeChange, error) {
		if err := notActiveError(cur, ok, now, true); err != nil {
			return store.EpisodeChange{}, err
		}
		if cur.GeneratedAt.IsZero() {
			return store.EpisodeChange{}, apperr.New(apperr.Conflict, CodeNotStarted,
				"the authorization period has not started: it starts when the first code is generated")
		}
		end := ExtendedEnd(now, cur.ExpiresAt, *in.Days)
		if end.After(now.Add(MaxReach)) {
			return store.EpisodeChange{}, &apperr.Error{Kind: apperr.Unprocessable, Code: CodeTooFar, Field: "days",
				Message: fmt.Sprintf("an authorization may reach at most %d days ahead; it runs until %s already",
					int(MaxReach/Day), cur.ExpiresAt.UTC().Format(time.RFC3339))}
		}
		cur.ExpiresAt, cur.UpdatedAt = end, now
		return store.EpisodeChange{Updated: &cur}, nil
	})
	if err != nil {
		return View{}, err
	}
	s.notify.Changed(ctx, change.Event{Kind: change.Authorization, ID: postID})
	return s.view(ctx, p, creator, cur)
}

// Revoke ends the current episode: every code of the post stops working and
// every ad that uses the post stops serving. Revoking a revoked post again
// changes nothing.
func (s *Service) Revoke(ctx context.Context, creatorID, postID string) (View, error) {
	revoked, wasActive := false, false
	p, creator, cur, err := s.step(ctx, creatorID, postID, func(_ *model.Post, _ model.Account, cur model.Authorization,
		ok bool, now time.Time) (store.EpisodeChange, error) {
		if !ok {
			return store.EpisodeChange{}, apperr.New(apperr.Conflict, CodeAuthorizationOff, "ad authorization is off for this post")
		}
		if !cur.RevokedAt.IsZero() {
			return store.EpisodeChange{}, nil
		}
		revoked, wasActive = true, cur.Active(now)
		cur.RevokedAt, cur.UpdatedAt = now, now
		return store.EpisodeChange{Updated: &cur}, nil
	})
	if err != nil {
		return View{}, err
	}
	paused := 0
	if revoked {
		s.notify.Changed(ctx, change.Event{Kind: change.Authorization, ID: postID})
	}
	if wasActive {
		// The switched-on ads that delivered the post under this episode.
		if paused, err = s.store.CountLiveAds(ctx, postID, cur.ID); err != nil {
			return View{}, err
		}
	}
	v, err := s.view(ctx, p, creator, cur)
	v.PausedAds = paused
	return v, err
}

// LibraryStatus is the status of a library entry under episode a for post p
// of a creator of type ct, at time now.
func LibraryStatus(a model.Authorization, ct model.CreatorType, p *model.Post, now time.Time) model.LibraryStatus {
	switch {
	case a.Status(now) == model.AuthRevoked:
		return model.LibraryRevoked
	case post.Ineligibility(ct, p) != "":
		return model.LibraryPostUnavailable
	case !a.Active(now):
		return model.LibraryExpired
	}
	return model.LibraryAuthorized
}
