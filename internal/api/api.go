// Package api is Flint's JSON HTTP API under /api/v1, as API.md specifies
// it: the route table (routes.go), authentication and roles, request
// decoding, and the error translator (errors.go). Handlers decode, call the
// domain, and encode; they hold no rules of their own.
package api

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/flintads/flint/internal/account"
	"github.com/flintads/flint/internal/apperr"
	"github.com/flintads/flint/internal/authorization"
	"github.com/flintads/flint/internal/campaign"
	"github.com/flintads/flint/internal/clock"
	"github.com/flintads/flint/internal/delivery"
	"github.com/flintads/flint/internal/event"
	"github.com/flintads/flint/internal/measure"
	"github.com/flintads/flint/internal/metrics"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/post"
	"github.com/flintads/flint/internal/report"
)

// Deps are the services the API calls.
type Deps struct {
	Log           *slog.Logger
	Clock         clock.Clock
	OperatorToken string
	// TestClock, when not nil, enables POST /api/v1/test-clock/advance.
	TestClock clock.Advancer
	// Advanced, when not nil, is called after the test clock moved: the
	// engine leases the budget periods the jump began (a clock that moves
	// continuously gives the leaser the time to).
	Advanced      func(ctx context.Context) error
	Accounts      *account.Service
	Posts         *post.Service
	Authorization *authorization.Service
	Campaigns     *campaign.Service
	Delivery      *delivery.Engine
	Events        *event.Ingestor
	Reports       *report.Service
	Measure       *measure.Service
	// Ready reports whether the server can take traffic (for /readyz).
	Ready func(ctx context.Context) error
	// Metrics, when not nil, counts decisions and events.
	Metrics *metrics.Metrics
}

// API serves the HTTP API.
type API struct {
	Deps
	operatorHash [32]byte
	openAPIOnce  sync.Once
	openAPI      []byte // the OpenAPI document (openapi.go), built once
}

// New returns the API over deps.
func New(deps Deps) *API {
	return &API{Deps: deps, operatorHash: sha256.Sum256([]byte(deps.OperatorToken))}
}

// role is who is calling.
type role uint8

const (
	roleOperator role = 1 << iota
	roleCreator
	roleAdvertiser
)

// principal is the authenticated caller.
type principal struct {
	role    role
	account model.Account // empty for the operator
}

// id is the caller's account ID ("" for the operator).
func (p principal) id() string { return p.account.ID }

// handlerFunc is an API handler: it returns an error for the translator
// instead of writing one.
type handlerFunc func(w http.ResponseWriter, r *http.Request, p principal) error

// authenticate resolves the bearer token to a principal.
func (a *API) authenticate(r *http.Request) (principal, error) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if h == "" {
		return principal{}, apperr.New(apperr.Unauthenticated, apperr.CodeUnauthenticated,
			"send Authorization: Bearer <token>")
	}
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return principal{}, apperr.New(apperr.Unauthenticated, apperr.CodeUnauthenticated,
			"the Authorization header must be Bearer <token>")
	}
	sum := sha256.Sum256([]byte(token))
	if subtle.ConstantTimeCompare(sum[:], a.operatorHash[:]) == 1 {
		return principal{role: roleOperator}, nil
	}
	acct, err := a.Accounts.Authenticate(r.Context(), token)
	if err != nil {
		return principal{}, err
	}
	if acct.Kind == model.KindCreator {
		return principal{role: roleCreator, account: acct}, nil
	}
	return principal{role: roleAdvertiser, account: acct}, nil
}

// handle wraps a route's handler with authentication, the role check, the
// check of its path IDs and query, and error translation.
func (a *API) handle(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p principal
		var err error
		if rt.roles != 0 {
			p, err = a.authenticate(r)
			if err == nil && p.role&rt.roles == 0 {
				err = apperr.New(apperr.Forbidden, apperr.CodeForbidden, "this call is not open to %s", p.role)
			}
		}
		if err == nil {
			err = checkRequestIDs(r, rt.path)
		}
		if err == nil {
			limit := int64(MaxBody)
			if l, ok := uploadLimits[rt.method+" "+rt.path]; ok {
				limit = l
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
			err = rt.h(w, r, p)
		}
		if err != nil {
			writeError(w, r, a.Log, err)
		}
	})
}

// name is the role's name in the route table's description.
func (r role) name() string {
	switch r {
	case roleOperator:
		return "operator"
	case roleCreator:
		return "creator"
	case roleAdvertiser:
		return "advertiser"
	}
	return ""
}

func (r role) String() string {
	switch r {
	case roleOperator:
		return "the operator"
	case roleCreator:
		return "creators"
	case roleAdvertiser:
		return "advertisers"
	}
	return "this caller"
}
