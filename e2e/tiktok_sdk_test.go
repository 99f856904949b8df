package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestTikTokSDK drives a real flint serve with TikTok's official npm SDK
// (tiktok-business-api-sdk-official 1.1.3, installed in e2e/tiktoksdk by
// npm ci) through e2e/tiktoksdk/sdk.mjs: the Spark calls over raw HTTP as
// in-house clients make them, then advertiser info, identities, campaign,
// ad group and ad create and get, and a report through the SDK. Without
// node or the installed packages it is skipped, unless FLINT_REQUIRE_NODE
// is set (CI sets it).
func TestTikTokSDK(t *testing.T) {
	dir, _ := filepath.Abs("tiktoksdk")
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(dir, "node_modules", "tiktok-business-api-sdk-official", "package.json"))
	}
	if err != nil {
		if os.Getenv("FLINT_REQUIRE_NODE") != "" {
			t.Fatalf("node and the SDK (npm ci in e2e/tiktoksdk) are required: %v", err)
		}
		t.Skipf("skipped: node or TikTok's SDK is missing (run npm ci in e2e/tiktoksdk): %v", err)
	}
	f := start(t, t.TempDir())
	defer f.stop()
	creator := f.must(201, f.operator, "POST", "/api/v1/accounts", map[string]any{"kind": "creator", "handle": "maya",
		"display_name": "Maya", "creator_type": "business"})
	adv := f.must(201, f.operator, "POST", "/api/v1/accounts", map[string]any{"kind": "advertiser", "name": "Glow Co",
		"currency": "USD", "timezone": "America/New_York"})
	post := f.must(201, f.operator, "POST", "/api/v1/posts", map[string]any{"creator_id": creator["id"],
		"caption": "Morning routine", "video_url": "https://cdn.example/v.mp4", "duration_ms": 13538,
		"visibility": "public", "original": true, "music": nil})
	ct := creator["token"].(string)
	f.must(200, ct, "PUT", "/api/v1/posts/"+post["id"].(string)+"/ad-authorization",
		map[string]any{"enabled": true, "accept_terms": true, "days": 30})
	code := f.must(201, ct, "POST", "/api/v1/posts/"+post["id"].(string)+"/ad-authorization/codes", nil)["code"].(string)
	// The advertiser's numeric id, as a client learns it from the token.
	req := newTikTokRequest(t, f.base+"/open_api/v1.3/oauth2/advertiser/get/", adv["token"].(string))
	advID := req["list"].([]any)[0].(map[string]any)["advertiser_id"].(string)

	cmd := exec.Command(node, "sdk.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "FLINT_BASE="+f.base, "ACCESS_TOKEN="+adv["token"].(string), "ADVERTISER_ID="+advID,
		"AUTH_CODE="+code)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("sdk.mjs: %v\n%s\n%s", err, stderr.String(), stdout.String())
	}
	var out map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("sdk.mjs printed %s", stdout.String())
	}
	get := func(path ...string) any {
		var v any = out
		for _, p := range path {
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("%v: no %s in %v", path, p, v)
			}
			v = m[p]
		}
		return v
	}
	first := func(v any) map[string]any {
		l, ok := v.([]any)
		if !ok || len(l) == 0 {
			t.Fatalf("want a non-empty list, got %v", v)
		}
		return l[0].(map[string]any)
	}
	item := get("authorize", "item_id")
	if get("authorizeAgain", "item_id") != item {
		t.Errorf("authorize is not idempotent: %v", out["authorizeAgain"])
	}
	if first(get("sparkList", "list"))["item_info"].(map[string]any)["auth_code"] != code {
		t.Errorf("tt_video/list does not echo the code: %v", out["sparkList"])
	}
	// The SDK strips code and message on success and returns data.
	info := first(get("advertiserInfo", "data", "list"))
	if info["advertiser_id"] != advID || info["name"] != "Glow Co" || info["currency"] != "USD" {
		t.Errorf("advertiser/info through the SDK: %v", info)
	}
	if get("videoInfo", "data", "video_detail", "item_id") != item {
		t.Errorf("identity/video/info: %v", out["videoInfo"])
	}
	if c := first(get("campaigns", "data", "list")); c["campaign_name"] != "SDK campaign" || c["budget"] != 250.5 {
		t.Errorf("campaign/get: %v", c)
	}
	if g := first(get("adgroups", "data", "list")); g["gender"] != "GENDER_FEMALE" || len(g["location_ids"].([]any)) != 2 {
		t.Errorf("adgroup/get: %v", g)
	}
	if a := first(get("ads", "data", "list")); a["tiktok_item_id"] != item || a["call_to_action"] != "LEARN_MORE" {
		t.Errorf("ad/get: %v", a)
	}
	if pi := get("report", "data", "page_info").(map[string]any); pi["page"] != 1.0 {
		t.Errorf("report page_info: %v", pi)
	}
	if tot := get("report", "data", "total_metrics").(map[string]any); tot["spend"] != "0.00" || tot["real_time_result"] != "0" {
		t.Errorf("report totals: %v", tot)
	}
	if msg, _ := out["foreign"].(string); !strings.Contains(msg, "code: 40001") {
		t.Errorf("another advertiser's id through the SDK: %q, want an Error with code 40001", msg)
	}
}

// newTikTokRequest GETs a TikTok-surface path and returns data.
func newTikTokRequest(t *testing.T, url, token string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Access-Token", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var env struct {
		Code int            `json:"code"`
		Data map[string]any `json:"data"`
	}
	if err := json.Unmarshal(raw, &env); err != nil || env.Code != 0 {
		t.Fatalf("%s: %s", url, raw)
	}
	return env.Data
}
