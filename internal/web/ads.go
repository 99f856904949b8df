package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/flintads/flint/internal/account"
	"github.com/flintads/flint/internal/campaign"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
)

// Helpers shared by Ads Manager's pages.

// amount writes money in the advertiser's currency: $12.50, €3.00, 120 JPY.
func amount(a model.Account, m money.Micros) string {
	s := groupThousands(money.Format(m, money.Decimals(a.Currency)))
	switch a.Currency {
	case "USD":
		return "$" + s
	case "EUR":
		return "€" + s
	case "GBP":
		return "£" + s
	}
	return s + " " + a.Currency
}

// groupThousands puts separators into the whole part of a decimal:
// 2500.00 → 2,500.00.
func groupThousands(s string) string {
	whole, frac, hasFrac := strings.Cut(s, ".")
	neg := strings.HasPrefix(whole, "-")
	n, err := strconv.ParseInt(strings.TrimPrefix(whole, "-"), 10, 64)
	if err != nil {
		return s
	}
	out := formatInt(n)
	if neg {
		out = "-" + out
	}
	if hasFrac {
		out += "." + frac
	}
	return out
}

// location is the advertiser's time zone (UTC if it cannot be loaded).
func location(a model.Account) *time.Location {
	if loc, err := account.LoadLocation(a.Timezone); err == nil {
		return loc
	}
	return time.UTC
}

// budgetText describes a budget: "$50.00 daily", "No budget".
func budgetText(a model.Account, mode model.BudgetMode, m money.Micros) string {
	switch mode {
	case model.BudgetDaily:
		return amount(a, m) + " daily"
	case model.BudgetLifetime:
		return amount(a, m) + " lifetime"
	}
	return "No budget"
}

// groupBudgetText describes an ad group's budget; one without a budget of
// its own spends from its campaign's.
func groupBudgetText(a model.Account, g model.AdGroup) string {
	if g.BudgetMode == model.BudgetNone {
		return "Campaign budget"
	}
	return budgetText(a, g.BudgetMode, g.Budget)
}

// switchView is a one-button form that turns a campaign, ad group or ad on
// or off and comes back to the page it was on.
type switchView struct {
	Action, Label, Back, CSRF string
	On                        bool
}

// adRow is an ad in a list: its switch, serving status in words, counters.
type adRow struct {
	ID, Name, Caption, Tile, Creator string
	CampaignID, CampaignName         string
	AdGroupID, AdGroupName           string
	Switch                           switchView
	Serving                          bool
	Status                           pill
	Reasons                          []string
	Spend                            string
	Impressions, Clicks, Views       int64
	Engagement                       int64
	spend                            money.Micros
}

// adTree is an advertiser's campaigns, ad groups and ads with their
// serving status and counters, read once for a page.
type adTree struct {
	campaigns []model.Campaign
	groups    []model.AdGroup
	ads       []adRow
	byGroup   map[string][]adRow
	// spend and serving per campaign and per ad group.
	spend   map[string]money.Micros
	serving map[string]int
	count   map[string]int
	// back is where status switches return to; csrf their form token.
	back, csrf string
}

// switchFor is the status switch of the object whose status action is.
func (t *adTree) switchFor(action, label string, on bool) switchView {
	return switchView{Action: action, Label: label, On: on, Back: t.back, CSRF: t.csrf}
}

// readTree reads the signed-in advertiser's whole structure. back is where
// status switches return to.
func (h *Handler) readTree(ctx context.Context, u *user, back string) (*adTree, error) {
	a := u.Account
	t := &adTree{byGroup: map[string][]adRow{}, spend: map[string]money.Micros{}, serving: map[string]int{},
		count: map[string]int{}, back: back, csrf: csrfToken(u.Secret)}
	var err error
	if t.campaigns, err = h.Campaigns.ListCampaigns(ctx, a.ID); err != nil {
		return nil, err
	}
	if t.groups, err = h.Campaigns.ListAdGroups(ctx, a.ID, ""); err != nil {
		return nil, err
	}
	ads, err := h.Campaigns.ListAds(ctx, a.ID, "")
	if err != nil {
		return nil, err
	}
	statuses, err := h.Campaigns.AdStatuses(ctx, ads)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, c := range t.campaigns {
		names[c.ID] = c.Name
	}
	for _, g := range t.groups {
		names[g.ID] = g.Name
	}
	library, err := h.Authorization.Library(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	posts := map[string][2]string{} // Spark post ID → caption, creator handle
	for _, e := range library {
		posts[e.SparkPost.ID] = [2]string{e.Post.Caption, "@" + e.Creator.Handle}
	}
	for _, s := range statuses {
		ad := s.Ad
		row := adRow{ID: ad.ID, Name: ad.Name, Caption: posts[ad.SparkPostID][0], Creator: posts[ad.SparkPostID][1],
			Tile: tile(ad.PostID), CampaignID: ad.CampaignID, CampaignName: names[ad.CampaignID], AdGroupID: ad.AdGroupID,
			AdGroupName: names[ad.AdGroupID], Serving: s.Serving, Spend: amount(a, s.Stats.Spend), spend: s.Stats.Spend,
			Impressions: s.Stats.Impressions, Clicks: s.Stats.Clicks, Views: s.Stats.Views6s,
			Engagement: s.Stats.Likes + s.Stats.Comments + s.Stats.Shares + s.Stats.Follows,
			Switch:     t.switchFor("/ads/ads/"+ad.ID+"/status", "Ad "+ad.Name, ad.Status == model.Enabled)}
		row.Status, row.Reasons = servingWords(s)
		t.ads = append(t.ads, row)
		t.byGroup[ad.AdGroupID] = append(t.byGroup[ad.AdGroupID], row)
		for _, k := range []string{ad.CampaignID, ad.AdGroupID} {
			t.spend[k] += s.Stats.Spend
			t.count[k]++
			if s.Serving {
				t.serving[k]++
			}
		}
	}
	return t, nil
}

// servingWords shows an ad's serving status: a pill and the reasons it is
// not serving, in words.
func servingWords(s campaign.AdStatus) (pill, []string) {
	if s.Serving {
		return pill{"Delivering", "good"}, nil
	}
	var reasons []string
	for _, r := range s.Reasons {
		if w, ok := reasonWords[r]; ok {
			reasons = append(reasons, w)
		} else {
			reasons = append(reasons, strings.ToLower(r))
		}
	}
	head := "Not delivering"
	if len(reasons) > 0 && strings.HasPrefix(reasons[0], "Paused") {
		head = "Paused"
	}
	return pill{head, "bad"}, reasons
}

// deliveringText writes "2 of 3 ads delivering".
func deliveringText(serving, total int) string {
	if total == 0 {
		return "No ads yet"
	}
	return formatInt(int64(serving)) + " of " + plural(total, "ad", "ads") + " delivering"
}

// backOr returns the form's back path if it is a path on this site.
func backOr(r *http.Request, fallback string) string {
	return nextOr(r.PostForm.Get("back"), fallback)
}
