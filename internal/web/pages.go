package web

import (
	"net/http"

	"github.com/flintads/flint/internal/model"
)

// Base is what every page's data holds: the layout reads it.
type Base struct {
	Title string
	// App is the app the page belongs to: "creator", "ads", "console" or
	// "" (login and error pages for people not signed in).
	App string
	// Nav names the navigation item that is current.
	Nav      string
	SignedIn bool
	// Who is the signed-in name shown beside Log out.
	Who string
	// Notice is a one-line confirmation shown above the page.
	Notice string
	// Reports is true when the reports service is wired (Ads Manager's nav).
	Reports bool
	// CSRF is the form token every state-changing form carries (csrf.go).
	CSRF string
}

// base returns the Base of a page for u.
func (h *Handler) base(r *http.Request, u *user, title string) Base {
	b := Base{Title: title, Reports: h.Reports != nil && h.Measure != nil}
	switch u.role() {
	case roleCreator:
		b.App, b.Who = "creator", "@"+u.Account.Handle
	case roleAdvertiser:
		b.App, b.Who = "ads", u.Account.Name
	case roleOperator:
		b.App, b.Who = "console", "Operator"
	}
	b.SignedIn = u != nil
	if u != nil {
		b.CSRF = csrfToken(u.Secret)
	}
	return b
}

// pageTypes maps every page template (templates/{name}.html) to the type of
// the data it is executed with. The templates test checks each template
// against its type, so a misspelt field fails the tests, not a visitor.
var pageTypes = map[string]any{
	"error":             errorPage{},
	"login":             loginPage{},
	"terms":             termsPage{},
	"profile":           profilePage{},
	"post":              postPage{},
	"ad_settings":       adSettingsPage{},
	"ad_authorizations": adAuthorizationsPage{},
	"dashboard":         dashboardPage{},
	"creatives":         creativesPage{},
	"creative":          creativePage{},
	"apply":             applyPage{},
	"campaigns":         campaignsPage{},
	"campaign":          campaignPage{},
	"campaign_new":      campaignFormPage{},
	"ad_groups":         adGroupsPage{},
	"ad_group":          adGroupPage{},
	"ad_group_new":      adGroupFormPage{},
	"ads":               adsPage{},
	"ad":                adPage{},
	"ad_new":            adFormPage{},
	"console":           consolePage{},
	"reports":           reportsPage{},
	"report_data":       reportDataPage{},
	"console_login":     consoleLoginPage{},
}

// errorPage shows an error in words.
type errorPage struct {
	Base
	Status  int
	Message string
}

// creatorType names a creator account type for people.
func creatorType(t model.CreatorType) string {
	switch t {
	case model.CreatorBusiness:
		return "Business account"
	case model.CreatorCreator:
		return "Creator account"
	}
	return "Personal account"
}
