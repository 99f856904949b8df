// Package tiktokapi serves Flint's TikTok-Business-API-compatible surface
// under /open_api/v1.3/: the wire conventions, error codes and shapes of
// TikTok's Business API v1.3 (docs/TIKTOK.md), so that TikTok's SDKs,
// connectors and Spark scripts work against Flint by changing the base URL.
//
// It is an adapter like api and web: its route table (routes.go) maps each
// TikTok call onto the domain services (account, authorization, campaign,
// report), translating TikTok's names, enums, numeric ids, parameter
// spellings and envelope on the way in and out. It holds no rules of its
// own: every decision is the services'.
package tiktokapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/flintads/flint/internal/account"
	"github.com/flintads/flint/internal/apperr"
	"github.com/flintads/flint/internal/authorization"
	"github.com/flintads/flint/internal/campaign"
	"github.com/flintads/flint/internal/clock"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/report"
)

// Prefix is the path every call of this surface starts with.
const Prefix = "/open_api/v1.3/"

// MaxBody is the largest request body read.
const MaxBody = 1 << 20

// NotMeasuredHeader lists, comma-separated, what a report was asked for
// that Flint does not measure (metrics answered "0" or "-", and audience
// dimensions it cannot break down), so that "0" and "not measured" can be
// told apart.
const NotMeasuredHeader = "X-Flint-Not-Measured"

// Deps are the services the surface calls.
type Deps struct {
	Log           *slog.Logger
	Clock         clock.Clock
	Accounts      *account.Service
	Authorization *authorization.Service
	Campaigns     *campaign.Service
	Reports       *report.Service
}

// API serves the surface.
type API struct {
	Deps
	routes map[string]route
}

// route is one call of the surface: its method and handler. A handler
// returns the reply's data or an error for the translator (errors.go).
type route struct {
	method string
	h      func(c *call) (any, error)
}

// New returns the surface over deps.
func New(deps Deps) *API {
	a := &API{Deps: deps}
	a.routes = a.table()
	return a
}

// Routes lists the surface's calls as "METHOD /open_api/v1.3/path/", for
// documentation and tests.
func (a *API) Routes() []string {
	var out []string
	for path, rt := range a.routes {
		out = append(out, rt.method+" "+Prefix+path+"/")
	}
	return out
}

// call is one request being served.
type call struct {
	ctx    context.Context
	r      *http.Request
	now    time.Time
	adv    model.Account
	body   map[string]any // a POST's JSON object; nil for GET
	header http.Header
	// notMeasured collects what the reply could not measure.
	notMeasured []string
}

// envelope is the shape of every reply.
type envelope struct {
	Code      int    `json:"code"`
	Message   string `json:"message"`
	RequestID string `json:"request_id"`
	Data      any    `json:"data"`
}

// Handler answers every path under /open_api/ (the server sends them here).
func (a *API) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		reqID := requestID(start)
		code, name := 0, "unmatched"
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				a.Log.ErrorContext(r.Context(), "panic", "path", r.URL.Path, "panic", fmt.Sprint(v),
					"stack", string(debug.Stack()))
				code = codeSysError
				write(w, envelope{Code: code, Message: "System error: it has been logged.", RequestID: reqID,
					Data: struct{}{}})
			}
			// Never the query or headers: they hold tokens and codes.
			a.Log.InfoContext(r.Context(), "request", "surface", "tiktok", "method", r.Method, "route", name,
				"code", code, "duration", time.Since(start))
		}()
		c := &call{ctx: r.Context(), r: r, now: a.Clock.Now(), header: w.Header()}
		var data any
		var err error
		name, data, err = a.serve(c)
		if err != nil {
			var msg string
			code, msg = a.translate(r, err)
			write(w, envelope{Code: code, Message: msg, RequestID: reqID, Data: struct{}{}})
			return
		}
		if len(c.notMeasured) > 0 {
			w.Header().Set(NotMeasuredHeader, strings.Join(c.notMeasured, ","))
		}
		write(w, envelope{Code: 0, Message: "OK", RequestID: reqID, Data: data})
	})
}

// serve finds the route, authenticates, reads the body and runs the
// handler; it returns the route's name for the log.
func (a *API) serve(c *call) (string, any, error) {
	r := c.r
	p := r.URL.Path
	if !utf8.ValidString(p) || !strings.HasPrefix(p+"/", Prefix) {
		return "unmatched", nil, paramErr("no endpoint at this path")
	}
	path := strings.Trim(strings.TrimPrefix(p+"/", Prefix), "/")
	rt, ok := a.routes[path]
	if !ok || strings.Contains(path, "//") {
		return "unmatched", nil, paramErr("no endpoint %s%s/", Prefix, truncate(path, 80))
	}
	name := path
	if r.Method != rt.method && !(rt.method == http.MethodGet && r.Method == http.MethodHead) {
		return name, nil, paramErr("%s/ is called with %s", path, rt.method)
	}
	if _, err := parseQuery(r); err != nil {
		return name, nil, err
	}
	token := strings.TrimSpace(r.Header.Get("Access-Token"))
	if token == "" {
		return name, nil, &tiktokError{code: codeEmptyToken, msg: "Access-Token is empty: send the header Access-Token."}
	}
	acct, err := a.Accounts.Authenticate(c.ctx, token)
	if err != nil {
		if _, ok := apperr.As(err); ok {
			return name, nil, &tiktokError{code: codeInvalidToken, msg: "Access token is incorrect or has been revoked."}
		}
		return name, nil, err
	}
	if acct.Kind != model.KindAdvertiser {
		return name, nil, &tiktokError{code: codePermission,
			msg: "No permission to operate: this API takes an advertiser's access token."}
	}
	c.adv = acct
	if rt.method == http.MethodPost {
		if err := c.readBody(); err != nil {
			return name, nil, err
		}
	}
	data, err := rt.h(c)
	return name, data, err
}

// readBody reads a POST's JSON object (an empty body is an empty object).
func (c *call) readBody() error {
	b, err := io.ReadAll(http.MaxBytesReader(nil, c.r.Body, MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return paramErr("the request body is larger than %d bytes", MaxBody)
		}
		return err
	}
	c.body = map[string]any{}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	if !utf8.Valid(b) {
		return paramErr("the request body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&c.body); err != nil {
		return paramErr("the request body must be a JSON object: %s", truncate(err.Error(), 120))
	}
	if dec.More() {
		return paramErr("the request body must be one JSON object")
	}
	return nil
}

// write sends the envelope: always HTTP 200, as TikTok's clients expect.
func write(w http.ResponseWriter, e envelope) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(e); err != nil {
		buf.Reset()
		fmt.Fprintf(&buf, `{"code":%d,"message":"System error: the answer could not be encoded.","request_id":%q,"data":{}}`+"\n",
			codeSysError, e.RequestID)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Tt-Logid", e.RequestID)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}

// requestID returns an id in TikTok's style: the UTC time to the second
// and 16 random hexadecimal digits.
func requestID(t time.Time) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return t.UTC().Format("20060102150405") + strings.ToUpper(hex.EncodeToString(b[:]))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
