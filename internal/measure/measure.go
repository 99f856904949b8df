// Package measure records what advertisers tell Flint about their results
// and attributes it to their campaigns: purchase and other conversion
// events (the conversions API), store orders (Shopify's order export and
// its signed orders/create webhook), spend on other channels (their
// exports), and the attribution settings (click window, utm_campaign and
// discount-code mappings, the Shopify webhook secret, sealed).
//
// Revenue counting rule: an order counts when its financial status is
// paid, partially_paid or partially_refunded and it is neither cancelled
// nor a test order; it counts for its Total minus the refunded amount.
// Pending, voided, refunded, cancelled and test orders count nothing (they
// are stored, and count if a later import shows them paid). An order id is
// stored once per advertiser, whether it arrives by CSV, by webhook or both.
//
// Attribution order: the click id (flint_clid) within the click window,
// then utm_campaign matched to a campaign's name or id (or the mapping),
// then the discount code mapping; otherwise the order is unattributed
// revenue, kept and shown as such.
package measure

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode"

	"github.com/flintads/flint/internal/apperr"
	"github.com/flintads/flint/internal/clock"
	"github.com/flintads/flint/internal/integration"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
	"github.com/flintads/flint/internal/seal"
	"github.com/flintads/flint/internal/store"
)

// Store is what the service needs from storage.
type Store interface {
	store.Measurement
	ListCampaigns(ctx context.Context, advertiserID string) ([]model.Campaign, error)
	GetCampaign(ctx context.Context, id string) (model.Campaign, error)
	GetAd(ctx context.Context, id string) (model.Ad, error)
	GetAccount(ctx context.Context, id string) (model.Account, error)
}

// Defaults and bounds.
const (
	DefaultClickWindowDays = 7
	MaxClickWindowDays     = 28
	MaxConversions         = 1000
	maxRejections          = 1000
	importBatch            = 500
)

// Service records conversions, orders and spend for advertisers.
type Service struct {
	store  Store
	clock  clock.Clock
	sealer *seal.Sealer
}

// New returns a Service; sealer protects the webhook secrets it stores.
func New(s Store, c clock.Clock, sealer *seal.Sealer) *Service {
	return &Service{store: s, clock: c, sealer: sealer}
}

// Settings are an advertiser's attribution settings as it sees them.
type Settings struct {
	ClickWindowDays int
	UTMCampaigns    map[string]string
	DiscountCodes   map[string]string
	// ShopifyConfigured is true once a webhook secret is set; the secret
	// itself is never shown again.
	ShopifyConfigured bool
}

// settings returns the stored settings, or the defaults.
func (s *Service) settings(ctx context.Context, advertiserID string) (model.MeasurementSettings, error) {
	st, err := s.store.MeasurementSettings(ctx, advertiserID)
	if errors.Is(err, store.ErrNotFound) {
		return model.MeasurementSettings{AdvertiserID: advertiserID, ClickWindowDays: DefaultClickWindowDays,
			UTMCampaigns: map[string]string{}, DiscountCodes: map[string]string{}}, nil
	}
	return st, err
}

func view(st model.MeasurementSettings) Settings {
	return Settings{ClickWindowDays: st.ClickWindowDays, UTMCampaigns: st.UTMCampaigns, DiscountCodes: st.DiscountCodes,
		ShopifyConfigured: st.ShopifySecret != nil}
}

// Settings returns an advertiser's settings.
func (s *Service) Settings(ctx context.Context, advertiserID string) (Settings, error) {
	st, err := s.settings(ctx, advertiserID)
	return view(st), err
}

// SettingsInput changes settings; nil leaves a field alone. The mappings
// replace the stored ones whole.
type SettingsInput struct {
	ClickWindowDays *int
	UTMCampaigns    map[string]string
	DiscountCodes   map[string]string
}

const maxMappings = 500

// UpdateSettings validates and stores settings. Mapped campaigns must be
// the advertiser's.
func (s *Service) UpdateSettings(ctx context.Context, advertiserID string, in SettingsInput) (Settings, error) {
	st, err := s.settings(ctx, advertiserID)
	if err != nil {
		return Settings{}, err
	}
	if in.ClickWindowDays != nil {
		if *in.ClickWindowDays < 1 || *in.ClickWindowDays > MaxClickWindowDays {
			return Settings{}, apperr.Invalidf("click_window_days", "click_window_days must be from 1 to %d", MaxClickWindowDays)
		}
		st.ClickWindowDays = *in.ClickWindowDays
	}
	check := func(field string, m map[string]string, fold func(string) string) (map[string]string, error) {
		if len(m) > maxMappings {
			return nil, apperr.Invalidf(field, "%s may hold at most %d entries", field, maxMappings)
		}
		out := make(map[string]string, len(m))
		for k, id := range m {
			key := fold(k)
			if key == "" || len(k) > 256 {
				return nil, apperr.Invalidf(field, "%s keys must be short text", field)
			}
			c, err := s.store.GetCampaign(ctx, id)
			if err != nil || c.AdvertiserID != advertiserID {
				return nil, apperr.Invalidf(field, "%s maps %q to %q, which is not one of your campaigns", field, short(k), short(id))
			}
			out[key] = id
		}
		return out, nil
	}
	if in.UTMCampaigns != nil {
		if st.UTMCampaigns, err = check("utm_campaigns", in.UTMCampaigns, fold); err != nil {
			return Settings{}, err
		}
	}
	if in.DiscountCodes != nil {
		if st.DiscountCodes, err = check("discount_codes", in.DiscountCodes, foldCode); err != nil {
			return Settings{}, err
		}
	}
	st.UpdatedAt = s.clock.Now()
	if err := s.store.PutMeasurementSettings(ctx, st); err != nil {
		return Settings{}, err
	}
	return view(st), nil
}

// WebhookPath is where Shopify sends an advertiser's order webhooks.
func WebhookPath(advertiserID string) string {
	return "/api/v1/integrations/shopify/" + advertiserID + "/orders"
}

// SetShopifySecret stores the webhook secret (sealed) and returns the
// webhook's path. The secret is never returned or logged afterwards.
func (s *Service) SetShopifySecret(ctx context.Context, advertiserID, secret string) (string, error) {
	secret = strings.TrimSpace(secret)
	if secret == "" {
		return "", apperr.Missing("webhook_secret")
	}
	if len(secret) < 16 || len(secret) > 256 || !printable(secret) {
		return "", apperr.Invalidf("webhook_secret", "webhook_secret must be 16 to 256 printable characters, as Shopify shows it")
	}
	st, err := s.settings(ctx, advertiserID)
	if err != nil {
		return "", err
	}
	if st.ShopifySecret, err = s.sealer.Seal([]byte(secret), advertiserID); err != nil {
		return "", err
	}
	st.UpdatedAt = s.clock.Now()
	if err := s.store.PutMeasurementSettings(ctx, st); err != nil {
		return "", err
	}
	return WebhookPath(advertiserID), nil
}

// fold makes utm_campaign values and campaign names comparable: letters
// and digits only, lower case ("Summer Sale" = "summer-sale").
func fold(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func foldCode(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

func printable(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == 0xfffd {
			return false
		}
	}
	return true
}

func short(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// attributor ties orders and conversions of one advertiser to campaigns.
type attributor struct {
	advertiserID string
	window       time.Duration
	byName       map[string]string // folded name or id → campaign id
	utm          map[string]string
	codes        map[string]string
	ads          map[string]model.Ad // ads met through clicks
	store        Store
}

func (s *Service) attributor(ctx context.Context, advertiserID string) (*attributor, error) {
	st, err := s.settings(ctx, advertiserID)
	if err != nil {
		return nil, err
	}
	cs, err := s.store.ListCampaigns(ctx, advertiserID)
	if err != nil {
		return nil, err
	}
	a := &attributor{advertiserID: advertiserID, window: time.Duration(st.ClickWindowDays) * 24 * time.Hour,
		byName: map[string]string{}, utm: st.UTMCampaigns, codes: st.DiscountCodes, ads: map[string]model.Ad{}, store: s.store}
	for _, c := range cs { // oldest first: an older campaign keeps a shared name
		if _, ok := a.byName[fold(c.Name)]; !ok {
			a.byName[fold(c.Name)] = c.ID
		}
		a.byName[fold(c.ID)] = c.ID
	}
	return a, nil
}

// clicks looks up the click ids of a batch.
func (a *attributor) clicks(ctx context.Context, ids []string) (map[string]model.Click, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return a.store.Clicks(ctx, ids)
}

// attribute returns the ad (when known), campaign and method for what an
// order or conversion says about its origin, at time at.
func (a *attributor) attribute(ctx context.Context, clicks map[string]model.Click, clickID, utm, code string, at time.Time) (
	string, string, model.Attribution, error) {
	if c, ok := clicks[clickID]; ok && clickID != "" {
		ad, known := a.ads[c.AdID]
		if !known {
			var err error
			ad, err = a.store.GetAd(ctx, c.AdID)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return "", "", "", err
			}
			a.ads[c.AdID] = ad
		}
		// A conversion may arrive a little before the click is stored.
		if ad.AdvertiserID == a.advertiserID && !at.Before(c.At.Add(-time.Hour)) && at.Sub(c.At) <= a.window {
			return ad.ID, ad.CampaignID, model.AttributedByClick, nil
		}
	}
	if utm != "" {
		if id, ok := a.utm[fold(utm)]; ok {
			return "", id, model.AttributedByUTM, nil
		}
		if id, ok := a.byName[fold(utm)]; ok {
			return "", id, model.AttributedByUTM, nil
		}
	}
	if code != "" {
		if id, ok := a.codes[foldCode(code)]; ok {
			return "", id, model.AttributedByDiscount, nil
		}
	}
	return "", "", model.Unattributed, nil
}

// counts applies the revenue counting rule to a store order.
func counts(o *integration.Order) (money.Micros, bool) {
	if o.Test || o.Cancelled {
		return 0, false
	}
	switch o.FinancialStatus {
	case "paid", "partially_paid", "partially_refunded":
		return max(o.Total-o.Refunded, 0), true
	}
	return 0, false
}
