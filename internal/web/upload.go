package web

import (
	"errors"
	"io"
	"net/http"

	"github.com/flintads/flint/internal/apperr"
)

// maxUpload is the largest file an import takes, as in the API (64 MiB):
// the file is read as a stream, so memory does not grow with it.
const maxUpload = 64 << 20

// uploadFile is the file of an import form, read as a stream. It remembers
// why reading it stopped early (too large, the upload broken off), which
// then is the answer, whatever the import made of the truncated file.
type uploadFile struct {
	Name string
	r    io.Reader
	err  error
}

func (f *uploadFile) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err != nil && err != io.EOF && f.err == nil {
		f.err = err
	}
	return n, err
}

// readError is why reading stopped early, as a domain error, or nil.
func (f *uploadFile) readError() error {
	var tooBig *http.MaxBytesError
	switch {
	case f.err == nil:
		return nil
	case errors.As(f.err, &tooBig):
		return apperr.New(apperr.TooLarge, apperr.CodeBodyTooLarge,
			"the file is larger than 64 MiB; split it (by date) and import the parts one after the other")
	}
	return apperr.New(apperr.Invalid, apperr.CodeInvalidValue, "the upload was broken off before the end; send the file again")
}

// uploadFunc is an import: it reads f and answers.
type uploadFunc func(w http.ResponseWriter, r *http.Request, u *user, f *uploadFile) error

// upload wraps an import form: as page, but the body is a multipart form
// read part by part as it arrives, never held whole in memory or written
// to disk. Its first part must be the form token (the form puts it first),
// its second the file, which fn reads; a file over maxUpload is refused.
func (h *Handler) upload(roles role, fn uploadFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, ok := h.signIn(w, r, roles)
		if !ok {
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxUpload+maxForm)
		mr, err := r.MultipartReader()
		if err != nil {
			h.serveError(w, r, u, apperr.New(apperr.Invalid, apperr.CodeInvalidValue,
				"the upload could not be read; choose the file and send the form again"))
			return
		}
		token, err := mr.NextPart()
		if err != nil || token.FormName() != csrfField {
			h.refuseForgery(w, r, u)
			return
		}
		sent, _ := io.ReadAll(io.LimitReader(token, 256))
		if !tokenOK(r, u, string(sent), false) {
			h.refuseForgery(w, r, u)
			return
		}
		f := &uploadFile{r: http.NoBody}
		if part, err := mr.NextPart(); err == nil && part.FormName() == "file" {
			f.Name, f.r = part.FileName(), http.MaxBytesReader(w, part, maxUpload)
		}
		if err := fn(w, r, u, f); err != nil {
			h.serveError(w, r, u, err)
		}
	})
}
