package delivery

import (
	"time"

	"github.com/flintads/flint/internal/model"
)

// build compiles an ad from its parts into a new entry of ix and returns
// the entry's index. It brings the shared state the entry points at (the
// authorization episode, the post's eligibility, the budgets) up to date
// with the parts, and cannot fail: everything it needs was read before.
func (ix *index) build(l ledger, now time.Time, p *parts) int32 {
	ad, g, c := &p.ad, &p.group, &p.campaign
	i := ix.entries.add()
	en := ix.entries.at(i)
	*en = entry{
		adKey: key(ad.ID), advertiserKey: key(ad.AdvertiserID), adGroupKey: key(g.ID), campaignKey: key(c.ID),
		postKey: key(p.post.ID), creatorKey: key(p.creator.ID), sparkPostKey: key(p.sparkPost.ID),
		billing: billingOf(g.BillingEvent), bid: g.Bid, maxPrice: maxUnitPrice(g.BillingEvent, g.Bid),
		countries: ix.internAll("country:", g.Targeting.Countries), langs: ix.internAll("lang:", g.Targeting.Languages),
		interests: ix.internAll("interest:", g.Targeting.Interests),
		ageMin:    uint8(g.Targeting.AgeMin), ageMax: uint8(g.Targeting.AgeMax),
		genders: bitsOf(g.Targeting.Genders, genderBits), oses: bitsOf(g.Targeting.OS, osBits),
		start: g.StartTime.UnixMicro(), freqImps: int32(g.FrequencyCap.Impressions), freqDays: int32(g.FrequencyCap.Days),
		paced:   g.Pacing == model.PacingStandard,
		enabled: ad.Status == model.Enabled && g.Status == model.Enabled && c.Status == model.Enabled,
		auth:    ix.authFor(p.auth), post: ix.postFor(p.post, p.creator.CreatorType), rates: ix.ratesFor(ad.ID),
	}
	if !g.EndTime.IsZero() {
		en.end = g.EndTime.UnixMicro()
	}
	base, sep, fragment := splitURL(ad.CTAURL)
	en.text, en.ends = ix.texts.pack([textFields]string{tAdID: ad.ID, tPostID: p.post.ID, tAdvertiserID: ad.AdvertiserID,
		tAdGroupID: g.ID, tCampaignID: c.ID, tCreatorID: p.creator.ID, tHandle: p.creator.Handle,
		tName: p.creator.DisplayName, tCaption: p.post.Caption, tVideoURL: p.post.VideoURL, tCTALabel: ad.CTALabel,
		tCTAURL: base, tCTASep: sep, tCTAFragment: fragment})
	en.group = ix.budgetFor(l, now, g.ID, ad.AdvertiserID, g.BudgetMode, g.Budget, p.loc)
	en.camp = ix.budgetFor(l, now, c.ID, ad.AdvertiserID, c.BudgetMode, c.Budget, p.loc)
	for _, b := range [2]*budget{ix.budgetAt(en.group), ix.budgetAt(en.camp)} {
		if b != nil {
			b.mu.Lock()
			b.maxPrice = max(b.maxPrice, en.maxPrice)
			b.paced = b.paced || en.paced
			b.mu.Unlock()
		}
	}
	return i
}
