package campaign

import (
	"context"
	"errors"

	"github.com/flintads/flint/internal/apperr"
	"github.com/flintads/flint/internal/change"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/store"
)

// PublishInput is a new ad with whatever it needs that is not stored yet:
// a new campaign (Campaign) or one of the advertiser's (CampaignID), a new
// ad group (AdGroup) or one of the advertiser's (AdGroupID). Ad.AdGroupID
// is ignored.
type PublishInput struct {
	CampaignID string
	Campaign   *CampaignInput
	AdGroupID  string
	AdGroup    *AdGroupInput
	Ad         AdInput
}

// Published is what Publish stored (and the campaign and ad group it used).
type Published struct {
	Campaign model.Campaign
	AdGroup  model.AdGroup
	Ad       model.Ad
}

// The steps of a PublishInput, as StepError names them.
const (
	StepCampaign = "campaign"
	StepAdGroup  = "ad_group"
	StepAd       = "ad"
)

// StepError is an error about one part of a PublishInput: Step is
// StepCampaign, StepAdGroup or StepAd. It unwraps to the domain error,
// which lists every field of that part that is wrong.
type StepError struct {
	Step string
	Err  error
}

func (e *StepError) Error() string { return e.Step + ": " + e.Err.Error() }
func (e *StepError) Unwrap() error { return e.Err }

// Publish checks everything a new ad needs (the campaign, the ad group, the
// ad, as CreateCampaign, CreateAdGroup and CreateAd do) and stores what is
// new in one transaction: all of it or nothing. This is the end of Ads
// Manager's Create flow, where nothing is stored before Publish. An error
// about the input is a *StepError naming the first part that is wrong;
// another advertiser's campaign or ad group is not found.
func (s *Service) Publish(ctx context.Context, advertiserID string, in PublishInput) (Published, error) {
	var out Published
	step := func(name string, err error) error {
		if _, ok := apperr.As(err); ok {
			return &StepError{Step: name, Err: err}
		}
		return err
	}
	var err error
	switch {
	case in.AdGroupID != "":
		if out.AdGroup, err = s.GetAdGroup(ctx, advertiserID, in.AdGroupID); err != nil {
			return out, err
		}
		if out.Campaign, err = s.GetCampaign(ctx, advertiserID, out.AdGroup.CampaignID); err != nil {
			return out, err
		}
	case in.CampaignID != "":
		if out.Campaign, err = s.GetCampaign(ctx, advertiserID, in.CampaignID); err != nil {
			return out, err
		}
	case in.Campaign != nil:
		if out.Campaign, err = s.CheckCampaign(ctx, advertiserID, *in.Campaign); err != nil {
			return out, step(StepCampaign, err)
		}
	default:
		return out, apperr.Missing("campaign")
	}
	var dec int
	if in.AdGroupID == "" {
		if in.AdGroup == nil {
			return out, apperr.Missing("ad_group")
		}
		if out.AdGroup, dec, err = s.checkAdGroupInput(ctx, advertiserID, out.Campaign, *in.AdGroup); err != nil {
			return out, step(StepAdGroup, err)
		}
	}
	if out.Ad, err = s.CheckAd(ctx, advertiserID, out.AdGroup, in.Ad); err != nil {
		return out, step(StepAd, err)
	}

	var newCampaign *model.Campaign
	var newGroup *model.AdGroup
	var check func(model.Campaign) error
	if in.AdGroupID == "" && in.CampaignID == "" {
		newCampaign = &out.Campaign
	}
	if in.AdGroupID == "" {
		newGroup = &out.AdGroup
		// A stored campaign may have changed since it was read.
		g := out.AdGroup
		check = func(c model.Campaign) error { return step(StepAdGroup, checkAdGroup(g, c, dec)) }
	}
	err = s.store.CreateAdTree(ctx, newCampaign, newGroup, out.Ad, check)
	if errors.Is(err, store.ErrNotFound) {
		return out, apperr.NotFoundf("the campaign or ad group of this ad no longer exists")
	}
	if err != nil {
		return out, err
	}
	if newCampaign != nil {
		s.notify.Changed(ctx, change.Event{Kind: change.Campaign, ID: out.Campaign.ID})
	}
	if newGroup != nil {
		s.notify.Changed(ctx, change.Event{Kind: change.AdGroup, ID: out.AdGroup.ID})
	}
	s.notify.Changed(ctx, change.Event{Kind: change.Ad, ID: out.Ad.ID})
	return out, nil
}
