package api_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/flintads/flint/internal/config"
)

// TestConcurrentEditsAllSurvive sends edits of different fields of one
// object at the same time: every edit must be in the stored object after
// (a read-modify-write of the whole row would let one undo the other).
func TestConcurrentEditsAllSurvive(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, newEnv func(...func(*config.Config)) *env) {
		e := newEnv()
		w := e.world()
		adID, _ := e.sparkAd(w.creator, w.advertiser, w.post, nil)
		ad := e.must(200, w.advertiser.token, "GET", "/api/v1/ads/"+adID, nil)
		group, campaign := "/api/v1/ad-groups/"+ad.str("ad_group_id"), "/api/v1/campaigns/"+ad.str("campaign_id")
		type edit struct {
			token, path string
			a, b        func(i int) map[string]any
			check       func(got answer, i int) bool
		}
		edits := map[string]edit{
			"post caption and visibility": {operatorToken, "/api/v1/posts/" + w.post2,
				func(i int) map[string]any { return map[string]any{"caption": fmt.Sprint("caption ", i)} },
				func(i int) map[string]any { return map[string]any{"visibility": []string{"private", "public"}[i%2]} },
				func(got answer, i int) bool {
					return got.str("caption") == fmt.Sprint("caption ", i) && got.str("visibility") == []string{"private", "public"}[i%2]
				}},
			"campaign name and status": {w.advertiser.token, campaign,
				func(i int) map[string]any { return map[string]any{"name": fmt.Sprint("campaign ", i)} },
				func(i int) map[string]any { return map[string]any{"status": []string{"DISABLED", "ENABLED"}[i%2]} },
				func(got answer, i int) bool {
					return got.str("name") == fmt.Sprint("campaign ", i) && got.str("status") == []string{"DISABLED", "ENABLED"}[i%2]
				}},
			"ad group name and bid": {w.advertiser.token, group,
				func(i int) map[string]any { return map[string]any{"name": fmt.Sprint("group ", i)} },
				func(i int) map[string]any { return map[string]any{"bid": fmt.Sprintf("%d.00", 4+i)} },
				func(got answer, i int) bool {
					return got.str("name") == fmt.Sprint("group ", i) && got.str("bid") == fmt.Sprintf("%d.00", 4+i)
				}},
			"ad name and call to action": {w.advertiser.token, "/api/v1/ads/" + adID,
				func(i int) map[string]any { return map[string]any{"name": fmt.Sprint("ad ", i)} },
				func(i int) map[string]any {
					return map[string]any{"cta": map[string]any{"label": fmt.Sprint("Buy ", i)}}
				},
				func(got answer, i int) bool {
					return got.str("name") == fmt.Sprint("ad ", i) && got.str("cta.label") == fmt.Sprint("Buy ", i)
				}},
		}
		const rounds = 10 // before the fix, most rounds lost an edit
		for name, ed := range edits {
			lost := 0
			for i := range rounds {
				var wg sync.WaitGroup
				for _, body := range []map[string]any{ed.a(i), ed.b(i)} {
					wg.Go(func() {
						if a := e.do(ed.token, "PATCH", ed.path, body); a.status != 200 {
							t.Errorf("%s: PATCH %v: %d %s", name, body, a.status, a.raw)
						}
					})
				}
				wg.Wait()
				if !ed.check(e.must(200, ed.token, "GET", ed.path, nil), i) {
					lost++
				}
			}
			if lost > 0 {
				t.Errorf("%s: an edit was lost in %d of %d rounds", name, lost, rounds)
			}
		}
	})
}

// TestBudgetRules checks the budget invariants on every path that can
// break them: a campaign edit cannot take away the only budget an ad group
// has, and no budget may be too small to pay for one billing event at the
// bid (such an ad group could never serve).
func TestBudgetRules(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, newEnv func(...func(*config.Config)) *env) {
		e := newEnv()
		w := e.world()
		tok := w.advertiser.token
		cmp := e.must(201, tok, "POST", "/api/v1/campaigns", map[string]any{"name": "C", "objective": "TRAFFIC",
			"budget_mode": "LIFETIME", "budget": "50.00"}).str("id")
		group := func(change func(g map[string]any)) map[string]any {
			g := map[string]any{"campaign_id": cmp, "name": "G", "billing_event": "CPC", "bid": "2.00"}
			if change != nil {
				change(g)
			}
			return g
		}
		// Relies on the campaign's budget.
		gid := e.must(201, tok, "POST", "/api/v1/ad-groups", group(nil)).str("id")
		for name, c := range map[string]struct {
			method, path string
			body         map[string]any
			code, field  string
		}{
			"campaign drops the only budget": {"PATCH", "/api/v1/campaigns/" + cmp,
				map[string]any{"budget_mode": "NONE"}, "BUDGET_REQUIRED", "budget_mode"},
			"campaign budget below a CPC bid": {"PATCH", "/api/v1/campaigns/" + cmp,
				map[string]any{"budget": "1.00"}, "BUDGET_BELOW_BID", "budget"},
			"CPC ad group budget below its bid": {"POST", "/api/v1/ad-groups",
				group(func(g map[string]any) { g["budget_mode"], g["budget"] = "DAILY", "1.00" }), "BUDGET_BELOW_BID", "budget"},
			"CPV bid above the campaign budget": {"POST", "/api/v1/ad-groups",
				group(func(g map[string]any) { g["billing_event"], g["bid"] = "CPV", "60.00" }), "BUDGET_BELOW_BID", "bid"},
			"bid raised above the campaign budget": {"PATCH", "/api/v1/ad-groups/" + gid,
				map[string]any{"bid": "51.00"}, "BUDGET_BELOW_BID", "bid"},
		} {
			a := e.do(tok, c.method, c.path, c.body)
			if a.status != 422 || a.code() != c.code || a.field() != c.field {
				t.Errorf("%s: %d %s field %q, want 422 %s field %q: %s", name, a.status, a.code(), a.field(), c.code, c.field, a.raw)
			}
		}
		// With a budget of its own, the ad group no longer needs the campaign's.
		e.must(200, tok, "PATCH", "/api/v1/ad-groups/"+gid, map[string]any{"budget_mode": "DAILY", "budget": "10.00"})
		if got := e.must(200, tok, "PATCH", "/api/v1/campaigns/"+cmp, map[string]any{"budget_mode": "NONE"}); got.get("budget") != nil {
			t.Errorf("campaign budget after removing it: %s", got.raw)
		}
		// A CPM bid is per thousand impressions: a budget below the bid pays for many.
		e.must(201, tok, "POST", "/api/v1/ad-groups", group(func(g map[string]any) {
			g["billing_event"], g["bid"], g["budget_mode"], g["budget"] = "CPM", "10.00", "DAILY", "1.00"
		}))
	})
}

// TestEnablingAnAdChecksItsSparkPost: switching an ad back on needs its
// Spark post to be authorized, as creating it does.
func TestEnablingAnAdChecksItsSparkPost(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, newEnv func(...func(*config.Config)) *env) {
		e := newEnv()
		w := e.world()
		adID, _ := e.sparkAd(w.creator, w.advertiser, w.post, nil)
		path := "/api/v1/ads/" + adID
		e.must(200, w.advertiser.token, "PATCH", path, map[string]any{"status": "DISABLED"})
		e.must(200, w.creator.token, "DELETE", "/api/v1/posts/"+w.post+"/ad-authorization", nil)
		a := e.do(w.advertiser.token, "PATCH", path, map[string]any{"status": "ENABLED"})
		if a.status != 422 || a.code() != "AUTHORIZATION_REVOKED" || a.field() != "spark_post_id" {
			t.Fatalf("enabling an ad of a revoked Spark post: %d %s", a.status, a.raw)
		}
		if s := e.must(200, w.advertiser.token, "GET", path, nil).str("status"); s != "DISABLED" {
			t.Fatalf("refused switch-on stored status %s", s)
		}
		// Other edits of the switched-off ad still work.
		if got := e.must(200, w.advertiser.token, "PATCH", path, map[string]any{"name": "Renamed"}); !strings.Contains(got.str("name"), "Renamed") {
			t.Fatalf("rename: %s", got.raw)
		}
	})
}
