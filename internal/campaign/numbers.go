package campaign

import (
	"context"
	"errors"

	"github.com/flintads/flint/internal/apperr"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/store"
)

// byNumber resolves a numeric id of the given kind to an opaque one; an
// unknown number is not found, as another advertiser's object is.
func (s *Service) byNumber(ctx context.Context, kind model.NumberedKind, n int64, what string) (string, error) {
	id, err := s.store.IDByNumber(ctx, kind, n)
	if errors.Is(err, store.ErrNotFound) {
		return "", apperr.NotFoundf("no %s %d", what, n)
	}
	return id, err
}

// CampaignByNumber returns the advertiser's campaign with numeric id n.
func (s *Service) CampaignByNumber(ctx context.Context, advertiserID string, n int64) (model.Campaign, error) {
	id, err := s.byNumber(ctx, model.NumberedCampaign, n, "campaign")
	if err != nil {
		return model.Campaign{}, err
	}
	return s.GetCampaign(ctx, advertiserID, id)
}

// AdGroupByNumber returns the advertiser's ad group with numeric id n.
func (s *Service) AdGroupByNumber(ctx context.Context, advertiserID string, n int64) (model.AdGroup, error) {
	id, err := s.byNumber(ctx, model.NumberedAdGroup, n, "ad group")
	if err != nil {
		return model.AdGroup{}, err
	}
	return s.GetAdGroup(ctx, advertiserID, id)
}

// AdGroupStatus is an ad group with the reasons it does not serve now
// (ReasonDisabled: it or its campaign is switched off; ReasonSchedule;
// ReasonBudget: its or its campaign's budget has no room for one more
// billing event), in that order; none when it serves.
type AdGroupStatus struct {
	AdGroup model.AdGroup
	Reasons []string
}

// AdGroupStatuses derives each ad group's serving status, reading each
// campaign once.
func (s *Service) AdGroupStatuses(ctx context.Context, groups []model.AdGroup) ([]AdGroupStatus, error) {
	now := s.clock.Now()
	camps := map[string]model.Campaign{}
	out := make([]AdGroupStatus, 0, len(groups))
	for _, g := range groups {
		c, err := memo(ctx, camps, g.CampaignID, s.store.GetCampaign)
		if err != nil {
			return nil, err
		}
		reasons := []string{}
		if g.Status != model.Enabled || c.Status != model.Enabled {
			reasons = append(reasons, ReasonDisabled)
		}
		if !InSchedule(g, now) {
			reasons = append(reasons, ReasonSchedule)
		}
		if s.budgets != nil && s.budgets.Exhausted(g, c) {
			reasons = append(reasons, ReasonBudget)
		}
		out = append(out, AdGroupStatus{AdGroup: g, Reasons: reasons})
	}
	return out, nil
}
