// Package web is Flint's browser UI, served by `flint serve` outside /api/:
// the creator app (profile, post, Ad settings, Ad authorizations), Ads
// Manager (dashboard, creative library with Spark Ads posts, campaign →
// ad group → ad, lists with status switches and serving status; Reports:
// questions in plain words, reports, imports and attribution settings) and
// the operator console.
//
// Pages are html/template files embedded with go:embed, parsed once at
// start into one set per page (the shared layout, the partials and the
// page), each executed with a typed page struct (pages.go) into a buffer
// before anything is written. routes.go is the one route table; each page
// or action is one file. Handlers call the domain services, never the
// store, and hold no business rules: errors the domain returns are shown in
// plain words (words.go) next to the field they name, with what was typed
// kept. Every page works without JavaScript; static/app.js only adds
// copy-to-clipboard and closes menus.
package web

import (
	"log/slog"
	"net/http"

	"github.com/flintads/flint/internal/account"
	"github.com/flintads/flint/internal/authorization"
	"github.com/flintads/flint/internal/campaign"
	"github.com/flintads/flint/internal/clock"
	"github.com/flintads/flint/internal/measure"
	"github.com/flintads/flint/internal/post"
	"github.com/flintads/flint/internal/report"
	"github.com/flintads/flint/internal/session"
)

// Deps are the services the UI calls.
type Deps struct {
	Log           *slog.Logger
	Clock         clock.Clock
	Sessions      *session.Service
	Accounts      *account.Service
	Posts         *post.Service
	Authorization *authorization.Service
	Campaigns     *campaign.Service
	// Reports and Measure, when set, add Reports (and its data sources) to
	// Ads Manager and the Spark-ad candidate ranks to the creator app and
	// the library.
	Reports *report.Service
	Measure *measure.Service
}

// Handler serves the UI.
type Handler struct {
	Deps
	pages   map[string]*page
	static  *assets
	handler http.Handler
}

// New parses the templates and assets and returns the UI's handler. It
// fails if a template does not parse.
func New(deps Deps) (*Handler, error) {
	h := &Handler{Deps: deps}
	var err error
	if h.static, err = loadAssets(); err != nil {
		return nil, err
	}
	if h.pages, err = parsePages(h.static); err != nil {
		return nil, err
	}
	h.handler = h.routes()
	return h, nil
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.handler.ServeHTTP(w, r) }
