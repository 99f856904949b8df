package tiktokapi_test

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSparkAdThroughTikTokAPI is the "done when", on both
// backends: a client that knows only TikTok's documentation redeems a
// Spark code, creates a campaign, ad group and Spark ad, sees it delivered
// and pulls a daily report that matches the native report figure for
// figure — through /open_api/v1.3 alone (the operator plays the feed
// through the native decisions and events). Then the creator revokes, and
// the ad and the post say so.
func TestSparkAdThroughTikTokAPI(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		w := e.world()
		const base = "/open_api/v1.3/"

		// Redeem the code exactly as in-house Spark clients do (§2.1); again
		// (a resumed run) answers the same.
		body := fmt.Sprintf(`{"advertiser_id": "%s", "auth_code": "%s"}`, w.advID, w.code)
		auth := e.call(w.adv, "POST", base+"tt_video/authorize/", nil, body).ok(t, "tt_video/authorize")
		again := e.call(w.adv, "POST", base+"tt_video/authorize/", nil, body).ok(t, "tt_video/authorize again")
		item, identity := auth["item_id"].(string), auth["identity_id"].(string)
		if again["item_id"] != item || again["identity_id"] != identity || auth["identity_type"] != "AUTH_CODE" {
			t.Fatalf("authorize %v then %v", auth, again)
		}
		if end, _ := time.Parse("2006-01-02 15:04:05", auth["auth_end_time"].(string)); end.Before(time.Now().Add(29 * 24 * time.Hour)) {
			t.Fatalf("auth_end_time %v, want 30 days ahead", auth["auth_end_time"])
		}
		for _, id := range []string{item, identity, w.advID} {
			if len(id) < 18 || len(id) > 19 || id[0] == '0' || strings.Trim(id, "0123456789") != "" {
				t.Fatalf("id %q is not a decimal of 18-19 digits", id)
			}
		}
		// The client finds its post by the code it submitted.
		list := e.call(w.adv, "GET", base+"tt_video/list/", url.Values{"advertiser_id": {w.advID}, "page_size": {"50"}}, nil).
			ok(t, "tt_video/list")
		posts := list["list"].([]any)
		info := posts[0].(map[string]any)["item_info"].(map[string]any)
		if len(posts) != 1 || info["auth_code"] != w.code || info["item_id"] != item {
			t.Fatalf("tt_video/list = %v", list)
		}
		byCode := e.call(w.adv, "GET", base+"tt_video/info/", url.Values{"advertiser_id": {w.advID}, "auth_code": {w.code}}, nil).
			ok(t, "tt_video/info")
		if byCode["user_info"].(map[string]any)["identity_id"] != identity {
			t.Fatalf("tt_video/info = %v", byCode)
		}
		ids := e.call(w.adv, "GET", base+"identity/get/", url.Values{"advertiser_id": {w.advID}, "identity_type": {"AUTH_CODE"}}, nil).
			ok(t, "identity/get")
		if il := ids["identity_list"].([]any); len(il) != 1 || il[0].(map[string]any)["identity_id"] != identity {
			t.Fatalf("identity/get = %v", ids)
		}

		// Campaign → ad group → Spark ad.
		cmp := e.call(w.adv, "POST", base+"campaign/create/", nil, map[string]any{"advertiser_id": w.advID,
			"campaign_name": "Spark launch", "objective_type": "TRAFFIC", "budget_mode": "BUDGET_MODE_DAY", "budget": 100.0,
			"operation_status": "ENABLE"}).ok(t, "campaign/create")
		campaignID := cmp["campaign_id"].(string)
		grp := e.call(w.adv, "POST", base+"adgroup/create/", nil, map[string]any{"advertiser_id": w.advID,
			"campaign_id": campaignID, "adgroup_name": "US 18-34", "budget_mode": "BUDGET_MODE_INFINITE",
			"billing_event": "CPM", "bid_price": 5, "optimization_goal": "REACH", "pacing": "PACING_MODE_SMOOTH",
			"schedule_type": "SCHEDULE_FROM_NOW", "schedule_start_time": time.Now().UTC().Add(-time.Hour).Format("2006-01-02 15:04:05"),
			"location_ids": []string{"6252001"}, "age_groups": []string{"AGE_18_24", "AGE_25_34"}, "gender": "GENDER_UNLIMITED",
			"placements": []string{"PLACEMENT_TIKTOK"}}).ok(t, "adgroup/create")
		groupID := grp["adgroup_id"].(string)
		if grp["location_ids"].([]any)[0] != "6252001" || len(grp["age_groups"].([]any)) != 2 {
			t.Fatalf("adgroup/create = %v", grp)
		}
		made := e.call(w.adv, "POST", base+"ad/create/", nil, map[string]any{"advertiser_id": w.advID, "adgroup_id": groupID,
			"creatives": []any{map[string]any{"ad_name": "Maya morning", "ad_format": "SINGLE_VIDEO",
				"identity_type": "AUTH_CODE", "identity_id": identity, "tiktok_item_id": item, "call_to_action": "SHOP_NOW",
				"landing_page_url": "https://glow.example/serum"}}}).ok(t, "ad/create")
		adID := made["ad_ids"].([]any)[0].(string)
		// Creatives are made all or none: the second one's landing page is
		// not a URL, so the first is not made either.
		creative := func(name, url string) map[string]any {
			return map[string]any{"ad_name": name, "identity_type": "AUTH_CODE", "identity_id": identity,
				"tiktok_item_id": item, "landing_page_url": url}
		}
		bad := e.call(w.adv, "POST", base+"ad/create/", nil, map[string]any{"advertiser_id": w.advID, "adgroup_id": groupID,
			"creatives": []any{creative("Fine", "https://glow.example/a"), creative("Broken", "not a url")}})
		bad.fails(t, 40002, "ad/create with a bad second creative")
		if !strings.Contains(bad.Message, "creatives[1].landing_page_url") {
			t.Errorf("ad/create with a bad second creative: message %q does not name creatives[1].landing_page_url", bad.Message)
		}
		inGroup := e.call(w.adv, "GET", base+"ad/get/", url.Values{"advertiser_id": {w.advID},
			"filtering": {`{"adgroup_ids": ["` + groupID + `"]}`}}, nil).ok(t, "ad/get")["list"].([]any)
		if len(inGroup) != 1 {
			t.Fatalf("after a failed ad/create the ad group has %d ads, want 1 (none of the failed call's)", len(inGroup))
		}
		ad := e.call(w.adv, "GET", base+"ad/get/", url.Values{"advertiser_id": {w.advID},
			"filtering": {`{"ad_ids": ["` + adID + `"]}`}}, nil).ok(t, "ad/get")["list"].([]any)[0].(map[string]any)
		if ad["secondary_status"] != "AD_STATUS_DELIVERY_OK" || ad["tiktok_item_id"] != item || ad["call_to_action"] != "SHOP_NOW" {
			t.Fatalf("ad/get = %v", ad)
		}

		// The operator plays the feed: decisions and events (native API).
		for i := range 7 {
			dec := e.native(operator, "POST", "/api/v1/decisions", map[string]any{"placement": "feed",
				"viewer": map[string]any{"id": fmt.Sprintf("viewer-%d", i%4), "country": "US", "age": 25}, "count": 1}, 200)
			ads := dec["ads"].([]any)
			if len(ads) != 1 {
				t.Fatalf("decision %d served %v", i, dec)
			}
			token := ads[0].(map[string]any)["token"].(string)
			events := []any{map[string]any{"event_id": fmt.Sprintf("imp-%d", i), "type": "impression", "token": token}}
			if i%3 == 0 {
				events = append(events, map[string]any{"event_id": fmt.Sprintf("clk-%d", i), "type": "click", "token": token},
					map[string]any{"event_id": fmt.Sprintf("6s-%d", i), "type": "view_6s", "token": token, "watch_ms": 6500})
			}
			if got := e.native(operator, "POST", "/api/v1/events", map[string]any{"events": events}, 200); got["accepted"] != float64(len(events)) {
				t.Fatalf("events %d: %v", i, got)
			}
		}

		// The daily report, by campaign, against the native one.
		today := time.Now().UTC().Format("2006-01-02")
		metrics := []string{"spend", "impressions", "clicks", "ctr", "cpc", "cpm", "reach", "video_watched_6s",
			"conversion", "campaign_name", "real_time_app_install", "secondary_goal_result"}
		mj, _ := json.Marshal(metrics)
		rep := e.call(w.adv, "GET", base+"report/integrated/get/", url.Values{"advertiser_id": {w.advID},
			"report_type": {"BASIC"}, "data_level": {"AUCTION_CAMPAIGN"}, "dimensions": {`["campaign_id", "stat_time_day"]`},
			"metrics": {string(mj)}, "start_date": {today}, "end_date": {today}, "enable_total_metrics": {"true"},
			"page": {"1"}, "page_size": {"1000"}}, nil)
		data := rep.ok(t, "report/integrated/get")
		rows := data["list"].([]any)
		if len(rows) != 1 {
			t.Fatalf("report rows %v", data)
		}
		row := rows[0].(map[string]any)
		dims, got := row["dimensions"].(map[string]any), row["metrics"].(map[string]any)
		if dims["campaign_id"] != campaignID || dims["stat_time_day"] != today+" 00:00:00" {
			t.Fatalf("report dimensions %v", dims)
		}
		native := e.native(w.adv, "GET", "/api/v1/reports?dimensions=campaign,day&metrics=spend,impressions,clicks,ctr,"+
			"cpc,cpm,reach,views_6s,conversions&from="+today+"&to="+today, nil, 200)
		nrow := native["rows"].([]any)[0].(map[string]any)
		for tt, n := range map[string]string{"spend": "spend", "cpc": "cpc", "cpm": "cpm"} {
			if got[tt] != nrow[n] {
				t.Errorf("%s: TikTok %v, native %v", tt, got[tt], nrow[n])
			}
		}
		for tt, n := range map[string]string{"impressions": "impressions", "clicks": "clicks", "reach": "reach",
			"video_watched_6s": "views_6s", "conversion": "conversions"} {
			if nrow[n] == nil { // not measured natively (null): "0", and the header says so
				if got[tt] != "0" || !strings.Contains(rep.header.Get("X-Flint-Not-Measured"), tt) {
					t.Errorf("%s: TikTok %v (header %q), native null", tt, got[tt], rep.header.Get("X-Flint-Not-Measured"))
				}
				continue
			}
			if got[tt] != strconv.FormatFloat(nrow[n].(float64), 'f', 0, 64) {
				t.Errorf("%s: TikTok %v, native %v", tt, got[tt], nrow[n])
			}
		}
		if ctr, _ := strconv.ParseFloat(got["ctr"].(string), 64); math.Abs(ctr-nrow["ctr"].(float64)*100) > 0.006 {
			t.Errorf("ctr: TikTok %v%%, native %v", got["ctr"], nrow["ctr"])
		}
		if got["impressions"] != "7" || got["clicks"] != "3" || got["cpm"] == "0.00" || got["campaign_name"] != "Spark launch" {
			t.Errorf("report metrics %v", got)
		}
		if got["real_time_app_install"] != "0" || got["secondary_goal_result"] != "-" {
			t.Errorf("TikTok-only metrics %v", got)
		}
		header := rep.header.Get("X-Flint-Not-Measured")
		if !strings.Contains(header, "real_time_app_install") || strings.Contains(header, "spend") {
			t.Errorf("X-Flint-Not-Measured = %q", header)
		}
		if tot := data["total_metrics"].(map[string]any); tot["spend"] != native["totals"].(map[string]any)["spend"] {
			t.Errorf("total spend %v, native %v", tot["spend"], native["totals"])
		}

		// The creator revokes: the ad says why it stopped, the post stays listed.
		e.native(w.creator, "DELETE", "/api/v1/posts/"+w.postID+"/ad-authorization", nil, 200)
		ad = e.call(w.adv, "GET", base+"ad/get", url.Values{"advertiser_id": {w.advID}}, nil).ok(t, "ad/get")["list"].([]any)[0].(map[string]any)
		if ad["secondary_status"] != "AD_STATUS_CREATOR_AUTHORIZATION_REVOKED" {
			t.Errorf("after revocation ad/get secondary_status %v", ad["secondary_status"])
		}
		list = e.call(w.adv, "GET", base+"tt_video/list/", url.Values{"advertiser_id": {w.advID}}, nil).ok(t, "tt_video/list")
		if st := list["list"].([]any)[0].(map[string]any)["auth_info"].(map[string]any)["ad_auth_status"]; st != "REVOKED" {
			t.Errorf("after revocation tt_video/list ad_auth_status %v", st)
		}
	})
}
