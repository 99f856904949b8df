package tiktokapi_test

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

const base = "/open_api/v1.3/"

// TestEnvelopeAndTokens: every answer is HTTP 200 in the envelope; tokens
// go in Access-Token; paths take a trailing slash or none; unknown paths
// and methods answer PARAM_ERROR.
func TestEnvelopeAndTokens(t *testing.T) {
	t.Parallel()
	e := start(t, "sqlite")
	w := e.world()
	e.call("", "GET", base+"user/info/", nil, nil).fails(t, 40104, "no Access-Token")
	e.call("flint_not-a-token", "GET", base+"user/info/", nil, nil).fails(t, 40105, "bad token")
	e.call(w.creator, "GET", base+"user/info/", nil, nil).fails(t, 40001, "a creator's token")
	e.call(operator, "GET", base+"user/info/", nil, nil).fails(t, 40105, "the operator token")
	for _, p := range []string{"user/info", "user/info/"} {
		u := e.call(w.adv, "GET", base+p, url.Values{"lifetime": {"false"}}, nil).ok(t, p)
		if u["core_user_id"] != w.advID || u["display_name"] != "Glow Co" {
			t.Errorf("%s = %v", p, u)
		}
	}
	e.call(w.adv, "GET", base+"no/such/thing/", nil, nil).fails(t, 40002, "unknown path")
	e.call(w.adv, "POST", base+"user/info/", nil, "{}").fails(t, 40002, "wrong method")
	e.call(w.adv, "POST", base+"campaign/create/", nil, "{not json").fails(t, 40002, "malformed body")
	e.call(w.adv, "POST", base+"campaign/create/", nil, "{\"advertiser_id\":\""+w.advID+"\",\"campaign_name\":\"\xff\"}").
		fails(t, 40002, "invalid UTF-8")
	o := e.call(w.adv, "GET", base+"oauth2/advertiser/get/", url.Values{"app_id": {"1"}, "secret": {"x"}}, nil).ok(t, "oauth2")
	if l := o["list"].([]any); len(l) != 1 || l[0].(map[string]any)["advertiser_id"] != w.advID {
		t.Errorf("oauth2/advertiser/get = %v", o)
	}
}

// TestListSpellings: a list parameter reads the same in every spelling
// clients send.
func TestListSpellings(t *testing.T) {
	t.Parallel()
	e := start(t, "sqlite")
	w := e.world()
	id := w.advID
	for name, q := range map[string]url.Values{
		"compact JSON":  {"advertiser_ids": {`["` + id + `"]`}},
		"Python json":   {"advertiser_ids": {`["` + id + `"]`}, "fields": {`["name", "create_time"]`}},
		"indented JSON": {"advertiser_ids": {"[\n            \"" + id + "\"\n        ]"}},
		"Python repr":   {"advertiser_ids": {`['` + id + `']`}, "fields": {`['name', 'create_time']`}},
		"repeated keys": {"advertiser_ids": {id}, "fields": {"name", "create_time"}},
		"JSON numbers":  {"advertiser_ids": {`[` + id + `]`}},
	} {
		d := e.call(w.adv, "GET", base+"advertiser/info/", q, nil).ok(t, name)
		l := d["list"].([]any)
		if len(l) != 1 {
			t.Fatalf("%s: %v", name, d)
		}
		info := l[0].(map[string]any)
		if info["advertiser_id"] != id || info["name"] != "Glow Co" {
			t.Errorf("%s: %v", name, info)
		}
		if _, isNumber := info["create_time"].(float64); !isNumber {
			t.Errorf("%s: create_time %v, want epoch seconds", name, info["create_time"])
		}
		if len(q["fields"]) > 0 && len(info) != 3 {
			t.Errorf("%s: fields asked name and create_time, got %v", name, info)
		}
	}
}

// TestTenantIsolation: an advertiser_id the token does not own answers
// 40001 whether or not it exists, and another advertiser's objects are
// found nowhere: the answers are the same as for ids that do not exist.
func TestTenantIsolation(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		w := e.world()
		e.call(w.adv, "POST", base+"tt_video/authorize/", nil, map[string]any{"advertiser_id": w.advID, "auth_code": w.code}).ok(t, "authorize")
		cmp := e.call(w.adv, "POST", base+"campaign/create/", nil, map[string]any{"advertiser_id": w.advID,
			"campaign_name": "Mine", "objective_type": "REACH", "budget_mode": "BUDGET_MODE_TOTAL", "budget": "500"}).ok(t, "create")
		cid := cmp["campaign_id"].(string)
		list := e.call(w.adv, "GET", base+"tt_video/list/", url.Values{"advertiser_id": {w.advID}}, nil).ok(t, "list")
		item := list["list"].([]any)[0].(map[string]any)["item_info"].(map[string]any)["item_id"].(string)

		var msgs []string
		for _, id := range []string{w.advID, "1234567890123456789", "abc"} {
			r := e.call(w.other, "GET", base+"campaign/get/", url.Values{"advertiser_id": {id}}, nil)
			r.fails(t, 40001, "campaign/get with advertiser_id "+id)
			msgs = append(msgs, r.Message)
			e.call(w.other, "GET", base+"advertiser/info/", url.Values{"advertiser_ids": {`["` + id + `"]`}}, nil).
				fails(t, 40001, "advertiser/info of "+id)
		}
		if msgs[0] != msgs[1] || msgs[1] != msgs[2] {
			t.Errorf("the answers tell existing advertisers apart: %q", msgs)
		}
		// Own advertiser, another's objects: nothing, as for unknown ids.
		got := e.call(w.other, "GET", base+"campaign/get/", url.Values{"advertiser_id": {w.otherID},
			"filtering": {`{"campaign_ids": ["` + cid + `"]}`}}, nil).ok(t, "campaign/get")
		if len(got["list"].([]any)) != 0 || got["page_info"].(map[string]any)["total_number"] != 0.0 {
			t.Errorf("another advertiser sees %v", got)
		}
		group := func(campaignID string) reply {
			return e.call(w.other, "POST", base+"adgroup/create/", nil, map[string]any{"advertiser_id": w.otherID,
				"campaign_id": campaignID, "adgroup_name": "x", "billing_event": "CPM", "bid_price": 1,
				"budget_mode": "BUDGET_MODE_DAY", "budget": 10})
		}
		foreign, unknown := group(cid), group("1234567890123456789")
		foreign.fails(t, 40007, "adgroup/create in another's campaign")
		unknown.fails(t, 40007, "adgroup/create in no campaign")
		if strings.ReplaceAll(foreign.Message, cid, "N") != strings.ReplaceAll(unknown.Message, "1234567890123456789", "N") {
			t.Errorf("messages differ: %q / %q", foreign.Message, unknown.Message)
		}
		e.call(w.other, "GET", base+"tt_video/info/", url.Values{"advertiser_id": {w.otherID}, "item_id": {item}}, nil).
			fails(t, 40007, "another's post by item_id")
		rep := e.call(w.other, "GET", base+"report/integrated/get/", url.Values{"advertiser_id": {w.otherID},
			"dimensions": {`["campaign_id"]`}, "data_level": {"AUCTION_CAMPAIGN"}, "start_date": {"2026-01-01"},
			"end_date": {"2026-01-02"}, "filtering": {`[{"field_name":"campaign_ids","filter_type":"IN","filter_value":"[\"` + cid + `\"]"}]`}}, nil).
			ok(t, "report")
		if len(rep["list"].([]any)) != 0 {
			t.Errorf("another advertiser's report shows %v", rep)
		}
	})
}

// TestPaging: page_info is exact, pages past the end are empty, page_size
// is bounded; deleted-status filters match nothing (Flint deletes none).
func TestPaging(t *testing.T) {
	t.Parallel()
	e := start(t, "sqlite")
	w := e.world()
	var ids []string
	for _, name := range []string{"One", "Two", "Three"} {
		c := e.call(w.adv, "POST", base+"campaign/create/", nil, map[string]any{"advertiser_id": w.advID,
			"campaign_name": name, "objective_type": "VIDEO_VIEWS"}).ok(t, "create "+name)
		ids = append(ids, c["campaign_id"].(string))
	}
	get := func(q url.Values) map[string]any {
		q.Set("advertiser_id", w.advID)
		return e.call(w.adv, "GET", base+"campaign/get/", q, nil).ok(t, "campaign/get "+q.Encode())
	}
	for page, want := range map[string]int{"1": 2, "2": 1, "3": 0} {
		d := get(url.Values{"page": {page}, "page_size": {"2"}})
		pi := d["page_info"].(map[string]any)
		if len(d["list"].([]any)) != want || pi["total_number"] != 3.0 || pi["total_page"] != 2.0 || pi["page_size"] != 2.0 {
			t.Errorf("page %s: %v", page, d)
		}
	}
	if d := get(url.Values{}); d["page_info"].(map[string]any)["page_size"] != 10.0 {
		t.Errorf("default page_size: %v", d["page_info"])
	}
	for _, bad := range []string{"0", "1001", "x"} {
		e.call(w.adv, "GET", base+"campaign/get/", url.Values{"advertiser_id": {w.advID}, "page_size": {bad}}, nil).
			fails(t, 40002, "page_size "+bad)
	}
	d := get(url.Values{"filtering": {`{'campaign_ids': ['` + ids[1] + `'], 'primary_status': 'STATUS_NOT_DELETE'}`}})
	if l := d["list"].([]any); len(l) != 1 || l[0].(map[string]any)["campaign_name"] != "Two" {
		t.Errorf("filtered by id (Python repr): %v", d)
	}
	if d := get(url.Values{"filtering": {`{"primary_status": "STATUS_DELETE"}`}}); len(d["list"].([]any)) != 0 {
		t.Errorf("deleted campaigns: %v", d)
	}
	if d := get(url.Values{"filtering": {`{"secondary_status": "CAMPAIGN_STATUS_ALL"}`}}); len(d["list"].([]any)) != 3 {
		t.Errorf("CAMPAIGN_STATUS_ALL: %v", d)
	}
	c := get(url.Values{"filtering": {`{"campaign_ids": ["` + ids[0] + `"]}`}})["list"].([]any)[0].(map[string]any)
	if c["budget_mode"] != "BUDGET_MODE_INFINITE" || c["objective_type"] != "VIDEO_VIEWS" || c["operation_status"] != "ENABLE" ||
		c["create_time"] == nil || c["modify_time"] == nil {
		t.Errorf("campaign %v", c)
	}
}

// TestSparkCodes: Spark code errors in TikTok's codes and Ads Manager's
// words; unbind removes a post unless an ad uses it.
func TestSparkCodes(t *testing.T) {
	t.Parallel()
	e := start(t, "sqlite")
	w := e.world()
	auth := func(code string) reply {
		return e.call(w.adv, "POST", base+"tt_video/authorize/", nil, map[string]any{"advertiser_id": w.advID, "auth_code": code})
	}
	r := auth("FLINT-NOTACODE")
	r.fails(t, 40002, "malformed code")
	if !strings.HasPrefix(r.Message, "auth_code_format_error (4013)") {
		t.Errorf("malformed: %q", r.Message)
	}
	// A well-formed code that was never generated: change its secret.
	forged := w.code[:10] + strings.Map(func(r rune) rune {
		if r == 'A' {
			return 'B'
		}
		return 'A'
	}, w.code[10:11]) + w.code[11:]
	if r := auth(forged); r.Code != 40002 && r.Code != 40007 {
		t.Errorf("forged code: %d %q", r.Code, r.Message)
	}
	e.call(w.adv, "POST", base+"tt_video/authorize/", nil, map[string]any{"advertiser_id": w.advID}).fails(t, 40002, "no code")
	auth(w.code).ok(t, "authorize")
	// Bound to another advertiser.
	bound := e.native(w.creator, "POST", "/api/v1/posts/"+w.postID+"/ad-authorization/codes",
		map[string]any{"advertiser_id": w.advOpaque}, 201)["code"].(string)
	r = e.call(w.other, "POST", base+"tt_video/authorize/", nil, map[string]any{"advertiser_id": w.otherID, "auth_code": bound})
	r.fails(t, 40001, "a code bound to another advertiser")
	// tt_video/info by code, URL-encoded.
	info := e.call(w.adv, "GET", base+"tt_video/info/", url.Values{"advertiser_id": {w.advID}, "auth_code": {w.code}}, nil).ok(t, "info")
	item := info["item_info"].(map[string]any)
	if item["auth_code"] != w.code || item["status"] != "HESITATE_RECOMMEND" || item["item_type"] != "VIDEO" {
		t.Errorf("tt_video/info = %v", info)
	}
	itemID := item["item_id"].(string)
	// Expiry: the post stays listed, EXPIRED, and the code answers 4025.
	e.native(operator, "POST", "/api/v1/test-clock/advance", map[string]any{"seconds": 31 * 24 * 3600}, 200)
	l := e.call(w.adv, "GET", base+"tt_video/list/", url.Values{"advertiser_id": {w.advID}}, nil).ok(t, "list")
	ai := l["list"].([]any)[0].(map[string]any)["auth_info"].(map[string]any)
	if ai["ad_auth_status"] != "EXPIRED" {
		t.Errorf("after expiry: %v", ai)
	}
	if end, err := time.Parse("2006-01-02 15:04:05", ai["auth_end_time"].(string)); err != nil || end.After(time.Now().Add(24*time.Hour*31)) {
		t.Errorf("auth_end_time %v", ai["auth_end_time"])
	}
	r = e.call(w.other, "POST", base+"tt_video/authorize/", nil, map[string]any{"advertiser_id": w.otherID, "auth_code": w.code})
	if r.Code != 40002 || !strings.HasPrefix(r.Message, "auth_code_expired (4025)") {
		t.Errorf("expired code: %d %q", r.Code, r.Message)
	}
	// Unbind: gone from the list.
	e.call(w.adv, "POST", base+"tt_video/unbind/", nil, map[string]any{"advertiser_id": w.advID, "item_id": itemID}).ok(t, "unbind")
	l = e.call(w.adv, "GET", base+"tt_video/list/", url.Values{"advertiser_id": {w.advID}}, nil).ok(t, "list")
	if len(l["list"].([]any)) != 0 {
		t.Errorf("after unbind: %v", l)
	}
	e.call(w.adv, "POST", base+"tt_video/unbind/", nil, map[string]any{"advertiser_id": w.advID, "item_id": itemID}).
		fails(t, 40007, "unbind again")
}

// TestReportRequests: metrics in every spelling give the same report; any
// metric name is accepted; AUDIENCE breakdowns Flint cannot make are
// NONE and listed as not measured; long and hourly windows work.
func TestReportRequests(t *testing.T) {
	t.Parallel()
	e := start(t, "sqlite")
	w := e.world()
	get := func(q url.Values) reply {
		q.Set("advertiser_id", w.advID)
		if q.Get("start_date") == "" {
			q.Set("start_date", "2026-10-01")
			q.Set("end_date", "2026-11-29")
		}
		return e.call(w.adv, "GET", base+"report/integrated/get/", q, nil)
	}
	var first map[string]any
	for _, m := range [][]string{{`["spend","impressions","placement"]`}, {`['spend', 'impressions', 'placement']`},
		{"spend", "impressions", "placement"}, {"[\n  \"spend\",\n  \"impressions\",\n  \"placement\"\n]"}} {
		d := get(url.Values{"dimensions": {`["advertiser_id"]`}, "metrics": m, "enable_total_metrics": {"true"}}).ok(t, m[0])
		if first == nil {
			first = d
		} else if !reflect.DeepEqual(first, d) {
			t.Errorf("spelling %q: %v, want %v", m, d, first)
		}
	}
	if tot := first["total_metrics"].(map[string]any); tot["spend"] != "0.00" || tot["impressions"] != "0" || tot["placement"] != "-" {
		t.Errorf("totals %v", tot)
	}
	r := get(url.Values{"dimensions": {`["stat_time_day"]`}, "metrics": {`["sp end!"]`}})
	if r.Code != 40002 || !strings.Contains(r.Message, "Invalid metric fields") {
		t.Errorf("bad metric name: %d %q", r.Code, r.Message)
	}
	get(url.Values{"dimensions": {`["gender"]`}}).fails(t, 40002, "an audience dimension in BASIC")
	get(url.Values{"dimensions": {`["ad_id"]`}, "data_level": {"AUCTION_CAMPAIGN"}}).fails(t, 40002, "finer than the level")
	get(url.Values{"dimensions": {`["stat_time_day"]`}, "start_date": {"2026-11-02"}, "end_date": {"2026-11-01"}}).
		fails(t, 40002, "end before start")
	a := get(url.Values{"report_type": {"AUDIENCE"}, "dimensions": {`["gender", "stat_time_day"]`}, "metrics": {`["spend"]`}})
	a.ok(t, "audience")
	if h := a.header.Get("X-Flint-Not-Measured"); !strings.Contains(h, "gender") {
		t.Errorf("audience header %q", h)
	}
	get(url.Values{"dimensions": {`["campaign_id", "stat_time_hour"]`}, "data_level": {"AUCTION_CAMPAIGN"},
		"start_date": {"2026-11-01"}, "end_date": {"2026-11-03"}}).ok(t, "hourly over three days")
	get(url.Values{"dimensions": {`["stat_time_hour"]`}, "start_date": {"2026-01-01"}, "end_date": {"2026-11-01"}}).
		fails(t, 40002, "hourly over ten months")
}
