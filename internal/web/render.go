package web

import (
	"bytes"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"strconv"
	"strings"

	"github.com/flintads/flint/internal/apperr"
)

// page is one page's parsed template set: the layout, the partials and the
// page's own file.
type page struct {
	name string
	tmpl *template.Template
}

// parsePages parses every page named in pageTypes, each with the layout and
// the partials. Every file in templates/ must be a page, the layout or the
// partials, so that a page file without a type cannot hide.
func parsePages(a *assets) (map[string]*page, error) {
	out := map[string]*page{}
	entries, err := fs.ReadDir(files, "templates")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".html")
		if name == "layout" || name == "partials" {
			continue
		}
		if _, ok := pageTypes[name]; !ok {
			return nil, errors.New("web: templates/" + e.Name() + " has no page type in pageTypes")
		}
	}
	for name := range pageTypes {
		t, err := template.New("layout.html").Funcs(funcs(a)).ParseFS(files, "templates/layout.html",
			"templates/partials.html", "templates/"+name+".html")
		if err != nil {
			return nil, err
		}
		out[name] = &page{name: name, tmpl: t}
	}
	return out, nil
}

func funcs(a *assets) template.FuncMap {
	return template.FuncMap{
		"asset": a.URL,
		"num":   formatInt,
	}
}

// formatInt writes n with thousands separators: 12,345.
func formatInt(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// render executes a page into a buffer and writes it with status; a page
// that fails to execute becomes the plain error page, never half a page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	p, ok := h.pages[name]
	if !ok {
		h.Log.ErrorContext(r.Context(), "web: no such page", "page", name)
		h.plainError(w, http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := p.tmpl.ExecuteTemplate(&buf, "layout.html", data); err != nil {
		h.Log.ErrorContext(r.Context(), "web: render", "page", name, "err", err)
		h.plainError(w, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// plainError answers with a page that needs no template.
func (h *Handler) plainError(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write([]byte("<!doctype html><meta charset=utf-8><title>Flint</title><h1>Something went wrong</h1>" +
		"<p>It has been logged. Please try again in a moment.</p>"))
}

// statusFor returns the HTTP status of an error: its kind's, or 500.
func statusFor(err error) int {
	if e, ok := apperr.As(err); ok {
		return e.Kind.HTTPStatus()
	}
	return http.StatusInternalServerError
}

// serveError is the one place where a handler's error becomes a page: a
// domain error shows its message in words with its status; anything else
// is logged and shown as a generic 500.
func (h *Handler) serveError(w http.ResponseWriter, r *http.Request, u *user, err error) {
	status := statusFor(err)
	data := errorPage{Base: h.base(r, u, "Something went wrong"), Status: status}
	switch {
	case status == http.StatusNotFound:
		data.Title, data.Message = "Not found", "There is nothing here. It may have been removed, or the link is wrong."
	case status >= 500:
		if r.Context().Err() != nil {
			return // the client went away
		}
		h.Log.ErrorContext(r.Context(), "web: internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		data.Message = "Something went wrong on our side. It has been logged; please try again in a moment."
	default:
		e, _ := apperr.As(err)
		data.Message = sentence(e.Message)
	}
	if status == http.StatusTooManyRequests {
		if e, ok := apperr.As(err); ok {
			w.Header().Set("Retry-After", strconv.Itoa(max(1, int(e.RetryAfter.Seconds()+0.999))))
		}
	}
	h.render(w, r, status, "error", data)
}

// capital starts s with a capital letter.
func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// sentence starts s with a capital letter and ends it with a full stop.
func sentence(s string) string {
	if s == "" {
		return s
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "?") && !strings.HasSuffix(s, "!") {
		s += "."
	}
	return s
}
