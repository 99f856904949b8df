package api_test

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flintads/flint/internal/config"
	"github.com/flintads/flint/internal/money"
)

// sparkAd sets up a serving ad on a creator's post for an advertiser and
// returns its ID and Spark post ID. group changes the ad-group request.
func (e *env) sparkAd(creator, adv account, postID string, group func(g map[string]any)) (adID, spID string) {
	e.t.Helper()
	base := "/api/v1/posts/" + postID + "/ad-authorization"
	v := e.must(200, creator.token, "GET", base, nil)
	if v.str("status") != "ON" {
		e.must(200, creator.token, "PUT", base, map[string]any{"enabled": true, "accept_terms": true, "days": 30})
	}
	code := e.must(201, creator.token, "POST", base+"/codes", nil).str("code")
	sp := e.do(adv.token, "POST", "/api/v1/spark-posts", map[string]any{"code": code})
	if sp.status != 201 && sp.status != 200 {
		e.t.Fatalf("redeem: %d %s", sp.status, sp.raw)
	}
	cmp := e.must(201, adv.token, "POST", "/api/v1/campaigns", map[string]any{"name": "Launch", "objective": "VIDEO_VIEWS"}).str("id")
	g := map[string]any{"campaign_id": cmp, "name": "US women 18-34",
		"targeting":   map[string]any{"countries": []string{"US"}, "age_min": 18, "age_max": 34, "genders": []string{"female"}},
		"budget_mode": "DAILY", "budget": "100.00", "billing_event": "CPM", "bid": "4.00", "pacing": "ACCELERATED"}
	if group != nil {
		group(g)
	}
	gid := e.must(201, adv.token, "POST", "/api/v1/ad-groups", g).str("id")
	ad := e.must(201, adv.token, "POST", "/api/v1/ads", map[string]any{"ad_group_id": gid, "name": "Spark",
		"spark_post_id": sp.str("id"), "cta": map[string]any{"label": "Shop now", "url": "https://glow.example/serum?utm_campaign=launch"}})
	if ad.str("serving_status") != "SERVING" {
		e.t.Fatalf("new ad not serving: %s", ad.raw)
	}
	return ad.str("id"), sp.str("id")
}

func viewer(id string, change func(v map[string]any)) map[string]any {
	v := map[string]any{"id": id, "country": "US", "age": 27, "gender": "female", "language": "en", "os": "ios",
		"interests": []string{"beauty"}}
	if change != nil {
		change(v)
	}
	return map[string]any{"placement": "feed", "viewer": v, "count": 1}
}

func (e *env) decide(req map[string]any) answer {
	e.t.Helper()
	return e.must(200, operatorToken, "POST", "/api/v1/decisions", req)
}

func (a answer) ads() []any {
	ads, _ := a.get("ads").([]any)
	return ads
}

func TestTargetedDelivery(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, newEnv func(...func(*config.Config)) *env) {
		e := newEnv()
		w := e.world()
		adID, _ := e.sparkAd(w.creator, w.advertiser, w.post, nil)

		d := e.decide(viewer("v1", nil))
		if len(d.ads()) != 1 || d.str("ads.0.ad_id") != adID || d.str("ads.0.post_id") != w.post {
			t.Fatalf("matching viewer: %s", d.raw)
		}
		// Delivered under the creator's identity, with a click id on the landing URL.
		if d.str("ads.0.creator.id") != w.creator.id || d.str("ads.0.creator.handle") != "maya" ||
			d.str("ads.0.creator.display_name") != "Maya" || d.str("ads.0.token") == "" || d.str("decision_id") == "" {
			t.Fatalf("identity: %s", d.raw)
		}
		if url := d.str("ads.0.cta.url"); !strings.HasPrefix(url, "https://glow.example/serum?utm_campaign=launch&flint_clid=") {
			t.Fatalf("landing URL %q", url)
		}
		for name, change := range map[string]func(v map[string]any){
			"other country": func(v map[string]any) { v["country"] = "DE" },
			"other gender":  func(v map[string]any) { v["gender"] = "male" },
			"too young":     func(v map[string]any) { v["age"] = 17 },
			"too old":       func(v map[string]any) { v["age"] = 35 },
			"age unknown":   func(v map[string]any) { delete(v, "age") },
			"no country":    func(v map[string]any) { delete(v, "country") },
		} {
			if d := e.decide(viewer("v2", change)); len(d.ads()) != 0 {
				t.Errorf("%s: got an ad: %s", name, d.raw)
			}
		}
		// Bad decision requests are refused clearly.
		for name, c := range map[string]struct {
			body  string
			field string
		}{
			"no viewer id":  {`{"viewer":{"country":"US"}}`, "viewer.id"},
			"count 11":      {`{"viewer":{"id":"v"},"count":11}`, "count"},
			"age as string": {`{"viewer":{"id":"v","age":"27"}}`, "viewer.age"},
			"bad country":   {`{"viewer":{"id":"v","country":"XX"}}`, "viewer.country"},
			"bad gender":    {`{"viewer":{"id":"v","gender":"robot"}}`, "viewer.gender"},
			"bad placement": {`{"placement":"banner","viewer":{"id":"v"}}`, "placement"},
		} {
			if a := e.do(operatorToken, "POST", "/api/v1/decisions", c.body); a.status != 400 || a.field() != c.field {
				t.Errorf("%s: %d %s", name, a.status, a.raw)
			}
		}
	})
}

func TestOneAdPerAdvertiserAndSecondPrice(t *testing.T) {
	t.Parallel()
	e := startEnv(t, "sqlite")
	w := e.world()
	post3 := e.newPost(w.creator.id, nil)
	// Bids high enough that one impression's price shows in cents.
	a1, _ := e.sparkAd(w.creator, w.advertiser, w.post, func(g map[string]any) { g["bid"] = "1000.00" })
	e.sparkAd(w.creator, w.advertiser, post3, func(g map[string]any) { g["bid"] = "950.00" }) // same advertiser
	a2, _ := e.sparkAd(w.creator2, w.advertiser2, w.post2, func(g map[string]any) { g["bid"] = "900.00" })
	d := e.decide(map[string]any{"viewer": viewer("v", nil)["viewer"], "count": 10})
	if len(d.ads()) != 2 || d.str("ads.0.ad_id") != a1 || d.str("ads.1.ad_id") != a2 {
		t.Fatalf("want %s then %s, one per advertiser: %s", a1, a2, d.raw)
	}
	// The winner pays the runner-up's value: 900.00 per mille, 0.90 an impression.
	ev := e.must(200, operatorToken, "POST", "/api/v1/events", map[string]any{"events": []any{
		map[string]any{"event_id": "e1", "type": "impression", "token": d.str("ads.0.token")}}})
	if ev.num("accepted") != 1 {
		t.Fatalf("events: %s", ev.raw)
	}
	if spend := e.must(200, w.advertiser.token, "GET", "/api/v1/ads/"+a1, nil).str("spend"); spend != "0.90" {
		t.Fatalf("winner spend %s, want 0.90", spend)
	}
}

func TestEventsCountOnceAndLandOnThePost(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, newEnv func(...func(*config.Config)) *env) {
		e := newEnv()
		w := e.world()
		adID, _ := e.sparkAd(w.creator, w.advertiser, w.post, nil)
		var tokens []string
		for i := range 3 {
			d := e.decide(viewer(fmt.Sprintf("viewer-%d", i), nil))
			tokens = append(tokens, d.str("ads.0.token"))
		}
		tok := tokens[0]
		forged := tok[:len(tok)-4] + "AAAA"
		altered := []byte(tok)
		altered[20] ^= 1
		batch := []any{
			map[string]any{"event_id": "imp-1", "type": "impression", "token": tokens[0]},
			map[string]any{"event_id": "imp-2", "type": "impression", "token": tokens[1]},
			map[string]any{"event_id": "imp-3", "type": "impression", "token": tokens[2]},
			map[string]any{"event_id": "like-1", "type": "like", "token": tokens[0]},
			map[string]any{"event_id": "like-2", "type": "like", "token": tokens[1]},
			map[string]any{"event_id": "share-1", "type": "share", "token": tokens[0]},
			map[string]any{"event_id": "comment-1", "type": "comment", "token": tokens[2]},
			map[string]any{"event_id": "org-view-1", "type": "impression", "post_id": w.post},
			map[string]any{"event_id": "org-like-1", "type": "like", "post_id": w.post},
			map[string]any{"event_id": "org-share-1", "type": "share", "post_id": w.post},
			map[string]any{"event_id": "forged", "type": "impression", "token": forged},
			map[string]any{"event_id": "altered", "type": "impression", "token": string(altered)},
			map[string]any{"event_id": "replay", "type": "impression", "token": tokens[0]},
			map[string]any{"event_id": "imp-1", "type": "impression", "token": tokens[0]},
			map[string]any{"event_id": "bad-type", "type": "teleport", "token": tokens[0]},
			map[string]any{"event_id": "no-post", "type": "like", "post_id": "post_doesnotexist000"},
		}
		res := e.must(200, operatorToken, "POST", "/api/v1/events", map[string]any{"events": batch})
		if res.num("accepted") != 10 || res.num("duplicates") != 1 {
			t.Fatalf("batch: %s", res.raw)
		}
		wantRejected := map[float64]string{10: "TOKEN_INVALID", 11: "TOKEN_INVALID", 12: "TOKEN_REPLAYED", 14: "INVALID_VALUE",
			15: "POST_NOT_FOUND"}
		rejected := res.get("rejected").([]any)
		if len(rejected) != len(wantRejected) {
			t.Fatalf("rejected: %s", res.raw)
		}
		for _, r := range rejected {
			r := r.(map[string]any)
			if code := r["error"].(map[string]any)["code"]; code != wantRejected[r["index"].(float64)] {
				t.Errorf("event %v rejected with %v", r["index"], code)
			}
		}
		// Sending the same batch again counts nothing new.
		again := e.must(200, operatorToken, "POST", "/api/v1/events", map[string]any{"events": batch[:10]})
		if again.num("accepted") != 0 || again.num("duplicates") != 10 {
			t.Fatalf("resend: %s", again.raw)
		}
		// The original post shows paid and organic engagement, and they add up.
		p := e.must(200, w.creator.token, "GET", "/api/v1/posts/"+w.post, nil)
		want := map[string]float64{
			"stats.paid.views": 3, "stats.paid.likes": 2, "stats.paid.shares": 1, "stats.paid.comments": 1,
			"stats.organic.views": 1, "stats.organic.likes": 1, "stats.organic.shares": 1,
			"stats.total.views": 4, "stats.total.likes": 3, "stats.total.shares": 2, "stats.total.comments": 1,
		}
		for path, n := range want {
			if got := p.num(path); got != n {
				t.Errorf("%s = %v, want %v", path, got, n)
			}
		}
		// Only the three genuine impressions were charged (CPM 4.00, no runner-up: the floor, 0.10 per
		// mille, 0.0003 in all, shown in cents).
		ad := e.must(200, w.advertiser.token, "GET", "/api/v1/ads/"+adID, nil)
		if ad.num("stats.impressions") != 3 || ad.str("spend") != "0.00" {
			t.Fatalf("ad after events: impressions %v spend %s", ad.num("stats.impressions"), ad.str("spend"))
		}
	})
}

func TestFrequencyCap(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, newEnv func(...func(*config.Config)) *env) {
		e := newEnv()
		w := e.world()
		e.sparkAd(w.creator, w.advertiser, w.post, func(g map[string]any) {
			g["frequency_cap"] = map[string]any{"impressions": 2, "days": 1}
		})
		served := 0
		for range 5 {
			served += len(e.decide(viewer("capped-viewer", nil)).ads())
		}
		if served != 2 {
			t.Fatalf("served %d times in a day, cap is 2", served)
		}
		if len(e.decide(viewer("another-viewer", nil)).ads()) != 1 {
			t.Fatal("the cap of one viewer must not limit another")
		}
		e.advance(day)
		if len(e.decide(viewer("capped-viewer", nil)).ads()) != 1 {
			t.Fatal("a day later the viewer may see the ad again")
		}
	})
}

func TestRevocationAndExpiryStopDelivery(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, newEnv func(...func(*config.Config)) *env) {
		e := newEnv()
		w := e.world()
		adID, _ := e.sparkAd(w.creator, w.advertiser, w.post, nil)
		if len(e.decide(viewer("v", nil)).ads()) != 1 {
			t.Fatal("not served before revocation")
		}
		rv := e.must(200, w.creator.token, "DELETE", "/api/v1/posts/"+w.post+"/ad-authorization", nil)
		if rv.num("paused_ads") != 1 {
			t.Fatalf("revoke: %s", rv.raw)
		}
		// At once: the very next decision does not serve it.
		for i := range 20 {
			if d := e.decide(viewer(fmt.Sprintf("v%d", i), nil)); len(d.ads()) != 0 {
				t.Fatalf("served after revocation: %s", d.raw)
			}
		}
		ad := e.must(200, w.advertiser.token, "GET", "/api/v1/ads/"+adID, nil)
		if ad.str("serving_status") != "NOT_SERVING" || !strings.Contains(string(ad.raw), "AUTHORIZATION_REVOKED") {
			t.Fatalf("after revocation: %s", ad.raw)
		}

		// Expiry, on another post.
		ad2, sp2 := e.sparkAd(w.creator2, w.advertiser, w.post2, nil)
		e.advance(29 * day)
		if d := e.decide(viewer("v", nil)); len(d.ads()) != 1 || d.str("ads.0.ad_id") != ad2 {
			t.Fatalf("day 29: %s", d.raw)
		}
		e.advance(day)
		if d := e.decide(viewer("v-late", nil)); len(d.ads()) != 0 {
			t.Fatalf("served after expiry: %s", d.raw)
		}
		got := e.must(200, w.advertiser.token, "GET", "/api/v1/ads/"+ad2, nil)
		if got.str("serving_status") != "NOT_SERVING" || got.get("reasons").([]any)[0] != "AUTHORIZATION_EXPIRED" {
			t.Fatalf("after expiry: %s", got.raw)
		}
		// A new ad on the expired Spark post is refused.
		g := e.must(200, w.advertiser.token, "GET", "/api/v1/ads/"+ad2, nil).str("ad_group_id")
		a := e.do(w.advertiser.token, "POST", "/api/v1/ads", map[string]any{"ad_group_id": g, "spark_post_id": sp2,
			"cta": map[string]any{"label": "Shop", "url": "https://glow.example"}})
		if a.status != 422 || a.code() != "AUTHORIZATION_EXPIRED" {
			t.Fatalf("new ad on an expired Spark post: %d %s", a.status, a.raw)
		}
		// Extending brings delivery back.
		e.must(200, w.creator2.token, "POST", "/api/v1/posts/"+w.post2+"/ad-authorization/extend", map[string]any{"days": 7})
		if d := e.decide(viewer("v-after-extend", nil)); len(d.ads()) != 1 {
			t.Fatalf("not served after extension: %s", d.raw)
		}
	})
}

func TestPostTurningPrivateStopsDelivery(t *testing.T) {
	t.Parallel()
	e := startEnv(t, "sqlite")
	w := e.world()
	adID, _ := e.sparkAd(w.creator, w.advertiser, w.post, nil)
	e.must(200, operatorToken, "PATCH", "/api/v1/posts/"+w.post, map[string]any{"visibility": "private"})
	if d := e.decide(viewer("v", nil)); len(d.ads()) != 0 {
		t.Fatalf("served a private post: %s", d.raw)
	}
	ad := e.must(200, w.advertiser.token, "GET", "/api/v1/ads/"+adID, nil)
	if !strings.Contains(string(ad.raw), "POST_UNAVAILABLE") {
		t.Fatalf("reasons: %s", ad.raw)
	}
	// Switching the creator to a personal account does the same.
	e.must(200, operatorToken, "PATCH", "/api/v1/posts/"+w.post, map[string]any{"visibility": "public"})
	if len(e.decide(viewer("v", nil)).ads()) != 1 {
		t.Fatal("not served once public again")
	}
	e.must(200, operatorToken, "PATCH", "/api/v1/accounts/"+w.creator.id, map[string]any{"creator_type": "personal"})
	if d := e.decide(viewer("v", nil)); len(d.ads()) != 0 {
		t.Fatalf("served a personal account's post: %s", d.raw)
	}
}

func TestCampaignSwitches(t *testing.T) {
	t.Parallel()
	e := startEnv(t, "sqlite")
	w := e.world()
	adID, _ := e.sparkAd(w.creator, w.advertiser, w.post, nil)
	ad := e.must(200, w.advertiser.token, "GET", "/api/v1/ads/"+adID, nil)
	for _, level := range []string{"/api/v1/ads/" + adID, "/api/v1/ad-groups/" + ad.str("ad_group_id"), "/api/v1/campaigns/" + ad.str("campaign_id")} {
		e.must(200, w.advertiser.token, "PATCH", level, map[string]any{"status": "DISABLED"})
		if d := e.decide(viewer("v", nil)); len(d.ads()) != 0 {
			t.Fatalf("served with %s off", level)
		}
		got := e.must(200, w.advertiser.token, "GET", "/api/v1/ads/"+adID, nil)
		if got.str("serving_status") != "NOT_SERVING" || got.get("reasons").([]any)[0] != "DISABLED" {
			t.Fatalf("%s off: %s", level, got.raw)
		}
		e.must(200, w.advertiser.token, "PATCH", level, map[string]any{"status": "ENABLED"})
		if len(e.decide(viewer("v", nil)).ads()) != 1 {
			t.Fatalf("not served with %s back on", level)
		}
	}
	// Narrowing targeting applies at once.
	e.must(200, w.advertiser.token, "PATCH", "/api/v1/ad-groups/"+ad.str("ad_group_id"),
		map[string]any{"targeting": map[string]any{"countries": []string{"GB"}}})
	if len(e.decide(viewer("v", nil)).ads()) != 0 {
		t.Fatal("served outside the new targeting")
	}
	if len(e.decide(viewer("v", func(v map[string]any) { v["country"] = "GB" })).ads()) != 1 {
		t.Fatal("not served inside the new targeting")
	}
	// A schedule that ended stops the ad.
	e.must(200, w.advertiser.token, "PATCH", "/api/v1/ad-groups/"+ad.str("ad_group_id"),
		map[string]any{"end_time": "2000-01-01T00:00:00Z", "start_time": "1999-01-01T00:00:00Z"})
	got := e.must(200, w.advertiser.token, "GET", "/api/v1/ads/"+adID, nil)
	if !strings.Contains(string(got.raw), "OUTSIDE_SCHEDULE") {
		t.Fatalf("ended schedule: %s", got.raw)
	}
}

func TestBudgetNeverOverspent(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, newEnv func(...func(*config.Config)) *env) {
		e := newEnv()
		w := e.world()
		adID, _ := e.sparkAd(w.creator, w.advertiser, w.post, func(g map[string]any) {
			g["budget_mode"], g["budget"], g["bid"] = "LIFETIME", "1.00", "10.00"
		})
		// A competitor with a lasting budget bids 9.00.
		e.sparkAd(w.creator2, w.advertiser2, w.post2, func(g map[string]any) { g["bid"] = "9.00" })

		var wg sync.WaitGroup
		var mu sync.Mutex
		served := 0
		for c := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 40 {
					d := e.decide(viewer(fmt.Sprintf("c%d-v%d", c, i), nil))
					var events []any
					for k, ad := range d.ads() {
						ad := ad.(map[string]any)
						events = append(events, map[string]any{"event_id": fmt.Sprintf("c%d-%d-%d", c, i, k),
							"type": "impression", "token": ad["token"]})
						if ad["ad_id"] == adID {
							mu.Lock()
							served++
							mu.Unlock()
						}
					}
					if len(events) > 0 {
						e.must(200, operatorToken, "POST", "/api/v1/events", map[string]any{"events": events})
					}
				}
			}()
		}
		wg.Wait()
		// Budgets are leased to the node in slices, topped up in the
		// background: the burst above may end with a little budget not yet
		// leased. Keep serving (one viewer at a time, events sent) until
		// the budget says it is exhausted.
		ad := e.must(200, w.advertiser.token, "GET", "/api/v1/ads/"+adID, nil)
		for i := 0; ad.str("serving_status") == "SERVING" && i < 400; i++ {
			d := e.decide(viewer(fmt.Sprintf("tail-%d", i), nil))
			var events []any
			for k, x := range d.ads() {
				x := x.(map[string]any)
				events = append(events, map[string]any{"event_id": fmt.Sprintf("tail-%d-%d", i, k),
					"type": "impression", "token": x["token"]})
				if x["ad_id"] == adID {
					served++
				}
			}
			if len(events) > 0 {
				e.must(200, operatorToken, "POST", "/api/v1/events", map[string]any{"events": events})
			}
			time.Sleep(10 * time.Millisecond)
			ad = e.must(200, w.advertiser.token, "GET", "/api/v1/ads/"+adID, nil)
		}
		spend, err := money.Parse(ad.str("spend"), 6)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("served %d times, spent %s of 1.00", served, spend)
		if spend > money.PerUnit {
			t.Fatalf("overspent: %s", spend)
		}
		if spend < 900_000 {
			t.Fatalf("spent only %s of 1.00", spend)
		}
		if ad.str("serving_status") != "NOT_SERVING" || !strings.Contains(string(ad.raw), "BUDGET_EXHAUSTED") {
			t.Fatalf("after the budget: %s", ad.raw)
		}
	})
}

func TestClickIDIsRecorded(t *testing.T) {
	t.Parallel()
	e := startEnv(t, "sqlite")
	w := e.world()
	e.sparkAd(w.creator, w.advertiser, w.post, nil)
	d := e.decide(viewer("clicker", nil))
	clickID := d.str("ads.0.click_id")
	if clickID == "" || !strings.HasSuffix(d.str("ads.0.cta.url"), "flint_clid="+clickID) {
		t.Fatalf("decision: %s", d.raw)
	}
	e.must(200, operatorToken, "POST", "/api/v1/events", map[string]any{"events": []any{
		map[string]any{"event_id": "click-1", "type": "click", "token": d.str("ads.0.token")}}})
	db, err := sql.Open("sqlite", "file:"+filepath.Join(e.dir, "flint.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var got string
	if err := db.QueryRow(`SELECT click_id FROM events WHERE event_id = 'click-1'`).Scan(&got); err != nil || got != clickID {
		t.Fatalf("stored click id %q (%v), want %q", got, err, clickID)
	}
}

// TestSpendSurvivesRestart checks that a restarted server starts from the
// stored spend: an exhausted lifetime budget stays exhausted.
func TestSpendSurvivesRestart(t *testing.T) {
	t.Parallel()
	e := startEnv(t, "sqlite")
	w := e.world()
	adID, _ := e.sparkAd(w.creator, w.advertiser, w.post, func(g map[string]any) {
		g["budget_mode"], g["budget"], g["bid"] = "LIFETIME", "0.02", "10.00"
	})
	e.sparkAd(w.creator2, w.advertiser2, w.post2, func(g map[string]any) { g["bid"] = "9.00" })
	for i := range 5 {
		d := e.decide(viewer(fmt.Sprintf("r%d", i), nil))
		var events []any
		for k, ad := range d.ads() {
			events = append(events, map[string]any{"event_id": fmt.Sprintf("r%d-%d", i, k), "type": "impression",
				"token": ad.(map[string]any)["token"]})
		}
		e.must(200, operatorToken, "POST", "/api/v1/events", map[string]any{"events": events})
	}
	if got := e.must(200, w.advertiser.token, "GET", "/api/v1/ads/"+adID, nil); got.str("serving_status") != "NOT_SERVING" ||
		got.str("spend") != "0.02" { // 0.018, shown in cents
		t.Fatalf("before restart: %s", got.raw)
	}
	again := e.restart()
	got := again.must(200, w.advertiser.token, "GET", "/api/v1/ads/"+adID, nil)
	if got.str("serving_status") != "NOT_SERVING" || !strings.Contains(string(got.raw), "BUDGET_EXHAUSTED") {
		t.Fatalf("after restart: %s", got.raw)
	}
	for i := range 5 {
		if d := again.decide(viewer(fmt.Sprintf("after%d", i), nil)); d.str("ads.0.ad_id") == adID {
			t.Fatal("an exhausted budget served again after a restart")
		}
	}
}
