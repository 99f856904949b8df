package tiktokapi

import (
	"slices"
	"strings"
	"time"

	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
	"github.com/flintads/flint/internal/report"
)

// The levels of report/integrated/get, coarsest first, and the id
// dimension each one's rows are keyed by.
var dataLevels = []struct{ name, dimension string }{
	{"AUCTION_ADVERTISER", "advertiser_id"}, {"AUCTION_CAMPAIGN", "campaign_id"},
	{"AUCTION_ADGROUP", "adgroup_id"}, {"AUCTION_AD", "ad_id"},
}

// idDimensions map TikTok's id dimensions to Flint's report dimensions.
var idDimensions = map[string]report.Dimension{
	"campaign_id": report.DimCampaign, "adgroup_id": report.DimAdGroup, "ad_id": report.DimAd,
}

// audienceDimensions are the AUDIENCE breakdowns, with what Flint answers
// for each: it keeps no viewer's age, gender, country or platform per
// event, so every row is the whole of its figures under "NONE" (TikTok's
// value for unknown), and province_id has no Flint meaning ("0").
var audienceDimensions = map[string]string{
	"age": "NONE", "gender": "NONE", "country_code": "NONE", "platform": "NONE", "province_id": "0",
	"language": "NONE", "ac": "NONE",
}

// Limits of a report request. TikTok allows 30 days by day and one day by
// hour; Flint allows the native report's two years by day, and 93 days by
// hour (each hour of each ad is a rollup row read).
const maxHourlyDays = 93

// reportQuery is a report request read.
type reportQuery struct {
	audience  bool
	level     int // index in dataLevels
	dims      []string
	metrics   []string
	period    report.Period
	byHour    bool
	totals    bool
	campaigns map[int64]bool // filters, nil when absent
	groups    map[int64]bool
	ads       map[int64]bool
	none      bool // a filter no object passes (deleted objects only)
}

// reportGet answers report/integrated/get over the report service: the
// same rollups, rounding and rates as GET /api/v1/reports, in TikTok's
// names and shapes.
func (a *API) reportGet(c *call) (any, error) {
	rq, err := c.reportQuery()
	if err != nil {
		return nil, err
	}
	page, size, err := c.paging(10, 1000)
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
	adsByID := map[string]model.Ad{}
	for _, ad := range ads {
		adsByID[ad.ID] = ad
	}

	// The Flint query: dimensions, metrics, filters.
	q := report.Query{Period: rq.period, Channels: []string{a.Reports.OwnChannel().Name}, AttributedOnly: true}
	for _, dim := range rq.dims {
		if fd, ok := idDimensions[dim]; ok {
			q.Dimensions = append(q.Dimensions, fd)
		}
	}
	if rq.byHour {
		q.Dimensions = append(q.Dimensions, report.DimHour)
	} else if slices.Contains(rq.dims, "stat_time_day") {
		q.Dimensions = append(q.Dimensions, report.DimDay)
	}
	for _, m := range rq.metrics {
		for _, fm := range specOf(m).needs {
			if !slices.Contains(q.Metrics, fm) {
				q.Metrics = append(q.Metrics, fm)
			}
		}
	}
	if len(q.Metrics) == 0 {
		q.Metrics = []report.Metric{report.Spend} // attributes only: rows still come from the figures
	}
	for id, cmp := range d.campaigns {
		if rq.campaigns != nil && rq.campaigns[cmp.NumericID] {
			q.Campaigns = append(q.Campaigns, id)
		}
	}
	for id, g := range d.groups {
		if rq.groups != nil && rq.groups[g.NumericID] {
			q.AdGroups = append(q.AdGroups, id)
		}
	}
	for id, ad := range adsByID {
		if rq.ads != nil && rq.ads[ad.NumericID] {
			q.Ads = append(q.Ads, id)
		}
	}
	empty := rq.none || (rq.campaigns != nil && len(q.Campaigns) == 0) || (rq.groups != nil && len(q.AdGroups) == 0) ||
		(rq.ads != nil && len(q.Ads) == 0)
	var rep *report.Report
	if !empty {
		if rep, err = a.Reports.Run(c.ctx, c.adv, q); err != nil {
			return nil, err
		}
	} else {
		rep = &report.Report{Query: q, Currency: c.adv.Currency, Dimensions: q.Dimensions, Metrics: q.Metrics,
			Totals: report.Row{Values: make([]report.Value, len(q.Metrics))}}
		for i := range rep.Totals.Values {
			rep.Totals.Values[i].Null = true
		}
	}

	// What is not measured: metrics Flint lacks, metrics whose inputs the
	// report could not measure (reach before retention, revenue by hour),
	// and audience breakdowns.
	totals := valuesOf(rep, rep.Totals)
	for _, m := range rq.metrics {
		s := specOf(m)
		switch s.kind {
		case unmeasured, unmeasuredDash:
			c.notMeasured = append(c.notMeasured, m)
		case asIs, derived, percent, ratio2:
			for _, fm := range s.needs {
				if unmeasurable(fm, rq, rep, totals) {
					c.notMeasured = append(c.notMeasured, m)
					break
				}
			}
		}
	}
	for _, dim := range rq.dims {
		if _, ok := audienceDimensions[dim]; ok {
			c.notMeasured = append(c.notMeasured, dim)
		}
	}

	lo, hi, info := pageOf(page, size, len(rep.Rows))
	list := make([]any, 0, hi-lo)
	for _, row := range rep.Rows[lo:hi] {
		list = append(list, c.reportRow(rq, rep, row, d, adsByID))
	}
	out := map[string]any{"list": list, "page_info": info}
	if rq.totals {
		metrics := map[string]string{}
		for _, m := range rq.metrics {
			metrics[m] = c.metricText(m, totals, nil, d, adsByID)
		}
		out["total_metrics"] = metrics
	}
	return out, nil
}

// unmeasurable reports whether Flint could not measure m in this report:
// its totals are null although rows exist or the metric is a count (a
// rate over zero is null too, and that is a measured 0).
func unmeasurable(m report.Metric, rq reportQuery, rep *report.Report, totals values) bool {
	switch m {
	case report.Reach, report.Revenue, report.Conversions, report.CPA, report.ROAS:
		v, ok := totals[m]
		return ok && v.Null && (len(rep.Rows) > 0 || rq.byHour || m != report.Reach)
	}
	return false
}

func valuesOf(rep *report.Report, row report.Row) values {
	v := values{}
	for i, m := range rep.Metrics {
		if i < len(row.Values) {
			v[m] = row.Values[i]
		}
	}
	return v
}

// labels of a row by Flint dimension.
type labels map[report.Dimension]report.Label

// reportRow writes one report row in TikTok's shape.
func (c *call) reportRow(rq reportQuery, rep *report.Report, row report.Row, d *directory,
	ads map[string]model.Ad) map[string]any {
	ls := labels{}
	for i, dim := range rep.Dimensions {
		ls[dim] = row.Labels[i]
	}
	dims := map[string]any{}
	for _, dim := range rq.dims {
		switch dim {
		case "advertiser_id":
			dims[dim] = idText(c.adv.NumericID)
		case "campaign_id":
			dims[dim] = idText(d.campaigns[ls[report.DimCampaign].ID].NumericID)
		case "adgroup_id":
			dims[dim] = idText(d.groups[ls[report.DimAdGroup].ID].NumericID)
		case "ad_id":
			dims[dim] = idText(ads[ls[report.DimAd].ID].NumericID)
		case "stat_time_day":
			if rq.byHour {
				dims[dim] = ls[report.DimHour].Name[:10] + " 00:00:00"
			} else {
				dims[dim] = ls[report.DimDay].Name + " 00:00:00"
			}
		case "stat_time_hour":
			dims[dim] = ls[report.DimHour].Name + ":00"
		default:
			dims[dim] = audienceDimensions[dim]
		}
	}
	v := valuesOf(rep, row)
	metrics := map[string]string{}
	for _, m := range rq.metrics {
		metrics[m] = c.metricText(m, v, ls, d, ads)
	}
	return map[string]any{"dimensions": dims, "metrics": metrics}
}

// metricText is one metric of a row (ls nil for the totals).
func (c *call) metricText(m string, v values, ls labels, d *directory, ads map[string]model.Ad) string {
	s := specOf(m)
	switch s.kind {
	case unmeasured:
		return "0"
	case unmeasuredDash:
		return "-"
	case attribute:
		return c.attribute(m, ls, d, ads)
	}
	return measuredText(s, v, c.adv.Currency)
}

// attribute is a property of the row's object, or "-" when the row is
// coarser than the object it belongs to.
func (c *call) attribute(m string, ls labels, d *directory, ads map[string]model.Ad) string {
	switch m {
	case "currency":
		return c.adv.Currency
	case "advertiser_name":
		return c.adv.Name
	case "advertiser_id":
		return idText(c.adv.NumericID)
	}
	if ls == nil {
		return "-"
	}
	ad, hasAd := ads[ls[report.DimAd].ID]
	groupID := ls[report.DimAdGroup].ID
	campaignID := ls[report.DimCampaign].ID
	if hasAd {
		groupID, campaignID = ad.AdGroupID, ad.CampaignID
	} else if g, ok := d.groups[groupID]; ok {
		campaignID = g.CampaignID
	}
	cmp, hasCampaign := d.campaigns[campaignID]
	g, hasGroup := d.groups[groupID]
	switch {
	case hasCampaign && m == "campaign_name":
		return cmp.Name
	case hasCampaign && m == "campaign_id":
		return idText(cmp.NumericID)
	case hasCampaign && m == "objective_type":
		return objectiveToTikTok[cmp.Objective]
	case hasCampaign && m == "campaign_budget":
		return money.Format(cmp.Budget, money.Decimals(c.adv.Currency))
	case hasGroup && m == "adgroup_name":
		return g.Name
	case hasGroup && m == "adgroup_id":
		return idText(g.NumericID)
	case hasGroup && m == "budget":
		return money.Format(g.Budget, money.Decimals(c.adv.Currency))
	case hasGroup && m == "bid":
		return money.Format(g.Bid, money.Decimals(c.adv.Currency))
	case hasGroup && m == "billing_event":
		return string(g.BillingEvent)
	case hasAd && m == "ad_name":
		return ad.Name
	case hasAd && m == "ad_id":
		return idText(ad.NumericID)
	case hasAd && m == "call_to_action":
		return ctaEnum(ad.CTALabel)
	case hasAd && m == "ad_url":
		return ad.CTAURL
	case hasAd && m == "ad_text":
		for _, e := range d.entries {
			if e.SparkPost.ID == ad.SparkPostID {
				return e.Post.Caption
			}
		}
	}
	return "-"
}

// reportQuery reads and checks a report request.
func (c *call) reportQuery() (reportQuery, error) {
	var rq reportQuery
	if err := c.reportAdvertiser(); err != nil {
		return rq, err
	}
	kind, err := c.text("report_type")
	if err != nil {
		return rq, err
	}
	switch kind {
	case "", "BASIC":
	case "AUDIENCE":
		rq.audience = true
	default:
		return rq, paramErr("report_type: Flint serves BASIC and AUDIENCE reports")
	}
	if s, err := c.text("service_type"); err != nil {
		return rq, err
	} else if s != "" && s != "AUCTION" {
		return rq, paramErr("service_type: Flint serves AUCTION")
	}
	dims, _, err := c.list("dimensions")
	if err != nil {
		return rq, err
	}
	if len(dims) == 0 {
		return rq, missing("dimensions")
	}
	level, err := c.text("data_level")
	if err != nil {
		return rq, err
	}
	rq.level = -1
	for i, l := range dataLevels {
		if l.name == level {
			rq.level = i
		}
	}
	if level != "" && rq.level < 0 {
		return rq, paramErr("data_level: use AUCTION_ADVERTISER, AUCTION_CAMPAIGN, AUCTION_ADGROUP or AUCTION_AD")
	}
	finest, times := 0, 0
	for _, dim := range dims {
		switch {
		case slices.Contains(rq.dims, dim):
			continue
		case dim == "stat_time_day" || dim == "stat_time_hour":
			times++
			rq.byHour = dim == "stat_time_hour"
		case dim == "advertiser_id" || idDimensions[dim] != "":
			for i, l := range dataLevels {
				if l.dimension == dim {
					finest = max(finest, i)
				}
			}
		case audienceDimensions[dim] != "":
			if !rq.audience {
				return rq, paramErr("dimensions: %s is an AUDIENCE dimension; use report_type AUDIENCE", dim)
			}
		default:
			return rq, paramErr("dimensions: %s is not supported; use advertiser_id, campaign_id, adgroup_id, ad_id, "+
				"stat_time_day, stat_time_hour (and for AUDIENCE age, gender, country_code, platform, province_id)",
				truncate(dim, 40))
		}
		rq.dims = append(rq.dims, dim)
	}
	if times > 1 {
		return rq, paramErr("dimensions: use one of stat_time_day and stat_time_hour")
	}
	if rq.level < 0 {
		rq.level = finest
	} else if finest > rq.level {
		return rq, paramErr("dimensions: %s is finer than data_level %s", dataLevels[finest].dimension,
			dataLevels[rq.level].name)
	}
	metrics, given, err := c.list("metrics")
	if err != nil {
		return rq, err
	}
	if !given || len(metrics) == 0 {
		metrics = []string{"spend", "impressions"}
	}
	var bad []string
	for _, m := range metrics {
		if !validMetric(m) {
			bad = append(bad, "'"+truncate(m, 40)+"'")
		} else if !slices.Contains(rq.metrics, m) {
			rq.metrics = append(rq.metrics, m)
		}
	}
	if len(bad) > 0 {
		return rq, paramErr("Invalid metric fields: [%s].", strings.Join(bad, ", "))
	}
	if err := c.reportPeriod(&rq); err != nil {
		return rq, err
	}
	if s, err := c.text("enable_total_metrics"); err != nil {
		return rq, err
	} else {
		rq.totals = strings.EqualFold(s, "true") || s == "1"
	}
	return rq, c.reportFilters(&rq)
}

// reportAdvertiser checks advertiser_id, or advertiser_ids (each must be
// the caller's).
func (c *call) reportAdvertiser() error {
	many, ok, err := c.list("advertiser_ids")
	if err != nil {
		return err
	}
	if !ok || len(many) == 0 {
		return c.advertiser()
	}
	for _, s := range many {
		if n, ok := number(s); !ok || n != c.adv.NumericID {
			return notYours()
		}
	}
	return nil
}

// reportPeriod reads start_date and end_date (local days of the
// advertiser), or the advertiser's whole life with query_lifetime.
func (c *call) reportPeriod(rq *reportQuery) error {
	loc, err := time.LoadLocation(c.adv.Timezone)
	if err != nil || c.adv.Timezone == "" {
		loc = time.UTC
	}
	lifetime, err := c.text("query_lifetime")
	if err != nil {
		return err
	}
	today := model.DayOf(c.now, loc)
	if strings.EqualFold(lifetime, "true") {
		rq.period = report.Period{From: max(model.DayOf(c.adv.CreatedAt, loc), today-report.MaxDays+1), To: today}
		if rq.byHour {
			return paramErr("query_lifetime: not with stat_time_hour")
		}
		return nil
	}
	var days [2]model.Day
	for i, name := range []string{"start_date", "end_date"} {
		s, err := c.text(name)
		if err != nil {
			return err
		}
		if s == "" {
			return missing(name)
		}
		t, err := time.Parse(dateLayout, s)
		if err != nil {
			return paramErr("%s: must be a date such as 2026-11-01", name)
		}
		days[i] = model.DateDay(t.Date())
	}
	rq.period = report.Period{From: days[0], To: days[1]}
	switch {
	case rq.period.To < rq.period.From:
		return paramErr("end_date: must not be before start_date")
	case rq.byHour && rq.period.Days() > maxHourlyDays:
		return paramErr("max time span is %d days when use stat_time_hour", maxHourlyDays)
	case rq.period.Days() > report.MaxDays:
		return paramErr("max time span is %d days when use stat_time_day", report.MaxDays)
	}
	return nil
}

// reportFilters reads filtering: TikTok's list of {field_name,
// filter_type, filter_value} (filter_value itself JSON text), or an
// object of id lists. Status filters that ask for deleted objects only
// match nothing (Flint deletes none); the others match everything.
func (c *call) reportFilters(rq *reportQuery) error {
	v, ok, err := c.object("filtering")
	if err != nil || !ok {
		return err
	}
	apply := func(field string, value any) error {
		switch field {
		case "campaign_ids", "adgroup_ids", "ad_ids", "campaign_id", "adgroup_id", "ad_id":
			f := filtering{"ids": value}
			set, _, err := f.ids("ids")
			if err != nil {
				return paramErr("filtering.%s: must list ids", field)
			}
			switch strings.TrimSuffix(field, "s") {
			case "campaign_id":
				rq.campaigns = set
			case "adgroup_id":
				rq.groups = set
			default:
				rq.ads = set
			}
		case "ad_status", "campaign_status", "adgroup_status", "primary_status", "secondary_status":
			statuses, err := filtering{"s": value}.statuses("s")
			if err != nil {
				return err
			}
			if len(statuses) > 0 && !keepStatus(statuses, nil, "") {
				rq.none = true
			}
			for _, s := range statuses {
				if strings.HasSuffix(s, "_STATUS_DELETE") {
					rq.none = true
				}
			}
		}
		return nil // other filters are ignored
	}
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			f, ok := e.(map[string]any)
			if !ok {
				return paramErr("filtering: a list of {field_name, filter_type, filter_value}")
			}
			name, _ := f["field_name"].(string)
			value := f["filter_value"]
			if s, isText := value.(string); isText {
				if parsed, err := literal(s); err == nil {
					value = parsed
				}
			}
			if err := apply(name, value); err != nil {
				return err
			}
		}
	case map[string]any:
		for name, value := range x {
			if err := apply(name, value); err != nil {
				return err
			}
		}
	default:
		return paramErr("filtering: must be JSON")
	}
	return nil
}
