package web

import (
	"net/http"
)

// dashboardPage is Ads Manager's overview: the last 14 days in numbers and
// charts, and the campaigns.
type dashboardPage struct {
	Base
	Name      string
	Cards     []metricCard
	Charts    []chartRef
	Campaigns []campaignRow
	Days      int
}

type metricCard struct {
	Label, Value string
}

type chartRef struct {
	URL, Title, Alt string
	// Legend names the series of a chart that has several.
	Legend []string
}

// overviewDays is how many days the dashboard covers.
const overviewDays = 14

func (h *Handler) showDashboard(w http.ResponseWriter, r *http.Request, u *user) error {
	a := u.Account
	days, err := h.Campaigns.Daily(r.Context(), a.ID, location(a), overviewDays)
	if err != nil {
		return err
	}
	var spend, imps, clicks, engagement int64
	for _, d := range days {
		spend += int64(d.Stats.Spend)
		imps += d.Stats.Impressions
		clicks += d.Stats.Clicks
		engagement += paidEngagement(d.Stats)
	}
	tree, err := h.readTree(r.Context(), u, "/ads")
	if err != nil {
		return err
	}
	page := dashboardPage{Base: h.base(r, u, "Dashboard"), Name: a.Name, Days: overviewDays,
		Cards: []metricCard{
			{"Spend", amount(a, moneyOf(spend))},
			{"Impressions", formatInt(imps)},
			{"Clicks", formatInt(clicks)},
			{"Paid engagement", formatInt(engagement)},
		},
		Campaigns: campaignRows(a, tree)}
	page.Nav = "dashboard"
	for _, m := range chartMetrics {
		page.Charts = append(page.Charts, chartRef{URL: "/ads/charts/" + m.name, Title: m.title,
			Alt: m.title + " per day over the last 14 days"})
	}
	h.render(w, r, http.StatusOK, "dashboard", page)
	return nil
}
