package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/flintads/flint/internal/authorization"
	"github.com/flintads/flint/internal/model"
)

// adSettingsPage is a post's Ad settings: the Ad authorization switch, the
// terms and the period, Generate, Copy code, Extend, and who uses the post.
type adSettingsPage struct {
	Base
	Post postCard
	// Ineligible says in words why the post cannot be authorized; the
	// switch is not offered then (unless authorization is on, to turn it off).
	Ineligible string
	Status     model.AuthStatus
	StatusPill pill
	// On is the switch's position; CanSwitch whether it is offered.
	On, CanSwitch bool
	Periods       []option
	Generated     bool
	// Summary describes the authorization in a sentence.
	Summary string
	// Expires is "expires in 30 days, on 31 December 2026" once generated.
	Expires string
	// Code is the ad code just generated, shown once.
	Code            string
	CodeExpires     string
	AcceptTerms     bool
	Advertisers     []advertiserUse
	AdvertiserPicks []option
	MaxRedemptions  string
	ExtendPeriods   []option
	CanExtend       bool
	Errors          formErrors
}

// option is a choice in a select or a group of radio buttons.
type option struct {
	Value, Label string
	Selected     bool
}

type advertiserUse struct {
	Name, Added string
	Status      pill
}

// periodOptions lists the authorization periods, selected marking days.
func periodOptions(days int) []option {
	out := make([]option, 0, len(authorization.Periods))
	for _, d := range authorization.Periods {
		out = append(out, option{Value: strconv.Itoa(d), Label: plural(d, "day", "days"), Selected: d == days})
	}
	return out
}

// longDate writes a date the way people read it: 31 December 2026.
func longDate(t time.Time) string { return t.UTC().Format("2 January 2006") }

// adSettings builds the page for one of the creator's posts.
func (h *Handler) adSettings(ctx context.Context, r *http.Request, u *user, postID string) (adSettingsPage, error) {
	p, err := h.Posts.Get(ctx, u.Account.ID, postID)
	if err != nil {
		return adSettingsPage{}, err
	}
	stats, err := h.Posts.Stats(ctx, []string{p.ID})
	if err != nil {
		return adSettingsPage{}, err
	}
	v, err := h.Authorization.Get(ctx, u.Account.ID, postID)
	if err != nil {
		return adSettingsPage{}, err
	}
	now := h.Clock.Now()
	page := adSettingsPage{Base: h.base(r, u, "Ad settings"), Post: newPostCard(p, stats[p.ID], u.Account.CreatorType),
		Status: v.Status, On: v.Status == model.AuthOn, Periods: periodOptions(30), ExtendPeriods: periodOptions(30),
		Errors: formErrors{}}
	page.Nav = "profile"
	if v.Ineligibility != "" {
		page.Ineligible = ineligibleWords[v.Ineligibility]
	}
	page.CanSwitch = page.Ineligible == "" || page.On
	switch v.Status {
	case model.AuthOff:
		page.StatusPill = pill{"Off", "neutral"}
		if page.CanSwitch {
			page.Summary = "Ad authorization is off. Turn it on to let a brand run this post as a Spark ad."
		}
	case model.AuthOn:
		page.StatusPill = pill{"On", "good"}
	case model.AuthRevoked:
		page.StatusPill = pill{"Turned off", "bad"}
		page.Summary = "Ad authorization was turned off on " + longDate(v.Authorization.RevokedAt) +
			". Turn it on again to start a new period with a new code."
	case model.AuthExpired:
		page.StatusPill = pill{"Expired", "warn"}
		page.Summary = "The authorization period ended on " + longDate(v.Authorization.ExpiresAt) +
			". Extend it to let brands keep running this post, or turn it on again for a new code."
	}
	if a := v.Authorization; a != nil {
		page.Periods = periodOptions(a.Days)
		page.Generated = !a.GeneratedAt.IsZero()
		if v.Status == model.AuthOn {
			if page.Generated {
				page.Summary = fmt.Sprintf("Authorized for %s from %s.", plural(a.Days, "day", "days"), longDate(a.GeneratedAt))
			} else {
				page.Summary = fmt.Sprintf("Authorized for %s. The period starts when you generate the code.",
					plural(a.Days, "day", "days"))
			}
		}
		if page.Generated && v.Status == model.AuthOn {
			page.Expires = expiresIn(now, a.ExpiresAt)
		}
		page.CanExtend = page.Generated && (v.Status == model.AuthOn || v.Status == model.AuthExpired)
	}
	for _, adv := range v.Advertisers {
		page.Advertisers = append(page.Advertisers, advertiserUse{Name: adv.Name, Added: longDate(adv.AddedAt),
			Status: libraryPill(adv.Status)})
	}
	if page.On {
		advertisers, err := h.Accounts.List(ctx, model.KindAdvertiser)
		if err != nil {
			return page, err
		}
		page.AdvertiserPicks = []option{{Value: "", Label: "Any advertiser"}}
		for _, a := range advertisers {
			page.AdvertiserPicks = append(page.AdvertiserPicks, option{Value: a.ID, Label: a.Name})
		}
	}
	return page, nil
}

// expiresIn writes "expires in 30 days, on 31 December 2026".
func expiresIn(now, t time.Time) string {
	d := daysLeft(now, t)
	if d == 0 {
		return "expired on " + longDate(t)
	}
	return "expires in " + plural(d, "day", "days") + ", on " + longDate(t)
}

// libraryPill shows a Spark post's status in words and colour.
func libraryPill(s model.LibraryStatus) pill {
	tone := "bad"
	switch s {
	case model.LibraryAuthorized:
		tone = "good"
	case model.LibraryExpired:
		tone = "warn"
	}
	return pill{libraryWords[s], tone}
}

func (h *Handler) showAdSettings(w http.ResponseWriter, r *http.Request, u *user) error {
	page, err := h.adSettings(r.Context(), r, u, r.PathValue("id"))
	if err != nil {
		return err
	}
	q := r.URL.Query()
	switch q.Get("done") {
	case "authorized":
		page.Notice = "Ad authorization is on. Generate the code to send to the brand."
	case "revoked":
		n, _ := strconv.Atoi(q.Get("paused"))
		page.Notice = "Ad authorization is off. The code no longer works; " + plural(n, "running ad was", "running ads were") + " paused."
	case "extended":
		page.Notice = "Authorization extended: it " + page.Expires + "."
	}
	h.render(w, r, http.StatusOK, "ad_settings", page)
	return nil
}
