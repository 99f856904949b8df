package measure

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/flintads/flint/internal/account"
	"github.com/flintads/flint/internal/apperr"
	"github.com/flintads/flint/internal/integration"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
	"github.com/flintads/flint/internal/store"
)

// Error codes of the measurement calls.
const (
	CodeSignatureInvalid = "WEBHOOK_SIGNATURE_INVALID"
	CodeTooManyEvents    = "TOO_MANY_EVENTS"
	CodeImportConflict   = "IMPORT_CONFLICT"
)

// ConversionInput is one conversion event as the advertiser sends it.
type ConversionInput struct {
	EventID  string
	Event    string
	ClickID  string
	OrderID  string
	Value    string
	Currency string
	At       string
}

// Rejection is an input that was not counted, by index or line.
type Rejection struct {
	Index int // conversions: position in the batch
	Line  int // imports: physical line (the header is line 1)
	Err   *apperr.Error
}

// ConversionResult says what became of a batch of conversions.
type ConversionResult struct {
	Accepted   int
	Duplicates int
	Attributed int
	Rejected   []Rejection
}

// maxConversionAge bounds how late a conversion may be reported.
const maxConversionAge = 90 * 24 * time.Hour

// RecordConversions checks, attributes and stores conversions. A repeated
// event id is counted once (as a duplicate).
func (s *Service) RecordConversions(ctx context.Context, adv model.Account, inputs []ConversionInput) (ConversionResult, error) {
	var res ConversionResult
	if len(inputs) > MaxConversions {
		return res, apperr.Field("events", CodeTooManyEvents, "a batch may hold at most %d events", MaxConversions)
	}
	now := s.clock.Now()
	loc := location(adv)
	attr, err := s.attributor(ctx, adv.ID)
	if err != nil {
		return res, err
	}
	var convs []model.Conversion
	var clickIDs []string
	for i, in := range inputs {
		c, err := checkConversion(in, adv, now)
		if err != nil {
			res.Rejected = append(res.Rejected, Rejection{Index: i, Err: err})
			continue
		}
		c.Day = model.DayOf(c.At, loc)
		convs = append(convs, c)
		if c.ClickID != "" {
			clickIDs = append(clickIDs, c.ClickID)
		}
	}
	clicks, err := attr.clicks(ctx, clickIDs)
	if err != nil {
		return res, err
	}
	for i := range convs {
		c := &convs[i]
		c.AdID, c.CampaignID, _, err = attr.attribute(ctx, clicks, c.ClickID, "", "", c.At)
		if err != nil {
			return res, err
		}
	}
	stored, err := s.store.InsertConversions(ctx, convs)
	if err != nil {
		return res, err
	}
	for i, ok := range stored {
		switch {
		case ok:
			res.Accepted++
			if convs[i].CampaignID != "" {
				res.Attributed++
			}
		default:
			res.Duplicates++
		}
	}
	return res, nil
}

func checkConversion(in ConversionInput, adv model.Account, now time.Time) (model.Conversion, *apperr.Error) {
	c := model.Conversion{AdvertiserID: adv.ID, EventID: in.EventID, Event: strings.ToLower(strings.TrimSpace(in.Event)),
		ClickID: strings.TrimSpace(in.ClickID), OrderID: strings.TrimSpace(in.OrderID), ReceivedAt: now, At: now}
	switch {
	case c.EventID == "":
		return c, apperr.Missing("event_id")
	case len(c.EventID) > 128 || !printable(c.EventID) || !utf8.ValidString(c.EventID):
		return c, apperr.Invalidf("event_id", "event_id must be printable text of at most 128 bytes")
	case c.Event == "":
		return c, apperr.Missing("event")
	case len(c.Event) > 32 || !word(c.Event):
		return c, apperr.Invalidf("event", "event must be a name such as purchase, add_to_cart or lead")
	case len(c.ClickID) > 128 || !printable(c.ClickID) || len(c.OrderID) > 64 || !printable(c.OrderID):
		return c, apperr.Invalidf("click_id", "click_id and order_id must be short printable text")
	}
	c.Currency = strings.ToUpper(strings.TrimSpace(in.Currency))
	if c.Currency == "" {
		c.Currency = adv.Currency
	}
	if !account.ValidCurrency(c.Currency) {
		return c, apperr.Invalidf("currency", "currency must be an ISO 4217 code such as USD")
	}
	if in.Value != "" {
		v, err := money.Parse(in.Value, money.Decimals(c.Currency))
		if err != nil {
			return c, apperr.Invalidf("value", "value must be an amount such as \"39.00\" (at most %d decimals for %s)",
				money.Decimals(c.Currency), c.Currency)
		}
		c.Value = v
	}
	if in.At != "" {
		at, err := time.Parse(time.RFC3339Nano, in.At)
		if err != nil {
			return c, apperr.Invalidf("at", "at must be an RFC 3339 time")
		}
		if at.Before(now.Add(-maxConversionAge)) || at.After(now.Add(5*time.Minute)) {
			return c, apperr.Invalidf("at", "at must be within the last 90 days")
		}
		c.At = at.UTC().Truncate(time.Microsecond)
	}
	return c, nil
}

func word(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// ImportResult says what an import did. Counts are orders (or spend rows),
// never CSV lines.
type ImportResult struct {
	Platform string // spend imports: meta, google, tiktok or generic
	Imported int
	Updated  int
	Skipped  int
	Rejected []Rejection
	// MoreRejected counts rejections beyond those listed.
	MoreRejected int
	Warnings     []string
}

func (r *ImportResult) reject(line int, err *apperr.Error) {
	if len(r.Rejected) < maxRejections {
		r.Rejected = append(r.Rejected, Rejection{Line: line, Err: err})
	} else {
		r.MoreRejected++
	}
}

// rowOrRefusal sorts a reader's error: a row to reject, or a refusal.
func rowOrRefusal(err error, res *ImportResult) error {
	var re *integration.RowError
	if errors.As(err, &re) {
		res.reject(re.Line, re.Err)
		return nil
	}
	return err
}

// ImportOrders reads a Shopify orders export and stores its orders in one
// transaction: a file refused part-way stores nothing. Orders with wrong
// values are rejected with their line; the others are kept.
func (s *Service) ImportOrders(ctx context.Context, adv model.Account, r io.Reader) (ImportResult, error) {
	var res ImportResult
	or, err := integration.NewOrderReader(r)
	if err != nil {
		return res, err
	}
	attr, err := s.attributor(ctx, adv.ID)
	if err != nil {
		return res, err
	}
	loc := location(adv)
	now := s.clock.Now()
	foreign := map[string]bool{}
	batches := func(yield func([]model.Order, error) bool) {
		batch := make([]integration.Order, 0, importBatch)
		flush := func() bool {
			for _, o := range batch {
				if o.Currency != adv.Currency {
					foreign[o.Currency] = true
				}
			}
			orders, err := s.orders(ctx, attr, batch, "csv", loc, now)
			batch = batch[:0]
			return yield(orders, err)
		}
		for {
			o, err := or.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				if err = rowOrRefusal(err, &res); err != nil {
					yield(nil, err)
					return
				}
				continue
			}
			batch = append(batch, o)
			if len(batch) == importBatch && !flush() {
				return
			}
		}
		if len(batch) > 0 {
			flush()
		}
	}
	counts, err := s.store.ImportOrders(ctx, adv.ID, iter.Seq2[[]model.Order, error](batches))
	if errors.Is(err, store.ErrConflict) {
		// Another import or a webhook stored one of these orders meanwhile.
		return ImportResult{}, apperr.New(apperr.Conflict, CodeImportConflict,
			"some of these orders were stored by another import or a webhook at the same time; nothing was imported, send the file again")
	}
	if err != nil {
		return ImportResult{}, err
	}
	res.Imported, res.Updated, res.Skipped = counts.Imported, counts.Updated, counts.Skipped
	for cur := range foreign {
		res.Warnings = append(res.Warnings, fmt.Sprintf("Orders in %s are kept in %s and shown apart in reports, never added to %s.",
			cur, cur, adv.Currency))
	}
	return res, nil
}

func location(adv model.Account) *time.Location {
	if loc, err := account.LoadLocation(adv.Timezone); err == nil {
		return loc
	}
	return time.UTC
}

// orders turns parsed orders into stored ones: counting rule, local day,
// attribution.
func (s *Service) orders(ctx context.Context, attr *attributor, in []integration.Order, source string, loc *time.Location,
	now time.Time) ([]model.Order, error) {
	var clickIDs []string
	for _, o := range in {
		if o.ClickID != "" {
			clickIDs = append(clickIDs, o.ClickID)
		}
	}
	clicks, err := attr.clicks(ctx, clickIDs)
	if err != nil {
		return nil, err
	}
	out := make([]model.Order, 0, len(in))
	for i := range in {
		o := &in[i]
		revenue, counted := counts(o)
		m := model.Order{AdvertiserID: attr.advertiserID, OrderID: o.ID, Name: o.Name, Source: source, CreatedAt: o.CreatedAt,
			Day: model.DayOf(o.CreatedAt, loc), Currency: o.Currency, Total: o.Total, Refunded: o.Refunded, Revenue: revenue,
			Counted: counted, FinancialStatus: model.OrderStatus(o.FinancialStatus), Cancelled: o.Cancelled, Test: o.Test,
			ClickID: o.ClickID, UTMCampaign: o.UTMCampaign, DiscountCode: o.DiscountCode, ImportedAt: now}
		if m.OrderID == "" {
			m.OrderID = o.Name // older exports without an Id column
		}
		m.AdID, m.CampaignID, m.AttributedBy, err = attr.attribute(ctx, clicks, o.ClickID, o.UTMCampaign, o.DiscountCode, o.CreatedAt)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// WebhookInput is one webhook delivery: the raw body and Shopify's headers.
type WebhookInput struct {
	AdvertiserID string
	Signature    string // X-Shopify-Hmac-Sha256
	WebhookID    string // X-Shopify-Webhook-Id
	Topic        string // X-Shopify-Topic
	Body         []byte
}

// WebhookResult says what a delivery did.
type WebhookResult struct {
	Duplicate bool // this delivery id was handled before
	Test      bool // a test order: acknowledged, not counted
	Imported  bool // a new order
	Updated   bool // an order already known changed
}

var errBadSignature = apperr.New(apperr.Unauthenticated, CodeSignatureInvalid,
	"the X-Shopify-Hmac-Sha256 signature does not match this store's webhook secret")

// OrderWebhook verifies and stores one orders/create (or orders/updated)
// delivery. A wrong signature, or an advertiser without a webhook secret,
// stores nothing.
func (s *Service) OrderWebhook(ctx context.Context, in WebhookInput) (WebhookResult, error) {
	var res WebhookResult
	adv, err := s.store.GetAccount(ctx, in.AdvertiserID)
	if err != nil || adv.Kind != model.KindAdvertiser {
		return res, errBadSignature
	}
	st, err := s.settings(ctx, adv.ID)
	if err != nil {
		return res, err
	}
	if st.ShopifySecret == nil {
		return res, errBadSignature
	}
	secret, err := s.sealer.Open(st.ShopifySecret, adv.ID)
	if err != nil {
		return res, fmt.Errorf("open the webhook secret of %s: %w", adv.ID, err)
	}
	if !integration.VerifyShopify(secret, in.Body, in.Signature) {
		return res, errBadSignature
	}
	webhookID := strings.TrimSpace(in.WebhookID)
	if webhookID == "" || len(webhookID) > 128 || !printable(webhookID) {
		return res, apperr.Invalidf("X-Shopify-Webhook-Id", "the X-Shopify-Webhook-Id header is missing or not an id")
	}
	if t := strings.TrimSpace(in.Topic); t != "" && t != "orders/create" && t != "orders/updated" && t != "orders/paid" {
		return res, apperr.Invalidf("X-Shopify-Topic", "this endpoint takes orders/create, orders/updated and orders/paid")
	}
	o, err := integration.ParseOrderWebhook(in.Body)
	if err != nil {
		return res, err
	}
	now := s.clock.Now()
	var stored *model.Order
	if o.Test {
		res.Test = true
	} else {
		attr, err := s.attributor(ctx, adv.ID)
		if err != nil {
			return res, err
		}
		orders, err := s.orders(ctx, attr, []integration.Order{o}, "webhook", location(adv), now)
		if err != nil {
			return res, err
		}
		stored = &orders[0]
	}
	dup, counts, err := s.store.OrderWebhook(ctx, adv.ID, webhookID, now, stored)
	if errors.Is(err, store.ErrConflict) {
		// The order was stored at the same moment by an import: now it is
		// found, and this delivery updates or repeats it.
		dup, counts, err = s.store.OrderWebhook(ctx, adv.ID, webhookID, now, stored)
	}
	if err != nil {
		return res, err
	}
	res.Duplicate, res.Imported, res.Updated = dup, counts.Imported > 0, counts.Updated > 0
	return res, nil
}

// ImportSpend reads another channel's spend export (its platform detected
// from the header) and stores its rows in one transaction: a file refused
// part-way stores nothing. Rows in another currency than the advertiser's
// are kept in their own and flagged.
func (s *Service) ImportSpend(ctx context.Context, adv model.Account, r io.Reader) (ImportResult, error) {
	var res ImportResult
	sr, err := integration.NewSpendReader(r)
	if err != nil {
		return res, err
	}
	res.Platform = sr.Platform()
	now := s.clock.Now()
	foreign := map[string]bool{}
	masked, assumed := false, false
	batches := func(yield func([]model.ChannelSpend, error) bool) {
		batch := make([]model.ChannelSpend, 0, importBatch)
		for {
			row, err := sr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				if err = rowOrRefusal(err, &res); err != nil {
					yield(nil, err)
					return
				}
				continue
			}
			if row.Currency == "" {
				row.Currency, assumed = adv.Currency, true
			}
			if row.Currency != adv.Currency {
				foreign[row.Currency] = true
			}
			masked = masked || row.Masked
			batch = append(batch, model.ChannelSpend{AdvertiserID: adv.ID, Channel: row.Channel, Campaign: row.Campaign,
				Detail: row.Detail, SpanStart: row.From, SpanEnd: row.To, Spend: row.Spend, Currency: row.Currency,
				Impressions: row.Impressions, Clicks: row.Clicks, Conversions: row.Conversions, ImportedAt: now})
			if len(batch) == importBatch {
				if !yield(batch, nil) {
					return
				}
				batch = make([]model.ChannelSpend, 0, importBatch)
			}
		}
		if len(batch) > 0 {
			yield(batch, nil)
		}
	}
	counts, err := s.store.ImportSpend(ctx, adv.ID, iter.Seq2[[]model.ChannelSpend, error](batches))
	if err != nil {
		return ImportResult{}, err
	}
	res.Imported, res.Updated, res.Skipped = counts.Imported, counts.Updated, counts.Skipped
	for cur := range foreign {
		res.Warnings = append(res.Warnings, fmt.Sprintf("Spend in %s is kept in %s and shown apart in reports, never added to %s.",
			cur, cur, adv.Currency))
	}
	if assumed {
		res.Warnings = append(res.Warnings, "The export names no currency; its amounts were taken as "+adv.Currency+".")
	}
	if masked {
		res.Warnings = append(res.Warnings, "Some counts were hidden as “<5” by the export and are left unknown.")
	}
	return res, nil
}
