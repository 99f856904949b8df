package web

import (
	"net/http"
	"strings"

	"github.com/flintads/flint/internal/authorization"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/post"
)

const termsVersion = authorization.TermsVersion

// pill is a small coloured label: Tone is good, warn, bad or neutral.
type pill struct {
	Text, Tone string
}

// postCard is a post as the creator app shows it.
type postCard struct {
	ID         string
	Caption    string
	VideoURL   string
	Tile       string
	Visibility pill
	Organic    model.Engagement
	Paid       model.Engagement
	Views      int64
	// Ineligible says in words why the post cannot be authorized for ads.
	Ineligible string
	// Candidate is the post's rank among the creator's posts as a Spark ad.
	Candidate candidateView
}

func newPostCard(p model.Post, s model.PostStats, ct model.CreatorType) postCard {
	c := postCard{ID: p.ID, Caption: p.Caption, VideoURL: p.VideoURL, Tile: tile(p.ID), Organic: s.Organic, Paid: s.Paid,
		Views: s.Organic.Views + s.Paid.Views}
	switch p.Visibility {
	case model.Public:
		c.Visibility = pill{"Public", "neutral"}
	case model.Friends:
		c.Visibility = pill{"Friends only", "warn"}
	default:
		c.Visibility = pill{"Private", "warn"}
	}
	if code := post.Ineligibility(ct, &p); code != "" {
		c.Ineligible = ineligibleWords[code]
	}
	return c
}

// profilePage is the creator's profile: every post, private and ineligible
// ones included, with views and organic vs paid engagement.
type profilePage struct {
	Base
	Name, Handle, Type, Initials string
	Posts                        []postCard
	Views, Likes                 int64
	PaidViews                    int64
}

func (h *Handler) showProfile(w http.ResponseWriter, r *http.Request, u *user) error {
	a := u.Account
	posts, err := h.Posts.List(r.Context(), a.ID)
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(posts))
	for _, p := range posts {
		ids = append(ids, p.ID)
	}
	stats, err := h.Posts.Stats(r.Context(), ids)
	if err != nil {
		return err
	}
	ranks, err := h.candidates(r.Context(), a)
	if err != nil {
		return err
	}
	page := profilePage{Base: h.base(r, u, a.DisplayName), Name: a.DisplayName, Handle: a.Handle,
		Type: creatorType(a.CreatorType), Initials: initials(a.DisplayName)}
	page.Nav = "profile"
	for _, p := range posts {
		if p.Deleted {
			continue
		}
		c := newPostCard(p, stats[p.ID], a.CreatorType)
		c.Candidate = ranks[p.ID]
		page.Views += c.Views
		page.Likes += c.Organic.Likes + c.Paid.Likes
		page.PaidViews += c.Paid.Views
		page.Posts = append(page.Posts, c)
	}
	h.render(w, r, http.StatusOK, "profile", page)
	return nil
}

// initials returns up to two initials of a name, for an avatar.
func initials(name string) string {
	var out []rune
	for _, f := range strings.Fields(name) {
		for _, r := range f {
			if len(out) < 2 && (r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r > 127) {
				out = append(out, r)
			}
			break
		}
	}
	return strings.ToUpper(string(out))
}
