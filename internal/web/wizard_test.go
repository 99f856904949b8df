package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// hiddenValues returns the hidden inputs of a page, by name.
func hiddenValues(body string) url.Values {
	return formValues(body, true)
}

// formValues returns what the first form that posts would send as it is
// shown (hidden inputs only, if hiddenOnly): inputs with their values,
// checked radio buttons and checkboxes, the selected option of each select.
func formValues(body string, hiddenOnly bool) url.Values {
	out := url.Values{}
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		return out
	}
	for f := range doc.Descendants() {
		if f.Type != html.ElementNode || f.Data != "form" || attr(f, "method") != "post" || attr(f, "action") == "/logout" {
			continue
		}
		for n := range f.Descendants() {
			if n.Type != html.ElementNode || attr(n, "name") == "" {
				continue
			}
			name, typ := attr(n, "name"), attr(n, "type")
			switch {
			case n.Data == "input" && typ == "hidden":
				out.Add(name, attr(n, "value"))
			case hiddenOnly:
			case n.Data == "input" && (typ == "radio" || typ == "checkbox"):
				if hasAttr(n, "checked") {
					out.Add(name, attr(n, "value"))
				}
			case n.Data == "input":
				out.Add(name, attr(n, "value"))
			case n.Data == "select":
				value := ""
				for o := range n.Descendants() {
					if o.Type == html.ElementNode && o.Data == "option" && (value == "" || hasAttr(o, "selected")) {
						value = attr(o, "value")
						if hasAttr(o, "selected") {
							break
						}
					}
				}
				out.Add(name, value)
			}
		}
		return out
	}
	return out
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

// next posts a step of the Create flow as the browser would: what the
// page shows and carries, changed by what the advertiser typed.
func (c *client) next(path string, prev page, typed url.Values) page {
	c.s.t.Helper()
	form := formValues(prev.body, false)
	form.Del("csrf")
	for k, v := range typed {
		form[k] = v
	}
	return c.post(path, form)
}

// TestCreateFlowStoresNothingUntilPublish: campaign → ad group → ad keeps
// every answer in the pages, stores nothing until Publish, and Publish
// stores the three together; Back shows a step as it was typed.
func TestCreateFlowStoresNothingUntilPublish(t *testing.T) {
	t.Parallel()
	s := newSite(t, false)
	adv := s.advertiser("Glow Co", "ads@glow.example")
	maya := s.creator("maya", "creator")
	post := s.post(maya, "Routine")
	sp := s.api(adv.token, "POST", "/spark-posts", map[string]any{"code": s.code(maya, post)})["id"].(string)
	c := s.client().login(adv.login)
	stored := func() (int, int, int) {
		return len(s.api(adv.token, "GET", "/campaigns", nil)["campaigns"].([]any)),
			len(s.api(adv.token, "GET", "/ad-groups", nil)["ad_groups"].([]any)),
			len(s.api(adv.token, "GET", "/ads", nil)["ads"].([]any))
	}
	none := func(when string) {
		t.Helper()
		if nc, ng, na := stored(); nc+ng+na != 0 {
			t.Fatalf("%s: %d campaigns, %d ad groups, %d ads stored before Publish", when, nc, ng, na)
		}
	}

	step1 := c.get("/ads/campaigns/new")
	step2 := c.next("/ads/campaigns/new", step1, url.Values{"step": {"campaign"}, "go": {"continue"},
		"campaign.name": {"Serum & co"}, "campaign.objective": {"TRAFFIC"}, "campaign.budget_mode": {"LIFETIME"},
		"campaign.budget": {"500.00"}})
	if step2.status != http.StatusOK || !strings.Contains(step2.body, "Ad group name") ||
		hiddenValues(step2.body).Get("campaign.name") != "Serum & co" {
		t.Fatalf("Continue after the campaign: %d\n%s", step2.status, step2.body)
	}
	none("after the campaign step")
	groupTyped := url.Values{"step": {"ad_group"}, "go": {"continue"}, "ad_group.name": {"US women"},
		"ad_group.countries": {"US"}, "ad_group.age": {"18-34"}, "ad_group.budget_mode": {"DAILY"},
		"ad_group.budget": {"50.00"}, "ad_group.billing_event": {"CPM"}, "ad_group.bid": {"6.00"},
		"ad_group.frequency": {"3/1"}, "ad_group.pacing": {"STANDARD"}}
	step3 := c.next("/ads/campaigns/new", step2, groupTyped)
	if step3.status != http.StatusOK || !strings.Contains(step3.body, "Landing page URL") ||
		hiddenValues(step3.body).Get("ad_group.countries") != "US" || hiddenValues(step3.body).Get("campaign.budget") != "500.00" {
		t.Fatalf("Continue after the ad group: %d\n%s", step3.status, step3.body)
	}
	none("after the ad group step")

	// Back from the ad shows the ad group as typed, and carries the ad.
	adTyped := url.Values{"step": {"ad"}, "ad.name": {"Maya routine"}, "ad.identity": {"creator"},
		"ad.spark_post_id": {sp}, "ad.cta": {"Shop now"}, "ad.url": {"https://glow.example/serum"}}
	back := url.Values{"go": {"back"}}
	for k, v := range adTyped {
		back[k] = v
	}
	again := c.next("/ads/campaigns/new", step3, back)
	if again.status != http.StatusOK || !strings.Contains(again.body, `value="US women"`) ||
		!strings.Contains(again.body, `<option value="3/1" selected>`) || hiddenValues(again.body).Get("ad.url") != "https://glow.example/serum" {
		t.Fatalf("Back from the ad: %d\n%s", again.status, again.body)
	}
	step3 = c.next("/ads/campaigns/new", again, url.Values{"step": {"ad_group"}, "go": {"continue"}})
	if !strings.Contains(step3.body, `value="https://glow.example/serum"`) {
		t.Fatalf("the ad's answers were lost going back and forth:\n%s", step3.body)
	}
	none("after going back")

	published := c.next("/ads/campaigns/new", step3, url.Values{"step": {"ad"}, "go": {"publish"}})
	if published.status != http.StatusSeeOther || !strings.HasPrefix(published.header.Get("Location"), "/ads/ad-groups/") {
		t.Fatalf("Publish: %d\n%s", published.status, published.body)
	}
	if nc, ng, na := stored(); nc != 1 || ng != 1 || na != 1 {
		t.Fatalf("after Publish: %d campaigns, %d ad groups, %d ads", nc, ng, na)
	}
	cmp := s.api(adv.token, "GET", "/campaigns", nil)["campaigns"].([]any)[0].(map[string]any)
	grp := s.api(adv.token, "GET", "/ad-groups", nil)["ad_groups"].([]any)[0].(map[string]any)
	ad := s.api(adv.token, "GET", "/ads", nil)["ads"].([]any)[0].(map[string]any)
	if cmp["name"] != "Serum & co" || cmp["budget"] != "500.00" || grp["name"] != "US women" || grp["bid"] != "6.00" ||
		grp["campaign_id"] != cmp["id"] || ad["ad_group_id"] != grp["id"] || ad["spark_post_id"] != sp {
		t.Fatalf("published %v\n%v\n%v", cmp, grp, ad)
	}
	if p := c.get(published.header.Get("Location")); !strings.Contains(p.body, "Your ad is published") {
		t.Errorf("the ad group page after Publish:\n%s", p.body)
	}
}

// TestCreateFlowPublishRechecks: Publish checks every step again; what
// was changed in the page or in the world since sends the advertiser back
// to the step it is about, with every field as typed, and stores nothing.
func TestCreateFlowPublishRechecks(t *testing.T) {
	t.Parallel()
	s := newSite(t, false)
	adv := s.advertiser("Glow Co", "ads@glow.example")
	maya := s.creator("maya", "creator")
	post := s.post(maya, "Routine")
	sp := s.api(adv.token, "POST", "/spark-posts", map[string]any{"code": s.code(maya, post)})["id"].(string)
	c := s.client().login(adv.login)
	full := url.Values{"campaign.name": {"Launch"}, "campaign.objective": {"REACH"},
		"campaign.budget_mode": {"NONE"}, "campaign.budget": {""}, "ad_group.name": {"Everyone"},
		"ad_group.budget_mode": {"DAILY"}, "ad_group.budget": {"20.00"}, "ad_group.billing_event": {"CPM"},
		"ad_group.bid": {"4.00"}, "ad_group.pacing": {"STANDARD"}, "ad.identity": {"creator"},
		"ad.spark_post_id": {sp}, "ad.cta": {"Shop now"}, "ad.url": {"https://glow.example"}, "step": {"ad"},
		"go": {"publish"}}
	with := func(k, v string) url.Values {
		f := url.Values{}
		for key, vs := range full {
			f[key] = vs
		}
		f.Set(k, v)
		return f
	}

	// Hidden answers of the campaign step, changed in the page.
	p := c.post("/ads/campaigns/new", with("campaign.name", ""))
	if p.status != http.StatusBadRequest || !strings.Contains(p.body, "Campaign name") ||
		!fieldError(p.body, "campaign.name") || hiddenValues(p.body).Get("ad.url") != "https://glow.example" {
		t.Fatalf("Publish with an empty campaign name: %d\n%s", p.status, p.body)
	}
	p = c.post("/ads/campaigns/new", with("ad_group.bid", "lots"))
	if p.status != http.StatusBadRequest || !strings.Contains(p.body, "Ad group name") || !fieldError(p.body, "ad_group.bid") ||
		!strings.Contains(p.body, `value="lots"`) {
		t.Fatalf("Publish with a bad bid: %d\n%s", p.status, p.body)
	}
	// A daily budget below one impression's price is the ad group's rule
	// across campaign and ad group.
	p = c.post("/ads/campaigns/new", with("ad_group.budget", "0.001"))
	if p.status != http.StatusBadRequest || !fieldError(p.body, "ad_group.budget") {
		t.Fatalf("Publish with a budget in tenths of a cent: %d\n%s", p.status, p.body)
	}
	// The creator revokes the authorization after the ad step was shown.
	s.api(maya.token, "DELETE", "/posts/"+post+"/ad-authorization", nil)
	p = c.post("/ads/campaigns/new", full)
	// (The post has left the library's list; the message stays under it.)
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "Select from library") ||
		!strings.Contains(p.body, `<p class="field-error">The creator revoked the authorization of this post`) {
		t.Fatalf("Publish with a revoked post: %d\n%s", p.status, p.body)
	}
	if n := len(s.api(adv.token, "GET", "/campaigns", nil)["campaigns"].([]any)); n != 0 {
		t.Fatalf("refused Publishes stored %d campaigns", n)
	}
}

// TestAddToExistingCampaign: an ad group and ad added to a campaign, and an
// ad added to an ad group, are stored at Publish only, under them.
func TestAddToExistingCampaign(t *testing.T) {
	t.Parallel()
	s := newSite(t, false)
	adv := s.advertiser("Glow Co", "ads@glow.example")
	maya := s.creator("maya", "creator")
	tr := s.structure(adv, maya, "Routine")
	c := s.client().login(adv.login)
	count := func(path, key string) int { return len(s.api(adv.token, "GET", path, nil)[key].([]any)) }

	start := c.get("/ads/campaigns/" + tr.campaign + "/ad-groups/new")
	if start.status != http.StatusOK || !strings.Contains(start.body, "Launch Routine") || strings.Contains(start.body, `name="campaign.name"`) {
		t.Fatalf("the ad group step of an existing campaign: %d\n%s", start.status, start.body)
	}
	step := c.next("/ads/campaigns/"+tr.campaign+"/ad-groups/new", start, url.Values{"step": {"ad_group"},
		"go": {"continue"}, "ad_group.name": {"Second group"}})
	if step.status != http.StatusOK || !strings.Contains(step.body, "Landing page URL") {
		t.Fatalf("Continue: %d\n%s", step.status, step.body)
	}
	if n := count("/ad-groups", "ad_groups"); n != 1 {
		t.Fatalf("%d ad groups before Publish", n)
	}
	done := c.next("/ads/campaigns/"+tr.campaign+"/ad-groups/new", step, url.Values{"step": {"ad"}, "go": {"publish"},
		"ad.identity": {"creator"}, "ad.spark_post_id": {tr.sparkPost}, "ad.url": {"https://glow.example/2"}})
	if done.status != http.StatusSeeOther {
		t.Fatalf("Publish: %d\n%s", done.status, done.body)
	}
	if count("/ad-groups", "ad_groups") != 2 || count("/ads", "ads") != 2 {
		t.Fatal("Publish did not add an ad group and an ad")
	}
	groups := s.api(adv.token, "GET", "/ad-groups", nil)["ad_groups"].([]any)
	if g := groups[1].(map[string]any); g["name"] != "Second group" || g["campaign_id"] != tr.campaign {
		t.Fatalf("the new ad group: %v", g)
	}

	start = c.get("/ads/ad-groups/" + tr.adGroup + "/ads/new")
	done = c.next("/ads/ad-groups/"+tr.adGroup+"/ads/new", start, url.Values{"step": {"ad"}, "go": {"publish"},
		"ad.name": {"Third"}, "ad.identity": {"creator"}, "ad.spark_post_id": {tr.sparkPost},
		"ad.url": {"https://glow.example/3"}})
	if done.status != http.StatusSeeOther || done.header.Get("Location") != "/ads/ad-groups/"+tr.adGroup+"?done=published" {
		t.Fatalf("Publish an ad in an existing ad group: %d %s\n%s", done.status, done.header.Get("Location"), done.body)
	}
	if count("/ad-groups", "ad_groups") != 2 || count("/ads", "ads") != 3 {
		t.Fatal("Publish in an existing ad group did not add exactly one ad")
	}
}
