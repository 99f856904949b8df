// Package campaign manages an advertiser's campaign → ad group → ad
// structure, validating it as a real Ads Manager would, and derives each
// ad's serving status (status.go) from the state of every level, the
// schedule, the budgets and the Spark post's authorization.
package campaign

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/flintads/flint/internal/apperr"
	"github.com/flintads/flint/internal/authorization"
	"github.com/flintads/flint/internal/change"
	"github.com/flintads/flint/internal/clock"
	"github.com/flintads/flint/internal/ids"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
	"github.com/flintads/flint/internal/post"
	"github.com/flintads/flint/internal/store"
	"github.com/flintads/flint/internal/validate"
)

// Error codes of campaign rules.
const (
	CodeBudgetRequired      = "BUDGET_REQUIRED"
	CodeBudgetBelowBid      = "BUDGET_BELOW_BID"
	CodeImmutable           = apperr.CodeNotEditable
	CodeSparkPostNotServing = "SPARK_POST_NOT_AUTHORIZED"
)

// Store is what the campaign service needs from storage.
type Store interface {
	store.Campaigns
	store.Numbered
	GetSparkPost(ctx context.Context, id string) (model.SparkPost, error)
	GetAuthorization(ctx context.Context, id string) (model.Authorization, error)
	GetPost(ctx context.Context, id string) (model.Post, error)
	GetAccount(ctx context.Context, id string) (model.Account, error)
	AdStats(ctx context.Context, adIDs []string) (map[string]model.AdStats, error)
	AdvertiserHourlyStats(ctx context.Context, advertiserID string, since time.Time) ([]model.HourStats, error)
}

// Budgets tells whether a budget has room left; the delivery engine knows.
type Budgets interface {
	// Exhausted reports whether the ad group's or its campaign's budget
	// cannot pay for one more billing event of the ad group.
	Exhausted(g model.AdGroup, c model.Campaign) bool
}

// Service creates, edits and reads campaigns, ad groups and ads.
type Service struct {
	store   Store
	clock   clock.Clock
	notify  change.Notifier
	budgets Budgets
}

// New returns a Service.
func New(s Store, c clock.Clock, n change.Notifier, b Budgets) *Service {
	if n == nil {
		n = change.Nop{}
	}
	return &Service{store: s, clock: c, notify: n, budgets: b}
}

// CampaignInput holds campaign fields; nil leaves a field alone (on edit)
// or takes its default (on create).
type CampaignInput struct {
	Name       *string
	Objective  *string
	BudgetMode *string
	Budget     *string
	Status     *string
}

// decimals returns how many decimals the advertiser's currency has: money
// is accepted and shown in that precision.
func (s *Service) decimals(ctx context.Context, advertiserID string) (int, error) {
	acct, err := s.store.GetAccount(ctx, advertiserID)
	if err != nil {
		return 0, err
	}
	return money.Decimals(acct.Currency), nil
}

// CreateCampaign validates and stores a campaign for the advertiser.
func (s *Service) CreateCampaign(ctx context.Context, advertiserID string, in CampaignInput) (model.Campaign, error) {
	c, err := s.CheckCampaign(ctx, advertiserID, in)
	if err != nil {
		return c, err
	}
	if err := s.store.CreateCampaign(ctx, c); err != nil {
		return c, err
	}
	s.notify.Changed(ctx, change.Event{Kind: change.Campaign, ID: c.ID})
	return c, nil
}

// CheckCampaign validates a new campaign for the advertiser as
// CreateCampaign does, reporting every field that is wrong, and returns the
// campaign it would store; nothing is stored.
func (s *Service) CheckCampaign(ctx context.Context, advertiserID string, in CampaignInput) (model.Campaign, error) {
	now := s.clock.Now()
	c := model.Campaign{ID: ids.New("cmp"), NumericID: ids.NewNumeric(), AdvertiserID: advertiserID, BudgetMode: model.BudgetNone, Status: model.Enabled,
		CreatedAt: now, UpdatedAt: now, Version: 1}
	dec, err := s.decimals(ctx, advertiserID)
	if err != nil {
		return c, err
	}
	var errs apperr.List
	if in.Name == nil {
		errs.Add(apperr.Missing("name"))
	}
	if in.Objective == nil {
		errs.Add(apperr.Missing("objective"))
	}
	errs.Add(applyCampaign(&c, in, dec))
	return c, errs.Err()
}

// applyCampaign sets the fields in sends on c, reporting every field that
// is wrong.
func applyCampaign(c *model.Campaign, in CampaignInput, decimals int) error {
	var errs apperr.List
	if in.Name != nil {
		c.Name = strings.TrimSpace(*in.Name)
		errs.Add(checkName("name", c.Name))
	}
	if in.Objective != nil {
		c.Objective = model.Objective(*in.Objective)
		switch c.Objective {
		case model.ObjectiveReach, model.ObjectiveVideoViews, model.ObjectiveTraffic, model.ObjectiveEngagement,
			model.ObjectiveConversions:
		default:
			errs.Add(apperr.Invalidf("objective", "objective must be REACH, VIDEO_VIEWS, TRAFFIC, ENGAGEMENT or CONVERSIONS"))
		}
	}
	errs.Add(applyBudget(&c.BudgetMode, &c.Budget, in.BudgetMode, in.Budget, decimals))
	if in.Status != nil {
		c.Status = model.Status(*in.Status)
		errs.Add(checkStatus("status", c.Status))
	}
	return errs.Err()
}

// applyBudget sets a budget mode and amount. Switching to NONE clears the
// amount; an amount without a mode keeps the current mode.
func applyBudget(mode *model.BudgetMode, amount *money.Micros, inMode, inBudget *string, decimals int) error {
	if inMode != nil {
		*mode = model.BudgetMode(*inMode)
		if *mode == model.BudgetNone && inBudget == nil {
			*amount = 0
		}
	}
	var errs apperr.List
	if inBudget != nil {
		if *inBudget == "" && *mode == model.BudgetNone {
			*amount = 0
		} else {
			m, err := parseMoney("budget", *inBudget, maxBudget, decimals)
			errs.Add(err)
			if err == nil {
				*amount = m
			}
		}
	}
	errs.Add(checkBudget(*mode, *amount))
	return errs.Err()
}

// GetCampaign returns one of the advertiser's campaigns.
func (s *Service) GetCampaign(ctx context.Context, advertiserID, id string) (model.Campaign, error) {
	c, err := s.store.GetCampaign(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && c.AdvertiserID != advertiserID) {
		return model.Campaign{}, apperr.NotFoundf("no campaign %s", id)
	}
	return c, err
}

// UpdateCampaign edits a campaign. A campaign keeps a budget while any of
// its ad groups has none, and its budget can always pay for one billing
// event of each of its ad groups.
func (s *Service) UpdateCampaign(ctx context.Context, advertiserID, id string, in CampaignInput) (model.Campaign, error) {
	if in == (CampaignInput{}) {
		return model.Campaign{}, noEditableField("name, objective, budget_mode, budget, status")
	}
	dec, err := s.decimals(ctx, advertiserID)
	if err != nil {
		return model.Campaign{}, err
	}
	now := s.clock.Now()
	c, err := s.store.UpdateCampaign(ctx, id, func(c *model.Campaign, groups []model.AdGroup) error {
		if c.AdvertiserID != advertiserID {
			return store.ErrNotFound
		}
		mode, budget := c.BudgetMode, c.Budget
		if err := applyCampaign(c, in, dec); err != nil {
			return err
		}
		// A new budget must suit every ad group under it.
		for _, g := range groups {
			if c.BudgetMode == mode && c.Budget == budget {
				break
			}
			if err := checkAdGroup(g, *c, dec); err != nil {
				return campaignSide(err)
			}
		}
		c.UpdatedAt = now
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return model.Campaign{}, apperr.NotFoundf("no campaign %s", id)
	}
	if err != nil {
		return c, err
	}
	s.notify.Changed(ctx, change.Event{Kind: change.Campaign, ID: c.ID})
	return c, nil
}

// campaignSide rewords an ad-group rule broken by a campaign edit.
func campaignSide(err error) error {
	e, ok := apperr.As(err)
	if !ok {
		return err
	}
	switch e.Code {
	case CodeBudgetRequired:
		return &apperr.Error{Kind: apperr.Unprocessable, Code: CodeBudgetRequired, Field: "budget_mode",
			Message: "an ad group of this campaign has no budget of its own: give it one before removing the campaign's"}
	case CodeBudgetBelowBid:
		return &apperr.Error{Kind: apperr.Unprocessable, Code: CodeBudgetBelowBid, Field: "budget",
			Message: "the budget cannot pay for one billing event of an ad group of this campaign at its bid: " + e.Message}
	}
	return err
}

func noEditableField(fields string) error {
	return apperr.New(apperr.Invalid, apperr.CodeNoEditableField, "send at least one field to change: %s", fields)
}

// ListCampaigns returns the advertiser's campaigns.
func (s *Service) ListCampaigns(ctx context.Context, advertiserID string) ([]model.Campaign, error) {
	return s.store.ListCampaigns(ctx, advertiserID)
}

// TargetingInput is targeting as sent; nil bounds mean "any".
type TargetingInput struct {
	Countries []string
	AgeMin    *int
	AgeMax    *int
	Genders   []string
	Languages []string
	OS        []string
	Interests []string
}

// AdGroupInput holds ad group fields; nil leaves a field alone (on edit) or
// takes its default (on create). ClearEndTime removes the end of the
// schedule; ClearFrequencyCap removes the cap.
type AdGroupInput struct {
	CampaignID        string
	Name              *string
	Targeting         *TargetingInput
	StartTime         *string
	EndTime           *string
	ClearEndTime      bool
	BudgetMode        *string
	Budget            *string
	BillingEvent      *string
	Bid               *string
	FrequencyCap      *model.FrequencyCap
	ClearFrequencyCap bool
	Pacing            *string
	Status            *string
}

// CreateAdGroup validates and stores an ad group in one of the advertiser's
// campaigns.
func (s *Service) CreateAdGroup(ctx context.Context, advertiserID string, in AdGroupInput) (model.AdGroup, error) {
	if in.CampaignID == "" {
		return model.AdGroup{}, apperr.Missing("campaign_id")
	}
	campaignNotFound := func() error {
		return &apperr.Error{Kind: apperr.NotFound, Code: apperr.CodeNotFound, Field: "campaign_id",
			Message: "no campaign " + in.CampaignID}
	}
	c, err := s.GetCampaign(ctx, advertiserID, in.CampaignID)
	if err != nil {
		if apperr.HasCode(err, apperr.CodeNotFound) {
			return model.AdGroup{}, campaignNotFound()
		}
		return model.AdGroup{}, err
	}
	g, dec, err := s.checkAdGroupInput(ctx, advertiserID, c, in)
	if err != nil {
		return g, err
	}
	err = s.store.CreateAdGroup(ctx, g, func(c model.Campaign) error { return checkAdGroup(g, c, dec) })
	if errors.Is(err, store.ErrNotFound) {
		return g, campaignNotFound()
	}
	if err != nil {
		return g, err
	}
	s.notify.Changed(ctx, change.Event{Kind: change.AdGroup, ID: g.ID})
	return g, nil
}

// CheckAdGroup validates a new ad group of campaign c (stored, or the one
// CheckCampaign returned) as CreateAdGroup does, reporting every field that
// is wrong, and returns the ad group it would store; nothing is stored.
// in.CampaignID is ignored.
func (s *Service) CheckAdGroup(ctx context.Context, advertiserID string, c model.Campaign, in AdGroupInput) (model.AdGroup, error) {
	g, _, err := s.checkAdGroupInput(ctx, advertiserID, c, in)
	return g, err
}

func (s *Service) checkAdGroupInput(ctx context.Context, advertiserID string, c model.Campaign, in AdGroupInput) (
	model.AdGroup, int, error) {
	now := s.clock.Now()
	g := model.AdGroup{ID: ids.New("adg"), NumericID: ids.NewNumeric(), AdvertiserID: advertiserID, CampaignID: c.ID, StartTime: now,
		BudgetMode: model.BudgetNone, Pacing: model.PacingStandard, Status: model.Enabled, CreatedAt: now, UpdatedAt: now,
		Version: 1}
	dec, err := s.decimals(ctx, advertiserID)
	if err != nil {
		return g, 0, err
	}
	var errs apperr.List
	for _, f := range []struct {
		name string
		v    *string
	}{{"name", in.Name}, {"billing_event", in.BillingEvent}, {"bid", in.Bid}} {
		if f.v == nil {
			errs.Add(apperr.Missing(f.name))
		}
	}
	errs.Add(applyAdGroup(&g, in, dec))
	if errs.Len() == 0 {
		// The rules across the ad group and its campaign need both valid.
		errs.Add(checkAdGroup(g, c, dec))
	}
	return g, dec, errs.Err()
}

// applyAdGroup sets the fields in sends on g, reporting every field that is
// wrong.
func applyAdGroup(g *model.AdGroup, in AdGroupInput, decimals int) error {
	var errs apperr.List
	if in.Name != nil {
		g.Name = strings.TrimSpace(*in.Name)
		errs.Add(checkName("name", g.Name))
	}
	if t := in.Targeting; t != nil {
		nt := model.Targeting{Countries: t.Countries, Genders: t.Genders, Languages: t.Languages, OS: t.OS, Interests: t.Interests}
		if t.AgeMin != nil {
			nt.AgeMin = *t.AgeMin
			if nt.AgeMin == 0 {
				errs.Add(apperr.Invalidf("targeting.age_min", "age_min must be between %d and %d", minAge, maxAge))
			}
		}
		if t.AgeMax != nil {
			nt.AgeMax = *t.AgeMax
			if nt.AgeMax == 0 {
				errs.Add(apperr.Invalidf("targeting.age_max", "age_max must be between %d and %d", minAge, maxAge))
			}
		}
		err := normaliseTargeting(&nt)
		errs.Add(err)
		if err == nil {
			g.Targeting = nt
		}
	}
	schedule := true // both ends of the schedule could be read
	if in.StartTime != nil {
		t, err := parseTime("start_time", *in.StartTime)
		errs.Add(err)
		schedule = err == nil
		if err == nil {
			g.StartTime = t
		}
	}
	if in.ClearEndTime {
		g.EndTime = time.Time{}
	} else if in.EndTime != nil {
		t, err := parseTime("end_time", *in.EndTime)
		errs.Add(err)
		schedule = schedule && err == nil
		if err == nil {
			g.EndTime = t
		}
	}
	if schedule && !g.EndTime.IsZero() && !g.EndTime.After(g.StartTime) {
		errs.Add(apperr.Invalidf("end_time", "end_time must be after start_time"))
	}
	errs.Add(applyBudget(&g.BudgetMode, &g.Budget, in.BudgetMode, in.Budget, decimals))
	if in.BillingEvent != nil {
		g.BillingEvent = model.BillingEvent(*in.BillingEvent)
		switch g.BillingEvent {
		case model.BillCPM, model.BillCPC, model.BillCPV:
		default:
			errs.Add(apperr.Invalidf("billing_event", "billing_event must be CPM, CPC or CPV"))
		}
	}
	if in.Bid != nil {
		b, err := parseMoney("bid", *in.Bid, maxBid, decimals)
		errs.Add(err)
		if err == nil {
			g.Bid = b
		}
	}
	if in.ClearFrequencyCap {
		g.FrequencyCap = model.FrequencyCap{}
	} else if in.FrequencyCap != nil {
		if in.FrequencyCap.Impressions == 0 && in.FrequencyCap.Days == 0 {
			errs.Add(apperr.Invalidf("frequency_cap.impressions", "frequency_cap needs impressions and days; send null to remove it"))
		} else {
			g.FrequencyCap = *in.FrequencyCap
			errs.Add(checkFrequencyCap(g.FrequencyCap))
		}
	}
	if in.Pacing != nil {
		g.Pacing = model.Pacing(*in.Pacing)
		if g.Pacing != model.PacingStandard && g.Pacing != model.PacingAccelerated {
			errs.Add(apperr.Invalidf("pacing", "pacing must be STANDARD or ACCELERATED"))
		}
	}
	if in.Status != nil {
		g.Status = model.Status(*in.Status)
		errs.Add(checkStatus("status", g.Status))
	}
	return errs.Err()
}

// checkAdGroup enforces the rules that span the ad group and its campaign:
// some budget limits the ad group's spend, and each budget that does can
// pay for at least one billing event at the bid (otherwise the ad group
// could never serve, and would sit at BUDGET_EXHAUSTED with nothing spent).
func checkAdGroup(g model.AdGroup, c model.Campaign, decimals int) error {
	if g.BudgetMode == model.BudgetNone && c.BudgetMode == model.BudgetNone {
		return &apperr.Error{Kind: apperr.Unprocessable, Code: CodeBudgetRequired, Field: "budget_mode",
			Message: "set a budget on the ad group or on its campaign"}
	}
	charge := MaxCharge(g)
	for _, b := range []struct {
		mode   model.BudgetMode
		amount money.Micros
		field  string
		whose  string
	}{{g.BudgetMode, g.Budget, "budget", "the ad group's"}, {c.BudgetMode, c.Budget, "bid", "the campaign's"}} {
		if b.mode != model.BudgetNone && b.amount < charge {
			return &apperr.Error{Kind: apperr.Unprocessable, Code: CodeBudgetBelowBid, Field: b.field,
				Message: fmt.Sprintf("%s budget of %s cannot pay for one %s at the bid of %s (%s): raise the budget "+
					"or lower the bid", b.whose, money.Format(b.amount, decimals), billedUnit(g.BillingEvent),
					money.Format(g.Bid, decimals), money.Format(charge, 6))}
		}
	}
	return nil
}

// MaxCharge is the most one billing event of the ad group can cost: the
// bid, or for CPM (a bid per thousand impressions) a thousandth of it.
func MaxCharge(g model.AdGroup) money.Micros {
	if g.BillingEvent == model.BillCPM {
		return max(g.Bid/1000, 1)
	}
	return g.Bid
}

func billedUnit(b model.BillingEvent) string {
	switch b {
	case model.BillCPC:
		return "click"
	case model.BillCPV:
		return "6-second view"
	}
	return "impression"
}

// GetAdGroup returns one of the advertiser's ad groups.
func (s *Service) GetAdGroup(ctx context.Context, advertiserID, id string) (model.AdGroup, error) {
	g, err := s.store.GetAdGroup(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && g.AdvertiserID != advertiserID) {
		return model.AdGroup{}, apperr.NotFoundf("no ad group %s", id)
	}
	return g, err
}

// UpdateAdGroup edits an ad group. Its campaign and billing event cannot
// change: spend already charged was priced by it.
func (s *Service) UpdateAdGroup(ctx context.Context, advertiserID, id string, in AdGroupInput) (model.AdGroup, error) {
	if in.CampaignID != "" {
		return model.AdGroup{}, &apperr.Error{Kind: apperr.Invalid, Code: CodeImmutable, Field: "campaign_id",
			Message: "an ad group cannot move to another campaign"}
	}
	if in.BillingEvent != nil {
		return model.AdGroup{}, &apperr.Error{Kind: apperr.Invalid, Code: CodeImmutable, Field: "billing_event",
			Message: "billing_event cannot change; create a new ad group"}
	}
	if in.isEmpty() {
		return model.AdGroup{}, noEditableField("name, targeting, start_time, end_time, budget_mode, budget, bid, " +
			"frequency_cap, pacing, status")
	}
	dec, err := s.decimals(ctx, advertiserID)
	if err != nil {
		return model.AdGroup{}, err
	}
	now := s.clock.Now()
	g, err := s.store.UpdateAdGroup(ctx, id, func(g *model.AdGroup, c model.Campaign) error {
		if g.AdvertiserID != advertiserID {
			return store.ErrNotFound
		}
		if err := applyAdGroup(g, in, dec); err != nil {
			return err
		}
		if err := checkAdGroup(*g, c, dec); err != nil {
			return err
		}
		g.UpdatedAt = now
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return model.AdGroup{}, apperr.NotFoundf("no ad group %s", id)
	}
	if err != nil {
		return g, err
	}
	s.notify.Changed(ctx, change.Event{Kind: change.AdGroup, ID: g.ID})
	return g, nil
}

// isEmpty reports whether in changes nothing.
func (in AdGroupInput) isEmpty() bool {
	return in.Name == nil && in.Targeting == nil && in.StartTime == nil && in.EndTime == nil && !in.ClearEndTime &&
		in.BudgetMode == nil && in.Budget == nil && in.BillingEvent == nil && in.Bid == nil && in.FrequencyCap == nil &&
		!in.ClearFrequencyCap && in.Pacing == nil && in.Status == nil
}

// ListAdGroups returns the advertiser's ad groups, of one campaign if
// campaignID is set.
func (s *Service) ListAdGroups(ctx context.Context, advertiserID, campaignID string) ([]model.AdGroup, error) {
	return s.store.ListAdGroups(ctx, advertiserID, campaignID)
}

// AdInput holds ad fields; nil leaves a field alone or takes its default.
type AdInput struct {
	AdGroupID   string
	Name        *string
	SparkPostID string
	CTALabel    *string
	CTAURL      *string
	Status      *string
}

// DefaultCTALabel is the call to action when none is given.
const DefaultCTALabel = "Learn more"

// CreateAd validates and stores an ad that delivers a Spark post from the
// advertiser's library, which must be AUTHORIZED now.
func (s *Service) CreateAd(ctx context.Context, advertiserID string, in AdInput) (model.Ad, error) {
	g, err := s.adGroupOfAd(ctx, advertiserID, in.AdGroupID)
	if err != nil {
		return model.Ad{}, err
	}
	a, err := s.CheckAd(ctx, advertiserID, g, in)
	if err != nil {
		return a, err
	}
	if err := s.store.CreateAd(ctx, a); err != nil {
		return a, err
	}
	s.notify.Changed(ctx, change.Event{Kind: change.Ad, ID: a.ID})
	return a, nil
}

// CreateAds validates and stores new ads of one ad group, all of them or
// none: every input is checked as CreateAd checks one before any is
// stored, and they are stored in one transaction. The first input that
// fails its check is reported, with its position (the error's Index).
func (s *Service) CreateAds(ctx context.Context, advertiserID, adGroupID string, ins []AdInput) ([]model.Ad, error) {
	g, err := s.adGroupOfAd(ctx, advertiserID, adGroupID)
	if err != nil {
		return nil, err
	}
	ads := make([]model.Ad, len(ins))
	for i, in := range ins {
		if ads[i], err = s.CheckAd(ctx, advertiserID, g, in); err != nil {
			return nil, &InputError{Index: i, Err: err}
		}
	}
	if err := s.store.CreateAds(ctx, ads); err != nil {
		return nil, err
	}
	s.notify.Changed(ctx, change.Event{Kind: change.AdGroup, ID: g.ID})
	return ads, nil
}

// adGroupOfAd reads the ad group that new ads name, with its errors on the
// ad_group_id field.
func (s *Service) adGroupOfAd(ctx context.Context, advertiserID, id string) (model.AdGroup, error) {
	if id == "" {
		return model.AdGroup{}, apperr.Missing("ad_group_id")
	}
	g, err := s.GetAdGroup(ctx, advertiserID, id)
	if e, ok := apperr.As(err); ok {
		e.Field = "ad_group_id"
	}
	return g, err
}

// InputError is the error of one input of several (CreateAds): Index is
// its position, Err what is wrong with it.
type InputError struct {
	Index int
	Err   error
}

func (e *InputError) Error() string { return fmt.Sprintf("input %d: %v", e.Index, e.Err) }
func (e *InputError) Unwrap() error { return e.Err }

// CheckAd validates a new ad of ad group g (stored, or the one CheckAdGroup
// returned) as CreateAd does, reporting every field that is wrong, and
// returns the ad it would store; nothing is stored. in.AdGroupID is ignored.
func (s *Service) CheckAd(ctx context.Context, advertiserID string, g model.AdGroup, in AdInput) (model.Ad, error) {
	now := s.clock.Now()
	a := model.Ad{ID: ids.New("ad"), NumericID: ids.NewNumeric(), AdvertiserID: advertiserID, CampaignID: g.CampaignID, AdGroupID: g.ID,
		SparkPostID: in.SparkPostID, CTALabel: DefaultCTALabel, Status: model.Enabled, CreatedAt: now, UpdatedAt: now,
		Version: 1}
	var errs apperr.List
	if in.SparkPostID == "" {
		errs.Add(apperr.Missing("spark_post_id"))
	} else {
		sp, err := model.SparkPost{}, store.ErrNotFound
		if ids.Plausible(in.SparkPostID) { // else it names nothing (and PostgreSQL could not even look it up)
			sp, err = s.store.GetSparkPost(ctx, in.SparkPostID)
		}
		switch {
		case errors.Is(err, store.ErrNotFound) || (err == nil && sp.AdvertiserID != advertiserID):
			errs.Add(&apperr.Error{Kind: apperr.NotFound, Code: apperr.CodeNotFound, Field: "spark_post_id",
				Message: "this post is not in your library"})
		case err != nil:
			return a, err
		default:
			a.PostID = sp.PostID
			errs.Add(s.checkSparkPost(ctx, sp))
		}
	}
	if in.Name == nil {
		name := "Spark ad"
		in.Name = &name
	}
	if in.CTAURL == nil {
		errs.Add(apperr.Missing("cta.url"))
	}
	errs.Add(applyAd(&a, in))
	return a, errs.Err()
}

// checkSparkPost refuses a Spark post that cannot serve now, with the
// reason as the code.
func (s *Service) checkSparkPost(ctx context.Context, sp model.SparkPost) error {
	auth, err := s.store.GetAuthorization(ctx, sp.AuthorizationID)
	if err != nil {
		return err
	}
	p, err := s.store.GetPost(ctx, sp.PostID)
	if err != nil {
		return err
	}
	creator, err := s.store.GetAccount(ctx, sp.CreatorID)
	if err != nil {
		return err
	}
	switch authorization.LibraryStatus(auth, creator.CreatorType, &p, s.clock.Now()) {
	case model.LibraryRevoked:
		return spErr(ReasonRevoked, "the creator revoked ad authorization for this Spark post")
	case model.LibraryExpired:
		return spErr(ReasonExpired, "the authorization period of this Spark post has ended")
	case model.LibraryPostUnavailable:
		return spErr(ReasonPostUnavailable, "the post cannot run as a Spark ad ("+post.Ineligibility(creator.CreatorType, &p)+")")
	}
	return nil
}

func spErr(code, msg string) error {
	return &apperr.Error{Kind: apperr.Unprocessable, Code: code, Field: "spark_post_id", Message: msg}
}

// applyAd sets the fields in sends on a, reporting every field that is
// wrong.
func applyAd(a *model.Ad, in AdInput) error {
	var errs apperr.List
	if in.Name != nil {
		a.Name = strings.TrimSpace(*in.Name)
		errs.Add(checkName("name", a.Name))
	}
	if in.CTALabel != nil {
		a.CTALabel = strings.TrimSpace(*in.CTALabel)
		if a.CTALabel == "" {
			errs.Add(apperr.Missing("cta.label"))
		} else {
			errs.Add(validate.Text("cta.label", a.CTALabel, maxCTALabel))
		}
	}
	if in.CTAURL != nil {
		a.CTAURL = strings.TrimSpace(*in.CTAURL)
		errs.Add(validate.HTTPURL("cta.url", a.CTAURL))
	}
	if in.Status != nil {
		a.Status = model.Status(*in.Status)
		errs.Add(checkStatus("status", a.Status))
	}
	return errs.Err()
}

// GetAd returns one of the advertiser's ads.
func (s *Service) GetAd(ctx context.Context, advertiserID, id string) (model.Ad, error) {
	a, err := s.store.GetAd(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && a.AdvertiserID != advertiserID) {
		return model.Ad{}, apperr.NotFoundf("no ad %s", id)
	}
	return a, err
}

// UpdateAd edits an ad. Switching an ad on requires its Spark post to be
// authorized, as creating one does.
func (s *Service) UpdateAd(ctx context.Context, advertiserID, id string, in AdInput) (model.Ad, error) {
	for _, f := range []struct{ name, value string }{{"ad_group_id", in.AdGroupID}, {"spark_post_id", in.SparkPostID}} {
		if f.value != "" {
			return model.Ad{}, &apperr.Error{Kind: apperr.Invalid, Code: CodeImmutable, Field: f.name,
				Message: "an ad keeps its ad group and Spark post; create a new ad instead"}
		}
	}
	if in == (AdInput{}) {
		return model.Ad{}, noEditableField("name, cta, status")
	}
	// Whether the Spark post could serve, read before the change: switching
	// an ad on is refused if it could not.
	var sparkErr error
	if in.Status != nil && model.Status(*in.Status) == model.Enabled {
		cur, err := s.GetAd(ctx, advertiserID, id)
		if err != nil {
			return cur, err
		}
		if cur.Status != model.Enabled {
			sp, err := s.store.GetSparkPost(ctx, cur.SparkPostID)
			if err != nil {
				return cur, err
			}
			sparkErr = s.checkSparkPost(ctx, sp)
			if _, ok := apperr.As(sparkErr); sparkErr != nil && !ok {
				return cur, sparkErr // could not be read
			}
		}
	}
	now := s.clock.Now()
	a, err := s.store.UpdateAd(ctx, id, func(a *model.Ad) error {
		if a.AdvertiserID != advertiserID {
			return store.ErrNotFound
		}
		switchedOn := a.Status != model.Enabled && in.Status != nil && model.Status(*in.Status) == model.Enabled
		if err := applyAd(a, in); err != nil {
			return err
		}
		if switchedOn && sparkErr != nil {
			return sparkErr
		}
		a.UpdatedAt = now
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return model.Ad{}, apperr.NotFoundf("no ad %s", id)
	}
	if err != nil {
		return a, err
	}
	s.notify.Changed(ctx, change.Event{Kind: change.Ad, ID: a.ID})
	return a, nil
}

// ListAds returns the advertiser's ads, of one ad group if adGroupID is set.
func (s *Service) ListAds(ctx context.Context, advertiserID, adGroupID string) ([]model.Ad, error) {
	return s.store.ListAds(ctx, advertiserID, adGroupID)
}
