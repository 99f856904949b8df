package report

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/flintads/flint/internal/apperr"
	"github.com/flintads/flint/internal/model"
)

// CodeQuestionNotUnderstood is the error of a question the parser cannot
// turn into a report, or that asks for something Flint does not measure.
const CodeQuestionNotUnderstood = "QUESTION_NOT_UNDERSTOOD"

// MaxQuestion is the longest question accepted, in bytes.
const MaxQuestion = 500

// QuestionContext is what parsing a question needs to know: today, the
// advertiser's zone, our own channel, the channels it imported spend for,
// and its campaigns (to find "for campaign Summer").
type QuestionContext struct {
	Now       time.Time
	Location  *time.Location
	Own       Channel
	Imported  []string
	Campaigns []model.Campaign
}

// Interpretation says how a question was read.
type Interpretation struct {
	// Summary is one sentence saying what the report shows.
	Summary       string
	Metrics       []Metric
	Dimensions    []Dimension
	Period        Period
	PeriodText    string // "this month", "last 7 days", …
	Compare       *Period
	Channels      []string
	Campaigns     []string
	Limit         int
	Chart         string // line, bar, grouped_bar, number
	Notes         []string
	Understood    []string // the phrases that were used
	NotUnderstood []string
	Unsupported   []string
}

// QuestionError is a question that cannot be answered: what was
// understood, what was not, what Flint does not measure, and a close
// question that it can answer.
type QuestionError struct {
	Err            *apperr.Error
	Interpretation Interpretation
	Suggestion     string
}

func (e *QuestionError) Error() string { return e.Err.Error() }
func (e *QuestionError) Unwrap() error { return e.Err }

// unsupported names things people ask for that Flint does not measure.
var unsupported = map[string]string{
	"units sold": "units sold", "units": "units sold", "quantity": "units sold", "items sold": "units sold",
	"new customers": "new customers", "returning customers": "returning customers", "customers": "customers",
	"lifetime value": "lifetime value", "ltv": "lifetime value", "clv": "lifetime value", "customer lifetime value": "lifetime value",
	"profit": "profit", "profits": "profit", "margin": "margin", "margins": "margin", "average order value": "average order value",
	"aov": "average order value", "bounce rate": "bounce rate", "sessions": "website sessions", "traffic": "website traffic",
	"website traffic": "website traffic", "page views": "page views", "pageviews": "page views", "add to cart": "add-to-carts",
	"add to carts": "add-to-carts", "refunds": "refunds", "returns": "returns", "churn": "churn", "inventory": "inventory",
}

// closeMetric is what Flint can show instead of something it does not
// measure, for the suggested question.
var closeMetric = map[string]Metric{"units sold": Conversions, "new customers": Conversions, "customers": Conversions,
	"returning customers": Conversions, "lifetime value": Revenue, "profit": ROAS, "margin": ROAS,
	"average order value": Revenue, "website traffic": Clicks, "website sessions": Clicks, "page views": Clicks,
	"bounce rate": CTR, "add-to-carts": Conversions}

// metricWords maps phrases to metrics.
var metricWords = map[string]Metric{
	"spend": Spend, "spent": Spend, "spending": Spend, "cost": Spend, "costs": Spend, "amount spent": Spend, "ad spend": Spend,
	"budget spent": Spend,
	"impressions":  Impressions, "impression": Impressions, "impr": Impressions,
	"reach": Reach, "unique viewers": Reach, "people reached": Reach, "viewers": Reach,
	"clicks": Clicks, "click": Clicks, "link clicks": Clicks,
	"ctr": CTR, "click through rate": CTR, "click-through rate": CTR, "clickthrough rate": CTR, "click rate": CTR,
	"cpc": CPC, "cost per click": CPC, "cpm": CPM, "cost per mille": CPM, "cost per thousand": CPM,
	"cost per thousand impressions": CPM,
	"views":                         Views, "video views": Views, "plays": Views, "2s views": Views2s, "2 second views": Views2s,
	"2-second views": Views2s, "6s views": Views6s, "6 second views": Views6s, "6-second views": Views6s,
	"completions": Completions, "completed views": Completions, "complete views": Completions, "full views": Completions,
	"average watch time": AvgWatchTime, "avg watch time": AvgWatchTime, "watch time": AvgWatchTime,
	"watch times": AvgWatchTime,
	"likes":       Likes, "comments": Comments, "shares": Shares, "follows": Follows, "followers": Follows,
	"new followers": Follows, "engagement rate": EngagementRate, "engagement": EngagementRate,
	"conversions": Conversions, "purchases": Conversions, "orders": Conversions, "sales count": Conversions,
	"cpa": CPA, "cost per purchase": CPA, "cost per acquisition": CPA, "cost per conversion": CPA, "cost per order": CPA,
	"revenue": Revenue, "sales": Revenue, "income": Revenue, "earnings": Revenue,
	"conversion revenue": ConversionRevenue, "pixel revenue": ConversionRevenue, "conversion value": ConversionRevenue,
	"roas": ROAS, "return on ad spend": ROAS, "return on spend": ROAS,
}

var dimensionWords = map[string]Dimension{
	"campaign": DimCampaign, "campaigns": DimCampaign, "ad group": DimAdGroup, "ad groups": DimAdGroup,
	"adgroup": DimAdGroup, "adgroups": DimAdGroup, "ad set": DimAdGroup, "ad sets": DimAdGroup, "ad": DimAd, "ads": DimAd,
	"post": DimPost, "posts": DimPost, "video": DimPost, "videos": DimPost, "creator": DimCreator, "creators": DimCreator,
	"day": DimDay, "days": DimDay, "date": DimDay, "week": DimWeek, "weeks": DimWeek, "month": DimMonth, "months": DimMonth,
	"channel": DimChannel, "channels": DimChannel, "platform": DimChannel, "platforms": DimChannel,
}

var soloDimensions = map[string]Dimension{
	"daily": DimDay, "weekly": DimWeek, "monthly": DimMonth, "day by day": DimDay, "side by side": DimChannel,
	"across channels": DimChannel,
}

// stopWords carry no meaning for the report.
var stopWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`show me a an the report reports comparing compare comparison of for and with my our
		what was were is are how much many did do does we i give get list please to on all total totals breakdown
		broken down chart graph table see view tell about at as it its their there this that these those can you could
		would like want need display pull up make create generate let us look performance performing results numbers
		stats statistics data overview summary per each by from in vs versus against compared between which who where
		when up so far far spent? been have has had then than`) {
		stopWords[w] = true
	}
}

var monthNames = map[string]time.Month{"january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
	"apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9,
	"sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12}

var numberWords = map[string]int{"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
	"nine": 9, "ten": 10, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30}

// parser holds the state of parsing one question.
type parser struct {
	ctx   QuestionContext
	toks  []string
	raw   []string // the tokens as written, for campaign names
	used  []bool
	today model.Day

	metrics      []Metric
	metricChan   map[Metric][]string // channels a spend-side metric was qualified with
	dims         []Dimension
	period       *Period
	periodText   string
	compare      *Period
	compareText  string
	channels     []string
	campaigns    []string
	campaignText []string
	limit        int
	desc         bool
	sortSet      bool
	notes        []string
	understood   []string
	unsupported  []string
	pendingChan  string // a channel named just before a metric
	pendingStore bool   // "shopify"/"store" just before revenue
	vs           bool
	correct      bool // suggest spelling fixes
}

// ParseQuestion turns a plain-English question into a report query. It is
// deterministic and does no I/O.
func ParseQuestion(question string, ctx QuestionContext) (Query, Interpretation, error) {
	if ctx.Location == nil {
		ctx.Location = time.UTC
	}
	if ctx.Own.Name == "" {
		ctx.Own = DefaultChannel
	}
	if len(question) > MaxQuestion {
		return Query{}, Interpretation{}, apperr.Invalidf("q", "a question may be at most %d characters", MaxQuestion)
	}
	if strings.TrimSpace(question) == "" {
		return Query{}, Interpretation{}, apperr.Missing("q")
	}
	return parse(question, ctx, true)
}

// parse parses a question; correct allows suggesting spelling fixes
// (which parses the fixed question once more, without them).
func parse(question string, ctx QuestionContext, correct bool) (Query, Interpretation, error) {
	p := &parser{ctx: ctx, metricChan: map[Metric][]string{}, today: model.DayOf(ctx.Now, ctx.Location), correct: correct}
	p.tokenize(question)
	p.scan()
	return p.finish()
}

func (p *parser) tokenize(q string) {
	var cur strings.Builder
	var raw strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			p.toks = append(p.toks, cur.String())
			p.raw = append(p.raw, raw.String())
			cur.Reset()
			raw.Reset()
		}
	}
	for _, r := range q {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '@' || r == '_' || r == '\'' || r == '’' || r == '/':
			if r == '’' {
				r = '\''
			}
			cur.WriteRune(unicode.ToLower(r))
			raw.WriteRune(r)
		case r == '.' && cur.Len() > 0:
			// "vs." and decimal points: drop the dot.
		default:
			flush()
		}
	}
	flush()
	for i, t := range p.toks {
		t = strings.Trim(t, "-'/")
		t = strings.TrimSuffix(t, "'s")
		p.toks[i] = t
	}
	p.used = make([]bool, len(p.toks))
}

// at reports whether the words of phrase (separated by single spaces)
// start at token i.
func (p *parser) at(i int, phrase string) bool {
	for rest := phrase; ; i++ {
		w, more, found := strings.Cut(rest, " ")
		if i >= len(p.toks) || p.toks[i] != w {
			return false
		}
		if !found {
			return true
		}
		rest = more
	}
}

// words returns how many words a phrase has.
func words(phrase string) int { return strings.Count(phrase, " ") + 1 }

func (p *parser) take(i, n int, what string) {
	for k := i; k < i+n; k++ {
		p.used[k] = true
	}
	p.understood = append(p.understood, what)
}

// phraseIndex finds phrases by their first word, longest first.
type phraseIndex[V any] map[string][]phraseEntry[V]

type phraseEntry[V any] struct {
	phrase string
	value  V
}

func index[V any](m map[string]V) phraseIndex[V] {
	idx := phraseIndex[V]{}
	for ph, v := range m {
		first, _, _ := strings.Cut(ph, " ")
		idx[first] = append(idx[first], phraseEntry[V]{ph, v})
	}
	for _, es := range idx {
		slices.SortFunc(es, func(a, b phraseEntry[V]) int {
			if d := words(b.phrase) - words(a.phrase); d != 0 {
				return d
			}
			return strings.Compare(a.phrase, b.phrase)
		})
	}
	return idx
}

var (
	unsupportedIndex = index(unsupported)
	metricIndex      = index(metricWords)
	dimensionIndex   = index(dimensionWords)
	soloIndex        = index(soloDimensions)
)

// longest returns the longest phrase of idx that starts at token i.
func longest[V any](p *parser, i int, idx phraseIndex[V]) (string, V, bool) {
	for _, e := range idx[p.toks[i]] {
		if p.at(i, e.phrase) {
			return e.phrase, e.value, true
		}
	}
	var zero V
	return "", zero, false
}

func (p *parser) scan() {
	for i := 0; i < len(p.toks); {
		if n := p.step(i); n > 0 {
			i += n
			continue
		}
		i++
	}
}

// step tries to read something at token i and returns how many tokens it
// used (0: nothing).
func (p *parser) step(i int) int {
	t := p.toks[i]
	// Comparisons: "vs", "compared to" — of periods when a time follows.
	for _, w := range []string{"compared to", "compared with", "vs", "versus", "against", "relative to"} {
		if p.at(i, w) {
			n := words(w)
			p.used[i], p.vs = true, true
			for k := i + 1; k < i+n; k++ {
				p.used[k] = true
			}
			if j := i + n; j < len(p.toks) && p.period != nil {
				if per, text, m := p.timeAt(j, true); m > 0 {
					p.compare, p.compareText = &per, text
					p.take(j, m, "vs "+text)
					return n + m
				}
			}
			return n
		}
	}
	if ph, what, ok := longest(p, i, unsupportedIndex); ok && !(ph == "orders" || ph == "sales") {
		if !slices.Contains(p.unsupported, what) {
			p.unsupported = append(p.unsupported, what)
		}
		n := words(ph)
		for k := i; k < i+n; k++ {
			p.used[k] = true
		}
		return n
	}
	if per, text, n := p.timeAt(i, false); n > 0 {
		if p.period == nil {
			p.period, p.periodText = &per, text
		} else if p.compare == nil {
			p.compare, p.compareText = &per, text
		}
		p.take(i, n, text)
		return n
	}
	if n := p.channelAt(i); n > 0 {
		return n
	}
	if ph, m, ok := longest(p, i, metricIndex); ok {
		n := words(ph)
		p.addMetric(m, ph)
		p.take(i, n, ph)
		return n
	}
	// "top 5 posts", "best campaigns", "worst 3 ads".
	if t == "top" || t == "best" || t == "worst" || t == "bottom" {
		n := 1
		limit := 0
		if i+1 < len(p.toks) {
			if v, ok := number(p.toks[i+1]); ok {
				limit, n = v, 2
			}
		}
		if i+n < len(p.toks) {
			if ph, d, ok := longest(p, i+n, dimensionIndex); ok {
				if limit == 0 {
					limit = 10
				}
				p.limit, p.desc, p.sortSet = limit, t == "top" || t == "best", true
				p.addDim(d)
				m := words(ph)
				p.take(i, n+m, strings.Join(p.toks[i:i+n+m], " "))
				return n + m
			}
		}
	}
	if ph, d, ok := longest(p, i, soloIndex); ok {
		n := words(ph)
		p.addDim(d)
		p.take(i, n, ph)
		return n
	}
	// "by campaign", "per day", "for each post", "campaigns".
	if t == "by" || t == "per" || t == "each" || t == "every" || t == "across" {
		j := i + 1
		if j < len(p.toks) && (p.toks[j] == "each" || p.toks[j] == "every") {
			j++
		}
		if j < len(p.toks) {
			if ph, d, ok := longest(p, j, dimensionIndex); ok {
				n := j - i + words(ph)
				p.addDim(d)
				p.take(i, n, strings.Join(p.toks[i:i+n], " "))
				return n
			}
		}
	}
	// "for campaign Summer Sale", "campaign Summer Sale".
	if t == "for" || t == "campaign" {
		j := i
		if t == "for" {
			j++
			if j < len(p.toks) && p.toks[j] == "campaign" {
				j++
			}
		} else {
			j++
		}
		if n, c := p.campaignAt(j); n > 0 {
			p.campaigns = append(p.campaigns, c.ID)
			p.campaignText = append(p.campaignText, c.Name)
			p.take(i, j-i+n, "campaign "+c.Name)
			return j - i + n
		}
	}
	if ph, d, ok := longest(p, i, dimensionIndex); ok && (d == DimCampaign || d == DimPost || d == DimCreator || d == DimAd ||
		d == DimAdGroup || d == DimChannel) && strings.HasSuffix(ph, "s") {
		n := words(ph)
		p.addDim(d)
		p.take(i, n, ph)
		return n
	}
	if n, c := p.campaignAt(i); n > 0 {
		p.campaigns = append(p.campaigns, c.ID)
		p.campaignText = append(p.campaignText, c.Name)
		p.take(i, n, "campaign "+c.Name)
		return n
	}
	return 0
}

func number(s string) (int, bool) {
	if v, ok := numberWords[s]; ok {
		return v, true
	}
	v, err := strconv.Atoi(s)
	return v, err == nil && v > 0 && v <= MaxLimit
}

func (p *parser) addDim(d Dimension) {
	if !slices.Contains(p.dims, d) {
		p.dims = append(p.dims, d)
	}
}

func (p *parser) addMetric(m Metric, phrase string) {
	if m == Revenue && p.pendingStore {
		m = StoreRevenue
	}
	if m == Spend || m == Impressions || m == Clicks || m == CPC || m == CPM || m == CTR {
		if p.pendingChan != "" && !slices.Contains(p.metricChan[m], p.pendingChan) {
			p.metricChan[m] = append(p.metricChan[m], p.pendingChan)
			if !slices.Contains(p.channels, p.pendingChan) {
				p.channels = append(p.channels, p.pendingChan)
			}
		}
	}
	p.pendingChan, p.pendingStore = "", false
	if !slices.Contains(p.metrics, m) {
		p.metrics = append(p.metrics, m)
	} else if p.vs && len(p.channels) > 1 {
		// "TikTok spend vs Meta spend": one metric, two channels side by side.
		p.addDim(DimChannel)
	}
}

// channelAt reads a channel name at token i: our own ads by an alias,
// an imported channel, or the store.
func (p *parser) channelAt(i int) int {
	t := p.toks[i]
	imported := func(name string) bool { return slices.Contains(p.ctx.Imported, name) }
	if t == "shopify" || (t == "store" && i+1 < len(p.toks) && p.toks[i+1] != "visits") || t == "shop" {
		p.pendingStore = true
		p.take(i, 1, t)
		p.notes = appendOnce(p.notes, "“"+p.raw[i]+"” revenue means store orders only (imported orders and the Shopify webhook).")
		return 1
	}
	// "imported TikTok", "TikTok Ads Manager": the imported channel.
	if (t == "imported" && i+1 < len(p.toks) && imported(canonicalChannel(p.toks[i+1]))) ||
		(p.at(i, "tiktok ads manager") && imported(PlatformTikTokName)) {
		name, n := canonicalChannel(p.toks[i+1]), 2
		if t != "imported" {
			name, n = PlatformTikTokName, 3
		}
		p.pendingChan = name
		p.take(i, n, strings.Join(p.toks[i:i+n], " "))
		p.notes = appendOnce(p.notes, "“"+strings.Join(p.raw[i:i+n], " ")+"” is the "+name+" spend you imported.")
		return n
	}
	for _, alias := range append([]string{p.ctx.Own.Name}, p.ctx.Own.Aliases...) {
		if p.at(i, alias) {
			n := words(alias)
			if i+n < len(p.toks) && p.toks[i+n] == "ads" && alias != "spark ads" {
				n++
			}
			p.pendingChan = p.ctx.Own.Name
			p.take(i, n, strings.Join(p.toks[i:i+n], " "))
			note := "“" + strings.Join(p.raw[i:i+n], " ") + "” means our own ads (" + p.ctx.Own.Name + ")."
			if name := canonicalChannel(alias); name != p.ctx.Own.Name && imported(name) {
				note = "“" + strings.Join(p.raw[i:i+n], " ") + "” means our own ads (" + p.ctx.Own.Name +
					"), not the " + name + " spend you imported; say “imported " + name + " spend” for that."
			}
			p.notes = appendOnce(p.notes, note)
			return n
		}
	}
	for _, w := range []string{"facebook ads", "facebook", "instagram", "meta ads", "meta", "fb", "google ads", "google",
		"adwords", "youtube"} {
		if p.at(i, w) {
			name := canonicalChannel(strings.Fields(w)[0])
			p.pendingChan = name
			n := words(w)
			p.take(i, n, w)
			if !imported(name) {
				p.notes = appendOnce(p.notes, "No "+name+" spend has been imported yet (POST /api/v1/imports/ad-spend).")
			}
			return n
		}
	}
	for _, name := range p.ctx.Imported {
		if t == name {
			p.pendingChan = name
			p.take(i, 1, t)
			return 1
		}
	}
	return 0
}

// PlatformTikTokName is the channel name of imported TikTok Ads Manager spend.
const PlatformTikTokName = "tiktok"

func canonicalChannel(s string) string {
	switch s {
	case "facebook", "instagram", "meta", "fb":
		return "meta"
	case "google", "adwords", "youtube":
		return "google"
	}
	return s
}

func appendOnce(ss []string, s string) []string {
	if slices.Contains(ss, s) {
		return ss
	}
	return append(ss, s)
}

// campaignAt matches the longest campaign name (or id) starting at token
// i. Names are compared word by word, ignoring case and punctuation, with
// no allocation: an advertiser may have thousands of campaigns.
func (p *parser) campaignAt(i int) (int, model.Campaign) {
	if i >= len(p.toks) || stopWords[p.toks[i]] {
		return 0, model.Campaign{}
	}
	best, bestN := model.Campaign{}, 0
	for _, c := range p.ctx.Campaigns {
		if n := nameMatch(c.Name, p.toks[i:]); n > bestN {
			best, bestN = c, n
		} else if bestN == 0 && strings.EqualFold(c.ID, p.toks[i]) {
			best, bestN = c, 1
		}
	}
	return bestN, best
}

// nameMatch returns how many tokens name's words fill, if they all match
// the first tokens; 0 otherwise.
func nameMatch(name string, toks []string) int {
	n := 0
	for rest := name; ; {
		w, more, found := strings.Cut(strings.TrimLeft(rest, " "), " ")
		if w = strings.Trim(w, "-'/.,!?"); w != "" {
			if n >= len(toks) || !strings.EqualFold(w, toks[n]) {
				return 0
			}
			n++
		}
		if !found {
			return n
		}
		rest = more
	}
}

// timeAt reads a time range at token i: it returns the period, how it was
// said, and how many tokens it used (0: none). relative is set after "vs":
// "the week before", "the previous month" are relative to the period read.
func (p *parser) timeAt(i int, relative bool) (Period, string, int) {
	today := p.today
	y, m, d := today.Date()
	monthStart := model.DateDay(y, m, 1)
	weekStart := today - model.Day((int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Weekday())+6)%7)
	skip := 0
	if i < len(p.toks) && p.toks[i] == "the" {
		skip = 1
	}
	j := i + skip
	if relative && p.period != nil {
		base := *p.period
		for _, w := range []string{"week before", "previous week", "prior week", "month before", "previous month",
			"prior month", "period before", "previous period", "prior period", "day before", "previous day", "year before",
			"previous year"} {
			if p.at(j, w) {
				n := base.Days()
				if strings.Contains(w, "month") && base.From == firstOfMonth(base.From) {
					py, pm, _ := base.From.Date()
					prev := model.DateDay(py, pm-1, 1)
					return Period{prev, base.From - 1}, "the " + w, skip + 2
				}
				if strings.Contains(w, "year") {
					fy, fm, fd := base.From.Date()
					ty, tm, td := base.To.Date()
					return Period{model.DateDay(fy-1, fm, fd), model.DateDay(ty-1, tm, td)}, "the " + w, skip + 2
				}
				return Period{base.From - model.Day(n), base.From - 1}, "the " + w, skip + 2
			}
		}
	}
	switch {
	case p.at(j, "today"):
		return Period{today, today}, "today", skip + 1
	case p.at(j, "yesterday"):
		return Period{today - 1, today - 1}, "yesterday", skip + 1
	case p.at(j, "this month") || p.at(j, "month to date") || p.at(j, "mtd"):
		n := 2
		if p.at(j, "month to date") {
			n = 3
		} else if p.at(j, "mtd") {
			n = 1
		}
		return Period{monthStart, today}, "this month", skip + n
	case p.at(j, "last month") || p.at(j, "previous month"):
		py, pm, _ := (monthStart - 1).Date()
		return Period{model.DateDay(py, pm, 1), monthStart - 1}, "last month", skip + 2
	case p.at(j, "this week") || p.at(j, "week to date"):
		n := 2
		if p.at(j, "week to date") {
			n = 3
		}
		return Period{weekStart, today}, "this week", skip + n
	case p.at(j, "last week") || p.at(j, "previous week"):
		return Period{weekStart - 7, weekStart - 1}, "last week", skip + 2
	case p.at(j, "this year") || p.at(j, "year to date") || p.at(j, "ytd"):
		n := 2
		if p.at(j, "year to date") {
			n = 3
		} else if p.at(j, "ytd") {
			n = 1
		}
		return Period{model.DateDay(y, 1, 1), today}, "this year", skip + n
	case p.at(j, "last year"):
		return Period{model.DateDay(y-1, 1, 1), model.DateDay(y-1, 12, 31)}, "last year", skip + 2
	}
	// "last 7 days", "past two weeks", "last 3 months".
	if j+2 < len(p.toks) && (p.toks[j] == "last" || p.toks[j] == "past" || p.toks[j] == "previous") {
		if n, ok := number(p.toks[j+1]); ok {
			switch strings.TrimSuffix(p.toks[j+2], "s") {
			case "day":
				return Period{today - model.Day(n) + 1, today}, fmt.Sprintf("last %d days", n), skip + 3
			case "week":
				return Period{today - model.Day(7*n) + 1, today}, fmt.Sprintf("last %d weeks", n), skip + 3
			case "month":
				fy, fm, fd := today.Date()
				return Period{model.DateDay(fy, fm-time.Month(n), fd) + 1, today}, fmt.Sprintf("last %d months", n), skip + 3
			}
		}
	}
	// "since Nov 3", "since 2026-11-03".
	if p.at(j, "since") && j+1 < len(p.toks) {
		if day, n := p.dateAt(j + 1); n > 0 && day <= today {
			return Period{day, today}, "since " + strings.Join(p.raw[j+1:j+1+n], " "), skip + 1 + n
		}
	}
	// "from Nov 1 to Nov 15", "between Nov 1 and Nov 15".
	if (p.at(j, "from") || p.at(j, "between")) && j+1 < len(p.toks) {
		if a, n := p.dateAt(j + 1); n > 0 && j+1+n < len(p.toks) && (p.toks[j+1+n] == "to" || p.toks[j+1+n] == "and" ||
			p.toks[j+1+n] == "until" || p.toks[j+1+n] == "through") {
			if b, m := p.dateAt(j + 2 + n); m > 0 && b >= a {
				return Period{a, b}, a.String() + " to " + b.String(), skip + 2 + n + m
			}
		}
	}
	// "in October", "October 2025", "in Oct".
	k := j
	if p.at(k, "in") || p.at(k, "during") || p.at(k, "for") {
		k++
	}
	if k < len(p.toks) {
		if mon, ok := monthNames[p.toks[k]]; ok && !(p.toks[k] == "may" && k == j) && !(p.toks[k] == "mar" && false) {
			year := y
			n := k - j + 1
			if k+1 < len(p.toks) {
				if v, err := strconv.Atoi(p.toks[k+1]); err == nil && v >= 2000 && v <= 2100 {
					year, n = v, n+1
				}
			}
			if n == k-j+1 && mon > m {
				year-- // "in December" said in March: the last one
			}
			from := model.DateDay(year, mon, 1)
			ny, nm, _ := from.Date()
			to := model.DateDay(ny, nm+1, 1) - 1
			if to > today && from <= today {
				to = today
			}
			// Only "in <month>" or a bare month name that is not a day ("Nov 3").
			if k+1 < len(p.toks) && n == k-j+1 {
				if v, err := strconv.Atoi(p.toks[k+1]); err == nil && v >= 1 && v <= 31 {
					return Period{}, "", 0
				}
			}
			return Period{from, to}, "in " + mon.String() + " " + strconv.Itoa(year), skip + n
		}
	}
	return Period{}, "", 0
}

func firstOfMonth(d model.Day) model.Day {
	y, m, _ := d.Date()
	return model.DateDay(y, m, 1)
}

// dateAt reads a date: "2026-11-03", "Nov 3", "November 3rd", "3 Nov".
func (p *parser) dateAt(i int) (model.Day, int) {
	if i >= len(p.toks) {
		return 0, 0
	}
	y, _, _ := p.today.Date()
	t := p.toks[i]
	if d, err := time.Parse(time.DateOnly, t); err == nil {
		return model.DateDay(d.Date()), 1
	}
	day := func(s string) (int, bool) {
		s = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(s, "st"), "nd"), "rd"), "th")
		v, err := strconv.Atoi(s)
		return v, err == nil && v >= 1 && v <= 31
	}
	if mon, ok := monthNames[t]; ok && i+1 < len(p.toks) {
		if dd, ok := day(p.toks[i+1]); ok {
			d := model.DateDay(y, mon, dd)
			if d > p.today {
				d = model.DateDay(y-1, mon, dd)
			}
			return d, 2
		}
	}
	if dd, ok := day(t); ok && i+1 < len(p.toks) {
		if mon, ok := monthNames[p.toks[i+1]]; ok {
			d := model.DateDay(y, mon, dd)
			if d > p.today {
				d = model.DateDay(y-1, mon, dd)
			}
			return d, 2
		}
	}
	return 0, 0
}

func (p *parser) finish() (Query, Interpretation, error) {
	var in Interpretation
	var notUnderstood []string
	for i, t := range p.toks {
		if !p.used[i] && !stopWords[t] && t != "" {
			notUnderstood = append(notUnderstood, p.raw[i])
		}
	}
	// Spend next to revenue: ROAS says how the two compare.
	metrics := slices.Clone(p.metrics)
	if slices.Contains(metrics, Spend) {
		switch {
		case slices.Contains(metrics, StoreRevenue) && !slices.Contains(metrics, StoreROAS):
			metrics = append(metrics, StoreROAS)
			p.notes = append(p.notes, "Store ROAS (store revenue ÷ spend) added.")
		case slices.Contains(metrics, Revenue) && !slices.Contains(metrics, ROAS):
			metrics = append(metrics, ROAS)
			p.notes = append(p.notes, "ROAS (revenue ÷ spend) added.")
		}
	}
	in.Metrics, in.Dimensions, in.Notes, in.Understood = metrics, p.dims, p.notes, p.understood
	in.NotUnderstood, in.Unsupported, in.Campaigns, in.Limit = notUnderstood, p.unsupported, p.campaigns, p.limit
	if len(p.channels) > 0 {
		in.Channels = p.channels
	}
	if p.period == nil {
		y, m, _ := p.today.Date()
		p.period, p.periodText = &Period{model.DateDay(y, m, 1), p.today}, "this month"
		in.Notes = append(in.Notes, "No time range given: this month so far.")
	}
	in.Period, in.PeriodText, in.Compare = *p.period, p.periodText, p.compare
	if len(metrics) == 0 && len(p.dims) > 0 {
		metrics = slices.Clone(DefaultMetrics)
		in.Metrics = metrics
		in.Notes = append(in.Notes, "No metric named: the usual ones.")
	}
	q := Query{Dimensions: p.dims, Metrics: metrics, Period: *p.period, Compare: p.compare, Campaigns: p.campaigns,
		Channels: in.Channels, Limit: p.limit}
	if p.sortSet && len(metrics) > 0 {
		q.Sort = Sort{By: string(metrics[0]), Desc: p.desc}
	}
	in.Chart = SuggestChart(q)
	in.Summary = p.summary(q)
	if len(p.unsupported) > 0 || len(notUnderstood) > 0 || len(metrics) == 0 {
		return q, in, p.refusal(in)
	}
	if q.Period.Days() > MaxDays {
		return q, in, p.refusal(in)
	}
	return q, in, nil
}

// refusal builds the 422 for a question that cannot be answered as asked.
func (p *parser) refusal(in Interpretation) error {
	var parts []string
	if len(in.Unsupported) > 0 {
		parts = append(parts, "Flint does not measure "+strings.Join(in.Unsupported, ", ")+".")
	}
	if len(in.NotUnderstood) > 0 {
		parts = append(parts, "Not understood: “"+strings.Join(in.NotUnderstood, " ")+"”.")
	}
	if len(in.Understood) > 0 {
		parts = append(parts, "Understood: "+strings.Join(in.Understood, ", ")+".")
	} else {
		parts = append(parts, "Nothing in it names a metric, a breakdown or a time range.")
	}
	suggestion := p.corrected()
	if suggestion == "" {
		suggestion = p.suggest(in)
	}
	parts = append(parts, "Try: “"+suggestion+"”")
	return &QuestionError{Err: apperr.New(apperr.Unprocessable, CodeQuestionNotUnderstood, "%s", strings.Join(parts, " ")),
		Interpretation: in, Suggestion: suggestion}
}

// vocabulary is every single word the parser knows, for spelling fixes.
var vocabulary = func() []string {
	seen := map[string]bool{}
	var out []string
	add := func(phrases ...string) {
		for _, ph := range phrases {
			for _, w := range strings.Fields(ph) {
				if len(w) >= 4 && !seen[w] {
					seen[w] = true
					out = append(out, w)
				}
			}
		}
	}
	for k := range metricWords {
		add(k)
	}
	for k := range dimensionWords {
		add(k)
	}
	for k := range soloDimensions {
		add(k)
	}
	for k := range monthNames {
		add(k)
	}
	add("shopify", "tiktok", "spark", "facebook", "instagram", "google", "today", "yesterday", "since", "last", "week",
		"month", "year", "compared", "versus", "imported", "store", "between")
	slices.Sort(out)
	return out
}()

// corrected returns the question with misspelt words replaced by the
// closest known word (at most two edits away), if that question parses;
// "" otherwise.
func (p *parser) corrected() string {
	if len(p.unsupported) > 0 || !p.correct {
		return ""
	}
	words := slices.Clone(p.raw)
	changed := false
	for i, t := range p.toks {
		if p.used[i] || stopWords[t] || len(t) < 4 {
			continue
		}
		best, bestD := "", 3
		for _, v := range vocabulary {
			if d := editDistance(t, v, bestD); d < bestD {
				best, bestD = v, d
			}
		}
		if best == "" || best == t {
			return ""
		}
		words[i], changed = best, true
	}
	if !changed {
		return ""
	}
	q := strings.Join(words, " ")
	if _, _, err := parse(q, p.ctx, false); err != nil {
		return ""
	}
	return q
}

// editDistance is the Levenshtein distance of a and b, or limit when it is
// at least limit.
func editDistance(a, b string, limit int) int {
	if d := len(a) - len(b); d >= limit || -d >= limit {
		return limit
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin >= limit {
			return limit
		}
		prev, cur = cur, prev
	}
	return min(prev[len(b)], limit)
}

// suggest writes a close question Flint can answer from what was understood.
func (p *parser) suggest(in Interpretation) string {
	metrics := slices.Clone(p.metrics)
	for _, u := range in.Unsupported {
		if m, ok := closeMetric[u]; ok && !slices.Contains(metrics, m) {
			metrics = append(metrics, m)
		}
	}
	if len(metrics) == 0 {
		metrics = []Metric{Spend, Revenue}
	}
	var words []string
	for i, m := range metrics {
		if m == ROAS || m == StoreROAS {
			if len(metrics) > 1 {
				continue
			}
		}
		if i > 0 {
			words = append(words, "vs")
		}
		if ch := p.metricChan[m]; len(ch) > 0 {
			words = append(words, strings.Join(ch, " and "))
		}
		words = append(words, metricPhrase(m))
	}
	dims := in.Dimensions
	if len(dims) == 0 && len(in.Metrics) == 0 {
		dims = []Dimension{DimCampaign}
	}
	for _, d := range dims {
		words = append(words, "by "+strings.ReplaceAll(string(d), "_", " "))
	}
	words = append(words, in.PeriodText)
	return strings.Join(words, " ")
}

func metricPhrase(m Metric) string {
	switch m {
	case StoreRevenue:
		return "Shopify revenue"
	case StoreROAS:
		return "ROAS"
	case AvgWatchTime:
		return "average watch time"
	case EngagementRate:
		return "engagement rate"
	case ConversionRevenue:
		return "conversion revenue"
	case CTR, CPC, CPM, CPA, ROAS:
		return strings.ToUpper(string(m))
	}
	return strings.ReplaceAll(string(m), "_", " ")
}

// summary is the interpretation in one sentence.
func (p *parser) summary(q Query) string {
	var ms []string
	for _, m := range q.Metrics {
		s := metricPhrase(m)
		if ch := p.metricChan[m]; len(ch) > 0 {
			s = strings.Join(ch, " and ") + " " + s
		}
		ms = append(ms, s)
	}
	out := strings.Join(ms, ", ")
	for _, d := range q.Dimensions {
		out += " by " + strings.ReplaceAll(string(d), "_", " ")
	}
	if len(p.campaignText) > 0 {
		out += " for campaign " + strings.Join(p.campaignText, ", ")
	}
	out += ", " + p.periodText + " (" + q.Period.String() + ", " + p.ctx.Location.String() + ")"
	if q.Compare != nil {
		out += " compared with " + p.compareText + " (" + q.Compare.String() + ")"
	}
	if q.Limit > 0 {
		out += fmt.Sprintf(", top %d", q.Limit)
	}
	return strings.TrimPrefix(out, ", ")
}

// SuggestChart names the chart that fits a query: a line over time, bars
// for one measure per category, grouped bars for two, a single number
// when there is no breakdown.
func SuggestChart(q Query) string {
	timeDim := slices.ContainsFunc(q.Dimensions, Dimension.Time)
	switch {
	case q.Compare != nil && !timeDim:
		return "grouped_bar"
	case timeDim:
		return "line"
	case len(q.Dimensions) == 0:
		return "number"
	case len(q.Metrics) >= 2, len(q.Dimensions) >= 2 && slices.Contains(q.Dimensions, DimChannel):
		return "grouped_bar"
	}
	return "bar"
}
