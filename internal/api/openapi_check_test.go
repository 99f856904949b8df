package api_test

import (
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/flintads/flint/internal/api/openapitest"
)

// checkers are the checkers of the documents the test servers serve (with
// and without the test clock), built once each.
var checkers sync.Map // document → func() (*openapitest.Checker, error)

// loadOpenAPI fetches the document this server serves and returns its
// checker.
func (e *env) loadOpenAPI() *openapitest.Checker {
	resp, err := e.srv.Client().Get(e.srv.URL + "/api/v1/openapi.json")
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	doc, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		e.t.Fatalf("GET /api/v1/openapi.json: %d %v", resp.StatusCode, err)
	}
	return checkerFor(e.t, doc)
}

// checkerFor returns the checker of doc, built once per test binary.
func checkerFor(t testing.TB, doc []byte) *openapitest.Checker {
	load, _ := checkers.LoadOrStore(string(doc), sync.OnceValues(func() (*openapitest.Checker, error) {
		return openapitest.New(doc)
	}))
	c, err := load.(func() (*openapitest.Checker, error))()
	if err != nil {
		t.Fatalf("the OpenAPI document: %v", err)
	}
	return c
}

// checkOpenAPI fails the test when an exchange departs from the document.
func (e *env) checkOpenAPI(x openapitest.Exchange) {
	e.t.Helper()
	e.checked.Add(1)
	if err := e.openAPI().Check(x); err != nil {
		e.t.Errorf("OpenAPI (the document is described in internal/api/openapi_ops.go): %v", err)
	}
}
