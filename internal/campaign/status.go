package campaign

import (
	"context"
	"time"

	"github.com/flintads/flint/internal/authorization"
	"github.com/flintads/flint/internal/model"
)

// The reasons an ad is not serving, as the API lists them.
const (
	ReasonDisabled        = "DISABLED"
	ReasonSchedule        = "OUTSIDE_SCHEDULE"
	ReasonBudget          = "BUDGET_EXHAUSTED"
	ReasonRevoked         = "AUTHORIZATION_REVOKED"
	ReasonExpired         = "AUTHORIZATION_EXPIRED"
	ReasonPostUnavailable = "POST_UNAVAILABLE"
)

// Facts are what an ad's serving status is derived from.
type Facts struct {
	Ad            model.Ad
	AdGroup       model.AdGroup
	Campaign      model.Campaign
	Authorization model.Authorization // the Spark post's episode
	Post          model.Post
	CreatorType   model.CreatorType
	// BudgetExhausted: the ad group's or campaign's budget has no room for
	// one more billing event.
	BudgetExhausted bool
}

// Reasons returns why the ad described by f does not serve at time now, in
// a fixed order; an empty list means it serves.
func Reasons(f Facts, now time.Time) []string {
	reasons := []string{}
	if f.Ad.Status != model.Enabled || f.AdGroup.Status != model.Enabled || f.Campaign.Status != model.Enabled {
		reasons = append(reasons, ReasonDisabled)
	}
	if !InSchedule(f.AdGroup, now) {
		reasons = append(reasons, ReasonSchedule)
	}
	if f.BudgetExhausted {
		reasons = append(reasons, ReasonBudget)
	}
	switch authorization.LibraryStatus(f.Authorization, f.CreatorType, &f.Post, now) {
	case model.LibraryRevoked:
		reasons = append(reasons, ReasonRevoked)
	case model.LibraryExpired:
		reasons = append(reasons, ReasonExpired)
	case model.LibraryPostUnavailable:
		reasons = append(reasons, ReasonPostUnavailable)
		if !f.Authorization.Active(now) {
			reasons = append(reasons, ReasonExpired)
		}
	}
	return reasons
}

// InSchedule reports whether now is within the ad group's schedule.
func InSchedule(g model.AdGroup, now time.Time) bool {
	return !now.Before(g.StartTime) && (g.EndTime.IsZero() || now.Before(g.EndTime))
}

// AdStatus is an ad with its derived serving status and counters.
type AdStatus struct {
	Ad      model.Ad
	Serving bool
	Reasons []string
	Stats   model.AdStats
}

// AdStatuses derives the serving status of each ad, reading every object
// it depends on once.
func (s *Service) AdStatuses(ctx context.Context, ads []model.Ad) ([]AdStatus, error) {
	now := s.clock.Now()
	groups := map[string]model.AdGroup{}
	camps := map[string]model.Campaign{}
	sparks := map[string]model.SparkPost{}
	auths := map[string]model.Authorization{}
	posts := map[string]model.Post{}
	creators := map[string]model.CreatorType{}
	ids := make([]string, len(ads))
	for i, a := range ads {
		ids[i] = a.ID
	}
	stats, err := s.store.AdStats(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]AdStatus, 0, len(ads))
	for _, a := range ads {
		f := Facts{Ad: a}
		if f.AdGroup, err = memo(ctx, groups, a.AdGroupID, s.store.GetAdGroup); err != nil {
			return nil, err
		}
		if f.Campaign, err = memo(ctx, camps, a.CampaignID, s.store.GetCampaign); err != nil {
			return nil, err
		}
		sp, err := memo(ctx, sparks, a.SparkPostID, s.store.GetSparkPost)
		if err != nil {
			return nil, err
		}
		if f.Authorization, err = memo(ctx, auths, sp.AuthorizationID, s.store.GetAuthorization); err != nil {
			return nil, err
		}
		if f.Post, err = memo(ctx, posts, sp.PostID, s.store.GetPost); err != nil {
			return nil, err
		}
		if f.CreatorType, err = memo(ctx, creators, sp.CreatorID, func(ctx context.Context, id string) (model.CreatorType, error) {
			acct, err := s.store.GetAccount(ctx, id)
			return acct.CreatorType, err
		}); err != nil {
			return nil, err
		}
		if s.budgets != nil {
			f.BudgetExhausted = s.budgets.Exhausted(f.AdGroup, f.Campaign)
		}
		r := Reasons(f, now)
		out = append(out, AdStatus{Ad: a, Serving: len(r) == 0, Reasons: r, Stats: stats[a.ID]})
	}
	return out, nil
}

func memo[T any](ctx context.Context, m map[string]T, id string, get func(context.Context, string) (T, error)) (T, error) {
	if v, ok := m[id]; ok {
		return v, nil
	}
	v, err := get(ctx, id)
	if err == nil {
		m[id] = v
	}
	return v, err
}
