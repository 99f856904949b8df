// Package openapitest checks HTTP exchanges with Flint's API against the
// API's OpenAPI document, for tests: every request a test sends and every
// answer it gets must be what the document says, so the document cannot
// drift from the code unnoticed.
//
// It uses libopenapi-validator, which implements OpenAPI 3.1 with JSON
// Schema 2020-12. Requests are validated as the API reads them (unknown
// keys are allowed: the API ignores them); answers strictly (a field the
// document does not name fails the check), so a field added to an answer
// without the document knowing is caught.
package openapitest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/cache"
	"github.com/pb33f/libopenapi-validator/config"
	vderrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/paths"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
)

// Checker checks exchanges against one document.
type Checker struct {
	model     *v3.Document
	options   *config.ValidationOptions
	requests  validator.Validator // as the API reads requests: unknown keys allowed
	responses validator.Validator // strict: answers hold only what the document names
	schemas   schema_validation.SchemaValidator
}

// Validate checks the document itself against the OpenAPI 3.1
// specification (its meta-schema) and returns what is wrong with it.
func Validate(doc []byte) []string {
	d, err := libopenapi.NewDocument(doc)
	if err != nil {
		return []string{err.Error()}
	}
	v, errs := validator.NewValidator(d, config.WithSchemaCache(nil)) // no request to validate: compile nothing ahead
	if len(errs) > 0 {
		var out []string
		for _, e := range errs {
			out = append(out, e.Error())
		}
		return out
	}
	ok, verrs := v.ValidateDocument()
	if ok {
		return nil
	}
	return describe(verrs)
}

// New returns a Checker for the OpenAPI document doc (JSON).
func New(doc []byte) (*Checker, error) {
	d, err := libopenapi.NewDocument(doc)
	if err != nil {
		return nil, err
	}
	m, err := d.BuildV3Model()
	if err != nil {
		return nil, fmt.Errorf("build the OpenAPI model: %w", err)
	}
	// One cache of compiled schemas for both validators: building a
	// validator compiles every schema of the document, once.
	opts := []config.Option{config.WithFormatAssertions(), config.WithRegexCache(&sync.Map{}),
		config.WithSchemaCache(cache.NewDefaultCache())}
	c := &Checker{model: &m.Model, options: config.NewValidationOptions(opts...),
		requests:  validator.NewValidatorFromV3Model(&m.Model, opts...),
		responses: validator.NewValidatorFromV3Model(&m.Model, append(opts, config.WithStrictMode())...),
		schemas:   schema_validation.NewSchemaValidator(opts...)}
	return c, nil
}

// Exchange is one request and the answer to it.
type Exchange struct {
	Method string
	// Target is the request's path and query, as sent.
	Target string
	Header http.Header
	Body   []byte

	Status         int
	ResponseHeader http.Header
	ResponseBody   []byte
}

// Check reports how x departs from the document, or nil:
//   - the answer must be one the document gives for the request's
//     operation: its status, content type, headers and body (every field of
//     the body named, every required one present, error codes among those
//     listed for that status);
//   - a request the document refuses (a wrong type, a missing field or
//     token, an ID Flint could not have made) must be refused: such tests
//     send it on purpose, and the answer must be a documented 4xx. A
//     refused request that succeeds means the document and the code
//     disagree;
//   - a request to no operation (an unknown path, a wrong method) must get
//     the document's NoRoute or MethodNotAllowed answer;
//   - a request the server cannot parse as HTTP may get its ProtocolError
//     answer, whatever its path.
func (c *Checker) Check(x Exchange) error {
	if c.unmatched(x, "ProtocolError") == nil {
		return nil // the server's own answer to what it could not parse, whatever the path
	}
	req, err := http.NewRequest(x.Method, "http://flint.test"+x.Target, bytes.NewReader(x.Body))
	if err != nil || !strings.HasPrefix(x.Target, "/") {
		// Not a request a client library could send (the tests write
		// these raw): only the server's own answers fit.
		return c.unmatched(x, "NoRoute")
	}
	req.Header = x.Header.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	pathItem, _, _ := paths.FindPath(req, c.model, c.options)
	if pathItem == nil || !canonical(req.URL.EscapedPath()) {
		return c.unmatched(x, "NoRoute")
	}
	ops := pathItem.GetOperations()
	method := strings.ToLower(x.Method)
	op, ok := ops.Get(method)
	if !ok && method == "head" {
		op, ok = ops.Get("get")
		if ok {
			return c.status(op, x.Status)
		}
	}
	if !ok {
		if err := c.unmatched(x, "MethodNotAllowed"); err != nil {
			return err
		}
		var allow []string
		for m := range ops.KeysFromOldest() {
			allow = append(allow, strings.ToUpper(m))
			if m == "get" {
				allow = append(allow, "HEAD")
			}
		}
		slices.Sort(allow)
		got := strings.Split(x.ResponseHeader.Get("Allow"), ", ")
		slices.Sort(got)
		if !slices.Equal(got, allow) {
			return fmt.Errorf("%s %s: Allow: %s, but the document has %s", x.Method, x.Target,
				x.ResponseHeader.Get("Allow"), strings.Join(allow, ", "))
		}
		return nil
	}
	if req.Header.Get("Content-Type") == "" && len(x.Body) > 0 && op.RequestBody != nil {
		// The API does not look at Content-Type; tests often leave it
		// out. The body is checked as the media type the document gives.
		for mt := range op.RequestBody.Content.KeysFromOldest() {
			req.Header.Set("Content-Type", mt)
			break
		}
	}
	_, reqErrs := c.requests.ValidateHttpRequestSync(req)
	if undecodable(reqErrs) && json.Valid(x.Body) {
		// Valid JSON the validator cannot hold (a number beyond float64,
		// such as 1e309): the document cannot be asked about it.
		reqErrs = nil
	}
	req.Body = io.NopCloser(bytes.NewReader(x.Body))
	resp := &http.Response{StatusCode: x.Status, Header: x.ResponseHeader.Clone(), Request: req,
		Body: io.NopCloser(bytes.NewReader(x.ResponseBody))}
	if resp.Header == nil {
		resp.Header = http.Header{}
	}
	check := c.responses
	if _, open := op.Extensions.Get("x-flint-open-answer"); open {
		check = c.requests // the answer holds more than the document names
	}
	_, respErrs := check.ValidateHttpResponse(req, resp)
	var problems []string
	if len(respErrs) > 0 {
		problems = append(problems, "the answer "+strings.Join(describe(respErrs), "; "))
	}
	if len(reqErrs) > 0 && (x.Status < 400 || x.Status >= 500) {
		problems = append(problems, fmt.Sprintf("the document refuses the request (%s), but it was answered %d",
			strings.Join(describe(reqErrs), "; "), x.Status))
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("%s %s → %d %.300s: %s", x.Method, x.Target, x.Status, x.ResponseBody, strings.Join(problems, "; "))
}

// status checks that status is documented for op (a HEAD request: no body
// to check).
func (c *Checker) status(op *v3.Operation, status int) error {
	if op.Responses == nil || op.Responses.Codes == nil {
		return errors.New("the operation documents no answers")
	}
	if _, ok := op.Responses.Codes.Get(fmt.Sprint(status)); !ok {
		return fmt.Errorf("status %d is not documented", status)
	}
	return nil
}

// unmatched checks an answer to a request that reaches no operation
// against the document's responses of that name.
func (c *Checker) unmatched(x Exchange, names ...string) error {
	var problems []string
	for _, name := range names {
		r, ok := c.model.Components.Responses.Get(name)
		if !ok {
			return fmt.Errorf("the document has no response %s", name)
		}
		if err := c.answerFits(name, r, x); err != nil {
			problems = append(problems, name+": "+err.Error())
			continue
		}
		return nil
	}
	return fmt.Errorf("%s %q → %d %.300s: the answer is none of the document's answers to a request that no "+
		"operation takes: %s", x.Method, x.Target, x.Status, x.ResponseBody, strings.Join(problems, "; "))
}

// unmatchedStatus are the statuses of the document's answers to requests
// no operation takes (components.responses carry no status of their own).
var unmatchedStatus = map[string][]int{"NoRoute": {404}, "MethodNotAllowed": {405},
	"ProtocolError": {400, 431, 501}}

// answerFits checks x's answer against the response r named name.
func (c *Checker) answerFits(name string, r *v3.Response, x Exchange) error {
	if !slices.Contains(unmatchedStatus[name], x.Status) {
		return fmt.Errorf("status %d", x.Status)
	}
	for h, hd := range r.Headers.FromOldest() {
		if hd.Required && x.ResponseHeader.Get(h) == "" {
			return fmt.Errorf("no %s header", h)
		}
	}
	mt, _, _ := mime.ParseMediaType(x.ResponseHeader.Get("Content-Type"))
	content, ok := r.Content.Get(mt)
	if !ok {
		return fmt.Errorf("content type %q", mt)
	}
	if ok, errs := c.schemas.ValidateSchemaBytes(content.Schema.Schema(), x.ResponseBody); !ok {
		return errors.New(strings.Join(describe(errs), "; "))
	}
	return nil
}

// canonical reports whether the API routes path p: one that is not (//,
// /./, /../, a NUL) is answered 404 whatever it would match.
func canonical(p string) bool {
	if strings.Contains(p, "//") || strings.Contains(p, "/./") || strings.Contains(p, "/../") ||
		strings.HasSuffix(p, "/.") || strings.HasSuffix(p, "/..") {
		return false
	}
	u, err := url.PathUnescape(p)
	return err == nil && !strings.ContainsRune(u, 0)
}

// undecodable reports whether the validator could not decode the body (it
// says so only in its messages).
func undecodable(errs []*vderrors.ValidationError) bool {
	for _, e := range errs {
		if strings.Contains(e.Reason, "cannot be decoded") || strings.Contains(e.Message, "could not be decoded") {
			return true
		}
	}
	return false
}

func describe(errs []*vderrors.ValidationError) []string {
	var out []string
	for _, e := range errs {
		s := e.Message
		if e.Reason != "" && e.Reason != e.Message {
			s += ": " + e.Reason
		}
		for _, f := range e.SchemaValidationErrors {
			s += fmt.Sprintf(" [%s at %s]", f.Reason, f.FieldPath)
		}
		out = append(out, s)
	}
	return out
}
