package demo

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	mrand "math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/flintads/flint/internal/account"
	"github.com/flintads/flint/internal/measure"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
	"github.com/flintads/flint/internal/server"
)

// importResults gives the demo's brands something to measure against
// their ads, through the measure service as the Reports page would: a
// Shopify orders export per brand (orders after some of the history's
// clicks, one by utm_campaign, one by a mapped discount code, a few with
// no attribution, one pending), worth a few times what each campaign
// spent, and for Glow a Meta spend export, so that reports put channels
// side by side.
func importResults(ctx context.Context, svc server.Services, w *world, h history, now time.Time) error {
	rng := mrand.New(mrand.NewPCG(7, 7))
	for _, adv := range w.advertisers {
		acct, err := svc.Accounts.Get(ctx, adv.id)
		if err != nil {
			return err
		}
		campaigns, err := svc.Campaigns.ListCampaigns(ctx, adv.id)
		if err != nil {
			return err
		}
		orders := demoOrders(rng, acct, w, h, campaigns, now)
		if len(campaigns) > 1 {
			// A discount code the brand gave a creator, mapped to the
			// campaign that runs the creator's post.
			last := campaigns[len(campaigns)-1]
			if _, err := svc.Measure.UpdateSettings(ctx, adv.id, measure.SettingsInput{
				DiscountCodes: map[string]string{"CREATOR15": last.ID}}); err != nil {
				return err
			}
		}
		res, err := svc.Measure.ImportOrders(ctx, acct, bytes.NewReader(orders))
		if err != nil {
			return err
		}
		if len(res.Rejected) > 0 {
			return fmt.Errorf("demo orders of %s: line %d: %v", adv.name, res.Rejected[0].Line, res.Rejected[0].Err)
		}
		if acct.Currency == "USD" {
			if _, err := svc.Measure.ImportSpend(ctx, acct, bytes.NewReader(metaSpend(rng, now))); err != nil {
				return err
			}
		}
	}
	return nil
}

// demoOrders writes a Shopify orders export for one brand.
func demoOrders(rng *mrand.Rand, acct model.Account, w *world, h history, campaigns []model.Campaign, now time.Time) []byte {
	loc, err := account.LoadLocation(acct.Timezone)
	if err != nil {
		loc = time.UTC
	}
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	cw.Write([]string{"Name", "Email", "Financial Status", "Paid at", "Currency", "Subtotal", "Shipping", "Taxes", "Total",
		"Discount Code", "Created at", "Lineitem quantity", "Lineitem name", "Lineitem price", "Cancelled at",
		"Refunded Amount", "Note Attributes", "Id", "Source"})
	n := 0
	order := func(at time.Time, status, total, code, notes string) {
		n++
		stamp := at.In(loc).Format("2006-01-02 15:04:05 -0700")
		paid := stamp
		if status != "paid" {
			paid = ""
		}
		cw.Write([]string{fmt.Sprintf("#%d", 1000+n), "", status, paid, acct.Currency, total, "0.00", "0.00", total, code,
			stamp, "1", "Demo product", total, "", "0.00", notes, fmt.Sprintf("55%017d", n), "web"})
	}
	amount := func() (string, money.Micros) {
		units := 24 + rng.IntN(40)
		return fmt.Sprintf("%d.%s", units, []string{"00", "50", "95"}[rng.IntN(3)]), money.Micros(units) * money.PerUnit
	}
	ads := map[string]demoAd{}
	for _, ad := range w.ads {
		if ad.advertiserID == acct.ID {
			ads[ad.id] = ad
		}
	}
	// Orders after clicks, until each campaign has earned about three
	// times what it spent.
	spent, earned := map[string]money.Micros{}, map[string]money.Micros{}
	for id, ad := range ads {
		spent[ad.campaignID] += h.spend[id]
	}
	clicks := slices.Clone(h.clicks)
	rng.Shuffle(len(clicks), func(i, j int) { clicks[i], clicks[j] = clicks[j], clicks[i] })
	for _, c := range clicks {
		ad, ok := ads[c.adID]
		if !ok || earned[ad.campaignID] >= 3*spent[ad.campaignID] {
			continue
		}
		at := c.at.Add(time.Duration(10+rng.IntN(80)) * time.Minute)
		if at.After(now) {
			continue
		}
		total, m := amount()
		order(at, "paid", total, "", "flint_clid: "+c.id)
		earned[ad.campaignID] += m
	}
	// Some orders came in today, before the demo started, so that "this
	// month" has revenue even on the first of a month.
	local := now.In(loc)
	sinceMidnight := local.Sub(time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc))
	day := func(d int) time.Time {
		if d == 0 {
			return now.Add(-time.Duration(rng.Int64N(int64(min(3*time.Hour, sinceMidnight)) + 1)))
		}
		return now.AddDate(0, 0, -d).Add(-time.Duration(rng.IntN(6*3600)) * time.Second)
	}
	if len(campaigns) > 0 {
		// A storefront snippet wrote the landing page's utm_campaign.
		for _, d := range []int{0, 3} {
			total, _ := amount()
			order(day(d), "paid", total, "", "utm_campaign: "+strings.ToLower(strings.ReplaceAll(campaigns[0].Name, " ", "-")))
		}
	}
	if len(campaigns) > 1 {
		for _, d := range []int{0, 5} {
			total, _ := amount()
			order(day(d), "paid", total, "CREATOR15", "")
		}
	}
	for _, d := range []int{0, 1, 4, 6, 9, 12} { // orders no ad can claim
		total, _ := amount()
		order(day(d), "paid", total, "", "")
	}
	total, _ := amount()
	order(day(2), "pending", total, "", "") // counts nothing until paid
	cw.Flush()
	return buf.Bytes()
}

// metaSpend writes a spend export in the generic columns: what the brand
// spent on Meta over the same days.
func metaSpend(rng *mrand.Rand, now time.Time) []byte {
	var b strings.Builder
	b.WriteString("date,channel,campaign,spend,impressions,clicks,currency\n")
	for d := 13; d >= 1; d-- {
		spend := 2 + rng.Float64()*2
		imps := 400 + rng.IntN(300)
		fmt.Fprintf(&b, "%s,meta,Serum retargeting,%.2f,%d,%d,USD\n", now.AddDate(0, 0, -d).Format(time.DateOnly), spend,
			imps, imps/80)
	}
	return []byte(b.String())
}
