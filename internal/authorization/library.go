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
	// Code is the code the advertiser redeemed (last) for this entry, as
	// it pasted it; "" for entries redeemed before Flint kept codes.
	Code string
}

// resolved is a code that passed every check for this advertiser.
type resolved struct {
	code   model.AdCode
	secret Secret
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
	r.secret = secret
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
	return r.Preview, s.checkRoom(ctx, advertiserID, r.code)
}

// checkRoom refuses a code that as many advertisers as it allows have
// redeemed, unless this advertiser is one of them.
func (s *Service) checkRoom(ctx context.Context, advertiserID string, code model.AdCode) error {
	if code.MaxRedemptions == 0 || code.Redemptions < code.MaxRedemptions {
		return nil
	}
	entries, err := s.store.ListSparkPosts(ctx, advertiserID)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.CodeID == code.ID {
			return nil
		}
	}
	return notForYou("this ad code has been used by as many advertisers as the creator allowed")
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
	// The advertiser's copy of the code, sealed for it; the creator's side
	// keeps only the hash.
	sealed, err := s.codes.Seal([]byte(r.secret.Code()), advertiserID)
	if err != nil {
		return Entry{}, false, err
	}
	sp, created, err := s.store.RedeemCode(ctx, r.code, model.SparkPost{ID: ids.New("sp"), AdvertiserID: advertiserID,
		PostID: r.Post.ID, CreatorID: r.Creator.ID, SealedCode: sealed, AddedAt: now, UpdatedAt: now})
	if errors.Is(err, store.ErrLimitReached) {
		return Entry{}, false, notForYou("this ad code has been used by as many advertisers as the creator allowed")
	}
	if err != nil {
		return Entry{}, false, err
	}
	s.notify.Changed(ctx, change.Event{Kind: change.SparkPost, ID: sp.ID})
	return Entry{SparkPost: sp, Post: r.Post, Creator: r.Creator, Authorization: r.Authorization,
		Status: model.LibraryAuthorized, Code: s.openCode(sp)}, created, nil
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
		out[i] = s.entryOf(r, now)
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
	return s.entryOf(rows[0], s.clock.Now()), nil
}

func (s *Service) entryOf(r model.LibraryEntry, now time.Time) Entry {
	return Entry{SparkPost: r.SparkPost, Post: r.Post, Creator: r.Creator, Authorization: r.Authorization,
		Status: LibraryStatus(r.Authorization, r.Creator.CreatorType, &r.Post, now), Code: s.openCode(r.SparkPost)}
}

// openCode returns the code sealed in a library entry, or "" when the entry
// keeps none or it does not open (a changed server secret).
func (s *Service) openCode(sp model.SparkPost) string {
	if sp.SealedCode == nil {
		return ""
	}
	b, err := s.codes.Open(sp.SealedCode, sp.AdvertiserID)
	if err != nil {
		return ""
	}
	return string(b)
}

// Inspect looks a code up for the advertiser, as TikTok's tt_video/info
// does: the entry of the advertiser's library it was redeemed into, with
// its status now (expired and revoked entries too), or, for a code the
// advertiser has not redeemed, the post it would add (the checks and
// errors of Lookup). inLibrary says which. Attempts are rate-limited as
// lookups are.
func (s *Service) Inspect(ctx context.Context, advertiserID, code string) (e Entry, inLibrary bool, err error) {
	r, err := s.resolve(ctx, advertiserID, code)
	if r.code.ID != "" && (err == nil || apperr.HasCode(err, CodeRevoked) || apperr.HasCode(err, CodeExpired) ||
		apperr.HasCode(err, CodePostUnavailable)) {
		entries, lerr := s.Library(ctx, advertiserID)
		if lerr != nil {
			return Entry{}, false, lerr
		}
		for _, e := range entries {
			if e.SparkPost.CodeID == r.code.ID {
				return e, true, nil
			}
		}
	}
	if err != nil {
		return Entry{}, false, err
	}
	if err := s.checkRoom(ctx, advertiserID, r.code); err != nil {
		return Entry{}, false, err
	}
	return Entry{Post: r.Post, Creator: r.Creator, Authorization: r.Authorization, Status: model.LibraryAuthorized}, false, nil
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
