package tiktokapi

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/flintads/flint/internal/apperr"
	"github.com/flintads/flint/internal/authorization"
	"github.com/flintads/flint/internal/campaign"
	"github.com/flintads/flint/internal/model"
)

// directory holds the advertiser's objects a call shows, by opaque id.
type directory struct {
	campaigns map[string]model.Campaign
	groups    map[string]model.AdGroup
	entries   map[string]authorization.Entry // library entries by Spark post id
}

// load reads the advertiser's campaigns, and its ad groups and library
// when asked.
func (a *API) load(c *call, groups, library bool) (*directory, error) {
	d := &directory{campaigns: map[string]model.Campaign{}, groups: map[string]model.AdGroup{},
		entries: map[string]authorization.Entry{}}
	cs, err := a.Campaigns.ListCampaigns(c.ctx, c.adv.ID)
	if err != nil {
		return nil, err
	}
	for _, x := range cs {
		d.campaigns[x.ID] = x
	}
	if groups {
		gs, err := a.Campaigns.ListAdGroups(c.ctx, c.adv.ID, "")
		if err != nil {
			return nil, err
		}
		for _, g := range gs {
			d.groups[g.ID] = g
		}
	}
	if library {
		lib, err := a.Authorization.Library(c.ctx, c.adv.ID)
		if err != nil {
			return nil, err
		}
		for _, e := range lib {
			d.entries[e.SparkPost.ID] = e
		}
	}
	return d, nil
}

// text of an optional body field, as the domain's optional input.
func (c *call) optional(name string) (*string, error) {
	s, err := c.text(name)
	if err != nil || s == "" {
		return nil, err
	}
	return &s, nil
}

// mapped reads an enum field through a mapping; nil when absent.
func mapped[T ~string](c *call, name string, m map[string]T, allowed string) (*string, error) {
	s, err := c.text(name)
	if err != nil || s == "" {
		return nil, err
	}
	v, ok := m[s]
	if !ok {
		return nil, paramErr("%s: %s is not supported; use %s", name, truncate(s, 40), allowed)
	}
	out := string(v)
	return &out, nil
}

// budget reads budget_mode and budget; an unlimited budget ignores the
// amount clients often send with it.
func (c *call) budget() (mode, amount *string, err error) {
	if mode, err = mapped(c, "budget_mode", budgetModeFromTikTok,
		"BUDGET_MODE_INFINITE, BUDGET_MODE_DAY or BUDGET_MODE_TOTAL"); err != nil {
		return nil, nil, err
	}
	if amount, err = c.optional("budget"); err != nil || amount == nil {
		return mode, nil, err
	}
	if mode != nil && model.BudgetMode(*mode) == model.BudgetNone {
		return mode, nil, nil
	}
	s := parseAmount(*amount)
	return mode, &s, nil
}

// campaignSecondary is a campaign's TikTok secondary status.
func campaignSecondary(x model.Campaign) string {
	if x.Status != model.Enabled {
		return "CAMPAIGN_STATUS_DISABLE"
	}
	return "CAMPAIGN_STATUS_ENABLE"
}

func (c *call) campaignView(x model.Campaign) map[string]any {
	budget := amount(x.Budget, c.adv.Currency)
	return map[string]any{
		"advertiser_id": idText(c.adv.NumericID), "campaign_id": idText(x.NumericID), "campaign_name": x.Name,
		"objective_type": objectiveToTikTok[x.Objective], "budget_mode": budgetModeToTikTok[x.BudgetMode],
		"budget": budget, "operation_status": statusToTikTok[x.Status], "secondary_status": campaignSecondary(x),
		"campaign_type": "REGULAR_CAMPAIGN", "is_new_structure": true, "is_smart_performance_campaign": false,
		"create_time": when(x.CreatedAt), "modify_time": when(x.UpdatedAt), "flint_id": x.ID,
	}
}

// campaignCreate answers campaign/create.
func (a *API) campaignCreate(c *call) (any, error) {
	if err := c.advertiser(); err != nil {
		return nil, err
	}
	var in campaign.CampaignInput
	var err error
	if in.Name, err = c.optional("campaign_name"); err != nil {
		return nil, err
	}
	if in.Name == nil {
		return nil, missing("campaign_name")
	}
	if in.Objective, err = mapped(c, "objective_type", objectiveFromTikTok,
		"REACH, VIDEO_VIEWS, TRAFFIC, ENGAGEMENT or WEB_CONVERSIONS"); err != nil {
		return nil, err
	}
	if in.Objective == nil {
		return nil, missing("objective_type")
	}
	if in.BudgetMode, in.Budget, err = c.budget(); err != nil {
		return nil, err
	}
	if in.Status, err = mapped(c, "operation_status", statusFromTikTok, "ENABLE or DISABLE"); err != nil {
		return nil, err
	}
	x, err := a.Campaigns.CreateCampaign(c.ctx, c.adv.ID, in)
	if err != nil {
		return nil, err
	}
	return c.campaignView(x), nil
}

// campaignGet answers campaign/get.
func (a *API) campaignGet(c *call) (any, error) {
	q, err := c.getQuery("campaign_ids")
	if err != nil {
		return nil, err
	}
	objective, _ := q.filter["objective_type"].(string)
	name, _ := q.filter["campaign_name"].(string)
	cs, err := a.Campaigns.ListCampaigns(c.ctx, c.adv.ID)
	if err != nil {
		return nil, err
	}
	var kept []model.Campaign
	for _, x := range cs {
		if q.ids["campaign_ids"].keep(x.NumericID) && q.keepStatus(campaignSecondary(x)) &&
			(objective == "" || objectiveToTikTok[x.Objective] == objective) &&
			(name == "" || strings.Contains(strings.ToLower(x.Name), strings.ToLower(name))) {
			kept = append(kept, x)
		}
	}
	return pageAnswer(q, kept, c.campaignView, "campaign_id"), nil
}

// schedule reads a TikTok time ("2026-11-25 10:00:00", UTC) as the
// domain's RFC 3339 text.
func (c *call) schedule(name string) (*string, error) {
	s, err := c.text(name)
	if err != nil || s == "" {
		return nil, err
	}
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return nil, paramErr("%s: must be a time such as 2026-11-25 10:00:00 (UTC)", name)
	}
	out := t.UTC().Format(time.RFC3339)
	return &out, nil
}

// targeting reads TikTok's targeting fields into Flint's; nil when the
// call names none.
func (c *call) targeting() (*campaign.TargetingInput, error) {
	var t campaign.TargetingInput
	named := false
	locations, ok, err := c.list("location_ids")
	if err != nil {
		return nil, err
	}
	named = named || ok
	for _, l := range locations {
		code, known := countryOf[strings.TrimSpace(l)]
		if !known {
			return nil, paramErr("location_ids: %s is not the GeoNames id of a country (6252001 is the United States); "+
				"Flint targets countries", truncate(l, 20))
		}
		t.Countries = append(t.Countries, code)
	}
	ages, ok, err := c.list("age_groups")
	if err != nil {
		return nil, err
	}
	named = named || ok
	if len(ages) > 0 {
		var idx []int
		for _, g := range ages {
			i := slices.IndexFunc(ageGroups, func(x struct {
				name     string
				min, max int
			}) bool {
				return x.name == g
			})
			if i < 0 {
				return nil, paramErr("age_groups: %s is not one of AGE_13_17, AGE_18_24, AGE_25_34, AGE_35_44, "+
					"AGE_45_54, AGE_55_100", truncate(g, 20))
			}
			idx = append(idx, i)
		}
		slices.Sort(idx)
		idx = slices.Compact(idx)
		if idx[len(idx)-1]-idx[0] != len(idx)-1 {
			return nil, paramErr("age_groups: Flint targets one range of ages; give adjacent groups")
		}
		if len(idx) < len(ageGroups) {
			lo, hi := ageGroups[idx[0]].min, ageGroups[idx[len(idx)-1]].max
			t.AgeMin, t.AgeMax = &lo, &hi
		}
	}
	gender, err := c.text("gender")
	if err != nil {
		return nil, err
	}
	switch gender {
	case "", "GENDER_UNLIMITED":
	case "GENDER_MALE":
		t.Genders = []string{"male"}
	case "GENDER_FEMALE":
		t.Genders = []string{"female"}
	default:
		return nil, paramErr("gender: use GENDER_MALE, GENDER_FEMALE or GENDER_UNLIMITED")
	}
	named = named || gender != ""
	langs, ok, err := c.list("languages")
	if err != nil {
		return nil, err
	}
	named = named || ok
	t.Languages = langs
	oses, ok, err := c.list("operating_systems")
	if err != nil {
		return nil, err
	}
	named = named || ok
	for _, o := range oses {
		v, known := map[string]string{"ANDROID": "android", "IOS": "ios"}[strings.ToUpper(o)]
		if !known {
			return nil, paramErr("operating_systems: use ANDROID or IOS")
		}
		t.OS = append(t.OS, v)
	}
	if !named {
		return nil, nil
	}
	return &t, nil
}

// adGroupCreate answers adgroup/create.
func (a *API) adGroupCreate(c *call) (any, error) {
	if err := c.advertiser(); err != nil {
		return nil, err
	}
	cid, err := c.text("campaign_id")
	if err != nil {
		return nil, err
	}
	if cid == "" {
		return nil, missing("campaign_id")
	}
	n, ok := number(cid)
	if !ok {
		return nil, notExist("campaign_id", cid)
	}
	camp, err := a.Campaigns.CampaignByNumber(c.ctx, c.adv.ID, n)
	if apperr.HasCode(err, apperr.CodeNotFound) {
		return nil, notExist("campaign_id", cid) // the same words for another's and none
	} else if err != nil {
		return nil, err
	}
	in := campaign.AdGroupInput{CampaignID: camp.ID}
	if in.Name, err = c.optional("adgroup_name"); err != nil {
		return nil, err
	}
	if in.Name == nil {
		return nil, missing("adgroup_name")
	}
	if in.BudgetMode, in.Budget, err = c.budget(); err != nil {
		return nil, err
	}
	if in.BillingEvent, err = mapped(c, "billing_event", map[string]model.BillingEvent{"CPM": model.BillCPM,
		"CPC": model.BillCPC, "CPV": model.BillCPV}, "CPM, CPC or CPV"); err != nil {
		return nil, err
	}
	if in.BillingEvent == nil {
		return nil, missing("billing_event")
	}
	if in.Bid, err = c.optional("bid_price"); err != nil {
		return nil, err
	}
	if in.Bid == nil {
		return nil, missing("bid_price")
	}
	bid := parseAmount(*in.Bid)
	in.Bid = &bid
	if in.Pacing, err = mapped(c, "pacing", pacingFromTikTok, "PACING_MODE_SMOOTH or PACING_MODE_FAST"); err != nil {
		return nil, err
	}
	if in.Status, err = mapped(c, "operation_status", statusFromTikTok, "ENABLE or DISABLE"); err != nil {
		return nil, err
	}
	kind, err := c.text("schedule_type")
	if err != nil {
		return nil, err
	}
	if in.StartTime, err = c.schedule("schedule_start_time"); err != nil {
		return nil, err
	}
	if in.EndTime, err = c.schedule("schedule_end_time"); err != nil {
		return nil, err
	}
	switch kind {
	case "", "SCHEDULE_FROM_NOW":
		in.EndTime = nil
	case "SCHEDULE_START_END":
		if in.EndTime == nil {
			return nil, missing("schedule_end_time")
		}
	default:
		return nil, paramErr("schedule_type: use SCHEDULE_FROM_NOW or SCHEDULE_START_END")
	}
	if in.Targeting, err = c.targeting(); err != nil {
		return nil, err
	}
	freq, err := c.text("frequency")
	if err != nil {
		return nil, err
	}
	if freq != "" {
		days, err := c.text("frequency_schedule")
		if err != nil {
			return nil, err
		}
		imps, err1 := strconv.Atoi(freq)
		d, err2 := strconv.Atoi(days)
		if err1 != nil || err2 != nil {
			return nil, paramErr("frequency, frequency_schedule: whole numbers (impressions per so many days)")
		}
		in.FrequencyCap = &model.FrequencyCap{Impressions: imps, Days: d}
	}
	g, err := a.Campaigns.CreateAdGroup(c.ctx, c.adv.ID, in)
	if err != nil {
		return nil, err
	}
	st, err := a.Campaigns.AdGroupStatuses(c.ctx, []model.AdGroup{g})
	if err != nil {
		return nil, err
	}
	return c.adGroupView(st[0], camp), nil
}

// adGroupSecondary is an ad group's TikTok secondary status.
func (c *call) adGroupSecondary(s campaign.AdGroupStatus) string {
	if len(s.Reasons) == 0 {
		return "ADGROUP_STATUS_DELIVERY_OK"
	}
	switch s.Reasons[0] {
	case campaign.ReasonDisabled:
		return "ADGROUP_STATUS_DISABLE"
	case campaign.ReasonSchedule:
		if c.now.Before(s.AdGroup.StartTime) {
			return "ADGROUP_STATUS_NOT_START"
		}
		return "ADGROUP_STATUS_TIME_DONE"
	}
	return "ADGROUP_STATUS_BUDGET_EXCEED"
}

func (c *call) adGroupView(s campaign.AdGroupStatus, camp model.Campaign) map[string]any {
	g := s.AdGroup
	locations := []string{}
	for _, code := range g.Targeting.Countries {
		locations = append(locations, geonameOf[code])
	}
	oses := []string{}
	for _, o := range g.Targeting.OS {
		oses = append(oses, osToTikTok[o])
	}
	schedule := "SCHEDULE_FROM_NOW"
	if !g.EndTime.IsZero() {
		schedule = "SCHEDULE_START_END"
	}
	var freq, freqDays any
	if g.FrequencyCap.Impressions > 0 {
		freq, freqDays = g.FrequencyCap.Impressions, g.FrequencyCap.Days
	}
	return map[string]any{
		"advertiser_id": idText(c.adv.NumericID), "campaign_id": idText(camp.NumericID), "campaign_name": camp.Name,
		"adgroup_id": idText(g.NumericID), "adgroup_name": g.Name, "budget_mode": budgetModeToTikTok[g.BudgetMode],
		"budget": amount(g.Budget, c.adv.Currency), "billing_event": string(g.BillingEvent),
		"bid_price": amount(g.Bid, c.adv.Currency), "bid_type": "BID_TYPE_CUSTOM",
		"optimization_goal": optimizationGoal[g.BillingEvent], "pacing": pacingToTikTok[g.Pacing],
		"schedule_type": schedule, "schedule_start_time": when(g.StartTime), "schedule_end_time": when(g.EndTime),
		"location_ids": locations, "age_groups": ageGroupsOf(g.Targeting), "gender": genderOf(g.Targeting),
		"languages": nonNil(g.Targeting.Languages), "operating_systems": oses, "frequency": freq,
		"frequency_schedule": freqDays, "operation_status": statusToTikTok[g.Status],
		"secondary_status": c.adGroupSecondary(s), "placement_type": "PLACEMENT_TYPE_NORMAL",
		"placements": []string{"PLACEMENT_TIKTOK"}, "create_time": when(g.CreatedAt), "modify_time": when(g.UpdatedAt),
		"flint_id": g.ID, "flint_reasons": s.Reasons,
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// adGroupGet answers adgroup/get.
func (a *API) adGroupGet(c *call) (any, error) {
	q, err := c.getQuery("adgroup_ids", "campaign_ids")
	if err != nil {
		return nil, err
	}
	d, err := a.load(c, false, false)
	if err != nil {
		return nil, err
	}
	gs, err := a.Campaigns.ListAdGroups(c.ctx, c.adv.ID, "")
	if err != nil {
		return nil, err
	}
	var candidates []model.AdGroup
	for _, g := range gs {
		if q.ids["adgroup_ids"].keep(g.NumericID) && q.ids["campaign_ids"].keep(d.campaigns[g.CampaignID].NumericID) {
			candidates = append(candidates, g)
		}
	}
	statuses, err := a.Campaigns.AdGroupStatuses(c.ctx, candidates)
	if err != nil {
		return nil, err
	}
	var kept []campaign.AdGroupStatus
	for _, s := range statuses {
		if q.keepStatus(c.adGroupSecondary(s)) {
			kept = append(kept, s)
		}
	}
	return pageAnswer(q, kept, func(s campaign.AdGroupStatus) map[string]any {
		return c.adGroupView(s, d.campaigns[s.AdGroup.CampaignID])
	}, "adgroup_id"), nil
}

// callToAction maps TikTok's call_to_action enum to Flint's label and back.
func ctaLabel(tiktok string) string {
	words := strings.Fields(strings.ToLower(strings.ReplaceAll(tiktok, "_", " ")))
	if len(words) == 0 {
		return ""
	}
	words[0] = strings.ToUpper(words[0][:1]) + words[0][1:]
	return strings.Join(words, " ")
}

func ctaEnum(label string) string {
	return strings.ToUpper(strings.Join(strings.Fields(label), "_"))
}

// adSecondary is an ad's TikTok secondary status: the first of its
// reasons, the authorization's state first, so that a revoked or lapsed
// Spark authorization is what the status says.
func (c *call) adSecondary(s campaign.AdStatus, d *directory) string {
	has := func(r string) bool { return slices.Contains(s.Reasons, r) }
	g := d.groups[s.Ad.AdGroupID]
	switch {
	case s.Serving:
		return "AD_STATUS_DELIVERY_OK"
	case has(campaign.ReasonRevoked):
		return "AD_STATUS_CREATOR_AUTHORIZATION_REVOKED"
	case has(campaign.ReasonExpired):
		return "AD_STATUS_ASSET_AUTHORIZATION_LOST"
	case has(campaign.ReasonPostUnavailable):
		return "AD_STATUS_ASSET_UNAVAILABLE"
	case has(campaign.ReasonDisabled):
		switch {
		case s.Ad.Status != model.Enabled:
			return "AD_STATUS_DISABLE"
		case g.Status != model.Enabled:
			return "AD_STATUS_ADGROUP_DISABLE"
		}
		return "AD_STATUS_CAMPAIGN_DISABLE"
	case has(campaign.ReasonSchedule):
		if c.now.Before(g.StartTime) {
			return "AD_STATUS_NOT_START"
		}
		return "AD_STATUS_DONE"
	}
	return "AD_STATUS_BUDGET_EXCEED"
}

func (c *call) adView(s campaign.AdStatus, d *directory) map[string]any {
	ad := s.Ad
	camp, g, e := d.campaigns[ad.CampaignID], d.groups[ad.AdGroupID], d.entries[ad.SparkPostID]
	return map[string]any{
		"advertiser_id": idText(c.adv.NumericID), "campaign_id": idText(camp.NumericID), "campaign_name": camp.Name,
		"adgroup_id": idText(g.NumericID), "adgroup_name": g.Name, "ad_id": idText(ad.NumericID), "ad_name": ad.Name,
		"ad_format": "SINGLE_VIDEO", "identity_type": "AUTH_CODE", "identity_id": idText(e.Creator.NumericID),
		"tiktok_item_id": idText(e.Post.NumericID), "ad_text": e.Post.Caption, "call_to_action": ctaEnum(ad.CTALabel),
		"landing_page_url": ad.CTAURL, "operation_status": statusToTikTok[ad.Status],
		"secondary_status": c.adSecondary(s, d), "create_time": when(ad.CreatedAt), "modify_time": when(ad.UpdatedAt),
		"flint_id": ad.ID, "flint_reasons": s.Reasons, "flint_auth_status": string(e.Status),
		"flint_auth_end_time": authInfo(e)["auth_end_time"], "spend": amount(s.Stats.Spend, c.adv.Currency),
	}
}

// creative is one element of ad/create's creatives.
type creative struct {
	name, url, cta string
	status         *string
	sparkPostID    string
}

// adCreate answers ad/create: one Spark ad per creative, each naming the
// post by identity_type AUTH_CODE, identity_id and tiktok_item_id. Every
// creative is checked before any ad is created.
func (a *API) adCreate(c *call) (any, error) {
	if err := c.advertiser(); err != nil {
		return nil, err
	}
	gid, err := c.text("adgroup_id")
	if err != nil {
		return nil, err
	}
	if gid == "" {
		return nil, missing("adgroup_id")
	}
	n, ok := number(gid)
	if !ok {
		return nil, notExist("adgroup_id", gid)
	}
	g, err := a.Campaigns.AdGroupByNumber(c.ctx, c.adv.ID, n)
	if apperr.HasCode(err, apperr.CodeNotFound) {
		return nil, notExist("adgroup_id", gid)
	} else if err != nil {
		return nil, err
	}
	raw, ok := c.body["creatives"].([]any)
	if !ok || len(raw) == 0 {
		return nil, missing("creatives")
	}
	if len(raw) > 50 {
		return nil, paramErr("creatives: at most 50 per call")
	}
	d, err := a.load(c, true, true)
	if err != nil {
		return nil, err
	}
	var list []creative
	for i, r := range raw {
		obj, ok := r.(map[string]any)
		if !ok {
			return nil, paramErr("creatives[%d]: must be an object", i)
		}
		cr, err := c.creative(i, obj, d)
		if err != nil {
			return nil, err
		}
		list = append(list, cr)
	}
	ins := make([]campaign.AdInput, len(list))
	for i, cr := range list {
		in := campaign.AdInput{AdGroupID: g.ID, SparkPostID: cr.sparkPostID, Status: cr.status}
		if cr.name != "" {
			in.Name = &cr.name
		}
		if cr.url != "" {
			in.CTAURL = &cr.url
		}
		if cr.cta != "" {
			label := ctaLabel(cr.cta)
			in.CTALabel = &label
		}
		ins[i] = in
	}
	made, err := a.Campaigns.CreateAds(c.ctx, c.adv.ID, g.ID, ins) // all or none
	var bad *campaign.InputError
	if errors.As(err, &bad) {
		if e, ok := apperr.As(bad.Err); ok && e.Field != "" { // name the creative
			named := *e
			named.Field = "creatives[" + strconv.Itoa(bad.Index) + "]." + tiktokField(e.Field)
			return nil, &named
		}
		return nil, bad.Err
	}
	if err != nil {
		return nil, err
	}
	statuses, err := a.Campaigns.AdStatuses(c.ctx, made)
	if err != nil {
		return nil, err
	}
	ids := []string{}
	views := []any{}
	for _, s := range statuses {
		ids = append(ids, idText(s.Ad.NumericID))
		views = append(views, c.adView(s, d))
	}
	return map[string]any{"ad_ids": ids, "need_audit": false, "creatives": views}, nil
}

// creative reads one creative and finds its Spark post in the library.
func (c *call) creative(i int, obj map[string]any, d *directory) (creative, error) {
	field := func(name string) string {
		s, _ := scalarText(obj[name])
		return strings.TrimSpace(s)
	}
	prefix := "creatives[" + strconv.Itoa(i) + "]."
	if t := field("identity_type"); t != "AUTH_CODE" {
		return creative{}, paramErr("%sidentity_type: Flint runs Spark ads: use AUTH_CODE", prefix)
	}
	if f := field("ad_format"); f != "" && f != "SINGLE_VIDEO" {
		return creative{}, paramErr("%sad_format: use SINGLE_VIDEO", prefix)
	}
	item, identity := field("tiktok_item_id"), field("identity_id")
	if item == "" {
		return creative{}, missing(prefix + "tiktok_item_id")
	}
	if identity == "" {
		return creative{}, missing(prefix + "identity_id")
	}
	cr := creative{name: field("ad_name"), url: field("landing_page_url"), cta: field("call_to_action")}
	if s := field("operation_status"); s != "" {
		v, ok := statusFromTikTok[s]
		if !ok {
			return creative{}, paramErr("%soperation_status: use ENABLE or DISABLE", prefix)
		}
		status := string(v)
		cr.status = &status
	}
	for _, e := range d.entries {
		if idText(e.Post.NumericID) == item && idText(e.Creator.NumericID) == identity {
			cr.sparkPostID = e.SparkPost.ID
			return cr, nil
		}
	}
	return creative{}, &tiktokError{code: codeNotExist, msg: prefix + "tiktok_item_id: no post " + truncate(item, 24) +
		" of identity " + truncate(identity, 24) + " is authorized to this advertiser (tt_video/authorize it first)."}
}

// adGet answers ad/get.
func (a *API) adGet(c *call) (any, error) {
	q, err := c.getQuery("ad_ids", "adgroup_ids", "campaign_ids")
	if err != nil {
		return nil, err
	}
	d, err := a.load(c, true, true)
	if err != nil {
		return nil, err
	}
	ads, err := a.Campaigns.ListAds(c.ctx, c.adv.ID, "")
	if err != nil {
		return nil, err
	}
	var candidates []model.Ad
	for _, ad := range ads {
		if q.ids["ad_ids"].keep(ad.NumericID) && q.ids["adgroup_ids"].keep(d.groups[ad.AdGroupID].NumericID) &&
			q.ids["campaign_ids"].keep(d.campaigns[ad.CampaignID].NumericID) {
			candidates = append(candidates, ad)
		}
	}
	statuses, err := a.Campaigns.AdStatuses(c.ctx, candidates)
	if err != nil {
		return nil, err
	}
	var kept []campaign.AdStatus
	for _, s := range statuses {
		if q.keepStatus(c.adSecondary(s, d)) {
			kept = append(kept, s)
		}
	}
	return pageAnswer(q, kept, func(s campaign.AdStatus) map[string]any { return c.adView(s, d) }, "ad_id"), nil
}
