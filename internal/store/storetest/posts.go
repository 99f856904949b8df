package storetest

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/store"
)

func testPostRoundTrip(f *fixture) {
	c := f.creator()
	commercial := f.newPost(c.ID, t0)
	commercial.Music = &model.Music{Title: "Hit Song", Commercial: true}
	commercial.DurationMS = 15_500

	own := f.newPost(c.ID, t0.Add(time.Minute))
	own.Music = &model.Music{Title: "Original sound - alice", Own: true}
	own.Visibility = model.Friends
	own.Original = false
	own.Deleted = true

	silent := f.newPost(c.ID, t0.Add(2*time.Minute))
	silent.Music = nil
	silent.Visibility = model.Private
	silent.UpdatedAt = time.Time{}

	for _, want := range []model.Post{commercial, own, silent} {
		f.check(f.s.CreatePost(f.ctx, want), "CreatePost(%s)", want.ID)
		got, err := f.s.GetPost(f.ctx, want.ID)
		f.check(err, "GetPost(%s)", want.ID)
		f.same(got, want, "GetPost(%s)", want.ID)
	}
	got, err := f.s.GetPost(f.ctx, silent.ID)
	f.check(err, "GetPost")
	if got.Music != nil {
		f.t.Errorf("post without music read back with Music = %+v, want nil", *got.Music)
	}

	dup := f.newPost(c.ID, t0)
	dup.ID = commercial.ID
	f.wantErr(f.s.CreatePost(f.ctx, dup), store.ErrConflict, "CreatePost with a taken ID")
	_, err = f.s.GetPost(f.ctx, "no-such-post")
	f.wantErr(err, store.ErrNotFound, "GetPost(unknown)")
}

func testPostUpdate(f *fixture) {
	c := f.creator()
	p := f.post(c.ID, t0)
	q := f.newPost(c.ID, t0)
	q.Music = nil
	f.check(f.s.CreatePost(f.ctx, q), "CreatePost")

	updP := p
	updP.Caption, updP.VideoURL, updP.DurationMS = "new caption", "https://video.example/new.mp4", 60_000
	updP.Visibility, updP.Original, updP.Deleted = model.Private, false, true
	updP.Music = nil
	updP.UpdatedAt = t0.Add(time.Hour)

	updQ := q
	updQ.Music = &model.Music{Title: "Remix", Commercial: true, Own: true}
	updQ.UpdatedAt = t0.Add(2 * time.Hour)

	for _, want := range []model.Post{updP, updQ} {
		got, err := f.s.UpdatePost(f.ctx, want.ID, func(p *model.Post) error {
			v := p.Version
			*p = want
			p.Version = v
			return nil
		})
		f.check(err, "UpdatePost(%s)", want.ID)
		want.Version = 2
		f.same(got, want, "UpdatePost(%s) result", want.ID)
		got, err = f.s.GetPost(f.ctx, want.ID)
		f.check(err, "GetPost(%s)", want.ID)
		f.same(got, want, "GetPost(%s) after UpdatePost", want.ID)
	}
	_, err := f.s.UpdatePost(f.ctx, "no-such-post", func(*model.Post) error { return nil })
	f.wantErr(err, store.ErrNotFound, "UpdatePost(unknown)")
	// An error from the change stores nothing.
	boom := errors.New("refused")
	_, err = f.s.UpdatePost(f.ctx, p.ID, func(p *model.Post) error { p.Caption = "lost"; return boom })
	f.wantErr(err, boom, "UpdatePost with a failing change")
	got, err := f.s.GetPost(f.ctx, p.ID)
	f.check(err, "GetPost")
	if got.Caption == "lost" || got.Version != 2 {
		f.t.Errorf("a refused change was stored: caption %q, version %d", got.Caption, got.Version)
	}
}

// testPostConcurrentEdits: a caption sync and a privacy change running at
// the same time both survive.
func testPostConcurrentEdits(f *fixture) {
	p := f.post(f.creator().ID, t0)
	const n = 5
	f.raceAll(n,
		func(i int) error {
			_, err := f.s.UpdatePost(f.ctx, p.ID, func(p *model.Post) error { p.Caption += "x"; return nil })
			return err
		},
		func(i int) error {
			_, err := f.s.UpdatePost(f.ctx, p.ID, func(p *model.Post) error { p.DurationMS++; return nil })
			return err
		},
	)
	got, err := f.s.GetPost(f.ctx, p.ID)
	f.check(err, "GetPost")
	if got.Caption != p.Caption+strings.Repeat("x", n) || got.DurationMS != p.DurationMS+n || got.Version != 1+2*n {
		f.t.Errorf("after %d + %d concurrent edits: caption %q, duration %d, version %d", n, n, got.Caption,
			got.DurationMS, got.Version)
	}
}

func testPostList(f *fixture) {
	a, b := f.creator(), f.creator()
	a0 := f.post(a.ID, t0)
	a2 := f.post(a.ID, t0.Add(2*time.Hour))
	a1 := f.post(a.ID, t0.Add(time.Hour))
	b1 := f.post(b.ID, t0.Add(90*time.Minute))

	got, err := f.s.ListPosts(f.ctx, a.ID)
	f.check(err, "ListPosts(a)")
	f.same(got, []model.Post{a2, a1, a0}, "ListPosts(a), newest first")
	got, err = f.s.ListPosts(f.ctx, b.ID)
	f.check(err, "ListPosts(b)")
	f.same(got, []model.Post{b1}, "ListPosts(b)")
	got, err = f.s.ListPosts(f.ctx, "")
	f.check(err, "ListPosts(all)")
	f.same(got, []model.Post{a2, b1, a1, a0}, "ListPosts(all), newest first")
	got, err = f.s.ListPosts(f.ctx, "no-such-creator")
	f.check(err, "ListPosts(unknown)")
	if len(got) != 0 {
		f.t.Errorf("ListPosts(unknown creator) = %d posts, want none", len(got))
	}
}

func testPostExisting(f *fixture) {
	c := f.creator()
	p1, p2 := f.post(c.ID, t0), f.post(c.ID, t0)
	got, err := f.s.ExistingPosts(f.ctx, []string{p1.ID, "missing", p2.ID})
	f.check(err, "ExistingPosts")
	if !got[p1.ID] || !got[p2.ID] || got["missing"] {
		f.t.Errorf("ExistingPosts = %v, want %s and %s only", got, p1.ID, p2.ID)
	}

	// More IDs than fit in one statement's parameter list.
	var many []string
	for i := range 1200 {
		many = append(many, fmt.Sprintf("missing-%04d", i))
	}
	many[7], many[1100] = p1.ID, p2.ID
	got, err = f.s.ExistingPosts(f.ctx, many)
	f.check(err, "ExistingPosts(1200 IDs)")
	n := 0
	for id, ok := range got {
		if ok {
			n++
			if id != p1.ID && id != p2.ID {
				f.t.Errorf("ExistingPosts says %s exists", id)
			}
		}
	}
	if n != 2 {
		f.t.Errorf("ExistingPosts(1200 IDs) found %d posts, want 2", n)
	}

	got, err = f.s.ExistingPosts(f.ctx, nil)
	f.check(err, "ExistingPosts(nil)")
	if len(got) != 0 {
		f.t.Errorf("ExistingPosts(nil) = %v, want empty", got)
	}
}

func testPostStatsNoEvents(f *fixture) {
	c := f.creator()
	p1, p2 := f.post(c.ID, t0), f.post(c.ID, t0)
	for _, in := range [][]string{{p1.ID, p2.ID, "missing"}, nil} {
		got, err := f.s.PostStats(f.ctx, in)
		f.check(err, "PostStats(%v)", in)
		if len(got) != 0 {
			f.t.Errorf("PostStats(%v) = %v, want an empty map", in, got)
		}
	}
}
