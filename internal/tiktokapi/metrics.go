package tiktokapi

import (
	"strconv"
	"strings"

	"github.com/flintads/flint/internal/money"
	"github.com/flintads/flint/internal/report"
)

// A TikTok report metric is one of: a Flint metric shown as is (counts as
// integer strings, money in the currency's minor units exactly as the
// native report rounds it), a figure derived from Flint metrics, an
// attribute of the row's object, or something Flint does not measure
// ("0", or "-" where TikTok's clients accept it), which the reply's
// X-Flint-Not-Measured header then lists.
type metricKind uint8

const (
	asIs           metricKind = iota + 1 // a Flint metric's value
	percent                              // a Flint ratio × 100, two decimals (TikTok's ctr is in %)
	ratio2                               // a Flint ratio or seconds, two decimals
	derived                              // computed below from other Flint metrics
	attribute                            // a property of the row's campaign, ad group or ad
	unmeasured                           // "0"
	unmeasuredDash                       // "-"
)

type metricSpec struct {
	kind  metricKind
	flint report.Metric   // asIs, percent, ratio2
	needs []report.Metric // the Flint metrics its value is computed from
}

func spec(kind metricKind, m report.Metric, needs ...report.Metric) metricSpec {
	if m != "" {
		needs = append([]report.Metric{m}, needs...)
	}
	return metricSpec{kind: kind, flint: m, needs: needs}
}

// metricSpecs are the metrics Flint measures or can name, by TikTok name.
var metricSpecs = map[string]metricSpec{
	"spend":                 spec(asIs, report.Spend),
	"impressions":           spec(asIs, report.Impressions),
	"clicks":                spec(asIs, report.Clicks),
	"ctr":                   spec(percent, report.CTR, report.Impressions, report.Clicks),
	"cpc":                   spec(asIs, report.CPC, report.Spend, report.Clicks),
	"cpm":                   spec(asIs, report.CPM, report.Spend, report.Impressions),
	"reach":                 spec(asIs, report.Reach),
	"frequency":             spec(derived, "", report.Impressions, report.Reach),
	"cost_per_1000_reached": spec(derived, "", report.Spend, report.Reach),
	"conversion":            spec(asIs, report.Conversions),
	"complete_payment":      spec(asIs, report.Conversions),
	"cost_per_conversion":   spec(asIs, report.CPA, report.Spend, report.Conversions),
	"conversion_rate":       spec(derived, "", report.Conversions, report.Clicks),
	"total_purchase_value":  spec(asIs, report.Revenue),
	"complete_payment_roas": spec(ratio2, report.ROAS, report.Revenue, report.Spend),
	"likes":                 spec(asIs, report.Likes),
	"comments":              spec(asIs, report.Comments),
	"shares":                spec(asIs, report.Shares),
	"follows":               spec(asIs, report.Follows),
	"video_play_actions":    spec(asIs, report.Views),
	"video_watched_2s":      spec(asIs, report.Views2s),
	"video_watched_6s":      spec(asIs, report.Views6s),
	"video_views_p100":      spec(asIs, report.Completions),
	"average_video_play":    spec(ratio2, report.AvgWatchTime),
	"engagement_rate":       spec(percent, report.EngagementRate),

	"campaign_name": {kind: attribute}, "campaign_id": {kind: attribute}, "objective_type": {kind: attribute},
	"adgroup_name": {kind: attribute}, "adgroup_id": {kind: attribute}, "ad_name": {kind: attribute},
	"ad_id": {kind: attribute}, "ad_text": {kind: attribute}, "call_to_action": {kind: attribute},
	"currency": {kind: attribute}, "advertiser_name": {kind: attribute}, "advertiser_id": {kind: attribute},
	"campaign_budget": {kind: attribute}, "budget": {kind: attribute}, "bid": {kind: attribute},
	"billing_event": {kind: attribute}, "ad_url": {kind: attribute},
}

// dashAttributes are TikTok attributes Flint has no value for: "-".
var dashAttributes = map[string]bool{
	"split_test": true, "campaign_dedicate_type": true, "app_promotion_type": true, "placement_type": true,
	"promotion_type": true, "opt_status": true, "adgroup_download_url": true, "profile_image": true,
	"dpa_target_audience_type": true, "smart_target": true, "pricing_category": true, "bid_strategy": true,
	"bid_secondary_goal": true, "aeo_type": true, "ad_profile_image": true, "tt_app_id": true, "tt_app_name": true,
	"mobile_app_id": true, "image_mode": true, "is_aco": true, "is_smart_creative": true, "placement": true,
	"dpa_target_audience": true, "conversion_category": true,
}

// specOf returns a metric's spec: named ones, "-" for attributes Flint
// lacks and secondary-goal results (the tap accepts "-" only there), "0"
// for the rest.
func specOf(name string) metricSpec {
	if s, ok := metricSpecs[name]; ok {
		return s
	}
	if dashAttributes[name] || strings.HasPrefix(name, "secondary_goal_result") {
		return metricSpec{kind: unmeasuredDash}
	}
	return metricSpec{kind: unmeasured}
}

// validMetric reports whether name could be a TikTok metric (letters,
// digits and underscores): any such name is accepted, never refused.
func validMetric(name string) bool {
	if name == "" || len(name) > 100 {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// values gives a row's Flint values by metric.
type values map[report.Metric]report.Value

// text writes a Flint value as TikTok's metric string.
func flintText(v report.Value, m report.Metric, currency string) string {
	if v.Null {
		if m.Kind() == report.Money {
			return money.Format(0, money.Decimals(currency))
		}
		return "0"
	}
	return v.Text(m.Kind(), currency)
}

// measuredText computes a metric of the measured kinds.
func measuredText(s metricSpec, v values, currency string) string {
	dec := money.Decimals(currency)
	switch s.kind {
	case asIs:
		return flintText(v[s.flint], s.flint, currency)
	case percent:
		x := v[s.flint]
		if x.Null {
			return "0.00"
		}
		return strconv.FormatFloat(x.Float*100, 'f', 2, 64)
	case ratio2:
		x := v[s.flint]
		if x.Null {
			return "0.00"
		}
		return strconv.FormatFloat(x.Float, 'f', 2, 64)
	}
	// derived
	switch s.needs[0] {
	case report.Impressions: // frequency = impressions / reach
		imp, reach := v[report.Impressions], v[report.Reach]
		if imp.Null || reach.Null || reach.Int == 0 {
			return "0.00"
		}
		return strconv.FormatFloat(float64(imp.Int)/float64(reach.Int), 'f', 2, 64)
	case report.Spend: // cost per 1,000 reached
		spend, reach := v[report.Spend], v[report.Reach]
		if spend.Null || reach.Null || reach.Int == 0 {
			return money.Format(0, dec)
		}
		per := (spend.Money*1000 + money.Micros(reach.Int)/2) / money.Micros(reach.Int)
		return money.Format(per, dec)
	case report.Conversions: // conversion rate = conversions / clicks, in %
		conv, clicks := v[report.Conversions], v[report.Clicks]
		if conv.Null || clicks.Null || clicks.Int == 0 {
			return "0.00"
		}
		return strconv.FormatFloat(float64(conv.Int)*100/float64(clicks.Int), 'f', 2, 64)
	}
	return "0"
}
