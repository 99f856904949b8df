// Package post manages creators' posts as the operator syncs them, their
// engagement counters, and the rules that decide whether a post may run as
// a Spark ad (eligibility.go).
package post

import (
	"context"
	"errors"
	"strings"

	"github.com/flintads/flint/internal/apperr"
	"github.com/flintads/flint/internal/change"
	"github.com/flintads/flint/internal/clock"
	"github.com/flintads/flint/internal/ids"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/store"
	"github.com/flintads/flint/internal/validate"
)

// Store is what the post service needs from storage.
type Store interface {
	store.Posts
	GetAccount(ctx context.Context, id string) (model.Account, error)
}

// Service creates, changes and reads posts.
type Service struct {
	store  Store
	clock  clock.Clock
	notify change.Notifier
}

// New returns a Service.
func New(s Store, c clock.Clock, n change.Notifier) *Service {
	if n == nil {
		n = change.Nop{}
	}
	return &Service{store: s, clock: c, notify: n}
}

// CreateInput describes a post to sync.
type CreateInput struct {
	CreatorID  string
	Caption    string
	VideoURL   string
	DurationMS *int64
	Visibility string
	Original   *bool
	Music      *model.Music
}

// Limits on post fields.
const (
	maxCaption     = 2200
	maxDurationMS  = 60 * 60 * 1000
	maxMusicTitle  = 200
	CodeNotCreator = "NOT_A_CREATOR"
)

// Create validates and stores a post for an existing creator.
func (s *Service) Create(ctx context.Context, in CreateInput) (model.Post, error) {
	now := s.clock.Now()
	p := model.Post{ID: ids.New("post"), NumericID: ids.NewNumeric(), CreatorID: in.CreatorID, Caption: in.Caption, VideoURL: strings.TrimSpace(in.VideoURL),
		Visibility: model.Visibility(in.Visibility), Music: in.Music, CreatedAt: now, UpdatedAt: now, Version: 1}
	// Every wrong field is reported at once (a form shows each).
	var errs apperr.List
	notCreator := &apperr.Error{Kind: apperr.Unprocessable, Code: CodeNotCreator, Field: "creator_id",
		Message: "creator_id does not name a creator account"}
	switch {
	case in.CreatorID == "":
		errs.Add(apperr.Missing("creator_id"))
	case !ids.Plausible(in.CreatorID): // names nothing (and PostgreSQL could not even look it up)
		errs.Add(notCreator)
	default:
		creator, err := s.store.GetAccount(ctx, in.CreatorID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && creator.Kind != model.KindCreator) {
			errs.Add(notCreator)
		} else if err != nil {
			return p, err
		}
	}
	if in.VideoURL == "" {
		errs.Add(apperr.Missing("video_url"))
	}
	if in.DurationMS == nil {
		errs.Add(apperr.Missing("duration_ms"))
	} else {
		p.DurationMS = *in.DurationMS
	}
	if in.Visibility == "" {
		errs.Add(apperr.Missing("visibility"))
	}
	if in.Original == nil {
		errs.Add(apperr.Missing("original"))
	} else {
		p.Original = *in.Original
	}
	errs.Add(checkPost(&p)) // (a field reported missing above keeps that error)
	if err := errs.Err(); err != nil {
		return p, err
	}
	if err := s.store.CreatePost(ctx, p); err != nil {
		return p, err
	}
	return p, nil
}

// checkPost checks a post's fields, reporting every one that is wrong.
func checkPost(p *model.Post) error {
	var errs apperr.List
	errs.Add(validate.Text("caption", p.Caption, maxCaption))
	errs.Add(validate.HTTPURL("video_url", p.VideoURL))
	if p.DurationMS <= 0 || p.DurationMS > maxDurationMS {
		errs.Add(apperr.Invalidf("duration_ms", "duration_ms must be between 1 and %d", maxDurationMS))
	}
	switch p.Visibility {
	case model.Public, model.Friends, model.Private:
	default:
		errs.Add(apperr.Invalidf("visibility", "visibility must be public, friends or private"))
	}
	if p.Music != nil {
		if strings.TrimSpace(p.Music.Title) == "" {
			errs.Add(apperr.Missing("music.title"))
		} else {
			errs.Add(validate.Text("music.title", p.Music.Title, maxMusicTitle))
		}
	}
	return errs.Err()
}

// PatchInput holds the post fields to change; nil leaves a field alone.
type PatchInput struct {
	Caption    *string
	VideoURL   *string
	DurationMS *int64
	Visibility *string
	Original   *bool
	Music      **model.Music // set to a nil *Music to remove the music
	Deleted    *bool
}

// Patch changes a post. Deleting is final: a deleted post cannot be changed
// or restored. Only the fields given change, whatever other changes of the
// post are made at the same time.
func (s *Service) Patch(ctx context.Context, id string, in PatchInput) (model.Post, error) {
	if in == (PatchInput{}) {
		return model.Post{}, apperr.New(apperr.Invalid, apperr.CodeNoEditableField,
			"send at least one field to change: caption, video_url, duration_ms, visibility, original, music or deleted")
	}
	if in.Deleted != nil && !*in.Deleted {
		return model.Post{}, apperr.Invalidf("deleted", "a post can only be deleted, not undeleted")
	}
	now := s.clock.Now()
	unchanged := false
	p, err := s.store.UpdatePost(ctx, id, func(p *model.Post) error {
		if p.Deleted {
			if in.Deleted != nil && in.Caption == nil && in.VideoURL == nil && in.DurationMS == nil &&
				in.Visibility == nil && in.Original == nil && in.Music == nil {
				unchanged = true
				return errUnchanged // deleting again changes nothing
			}
			return apperr.New(apperr.Conflict, CodePostDeleted, "the post has been deleted and cannot change")
		}
		applyPatch(p, in)
		if err := checkPost(p); err != nil {
			return err
		}
		p.UpdatedAt = now
		return nil
	})
	switch {
	case unchanged:
		return s.store.GetPost(ctx, id)
	case errors.Is(err, store.ErrNotFound):
		return p, apperr.NotFoundf("no post %s", id)
	case err != nil:
		return p, err
	}
	s.notify.Changed(ctx, change.Event{Kind: change.Post, ID: p.ID})
	return p, nil
}

// errUnchanged ends a change that has nothing to store.
var errUnchanged = errors.New("nothing to change")

// applyPatch sets the fields of p that in gives.
func applyPatch(p *model.Post, in PatchInput) {
	if in.Caption != nil {
		p.Caption = *in.Caption
	}
	if in.VideoURL != nil {
		p.VideoURL = strings.TrimSpace(*in.VideoURL)
	}
	if in.DurationMS != nil {
		p.DurationMS = *in.DurationMS
	}
	if in.Visibility != nil {
		p.Visibility = model.Visibility(*in.Visibility)
	}
	if in.Original != nil {
		p.Original = *in.Original
	}
	if in.Music != nil {
		p.Music = *in.Music
	}
	if in.Deleted != nil {
		p.Deleted = true
	}
}

// Get returns a post. A creator (creatorID not empty) sees only their own
// posts; the operator (creatorID empty) sees all.
func (s *Service) Get(ctx context.Context, creatorID, id string) (model.Post, error) {
	p, err := s.store.GetPost(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && creatorID != "" && p.CreatorID != creatorID) {
		return model.Post{}, apperr.NotFoundf("no post %s", id)
	}
	return p, err
}

// List returns a creator's posts, newest first (every post for the operator).
func (s *Service) List(ctx context.Context, creatorID string) ([]model.Post, error) {
	return s.store.ListPosts(ctx, creatorID)
}

// Stats returns the engagement of the given posts.
func (s *Service) Stats(ctx context.Context, ids []string) (map[string]model.PostStats, error) {
	return s.store.PostStats(ctx, ids)
}
