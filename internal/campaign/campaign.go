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
	now := s.clock.Now()
	c := model.Campaign{ID: ids.New("cmp"), NumericID: ids.NewNumeric(), AdvertiserID: advertiserID, BudgetMode: model.BudgetNone, Status: model.Enabled,
		CreatedAt: now, UpdatedAt: now, Version: 1}
	if in.Name == nil {
		return c, apperr.Missing("name")
	}
	if in.Objective == nil {
		return c, apperr.Missing("objective")
	}
	dec, err := s.decimals(ctx, advertiserID)
	if err != nil {
		return c, err
	}
	if err := applyCampaign(&c, in, dec); err != nil {
		return c, err
	}
	if err := s.store.CreateCampaign(ctx, c); err != nil {
		return c, err
	}
	s.notify.Changed(ctx, change.Event{Kind: change.Campaign, ID: c.ID})
	return c, nil
}

func applyCampaign(c *model.Campaign, in CampaignInput, decimals int) error {
	if in.Name != nil {
		c.Name = strings.TrimSpace(*in.Name)
		if err := checkName("name", c.Name); err != nil {
			return err
		}
	}
	if in.Objective != nil {
		c.Objective = model.Objective(*in.Objective)
		switch c.Objective {
		case model.ObjectiveReach, model.ObjectiveVideoViews, model.ObjectiveTraffic, model.ObjectiveEngagement,
			model.ObjectiveConversions:
		default:
			return apperr.Invalidf("objective", "objective must be REACH, VIDEO_VIEWS, TRAFFIC, ENGAGEMENT or CONVERSIONS")
		}
	}
	if err := applyBudget(&c.BudgetMode, &c.Budget, in.BudgetMode, in.Budget, decimals); err != nil {
		return err
	}
	if in.Status != nil {
		c.Status = model.Status(*in.Status)
		if err := checkStatus("status", c.Status); err != nil {
			return err
		}
	}
	return nil
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
	if inBudget != nil {
		if *inBudget == "" && *mode == model.BudgetNone {
			*amount = 0
		} else {
			m, err := parseMoney("budget", *inBudget, maxBudget, decimals)
			if err != nil {
				return err
			}
			*amount = m
		}
	}
	return checkBudget(*mode, *amount)
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
	now := s.clock.Now()
	g := model.AdGroup{ID: ids.New("adg"), NumericID: ids.NewNumeric(), AdvertiserID: advertiserID, CampaignID: in.CampaignID, StartTime: now,
		BudgetMode: model.BudgetNone, Pacing: model.PacingStandard, Status: model.Enabled, CreatedAt: now, UpdatedAt: now,
		Version: 1}
	if in.CampaignID == "" {
		return g, apperr.Missing("campaign_id")
	}
	campaignNotFound := func() error {
		return &apperr.Error{Kind: apperr.NotFound, Code: apperr.CodeNotFound, Field: "campaign_id",
			Message: "no campaign " + in.CampaignID}
	}
	if _, err := s.GetCampaign(ctx, advertiserID, in.CampaignID); err != nil {
		if apperr.HasCode(err, apperr.CodeNotFound) {
			return g, campaignNotFound()
		}
		return g, err
	}
	switch {
	case in.Name == nil:
		return g, apperr.Missing("name")
	case in.BillingEvent == nil:
		return g, apperr.Missing("billing_event")
	case in.Bid == nil:
		return g, apperr.Missing("bid")
	}
	dec, err := s.decimals(ctx, advertiserID)
	if err != nil {
		return g, err
	}
	if err := applyAdGroup(&g, in, dec); err != nil {
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

func applyAdGroup(g *model.AdGroup, in AdGroupInput, decimals int) error {
	if in.Name != nil {
		g.Name = strings.TrimSpace(*in.Name)
		if err := checkName("name", g.Name); err != nil {
			return err
		}
	}
	if t := in.Targeting; t != nil {
		nt := model.Targeting{Countries: t.Countries, Genders: t.Genders, Languages: t.Languages, OS: t.OS, Interests: t.Interests}
		if t.AgeMin != nil {
			nt.AgeMin = *t.AgeMin
			if nt.AgeMin == 0 {
				return apperr.Invalidf("targeting.age_min", "age_min must be between %d and %d", minAge, maxAge)
			}
		}
		if t.AgeMax != nil {
			nt.AgeMax = *t.AgeMax
			if nt.AgeMax == 0 {
				return apperr.Invalidf("targeting.age_max", "age_max must be between %d and %d", minAge, maxAge)
			}
		}
		if err := normaliseTargeting(&nt); err != nil {
			return err
		}
		g.Targeting = nt
	}
	if in.StartTime != nil {
		t, err := parseTime("start_time", *in.StartTime)
		if err != nil {
			return err
		}
		g.StartTime = t
	}
	if in.ClearEndTime {
		g.EndTime = time.Time{}
	} else if in.EndTime != nil {
		t, err := parseTime("end_time", *in.EndTime)
		if err != nil {
			return err
		}
		g.EndTime = t
	}
	if !g.EndTime.IsZero() && !g.EndTime.After(g.StartTime) {
		return apperr.Invalidf("end_time", "end_time must be after start_time")
	}
	if err := applyBudget(&g.BudgetMode, &g.Budget, in.BudgetMode, in.Budget, decimals); err != nil {
		return err
	}
	if in.BillingEvent != nil {
		g.BillingEvent = model.BillingEvent(*in.BillingEvent)
		switch g.BillingEvent {
		case model.BillCPM, model.BillCPC, model.BillCPV:
		default:
			return apperr.Invalidf("billing_event", "billing_event must be CPM, CPC or CPV")
		}
	}
	if in.Bid != nil {
		b, err := parseMoney("bid", *in.Bid, maxBid, decimals)
		if err != nil {
			return err
		}
		g.Bid = b
	}
	if in.ClearFrequencyCap {
		g.FrequencyCap = model.FrequencyCap{}
	} else if in.FrequencyCap != nil {
		if in.FrequencyCap.Impressions == 0 && in.FrequencyCap.Days == 0 {
			return apperr.Invalidf("frequency_cap.impressions", "frequency_cap needs impressions and days; send null to remove it")
		}
		g.FrequencyCap = *in.FrequencyCap
		if err := checkFrequencyCap(g.FrequencyCap); err != nil {
			return err
		}
	}
	if in.Pacing != nil {
		g.Pacing = model.Pacing(*in.Pacing)
		if g.Pacing != model.PacingStandard && g.Pacing != model.PacingAccelerated {
			return apperr.Invalidf("pacing", "pacing must be STANDARD or ACCELERATED")
		}
	}
	if in.Status != nil {
		g.Status = model.Status(*in.Status)
		if err := checkStatus("status", g.Status); err != nil {
			return err
		}
	}
	return nil
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
	now := s.clock.Now()
	a := model.Ad{ID: ids.New("ad"), NumericID: ids.NewNumeric(), AdvertiserID: advertiserID, AdGroupID: in.AdGroupID, SparkPostID: in.SparkPostID,
		CTALabel: DefaultCTALabel, Status: model.Enabled, CreatedAt: now, UpdatedAt: now, Version: 1}
	if in.AdGroupID == "" {
		return a, apperr.Missing("ad_group_id")
	}
	if in.SparkPostID == "" {
		return a, apperr.Missing("spark_post_id")
	}
	g, err := s.GetAdGroup(ctx, advertiserID, in.AdGroupID)
	if err != nil {
		if e, ok := apperr.As(err); ok {
			e.Field = "ad_group_id"
		}
		return a, err
	}
	a.CampaignID = g.CampaignID
	sp, err := s.store.GetSparkPost(ctx, in.SparkPostID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && sp.AdvertiserID != advertiserID) {
		return a, &apperr.Error{Kind: apperr.NotFound, Code: apperr.CodeNotFound, Field: "spark_post_id",
			Message: "no Spark post " + in.SparkPostID + " in your library"}
	}
	if err != nil {
		return a, err
	}
	a.PostID = sp.PostID
	if err := s.checkSparkPost(ctx, sp); err != nil {
		return a, err
	}
	if in.Name == nil {
		name := "Spark ad"
		in.Name = &name
	}
	if in.CTAURL == nil {
		return a, apperr.Missing("cta.url")
	}
	if err := applyAd(&a, in); err != nil {
		return a, err
	}
	if err := s.store.CreateAd(ctx, a); err != nil {
		return a, err
	}
	s.notify.Changed(ctx, change.Event{Kind: change.Ad, ID: a.ID})
	return a, nil
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

func applyAd(a *model.Ad, in AdInput) error {
	if in.Name != nil {
		a.Name = strings.TrimSpace(*in.Name)
		if err := checkName("name", a.Name); err != nil {
			return err
		}
	}
	if in.CTALabel != nil {
		a.CTALabel = strings.TrimSpace(*in.CTALabel)
		if a.CTALabel == "" {
			return apperr.Missing("cta.label")
		}
		if err := validate.Text("cta.label", a.CTALabel, maxCTALabel); err != nil {
			return err
		}
	}
	if in.CTAURL != nil {
		a.CTAURL = strings.TrimSpace(*in.CTAURL)
		if err := validate.HTTPURL("cta.url", a.CTAURL); err != nil {
			return err
		}
	}
	if in.Status != nil {
		a.Status = model.Status(*in.Status)
		if err := checkStatus("status", a.Status); err != nil {
			return err
		}
	}
	return nil
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
