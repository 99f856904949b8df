package authorization

import (
	"context"
	"errors"
	"time"

	"github.com/flintads/flint/internal/apperr"
	"github.com/flintads/flint/internal/change"
	"github.com/flintads/flint/internal/ids"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/post"
	"github.com/flintads/flint/internal/store"
)

// Preview is what an advertiser sees after pasting a code, before
// confirming it.
type Preview struct {
	Post          model.Post
	Creator       model.Account
	Authorization model.Authorization
}

// Entry is a library entry with what an advertiser needs to judge it.
type Entry struct {
	SparkPost     model.SparkPost
	Post          model.Post
	Creator       model.Account
	Authorization model.Authorization
	Status        model.LibraryStatus
}

// resolved is a code that passed every check for this advertiser.
type resolved struct {
	code model.AdCode
	Preview
}

// resolve checks a pasted code for advertiserID. The checks run in an order
// that reveals nothing to an advertiser the code is not meant for: format,
// existence, binding, then the state of the authorization and the post.
func (s *Service) resolve(ctx context.Context, advertiserID, input string) (resolved, error) {
	var r resolved
	ok, wait, err := s.limiter.Allow(ctx, advertiserID)
	if err != nil {
		return r, err
	}
	if !ok {
		return r, &apperr.Error{Kind: apperr.RateLimited, Code: apperr.CodeRateLimited, RetryAfter: wait,
			Message: "too many ad-code attempts; try again later"}
	}
	if input == "" {
		return r, apperr.Missing("code")
	}
	secret, err := ParseCode(input)
	if err != nil {
		return r, &apperr.Error{Kind: apperr.Invalid, Code: CodeMalformed, Field: "code",
			Message: "this is not a valid ad code: check that it was copied completely (codes start with " + CodePrefix + ")"}
	}
	r.code, err = s.store.CodeByHash(ctx, secret.Hash())
	if errors.Is(err, store.ErrNotFound) {
		return r, &apperr.Error{Kind: apperr.NotFound, Code: CodeNotFound, Field: "code", Message: "no post has this ad code"}
	}
	if err != nil {
		return r, err
	}
	if r.code.AdvertiserID != "" && r.code.AdvertiserID != advertiserID {
		return r, notForYou("this ad code was generated for another advertiser")
	}
	if r.Authorization, err = s.store.GetAuthorization(ctx, r.code.AuthorizationID); err != nil {
		return r, err
	}
	now := s.clock.Now()
	switch r.Authorization.Status(now) {
	case model.AuthRevoked:
		return r, apperr.New(apperr.Unprocessable, CodeRevoked, "the creator revoked ad authorization for this post")
	case model.AuthExpired:
		return r, apperr.New(apperr.Unprocessable, CodeExpired, "this ad code's authorization period has ended")
	}
	if r.Post, err = s.store.GetPost(ctx, r.code.PostID); err != nil {
		return r, err
	}
	if r.Creator, err = s.store.GetAccount(ctx, r.Post.CreatorID); err != nil {
		return r, err
	}
	if why := post.Ineligibility(r.Creator.CreatorType, &r.Post); why != "" {
		return r, apperr.New(apperr.Unprocessable, CodePostUnavailable,
			"the post cannot run as a Spark ad right now (%s)", why)
	}
	return r, nil
}

func notForYou(msg string) error {
	return apperr.New(apperr.Unprocessable, CodeNotForYou, "%s", msg)
}

// Lookup checks a code and returns the post it authorizes, without changing
// anything. Attempts are rate-limited per advertiser.
func (s *Service) Lookup(ctx context.Context, advertiserID, code string) (Preview, error) {
	r, err := s.resolve(ctx, advertiserID, code)
	if err != nil {
		return Preview{}, err
	}
	if r.code.MaxRedemptions > 0 && r.code.Redemptions >= r.code.MaxRedemptions {
		// Full, unless this advertiser is one of those who redeemed it.
		entries, err := s.store.ListSparkPosts(ctx, advertiserID)
		if err != nil {
			return Preview{}, err
		}
		mine := false
		for _, e := range entries {
			mine = mine || e.CodeID == r.code.ID
		}
		if !mine {
			return Preview{}, notForYou("this ad code has been used by as many advertisers as the creator allowed")
		}
	}
	return r.Preview, nil
}

// Redeem confirms a code: the post enters the advertiser's library as a
// Spark post. Confirming the same code again returns the same entry with
// created=false. Attempts are rate-limited per advertiser.
func (s *Service) Redeem(ctx context.Context, advertiserID, code string) (Entry, bool, error) {
	r, err := s.resolve(ctx, advertiserID, code)
	if err != nil {
		return Entry{}, false, err
	}
	now := s.clock.Now()
	sp, created, err := s.store.RedeemCode(ctx, r.code, model.SparkPost{ID: ids.New("sp"), AdvertiserID: advertiserID,
		PostID: r.Post.ID, CreatorID: r.Creator.ID, AddedAt: now, UpdatedAt: now})
	if errors.Is(err, store.ErrLimitReached) {
		return Entry{}, false, notForYou("this ad code has been used by as many advertisers as the creator allowed")
	}
	if err != nil {
		return Entry{}, false, err
	}
	s.notify.Changed(ctx, change.Event{Kind: change.SparkPost, ID: sp.ID})
	return Entry{SparkPost: sp, Post: r.Post, Creator: r.Creator, Authorization: r.Authorization,
		Status: model.LibraryAuthorized}, created, nil
}

// Library returns an advertiser's Spark posts, newest first, each with its
// status now, in one read of the store.
func (s *Service) Library(ctx context.Context, advertiserID string) ([]Entry, error) {
	rows, err := s.store.LibraryEntries(ctx, advertiserID, "")
	if err != nil {
		return nil, err
	}
	out := make([]Entry, len(rows))
	now := s.clock.Now()
	for i, r := range rows {
		out[i] = entryOf(r, now)
	}
	return out, nil
}

// LibraryEntry returns one of the advertiser's Spark posts; another
// advertiser's entry is not found.
func (s *Service) LibraryEntry(ctx context.Context, advertiserID, id string) (Entry, error) {
	rows, err := s.store.LibraryEntries(ctx, advertiserID, id)
	if err != nil {
		return Entry{}, err
	}
	if len(rows) == 0 {
		return Entry{}, apperr.NotFoundf("no Spark post %s in your library", id)
	}
	return entryOf(rows[0], s.clock.Now()), nil
}

func entryOf(r model.LibraryEntry, now time.Time) Entry {
	return Entry{SparkPost: r.SparkPost, Post: r.Post, Creator: r.Creator, Authorization: r.Authorization,
		Status: LibraryStatus(r.Authorization, r.Creator.CreatorType, &r.Post, now)}
}

// RemoveFromLibrary deletes one of the advertiser's Spark posts. An entry
// that an ad uses cannot be removed.
func (s *Service) RemoveFromLibrary(ctx context.Context, advertiserID, id string) error {
	if _, err := s.LibraryEntry(ctx, advertiserID, id); err != nil {
		return err
	}
	err := s.store.DeleteSparkPost(ctx, id)
	switch {
	case errors.Is(err, store.ErrConflict):
		return apperr.New(apperr.Conflict, CodeSparkPostInUse, "an ad uses this Spark post; it cannot be removed")
	case errors.Is(err, store.ErrNotFound):
		return apperr.NotFoundf("no Spark post %s in your library", id)
	case err != nil:
		return err
	}
	s.notify.Changed(ctx, change.Event{Kind: change.SparkPost, ID: id})
	return nil
}
