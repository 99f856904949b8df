package web

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/flintads/flint/internal/apperr"
	"github.com/flintads/flint/internal/measure"
	"github.com/flintads/flint/internal/model"
)

// reportDataPage is Reports → Data sources: what reports read besides our
// own ads. Shopify orders (a CSV export, or the orders/create webhook),
// other channels' spend (their CSV exports), and how orders are tied to
// campaigns (the click window, utm_campaign and discount-code mappings).
type reportDataPage struct {
	Base
	Orders, Spend importView
	// The Shopify webhook: where Shopify sends orders, and whether its
	// secret is set (the secret itself is never shown again).
	WebhookURL        string
	ShopifyConfigured bool
	SecretError       string
	ClickWindow       string
	ClickWindowError  string
	Mappings          []mappingView
	MappingError      string
	Mapping           mappingForm
	Campaigns         []option
	Kinds             []option
}

// importView is the outcome of an upload, in words.
type importView struct {
	Done     bool
	Summary  string
	Platform string
	Rejected []string
	More     int
	Warnings []string
	Error    string
	// Next is a report to look at after a successful import.
	Next link
}

// mappingView is one mapping from a utm_campaign value or a discount code
// to a campaign, with its Remove button.
type mappingView struct {
	Kind, KindLabel, Key, Campaign string
}

// mappingForm is the Add mapping form, kept on error.
type mappingForm struct {
	Kind, Key, CampaignID string
}

var mappingKinds = []option{{"utm", "utm_campaign value", false}, {"code", "Discount code", false}}

// dataPage builds the page for u with the stored settings.
func (h *Handler) dataPage(r *http.Request, u *user, mf mappingForm) (reportDataPage, error) {
	page := reportDataPage{Base: h.base(r, u, "Data sources"), Mapping: mf, Kinds: choose(mappingKinds, mf.Kind)}
	page.Nav = "reports"
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	page.WebhookURL = scheme + "://" + r.Host + measure.WebhookPath(u.Account.ID)
	st, err := h.Measure.Settings(r.Context(), u.Account.ID)
	if err != nil {
		return page, err
	}
	page.ShopifyConfigured = st.ShopifyConfigured
	page.ClickWindow = strconv.Itoa(st.ClickWindowDays)
	campaigns, err := h.Campaigns.ListCampaigns(r.Context(), u.Account.ID)
	if err != nil {
		return page, err
	}
	names := map[string]string{}
	for _, c := range campaigns {
		names[c.ID] = c.Name
		page.Campaigns = append(page.Campaigns, option{Value: c.ID, Label: c.Name, Selected: c.ID == mf.CampaignID})
	}
	for _, m := range []struct {
		kind, label string
		entries     map[string]string
	}{{"utm", "utm_campaign", st.UTMCampaigns}, {"code", "Discount code", st.DiscountCodes}} {
		for key, id := range m.entries {
			page.Mappings = append(page.Mappings, mappingView{Kind: m.kind, KindLabel: m.label, Key: key,
				Campaign: cmp.Or(names[id], id)})
		}
	}
	slices.SortFunc(page.Mappings, func(a, b mappingView) int { return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Key, b.Key)) })
	return page, nil
}

func (h *Handler) showReportData(w http.ResponseWriter, r *http.Request, u *user) error {
	page, err := h.dataPage(r, u, mappingForm{Kind: "utm"})
	if err != nil {
		return err
	}
	page.Notice = map[string]string{
		"shopify": "Webhook secret saved. Shopify's orders now arrive by themselves.",
		"window":  "Click window saved. It applies to orders and conversions from now on.",
		"added":   "Mapping added. Orders imported from now on use it.",
		"removed": "Mapping removed.",
	}[r.URL.Query().Get("done")]
	h.render(w, r, http.StatusOK, "report_data", page)
	return nil
}

// importResult describes an import's outcome: counts are orders (or spend
// rows), never CSV lines; each rejected line with its reason in words.
func importResult(res measure.ImportResult, noun string) importView {
	v := importView{Done: true, More: res.MoreRejected, Warnings: res.Warnings}
	v.Summary = fmt.Sprintf("Imported %s", plural(res.Imported, noun, noun+"s"))
	if res.Updated > 0 {
		v.Summary += fmt.Sprintf(", updated %d", res.Updated)
	}
	if res.Skipped > 0 {
		v.Summary += fmt.Sprintf(", skipped %d already imported", res.Skipped)
	}
	if n := len(res.Rejected) + res.MoreRejected; n > 0 {
		v.Summary += fmt.Sprintf("; %s not imported", plural(n, "line was", "lines were"))
	}
	v.Summary += "."
	for _, rj := range res.Rejected {
		v.Rejected = append(v.Rejected, fmt.Sprintf("Line %d: %s", rj.Line, words(rj.Err)))
	}
	v.Platform = platformWords[res.Platform]
	if noun == "order" {
		v.Next = link{"Compare spend and Shopify revenue by campaign this month", questionURL("/ads/reports", examples[0])}
	} else {
		v.Next = link{"Compare spend by channel this month", questionURL("/ads/reports", "spend by channel this month")}
	}
	return v
}

// platformWords names the export a spend file was detected as.
var platformWords = map[string]string{"meta": "a Meta Ads Manager export", "google": "a Google Ads report",
	"tiktok": "a TikTok Ads Manager export", "generic": "a generic spend file (date, channel, campaign, spend)"}

// importOutcome turns what an import returned into its view, or an error
// that is not about the file.
func importOutcome(f *uploadFile, res measure.ImportResult, err error, noun string) (importView, int, error) {
	if f.Name == "" {
		return importView{Error: "Choose the file to import first."}, http.StatusBadRequest, nil
	}
	if rerr := f.readError(); rerr != nil {
		err = rerr // whatever the import made of a truncated file
	}
	if err != nil {
		e, ok := apperr.As(err)
		if !ok || e.Kind == apperr.Unavailable {
			return importView{}, 0, err
		}
		msg := words(e)
		if !strings.Contains(strings.ToLower(msg), "nothing was imported") {
			msg += " Nothing was imported."
		}
		return importView{Error: msg}, statusFor(err), nil
	}
	return importResult(res, noun), http.StatusOK, nil
}

func (h *Handler) importOrders(w http.ResponseWriter, r *http.Request, u *user, f *uploadFile) error {
	return h.importFile(w, r, u, f, "order", h.Measure.ImportOrders, func(p *reportDataPage, v importView) { p.Orders = v })
}

func (h *Handler) importSpend(w http.ResponseWriter, r *http.Request, u *user, f *uploadFile) error {
	return h.importFile(w, r, u, f, "spend row", h.Measure.ImportSpend, func(p *reportDataPage, v importView) { p.Spend = v })
}

// importFile runs an import of the uploaded file (none when no file was
// chosen) and shows its outcome in its section of Data sources.
func (h *Handler) importFile(w http.ResponseWriter, r *http.Request, u *user, f *uploadFile, noun string,
	imp func(context.Context, model.Account, io.Reader) (measure.ImportResult, error),
	show func(*reportDataPage, importView)) error {
	var res measure.ImportResult
	var err error
	if f.Name != "" {
		res, err = imp(r.Context(), u.Account, f)
	}
	v, status, err := importOutcome(f, res, err, noun)
	if err != nil {
		return err
	}
	page, err := h.dataPage(r, u, mappingForm{Kind: "utm"})
	if err != nil {
		return err
	}
	show(&page, v)
	h.render(w, r, status, "report_data", page)
	return nil
}

// dataFormError shows Data sources again with the error of one of its
// forms (show puts it next to its field), or returns err when it is not
// about what was typed.
func (h *Handler) dataFormError(w http.ResponseWriter, r *http.Request, u *user, err error, mf mappingForm,
	show func(*reportDataPage, *apperr.Error)) error {
	e, ok := apperr.As(err)
	if !ok || e.Kind == apperr.Unavailable {
		return err
	}
	page, perr := h.dataPage(r, u, mf)
	if perr != nil {
		return perr
	}
	show(&page, e)
	h.render(w, r, statusFor(err), "report_data", page)
	return nil
}
