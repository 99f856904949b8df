package report

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/flintads/flint/internal/clock"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
)

// Store is what reports read.
type Store interface {
	AdDayStats(ctx context.Context, q model.StatsQuery) ([]model.StatsRow, error)
	ConversionRevenue(ctx context.Context, q model.RevenueQuery) ([]model.RevenueRow, error)
	OrderRevenue(ctx context.Context, q model.RevenueQuery) ([]model.RevenueRow, error)
	ChannelSpend(ctx context.Context, q model.SpendQuery) ([]model.SpendRow, error)
	Channels(ctx context.Context, advertiserID string) ([]string, error)
	Impressions(ctx context.Context, advertiserID string, from, to time.Time, keyFrom, keyTo []byte,
		fn func(adID, viewerID string, at time.Time) error) error
	AdHourStats(ctx context.Context, advertiserID string, from, to time.Time) ([]model.AdHourRow, error)
	PostActivity(ctx context.Context, postIDs []string, since time.Time) (map[string]model.PostActivity, error)
	PostStats(ctx context.Context, postIDs []string) (map[string]model.PostStats, error)
	ListCampaigns(ctx context.Context, advertiserID string) ([]model.Campaign, error)
	ListAdGroups(ctx context.Context, advertiserID, campaignID string) ([]model.AdGroup, error)
	ListAds(ctx context.Context, advertiserID, adGroupID string) ([]model.Ad, error)
	ListPosts(ctx context.Context, creatorID string) ([]model.Post, error)
	ListSparkPosts(ctx context.Context, advertiserID string) ([]model.SparkPost, error)
	GetPost(ctx context.Context, id string) (model.Post, error)
	GetAccount(ctx context.Context, id string) (model.Account, error)
}

// Channel names our own ads: Name in reports, and the aliases questions
// may use for it ("tiktok", "spark").
type Channel struct {
	Name    string
	Aliases []string
}

// DefaultChannel is our own ads' channel unless configured otherwise.
var DefaultChannel = Channel{Name: "flint", Aliases: []string{"tiktok", "spark", "spark ads"}}

// Is reports whether name names our own ads.
func (c Channel) Is(name string) bool {
	name = strings.ToLower(strings.TrimSpace(name))
	return name == c.Name || slices.Contains(c.Aliases, name)
}

// Service builds reports for advertisers.
type Service struct {
	store     Store
	clock     clock.Clock
	own       Channel
	retention time.Duration
	tokenTTL  time.Duration
}

// Options configure a Service.
type Options struct {
	// Channel names our own ads (DefaultChannel when empty).
	Channel Channel
	// Retention is how long raw events are kept: reach, counted from them,
	// is only known for days inside it (0: forever).
	Retention time.Duration
	// TokenTTL is how long after its decision an ad event may come.
	TokenTTL time.Duration
}

// New returns a Service.
func New(s Store, c clock.Clock, o Options) *Service {
	if o.Channel.Name == "" {
		o.Channel = DefaultChannel
	}
	if o.TokenTTL == 0 {
		o.TokenTTL = 24 * time.Hour
	}
	return &Service{store: s, clock: c, own: o.Channel, retention: o.Retention, tokenTTL: o.TokenTTL}
}

// OwnChannel is the name and aliases of our own ads.
func (s *Service) OwnChannel() Channel { return s.own }

// Label is a dimension value: the id it stands for (when it has one) and
// what people read.
type Label struct {
	ID   string
	Name string
}

// Value is one metric cell. Null means not measured (or a rate over zero).
type Value struct {
	Null  bool
	Int   int64        // Count
	Money money.Micros // Money
	Float float64      // Ratio, Seconds
}

// Row is one line of a report: a label per dimension, a value per metric.
type Row struct {
	Labels []Label
	Values []Value
	// Other is set on the row that sums the rows a limit left out: how
	// many rows it stands for.
	Other int

	sortKey *sums
}

// Excluded is an amount left out of the sums because it is in another
// currency than the advertiser's.
type Excluded struct {
	Source   string // "spend", "store revenue", "conversion revenue"
	Channel  string
	Currency string
	Amount   money.Micros
}

// Report is a query's answer.
type Report struct {
	Query      Query
	Currency   string
	Timezone   string
	Dimensions []Dimension
	Metrics    []Metric
	Rows       []Row
	Totals     Row
	Excluded   []Excluded
	Notes      []string
	Comparison *Report

	totalReach int64
	reachKnown bool
}

// sums are the additive measures of one row, and which were measured.
type sums struct {
	own                              bool // our own ads contributed
	impressions, clicks              int64
	impMeasured, clickMeasured       bool
	views2s, views6s, completes      int64
	watchMS                          int64
	likes, comments, shares, follows int64
	spend                            money.Micros
	spendMeasured                    bool
	conversions                      int64
	convMeasured                     bool
	convRevenue, convRevenueAll      money.Micros
	convRevenueMeasured              bool
	storeRevenue                     money.Micros
	storeMeasured                    bool
	reach                            int64
	reachMeasured                    bool
}

func (a *sums) add(b *sums) {
	a.own = a.own || b.own
	a.impressions += b.impressions
	a.clicks += b.clicks
	a.impMeasured = a.impMeasured || b.impMeasured
	a.clickMeasured = a.clickMeasured || b.clickMeasured
	a.views2s += b.views2s
	a.views6s += b.views6s
	a.completes += b.completes
	a.watchMS += b.watchMS
	a.likes += b.likes
	a.comments += b.comments
	a.shares += b.shares
	a.follows += b.follows
	a.spend += b.spend
	a.spendMeasured = a.spendMeasured || b.spendMeasured
	a.conversions += b.conversions
	a.convMeasured = a.convMeasured || b.convMeasured
	a.convRevenue += b.convRevenue
	a.convRevenueAll += b.convRevenueAll
	a.convRevenueMeasured = a.convRevenueMeasured || b.convRevenueMeasured
	a.storeRevenue += b.storeRevenue
	a.storeMeasured = a.storeMeasured || b.storeMeasured
}

// value computes metric m from the sums: rates from the sums, never
// averaged; null when not measured or over zero.
func (a *sums) value(m Metric) Value {
	null := Value{Null: true}
	count := func(ok bool, n int64) Value {
		if !ok {
			return null
		}
		return Value{Int: n}
	}
	amount := func(ok bool, n money.Micros) Value {
		if !ok {
			return null
		}
		return Value{Money: n}
	}
	ratio := func(ok bool, num, den float64) Value {
		if !ok || den == 0 {
			return null
		}
		return Value{Float: num / den}
	}
	per := func(ok bool, amount money.Micros, n int64, scale int64) Value {
		if !ok || n == 0 {
			return null
		}
		return Value{Money: divRound(amount*money.Micros(scale), n)}
	}
	revenue := a.convRevenue + a.storeRevenue
	revenueOK := a.convRevenueMeasured || a.storeMeasured
	switch m {
	case Spend:
		return amount(a.spendMeasured, a.spend)
	case Impressions:
		return count(a.impMeasured, a.impressions)
	case Reach:
		return count(a.reachMeasured, a.reach)
	case Clicks:
		return count(a.clickMeasured, a.clicks)
	case CTR:
		return ratio(a.impMeasured && a.clickMeasured, float64(a.clicks), float64(a.impressions))
	case CPC:
		return per(a.spendMeasured && a.clickMeasured, a.spend, a.clicks, 1)
	case CPM:
		return per(a.spendMeasured && a.impMeasured, a.spend, a.impressions, 1000)
	case Views:
		return count(a.own, a.impressions)
	case Views2s:
		return count(a.own, a.views2s)
	case Views6s:
		return count(a.own, a.views6s)
	case Completions:
		return count(a.own, a.completes)
	case AvgWatchTime:
		return ratio(a.own, float64(a.watchMS)/1000, float64(a.impressions))
	case Likes:
		return count(a.own, a.likes)
	case Comments:
		return count(a.own, a.comments)
	case Shares:
		return count(a.own, a.shares)
	case Follows:
		return count(a.own, a.follows)
	case EngagementRate:
		return ratio(a.own, float64(a.likes+a.comments+a.shares), float64(a.impressions))
	case Conversions:
		return count(a.convMeasured, a.conversions)
	case CPA:
		return per(a.spendMeasured && a.convMeasured, a.spend, a.conversions, 1)
	case Revenue:
		return amount(revenueOK, revenue)
	case StoreRevenue:
		return amount(a.storeMeasured, a.storeRevenue)
	case ConversionRevenue:
		return amount(a.convRevenueMeasured, a.convRevenueAll)
	case ROAS:
		return ratio(revenueOK && a.spendMeasured, float64(revenue), float64(a.spend))
	case StoreROAS:
		return ratio(a.storeMeasured && a.spendMeasured, float64(a.storeRevenue), float64(a.spend))
	}
	return null
}

// divRound divides an amount by n, rounding halves away from zero.
func divRound(m money.Micros, n int64) money.Micros {
	q, r := m/money.Micros(n), m%money.Micros(n)
	if 2*r >= money.Micros(n) {
		q++
	}
	return q
}

// facts says where one piece of data lands: its dimension values.
type facts struct {
	day                                model.Day
	hour                               time.Time // the UTC hour, for hourly reports
	channel                            string    // "" for unattributed revenue
	campaignID, campaignName           string    // imported campaigns: name only
	adGroupID, adID, postID, creatorID string
	unattributed                       bool
}

// Run builds the report q asks for, for the advertiser.
func (s *Service) Run(ctx context.Context, adv model.Account, q Query) (*Report, error) {
	campaigns, err := s.store.ListCampaigns(ctx, adv.ID)
	if err != nil {
		return nil, err
	}
	r, err := s.run(ctx, adv, q, q.Period, campaigns)
	if err != nil || q.Compare == nil {
		return r, err
	}
	if r.Comparison, err = s.run(ctx, adv, q, *q.Compare, campaigns); err != nil {
		return nil, err
	}
	return r, nil
}

// directory names the advertiser's campaigns, ad groups, ads, posts and
// creators, loaded only as far as a report needs.
type directory struct {
	loc       *time.Location // the advertiser's time zone
	campaigns map[string]string
	adGroups  map[string]string
	ads       map[string]model.Ad
	posts     map[string]string
	creators  map[string]string
	// postCreator maps the posts of the advertiser's library to their creators.
	postCreator map[string]string
}

func (s *Service) run(ctx context.Context, adv model.Account, q Query, period Period, campaigns []model.Campaign) (*Report, error) {
	loc := zone(adv.Timezone)
	today := model.DayOf(s.clock.Now(), loc)
	rep := &Report{Query: q, Currency: adv.Currency, Timezone: loc.String(), Dimensions: q.Dimensions, Metrics: q.Metrics}
	rep.Query.Period = period
	has := func(d Dimension) bool { return slices.Contains(q.Dimensions, d) }
	wants := func(ms ...Metric) bool {
		for _, m := range ms {
			if slices.Contains(q.Metrics, m) || Metric(q.Sort.By) == m {
				return true
			}
		}
		return false
	}
	keepChannel := func(ch string) bool {
		if len(q.Channels) == 0 {
			return true
		}
		for _, c := range q.Channels {
			if strings.EqualFold(c, ch) || (ch == s.own.Name && s.own.Is(c)) {
				return true
			}
		}
		return false
	}
	adLevel := has(DimAdGroup) || has(DimAd) || has(DimPost) || has(DimCreator) ||
		len(q.AdGroups)+len(q.Ads)+len(q.Posts)+len(q.Creators) > 0
	dir := &directory{loc: loc, campaigns: make(map[string]string, len(campaigns))}
	for _, c := range campaigns {
		dir.campaigns[c.ID] = c.Name
	}
	hourly := has(DimHour)
	needAds := adLevel && wants(Conversions, CPA, Revenue, StoreRevenue, ConversionRevenue, ROAS, StoreROAS) || wants(Reach) ||
		hourly
	if needAds || has(DimAdGroup) || has(DimAd) || has(DimPost) || has(DimCreator) {
		if err := s.loadDirectory(ctx, adv.ID, dir, has(DimPost), has(DimCreator)); err != nil {
			return nil, err
		}
	}
	groups := map[string]*group{}
	var order []string
	add := func(f facts, v *sums) {
		if !s.keep(q, f) {
			return
		}
		labels := s.labels(q.Dimensions, f, dir)
		key := labelKey(labels)
		g := groups[key]
		if g == nil {
			g = &group{labels: labels}
			groups[key] = g
			order = append(order, key)
		}
		g.sums.add(v)
	}

	// Our own ads.
	if keepChannel(s.own.Name) && hourly {
		rows, err := s.store.AdHourStats(ctx, adv.ID, localStart(period.From, loc), localStart(period.To+1, loc))
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			ad, ok := dir.ads[r.AdID]
			if !ok {
				continue
			}
			st := &r.Stats
			v := sums{own: true, impressions: st.Impressions, clicks: st.Clicks, impMeasured: true, clickMeasured: true,
				views2s: st.Views2s, views6s: st.Views6s, completes: st.Completes, watchMS: st.WatchMS, likes: st.Likes,
				comments: st.Comments, shares: st.Shares, follows: st.Follows, spend: st.Spend, spendMeasured: true}
			add(facts{day: model.DayOf(r.Hour, loc), hour: r.Hour, channel: s.own.Name, campaignID: ad.CampaignID,
				adGroupID: ad.AdGroupID, adID: ad.ID, postID: ad.PostID, creatorID: dir.creatorOf(ad.PostID)}, &v)
		}
		rep.Notes = append(rep.Notes, "Hours are the hourly rollups' UTC hours, named by their start in "+loc.String()+
			"; revenue and conversions are counted by day, so they are not shown by hour.")
	} else if keepChannel(s.own.Name) {
		sq := model.StatsQuery{AdvertiserID: adv.ID, From: period.From, To: period.To, Today: today, Campaigns: q.Campaigns,
			AdGroups: q.AdGroups, Ads: q.Ads, Posts: q.Posts, Creators: q.Creators}
		for _, d := range q.Dimensions {
			switch d {
			case DimDay, DimWeek, DimMonth:
				sq.GroupBy |= model.ByDay
			case DimCampaign:
				sq.GroupBy |= model.ByCampaign
			case DimAdGroup:
				sq.GroupBy |= model.ByAdGroup
			case DimAd:
				sq.GroupBy |= model.ByAd
			case DimPost:
				sq.GroupBy |= model.ByPost
			case DimCreator:
				sq.GroupBy |= model.ByCreator
			}
		}
		rows, err := s.store.AdDayStats(ctx, sq)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			st := &r.Stats
			v := sums{own: true, impressions: st.Impressions, clicks: st.Clicks, impMeasured: true, clickMeasured: true,
				views2s: st.Views2s, views6s: st.Views6s, completes: st.Completes, watchMS: st.WatchMS, likes: st.Likes,
				comments: st.Comments, shares: st.Shares, follows: st.Follows, spend: st.Spend, spendMeasured: true}
			add(facts{day: r.Day, channel: s.own.Name, campaignID: r.CampaignID, adGroupID: r.AdGroupID, adID: r.AdID,
				postID: r.PostID, creatorID: r.CreatorID}, &v)
		}
	}

	revenueWanted := wants(Conversions, CPA, Revenue, StoreRevenue, ConversionRevenue, ROAS, StoreROAS) && !hourly
	rq := model.RevenueQuery{AdvertiserID: adv.ID, From: period.From, To: period.To, Today: today,
		ByDay: slices.ContainsFunc(q.Dimensions, Dimension.Time)}
	if revenueWanted {
		conv, err := s.store.ConversionRevenue(ctx, rq)
		if err != nil {
			return nil, err
		}
		orders, err := s.store.OrderRevenue(ctx, rq)
		if err != nil {
			return nil, err
		}
		measured := sums{convMeasured: len(conv)+len(orders) > 0, convRevenueMeasured: len(conv) > 0,
			storeMeasured: len(orders) > 0}
		// Rows of our own ads carry the revenue measures even when nothing
		// was sold there: 0, not null.
		for _, g := range groups {
			if g.sums.own {
				g.sums.add(&measured)
			}
		}
		for _, r := range conv {
			f, ok := s.revenueFacts(r, dir)
			if !ok || !keepChannel(s.own.Name) {
				continue
			}
			if r.Currency != adv.Currency {
				rep.exclude("conversion revenue", s.own.Name, r.Currency, r.Value)
				continue
			}
			v := measured
			v.convRevenueAll = r.Value
			if !r.DuplicateOfOrder {
				v.conversions, v.convRevenue = r.Count, r.Value
			}
			add(f, &v)
		}
		for _, r := range orders {
			f, ok := s.revenueFacts(r, dir)
			if !ok || (!f.unattributed && !keepChannel(s.own.Name)) {
				continue
			}
			if r.Currency != adv.Currency {
				rep.exclude("store revenue", f.channel, r.Currency, r.Value)
				continue
			}
			v := measured
			v.conversions, v.storeRevenue = r.Count, r.Value
			add(f, &v)
		}
	}

	// Other channels' spend, spread over the days of each export row.
	if !adLevel && !hourly {
		spend, err := s.store.ChannelSpend(ctx, model.SpendQuery{AdvertiserID: adv.ID, From: period.From, To: period.To})
		if err != nil {
			return nil, err
		}
		for _, r := range spend {
			if !keepChannel(r.Channel) || (len(q.Campaigns) > 0 && !slices.Contains(q.Campaigns, r.Campaign)) {
				continue
			}
			n := int64(r.SpanEnd-r.SpanStart) + 1
			for d := max(r.SpanStart, period.From); d <= min(r.SpanEnd, period.To); d++ {
				i := int64(d - r.SpanStart)
				amount := share(int64(r.Spend), n, i)
				if r.Currency != adv.Currency {
					rep.exclude("spend", r.Channel, r.Currency, money.Micros(amount))
					continue
				}
				v := sums{spend: money.Micros(amount), spendMeasured: true}
				if r.Impressions != nil {
					v.impressions, v.impMeasured = share(*r.Impressions, n, i), true
				}
				if r.Clicks != nil {
					v.clicks, v.clickMeasured = share(*r.Clicks, n, i), true
				}
				if r.Conversions != nil {
					v.conversions, v.convMeasured = share(*r.Conversions, n, i), true
				}
				add(facts{day: d, channel: r.Channel, campaignName: r.Campaign, campaignID: r.Channel + ":" + r.Campaign}, &v)
			}
		}
	} else if len(q.Channels) != 1 || !s.own.Is(q.Channels[0]) {
		rep.Notes = append(rep.Notes, "Other channels' spend is not broken down by ad group, ad, post or creator; it is left out.")
	}

	if wants(Reach) {
		if err := s.reach(ctx, adv, q, period, loc, dir, groups, rep); err != nil {
			return nil, err
		}
	}

	rep.Rows = make([]Row, 0, len(groups))
	var total sums
	for _, key := range order {
		g := groups[key]
		total.add(&g.sums)
		rep.Rows = append(rep.Rows, Row{Labels: g.labels, Values: values(&g.sums, q.Metrics), sortKey: &g.sums})
	}
	if wants(Reach) {
		total.reach, total.reachMeasured = rep.totalReach, rep.reachKnown
	}
	s.sortRows(q, rep.Rows)
	if q.Limit > 0 && len(rep.Rows) > q.Limit {
		var other sums
		for _, r := range rep.Rows[q.Limit:] {
			other.add(r.sortKey)
		}
		other.reachMeasured = false
		labels := make([]Label, len(q.Dimensions))
		for i := range labels {
			labels[i] = Label{Name: "other"}
		}
		n := len(rep.Rows) - q.Limit
		rep.Rows = append(rep.Rows[:q.Limit], Row{Labels: labels, Values: values(&other, q.Metrics), Other: n})
	}
	rep.Totals = Row{Values: values(&total, q.Metrics)}
	apportion(rep, money.Decimals(adv.Currency))
	slices.SortFunc(rep.Excluded, func(a, b Excluded) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.Channel, b.Channel), cmp.Compare(a.Currency, b.Currency))
	})
	if len(rep.Excluded) > 0 {
		rep.Notes = append(rep.Notes, "Amounts in other currencies than "+adv.Currency+" are listed under excluded, not added in.")
	}
	return rep, nil
}

// additive are the money metrics whose rows add up to the totals.
var additive = map[Metric]bool{Spend: true, Revenue: true, StoreRevenue: true, ConversionRevenue: true}

// apportion rounds the additive money columns to the currency's minor
// units so that the rows still add up to the (rounded) total: each row is
// rounded down, and the units left over go to the rows with the largest
// remainders. Every row stays within one minor unit of its exact amount.
func apportion(rep *Report, decimals int) {
	step := money.Micros(1)
	for range 6 - min(decimals, 6) {
		step *= 10
	}
	for i, m := range rep.Metrics {
		if !additive[m] || rep.Totals.Values[i].Null {
			continue
		}
		total := rep.Totals.Values[i].Money.Round(decimals)
		rep.Totals.Values[i].Money = total
		type part struct {
			row int
			rem money.Micros
		}
		var parts []part
		var sum money.Micros
		for r := range rep.Rows {
			v := &rep.Rows[r].Values[i]
			if v.Null {
				continue
			}
			floor := v.Money / step * step
			parts = append(parts, part{r, v.Money - floor})
			v.Money = floor
			sum += floor
		}
		slices.SortStableFunc(parts, func(a, b part) int { return cmp.Compare(b.rem, a.rem) })
		for k := 0; sum < total && k < len(parts); k++ {
			rep.Rows[parts[k].row].Values[i].Money += step
			sum += step
		}
	}
}

// group is one row being summed.
type group struct {
	labels []Label
	sums   sums
}

func values(s *sums, ms []Metric) []Value {
	out := make([]Value, len(ms))
	for i, m := range ms {
		out[i] = s.value(m)
	}
	return out
}

// share is part i of n of total, spread evenly (the first total%n parts
// get one more unit), so the parts add up to the total.
func share(total, n, i int64) int64 {
	q, r := total/n, total%n
	if i < r {
		return q + 1
	}
	return q
}

func (r *Report) exclude(source, channel, currency string, amount money.Micros) {
	for i := range r.Excluded {
		e := &r.Excluded[i]
		if e.Source == source && e.Channel == channel && e.Currency == currency {
			e.Amount += amount
			return
		}
	}
	r.Excluded = append(r.Excluded, Excluded{Source: source, Channel: channel, Currency: currency, Amount: amount})
}

// revenueFacts places a conversion or order row: at its ad when it has
// one, else its campaign, else on the unattributed line.
func (s *Service) revenueFacts(r model.RevenueRow, dir *directory) (facts, bool) {
	f := facts{day: r.Day, channel: s.own.Name, campaignID: r.CampaignID, adID: r.AdID}
	if r.CampaignID == "" {
		return facts{day: r.Day, unattributed: true}, true
	}
	if r.AdID != "" && dir.ads != nil {
		ad, ok := dir.ads[r.AdID]
		if !ok {
			return f, false
		}
		f.adGroupID, f.postID = ad.AdGroupID, ad.PostID
		f.creatorID = dir.creatorOf(ad.PostID)
	}
	return f, true
}

// keep applies the query's filters to revenue and imported rows (the
// store applies them to our own ads' rollups).
func (s *Service) keep(q Query, f facts) bool {
	if f.unattributed {
		// Unattributed revenue has no campaign, ad or post to filter on: it
		// shows unless the query asks for particular ones.
		return !q.AttributedOnly && len(q.Campaigns)+len(q.AdGroups)+len(q.Ads)+len(q.Posts)+len(q.Creators) == 0
	}
	in := func(filter []string, v string) bool { return len(filter) == 0 || slices.Contains(filter, v) }
	if f.channel != s.own.Name {
		return true // imported rows were filtered by campaign name already
	}
	return in(q.Campaigns, f.campaignID) && in(q.AdGroups, f.adGroupID) && in(q.Ads, f.adID) && in(q.Posts, f.postID) &&
		in(q.Creators, f.creatorID)
}

// labels names the dimension values of f.
func (s *Service) labels(dims []Dimension, f facts, dir *directory) []Label {
	out := make([]Label, len(dims))
	none := Label{Name: "—"}
	for i, d := range dims {
		switch d {
		case DimDay:
			out[i] = Label{Name: f.day.String()}
		case DimHour:
			// The instant names the row (two local hours share a name when
			// clocks go back); the name is local.
			out[i] = Label{ID: f.hour.UTC().Format(time.RFC3339), Name: f.hour.In(dir.loc).Format("2006-01-02 15:04")}
		case DimWeek:
			y, m, dd := f.day.Date()
			wd := int(time.Date(y, m, dd, 0, 0, 0, 0, time.UTC).Weekday()+6) % 7 // Monday first
			out[i] = Label{Name: (f.day - model.Day(wd)).String()}
		case DimMonth:
			out[i] = Label{Name: f.day.String()[:7]}
		case DimChannel:
			if f.unattributed {
				out[i] = Label{Name: "unattributed"}
			} else {
				out[i] = Label{ID: f.channel, Name: f.channel}
			}
		case DimCampaign:
			switch {
			case f.unattributed:
				out[i] = Label{Name: "(unattributed)"}
			case f.campaignName != "":
				name := f.campaignName
				if !slices.Contains(dims, DimChannel) {
					name += " (" + f.channel + ")"
				}
				out[i] = Label{ID: f.campaignID, Name: name}
			case f.campaignID == "":
				out[i] = none
			default:
				out[i] = Label{ID: f.campaignID, Name: cmp.Or(dir.campaigns[f.campaignID], f.campaignID)}
			}
		case DimAdGroup:
			out[i] = dir.label(f.adGroupID, dir.adGroups, f.unattributed)
		case DimAd:
			name := ""
			if ad, ok := dir.ads[f.adID]; ok {
				name = ad.Name
			}
			out[i] = Label{ID: f.adID, Name: cmp.Or(name, f.adID)}
			if f.adID == "" {
				out[i] = unattributedOr(f.unattributed)
			}
		case DimPost:
			out[i] = dir.label(f.postID, dir.posts, f.unattributed)
		case DimCreator:
			out[i] = dir.label(f.creatorID, dir.creators, f.unattributed)
		}
	}
	return out
}

func unattributedOr(u bool) Label {
	if u {
		return Label{Name: "(unattributed)"}
	}
	return Label{Name: "—"}
}

func (d *directory) label(id string, names map[string]string, unattributed bool) Label {
	if id == "" {
		return unattributedOr(unattributed)
	}
	return Label{ID: id, Name: cmp.Or(names[id], id)}
}

func (d *directory) creatorOf(postID string) string { return d.postCreator[postID] }

func labelKey(ls []Label) string {
	var b strings.Builder
	for _, l := range ls {
		b.WriteString(l.ID)
		b.WriteByte(0)
		b.WriteString(l.Name)
		b.WriteByte(0)
	}
	return b.String()
}

// loadDirectory reads the advertiser's ad groups and ads, and the posts
// and creators they deliver when asked.
func (s *Service) loadDirectory(ctx context.Context, advertiserID string, d *directory, posts, creators bool) error {
	groups, err := s.store.ListAdGroups(ctx, advertiserID, "")
	if err != nil {
		return err
	}
	d.adGroups = make(map[string]string, len(groups))
	for _, g := range groups {
		d.adGroups[g.ID] = g.Name
	}
	ads, err := s.store.ListAds(ctx, advertiserID, "")
	if err != nil {
		return err
	}
	d.ads = make(map[string]model.Ad, len(ads))
	for _, a := range ads {
		d.ads[a.ID] = a
	}
	lib, err := s.store.ListSparkPosts(ctx, advertiserID)
	if err != nil {
		return err
	}
	d.postCreator = make(map[string]string, len(lib))
	for _, sp := range lib {
		d.postCreator[sp.PostID] = sp.CreatorID
	}
	if posts {
		d.posts = map[string]string{}
		for _, sp := range lib {
			if p, err := s.store.GetPost(ctx, sp.PostID); err == nil {
				d.posts[p.ID] = captionLabel(p.Caption, p.ID)
			}
		}
	}
	if creators {
		d.creators = map[string]string{}
		for _, sp := range lib {
			if _, ok := d.creators[sp.CreatorID]; ok {
				continue
			}
			if a, err := s.store.GetAccount(ctx, sp.CreatorID); err == nil {
				d.creators[a.ID] = "@" + a.Handle
			}
		}
	}
	return nil
}

func captionLabel(caption, id string) string {
	caption = strings.Join(strings.Fields(caption), " ")
	if caption == "" {
		return id
	}
	if r := []rune(caption); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return caption
}

// sortRows orders rows by the query's sort, else by the time dimension
// (oldest first) and then the first metric, largest first. Nulls go last.
func (s *Service) sortRows(q Query, rows []Row) {
	metricIndex := func(m Metric) int { return slices.Index(q.Metrics, m) }
	dimIndex := func(d Dimension) int { return slices.Index(q.Dimensions, d) }
	compareValue := func(a, b Row, m Metric) int {
		var va, vb Value
		if i := metricIndex(m); i >= 0 {
			va, vb = a.Values[i], b.Values[i]
		} else {
			va, vb = a.sortKey.value(m), b.sortKey.value(m)
		}
		if va.Null || vb.Null {
			return cmpBool(va.Null, vb.Null)
		}
		return cmp.Or(cmp.Compare(va.Int, vb.Int), cmp.Compare(va.Money, vb.Money), cmp.Compare(va.Float, vb.Float))
	}
	slices.SortStableFunc(rows, func(a, b Row) int {
		if q.Sort.By != "" {
			var c int
			if i := dimIndex(Dimension(q.Sort.By)); i >= 0 {
				c = strings.Compare(a.Labels[i].Name, b.Labels[i].Name)
			} else {
				c = compareValue(a, b, Metric(q.Sort.By))
				if a.sortKey.value(Metric(q.Sort.By)).Null != b.sortKey.value(Metric(q.Sort.By)).Null {
					return c // nulls last either way
				}
			}
			if q.Sort.Desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		for i, d := range q.Dimensions {
			if d.Time() {
				if c := strings.Compare(a.Labels[i].Name, b.Labels[i].Name); c != 0 {
					return c
				}
			}
		}
		if len(q.Metrics) > 0 {
			va, vb := a.Values[0], b.Values[0]
			if va.Null != vb.Null {
				return cmpBool(va.Null, vb.Null)
			}
			if c := -cmp.Or(cmp.Compare(va.Int, vb.Int), cmp.Compare(va.Money, vb.Money), cmp.Compare(va.Float, vb.Float)); c != 0 {
				return c
			}
		}
		return strings.Compare(labelKey(a.Labels), labelKey(b.Labels))
	})
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// zone returns the named time zone, UTC when the name is not one.
func zone(name string) *time.Location {
	if loc, err := time.LoadLocation(name); err == nil && name != "" && name != "Local" {
		return loc
	}
	return time.UTC
}

// localStart returns the instant local day d starts in loc.
func localStart(d model.Day, loc *time.Location) time.Time {
	y, m, dd := d.Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, loc)
}
