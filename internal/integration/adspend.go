package integration

import (
	"errors"
	"io"
	"strings"
	"time"

	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
)

// SpendRow is one row of a channel's spend export: spend over the days
// [From, To] (one day when the export has a day column).
type SpendRow struct {
	Line        int
	Channel     string
	Campaign    string
	Detail      string // ad set or ad, when the export has one
	From, To    model.Day
	Spend       money.Micros
	Currency    string // "" when the export does not say
	Impressions *int64
	Clicks      *int64
	Conversions *int64 // purchases only
	Masked      bool   // a count was hidden as "<5"
}

// Platforms that spend exports are detected from.
const (
	PlatformMeta    = "meta"
	PlatformGoogle  = "google"
	PlatformTikTok  = "tiktok"
	PlatformGeneric = "generic"
)

// platform says how to read one kind of export. Column names are the
// normalised header names, English first, then other locales Meta and
// TikTok translate them to.
type platform struct {
	name, title string
	campaign    []string
	detail      []string
	day         []string
	starts      []string
	ends        []string
	spend       []string // exact names
	spendPrefix []string // names with the currency in brackets: "amount spent (usd)"
	impressions []string
	clicks      []string
	conversions []string
	results     []string // Meta: results, purchases only if the indicator says so
	indicator   []string
	currency    []string
	channel     []string // generic: the channel of each row
}

var platforms = []*platform{
	{name: PlatformGeneric, title: "generic", campaign: []string{"campaign"}, day: []string{"date"}, spend: []string{"spend"},
		impressions: []string{"impressions"}, clicks: []string{"clicks"}, currency: []string{"currency"},
		channel: []string{"channel"}, conversions: []string{"conversions"}},
	{name: PlatformMeta, title: "Meta Ads Manager",
		campaign: []string{"campaign name", "kampagnenname", "nom de la campagne", "nombre de la campaña", "nome da campanha"},
		detail:   []string{"ad set name", "ad name", "name der anzeigengruppe", "nom de l’ensemble de publicités", "nombre del conjunto de anuncios", "nome do conjunto de anúncios"},
		day:      []string{"day", "tag", "jour", "día", "dia"},
		starts:   []string{"reporting starts", "berichtsbeginn", "début des rapports", "inicio del informe", "início dos relatórios"},
		ends:     []string{"reporting ends", "berichtsende", "fin des rapports", "fin del informe", "término dos relatórios"},
		spendPrefix: []string{"amount spent (", "ausgegebener betrag (", "montant dépensé (", "importe gastado (",
			"valor usado ("},
		impressions: []string{"impressions", "impressionen", "impresiones", "impressões"},
		clicks:      []string{"link clicks", "clicks (all)", "link-klicks", "clics sur un lien", "clics en el enlace", "cliques no link"},
		results:     []string{"results", "ergebnisse", "résultats", "resultados"},
		indicator:   []string{"result indicator", "ergebnisindikator", "indicateur de résultat", "indicador de resultado", "indicador de resultados"},
	},
	{name: PlatformTikTok, title: "TikTok Ads Manager", campaign: []string{"campaign name"}, detail: []string{"ad group name", "ad name"},
		day: []string{"date", "by day", "day"}, spend: []string{"cost", "total cost"}, impressions: []string{"impressions"},
		clicks: []string{"clicks (destination)", "clicks"}, conversions: []string{"conversions", "complete payment"},
		currency: []string{"currency"}},
	{name: PlatformGoogle, title: "Google Ads", campaign: []string{"campaign"}, detail: []string{"ad group"},
		day: []string{"day", "date"}, spend: []string{"cost"}, impressions: []string{"impr.", "impressions"},
		clicks: []string{"clicks"}, conversions: []string{"conversions"}, currency: []string{"currency code", "currency"}},
}

// detectPlatform returns the platform whose export t's header is.
func detectPlatform(t *table) *platform {
	for _, p := range platforms {
		if t.col(p.campaign...) < 0 {
			continue
		}
		spend := t.col(p.spend...) >= 0
		if !spend && len(p.spendPrefix) > 0 {
			i, _ := t.colPrefix(p.spendPrefix...)
			spend = i >= 0
		}
		if !spend {
			continue
		}
		switch p.name {
		case PlatformGeneric:
			if t.col(p.channel...) < 0 || t.col(p.day...) < 0 {
				continue
			}
		case PlatformTikTok:
			// TikTok calls clicks "Clicks (destination)"; Google has "Campaign", not "Campaign name".
			if t.col("clicks (destination)", "cpc (destination)", "ctr (destination)") < 0 && t.col("campaign name") < 0 {
				continue
			}
		}
		return p
	}
	return nil
}

// SpendReader reads a spend export row by row.
type SpendReader struct {
	t            *table
	p            *platform
	decimalComma bool
	currency     string // from the spend column's name (Meta)
	from, to     model.Day
	hasRange     bool // the export's range, from Google's preamble
	cols         struct {
		campaign, detail, day, starts, ends, spend, impressions, clicks, conversions, results, indicator, currency, channel int
	}
}

// Platform is the detected platform: meta, google, tiktok or generic.
func (s *SpendReader) Platform() string { return s.p.name }

// Currency is the currency the export names in its header ("" if none).
func (s *SpendReader) Currency() string { return s.currency }

// NewSpendReader reads the header of a spend export and detects its
// platform. Google's preamble lines (report name, date range) are skipped.
func NewSpendReader(r io.Reader) (*SpendReader, error) {
	t, err := newTable(r)
	if err != nil {
		return nil, err
	}
	s := &SpendReader{t: t, decimalComma: t.sep == ';'}
	var preamble [][]string
	for {
		rec, err := t.next()
		if errors.Is(err, io.EOF) {
			if len(preamble) == 0 {
				return nil, refuse(CodeEmptyFile, "the file is empty")
			}
			return nil, refuse(CodeWrongExport, "no header row with a campaign and a spend column was found; "+
				"export from Meta Ads Manager, Google Ads or TikTok Ads Manager, or use the columns "+
				"date,channel,campaign,spend,impressions,clicks,currency. Nothing was imported.")
		}
		if err != nil {
			return nil, err
		}
		t.setHeader(rec)
		if s.p = detectPlatform(t); s.p != nil {
			break
		}
		if len(rec) > 3 || len(preamble) >= 3 {
			t.header = nil
			if t.col("name", "financial status", "total") >= 0 {
				return nil, wrongExport(t, "a spend export", []string{"campaign", "spend"})
			}
			return nil, refuse(CodeWrongExport, "line %d is not the header of a Meta, Google Ads or TikTok spend export, "+
				"nor of the generic date,channel,campaign,spend,impressions,clicks,currency file. Nothing was imported.", t.line)
		}
		preamble = append(preamble, rec)
		t.header = nil
	}
	p := s.p
	c := &s.cols
	c.campaign, c.detail, c.day = t.col(p.campaign...), t.col(p.detail...), t.col(p.day...)
	c.starts, c.ends = t.col(p.starts...), t.col(p.ends...)
	c.spend = t.col(p.spend...)
	if c.spend < 0 {
		var name string
		c.spend, name = t.colPrefix(p.spendPrefix...)
		if _, inBrackets, ok := strings.Cut(name, "("); ok {
			s.currency = strings.ToUpper(strings.TrimSuffix(strings.TrimSpace(inBrackets), ")"))
		}
	}
	c.impressions, c.clicks, c.conversions = t.col(p.impressions...), t.col(p.clicks...), t.col(p.conversions...)
	c.results, c.indicator, c.currency, c.channel = t.col(p.results...), t.col(p.indicator...), t.col(p.currency...), t.col(p.channel...)
	if len(p.detail) == 0 {
		c.detail = -1
	}
	if len(p.conversions) == 0 {
		c.conversions = -1
	}
	for _, pre := range preamble {
		if from, to, ok := parseRange(strings.Join(pre, ",")); ok {
			s.from, s.to, s.hasRange = from, to, true
		}
	}
	if c.day < 0 && (c.starts < 0 || c.ends < 0) && !s.hasRange {
		return nil, refuse(CodeMissingColumns, "the %s export has no day column and no reporting range; "+
			"export it broken down by day. Nothing was imported.", p.title)
	}
	return s, nil
}

// Next returns the next row: io.EOF at the end, a *RowError for a row to
// reject, any other error to refuse the file. Total rows are skipped.
func (s *SpendReader) Next() (SpendRow, error) {
	for {
		rec, err := s.t.next()
		if err != nil {
			return SpendRow{}, err
		}
		if blank(rec) {
			continue
		}
		first := strings.ToLower(field(rec, 0))
		if strings.HasPrefix(first, "total") || strings.HasPrefix(field(rec, s.cols.campaign), "Total:") {
			continue // Google's and Meta's total rows
		}
		return s.row(rec, s.t.line)
	}
}

func (s *SpendReader) row(rec []string, line int) (SpendRow, error) {
	c := &s.cols
	r := SpendRow{Line: line, Channel: s.p.name, Campaign: cleanText(field(rec, c.campaign), 256),
		Detail: cleanText(field(rec, c.detail), 256), Currency: s.currency}
	if s.p.name == PlatformGeneric {
		r.Channel = strings.ToLower(cleanText(field(rec, c.channel), 32))
		if r.Channel == "" {
			return r, rowError(line, "channel", CodeMissingValue, "line %d: channel is empty", line)
		}
		if !channelName(r.Channel) {
			return r, rowError(line, "channel", CodeInvalidValue, "line %d: channel %q must be letters, digits, - or _", line, short(r.Channel))
		}
	}
	if r.Campaign == "" {
		return r, rowError(line, "campaign", CodeMissingValue, "line %d: the campaign name is empty", line)
	}
	switch {
	case c.day >= 0:
		d, ok := parseDay(field(rec, c.day))
		if !ok {
			return r, rowError(line, "day", CodeInvalidValue, "line %d: %q is not a date such as 2026-11-03", line, short(field(rec, c.day)))
		}
		r.From, r.To = d, d
	case c.starts >= 0 && c.ends >= 0:
		from, ok1 := parseDay(field(rec, c.starts))
		to, ok2 := parseDay(field(rec, c.ends))
		if !ok1 || !ok2 || to < from {
			return r, rowError(line, "reporting_starts", CodeInvalidValue, "line %d: the reporting range %q – %q is not two dates in order",
				line, short(field(rec, c.starts)), short(field(rec, c.ends)))
		}
		r.From, r.To = from, to
	default:
		r.From, r.To = s.from, s.to
	}
	if r.To-r.From >= 366 {
		return r, rowError(line, "reporting_ends", CodeInvalidValue, "line %d: a row may cover at most 366 days", line)
	}
	if c.currency >= 0 {
		if cur := strings.ToUpper(field(rec, c.currency)); cur != "" {
			r.Currency = cur
		}
	}
	if r.Currency != "" && !currencyCode(r.Currency) {
		return r, rowError(line, "currency", CodeInvalidValue, "line %d: currency %q is not an ISO 4217 code", line, short(r.Currency))
	}
	var ok bool
	if r.Spend, ok = parseAmount(field(rec, c.spend), s.decimalComma); !ok {
		return r, rowError(line, "spend", CodeInvalidValue, "line %d: spend %q is not an amount (formulas are not evaluated)",
			line, short(field(rec, c.spend)))
	}
	counts := []struct {
		col  int
		dst  **int64
		name string
	}{{c.impressions, &r.Impressions, "impressions"}, {c.clicks, &r.Clicks, "clicks"}, {c.conversions, &r.Conversions, "conversions"}}
	for _, k := range counts {
		v := field(rec, k.col)
		if k.col < 0 || v == "" {
			continue
		}
		n, masked, ok := parseCount(v, s.decimalComma)
		if !ok {
			if k.name == "conversions" && strings.ContainsAny(v, ".,") {
				continue // fractional (modelled) conversions are not a count of purchases
			}
			return r, rowError(line, k.name, CodeInvalidValue, "line %d: %s %q is not a whole number", line, k.name, short(v))
		}
		if masked {
			r.Masked = true
			continue
		}
		*k.dst = &n
	}
	if c.results >= 0 && c.indicator >= 0 && strings.Contains(strings.ToLower(field(rec, c.indicator)), "purchase") {
		if n, _, ok := parseCount(field(rec, c.results), s.decimalComma); ok {
			r.Conversions = &n
		}
	}
	return r, nil
}

func channelName(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return s != ""
}

func currencyCode(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// dayLayouts are the date formats exports write.
var dayLayouts = []string{time.DateOnly, "2006/01/02", "Jan 2, 2006", "January 2, 2006", "02.01.2006", "2006-01-02 15:04:05"}

func parseDay(s string) (model.Day, bool) {
	s = strings.TrimSpace(s)
	for _, l := range dayLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return model.DateDay(t.Date()), true
		}
	}
	return 0, false
}

// parseRange reads Google's preamble range: "November 1, 2026 - November 30, 2026".
func parseRange(s string) (model.Day, model.Day, bool) {
	s = strings.Trim(strings.TrimSpace(s), `",`)
	a, b, ok := strings.Cut(s, " - ")
	if !ok {
		return 0, 0, false
	}
	from, ok1 := parseDay(a)
	to, ok2 := parseDay(b)
	return from, to, ok1 && ok2 && from <= to
}
