package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/flintads/flint/internal/apperr"
)

// The OpenAPI 3.1 document of this API (GET /api/v1/openapi.json) is built
// from the route table: every route of routes() becomes one operation, its
// security from the route's roles, its path parameters from the pattern. What
// the table does not say comes from operations (openapi_ops.go): the body a
// handler decodes and the answer it encodes, as Go types that the schemas
// are derived from by reflection (with enums, patterns and descriptions
// added by schemaHints), the query parameters, and the error codes the
// domain can answer. The codes that the route's shape implies (a body is
// read strictly, a PATCH must change something, an ID in the path may name
// nothing, a token may be missing) are added here, so that they cannot be
// forgotten. A route without an entry in operations, or an entry without a
// route, makes OpenAPI return an error, and the tests fail on it.

// js is a JSON Schema (or any other OpenAPI object) being built. Values
// may hold reflect.Type, which the generator replaces by the type's schema.
type js = map[string]any

// props are an object's properties, kept in the order they were declared
// (Go's struct order) when written as JSON.
type props struct {
	names  []string
	values map[string]any
}

func (p *props) set(name string, v any) {
	if p.values == nil {
		p.values = map[string]any{}
	}
	if _, ok := p.values[name]; !ok {
		p.names = append(p.names, name)
	}
	p.values[name] = v
}

func (p *props) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, n := range p.names {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(n)
		v, err := json.Marshal(p.values[n])
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// direction tells whether a schema describes what clients send or what
// Flint answers: an answer's field is required unless it is omitted when
// empty, and a pointer field of an answer may be null; a request's fields
// are optional unless the operation says otherwise, and null only where
// the hints say null means something.
type direction int

const (
	answer direction = iota
	request
)

// Schema building blocks, used by the operations and the hints.
func str() js                     { return js{"type": "string"} }
func integer() js                 { return js{"type": "integer"} }
func boolean() js                 { return js{"type": "boolean"} }
func number() js                  { return js{"type": "number"} }
func arrayOf(items any) js        { return js{"type": "array", "items": items} }
func typeOf[T any]() reflect.Type { return reflect.TypeFor[T]() }

// pattern is a string schema matching the regular expression p.
func pattern(p, desc string) js {
	s := js{"type": "string", "pattern": p}
	if desc != "" {
		s["description"] = desc
	}
	return s
}

// described is a copy of s with description d.
func described(s js, d string) js {
	out := maps.Clone(s)
	out["description"] = d
	return out
}

// enum is a string schema taking one of values.
func enum[T ~string](values ...T) js {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return js{"type": "string", "enum": out}
}

// intEnum is an integer schema taking one of values.
func intEnum(values ...int) js {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = v
	}
	return js{"type": "integer", "enum": out}
}

// between is an integer schema from min to max.
func between(min, max int) js { return js{"type": "integer", "minimum": min, "maximum": max} }

// object is an object schema with the given properties (name, schema
// pairs); a name ending in "?" is optional.
func object(kv ...any) js {
	var p props
	var required []any
	for i := 0; i+1 < len(kv); i += 2 {
		name := kv[i].(string)
		if n, ok := strings.CutSuffix(name, "?"); ok {
			name = n
		} else {
			required = append(required, name)
		}
		p.set(name, kv[i+1])
	}
	s := js{"type": "object", "properties": &p}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}

// listOf is the answer of a list call: {"<name>": [items]}.
func listOf(name string, items any) js { return object(name, arrayOf(items)) }

// orNull lets s also be null.
func orNull(s js) js {
	out := maps.Clone(s)
	if _, typed := out["type"]; !typed {
		// A reference or a composition.
		return js{"anyOf": []any{out, js{"type": "null"}}}
	}
	switch t := out["type"].(type) {
	case string:
		out["type"] = []any{t, "null"}
	case []any:
		if !slices.Contains(t, any("null")) {
			out["type"] = append(slices.Clone(t), "null")
		}
	}
	if e, ok := out["enum"].([]any); ok && !slices.Contains(e, nil) {
		out["enum"] = append(slices.Clone(e), nil)
	}
	return out
}

// Common schemas.
var (
	// moneyAnswer is an amount as Flint shows it: a decimal string in the
	// minor units of the currency.
	moneyAnswer = func() js {
		return pattern(`^-?[0-9]+(\.[0-9]+)?$`, "An amount in the minor units of the advertiser's currency "+
			`(ISO 4217), as a decimal string: "15.50" for USD, "1500" for JPY, "1.125" for KWD`)
	}
	// moneyInput is an amount a client sends: at most as many decimals as
	// the currency has (more answer 400 INVALID_VALUE).
	moneyInput = func() js {
		return pattern(`^[0-9]{1,13}(\.[0-9]{1,6})?$`, "A positive amount as a decimal string with at most as many "+
			`decimals as the advertiser's currency has ("12.50" for USD, "1500" for JPY)`)
	}
	dateTime = func() js { return js{"type": "string", "format": "date-time"} }
	date     = func() js { return js{"type": "string", "format": "date"} }
	// idPattern is what ids.Plausible accepts: an ID Flint could have made.
	idPattern = `^[a-z0-9_-]{1,64}$`
)

var (
	timeType  = reflect.TypeFor[time.Time]()
	anyType   = reflect.TypeFor[any]()
	errorType = reflect.TypeFor[errorBody]()
)

// generator builds one document.
type generator struct {
	schemas map[string]any          // components.schemas
	defined map[string]reflect.Type // which type a component name was made from
	err     []string
}

func (g *generator) failf(format string, args ...any) {
	g.err = append(g.err, fmt.Sprintf(format, args...))
}

// componentName returns the name of t's component in direction dir, or
// "" when t is inlined.
func (g *generator) componentName(t reflect.Type, dir direction) string {
	name, ok := componentNames[t]
	if ok && dir == request && t.PkgPath() != typeOf[API]().PkgPath() {
		// A model type used on both sides: the request side has no
		// required fields, so it is a component of its own.
		name += "Input"
	}
	return name
}

// resolve replaces the reflect.Types inside v with their schemas.
func (g *generator) resolve(v any, dir direction) any {
	switch x := v.(type) {
	case reflect.Type:
		return g.typeSchema(x, dir)
	case js:
		out := js{}
		for k, e := range x {
			out[k] = g.resolve(e, dir)
		}
		return out
	case *props:
		out := &props{}
		for _, n := range x.names {
			out.set(n, g.resolve(x.values[n], dir))
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = g.resolve(e, dir)
		}
		return out
	}
	return v
}

// typeSchema is the schema of Go type t as encoding/json reads or writes it.
func (g *generator) typeSchema(t reflect.Type, dir direction) js {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == timeType:
		return dateTime()
	case t == rawMessage || t == anyType:
		return js{}
	}
	if name := g.componentName(t, dir); name != "" {
		if prev, ok := g.defined[name]; ok && prev != t {
			g.failf("component %s is made from both %v and %v", name, prev, t)
		}
		if _, ok := g.defined[name]; !ok {
			g.defined[name] = t
			g.schemas[name] = js{} // placeholder: types may refer to themselves
			g.schemas[name] = g.structSchema(t, dir, nil)
		}
		return js{"$ref": "#/components/schemas/" + name}
	}
	switch t.Kind() {
	case reflect.String:
		return str()
	case reflect.Bool:
		return boolean()
	case reflect.Int, reflect.Int64:
		return js{"type": "integer", "format": "int64"}
	case reflect.Int8, reflect.Int16, reflect.Int32:
		return js{"type": "integer", "format": "int32"}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return js{"type": "integer", "minimum": 0}
	case reflect.Float32, reflect.Float64:
		return number()
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return js{"type": "string", "contentEncoding": "base64"}
		}
		return arrayOf(g.typeSchema(t.Elem(), dir))
	case reflect.Map:
		if t.Elem() == anyType {
			return js{"type": "object"}
		}
		// additionalProperties for client generators; the same schema as
		// patternProperties, because strict validation (openapitest)
		// counts only named and patterned properties as declared.
		elem := g.typeSchema(t.Elem(), dir)
		return js{"type": "object", "additionalProperties": elem, "patternProperties": js{"^.*$": elem}}
	case reflect.Struct:
		return g.structSchema(t, dir, nil)
	case reflect.Interface:
		return js{}
	}
	g.failf("no schema for the Go type %v", t)
	return js{}
}

// structSchema is the object schema of struct type t. required names the
// request fields an operation needs; dotted names ("cta.url") reach into
// nested objects, which are then inlined.
func (g *generator) structSchema(t reflect.Type, dir direction, required []string) js {
	var p props
	var req []any
	hints := schemaHints[t]
	for _, f := range visibleFields(t) {
		name, opts := f.name, f.opts
		omitted := hasOption(opts, "omitempty") || hasOption(opts, "omitzero")
		var s js
		var nested []string
		for _, r := range required {
			if rest, ok := strings.CutPrefix(r, name+"."); ok {
				nested = append(nested, rest)
			}
		}
		ft := f.typ
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case len(nested) > 0 && ft.Kind() == reflect.Struct:
			s = g.structSchema(ft, dir, nested)
		case hasOption(opts, "string") && isNumber(ft):
			s = pattern(`^-?[0-9]+$`, "")
		default:
			s = g.typeSchema(f.typ, dir)
		}
		if h, ok := fieldHints[name]; ok {
			s = merge(s, h)
		}
		if h, ok := hints[name]; ok && name != "" {
			s = merge(s, g.resolve(h, dir).(js))
		}
		if dir == answer {
			if !omitted {
				req = append(req, name)
				if f.typ.Kind() == reflect.Pointer {
					s = orNull(s)
				}
			}
		} else if slices.Contains(required, name) {
			req = append(req, name)
		}
		p.set(name, s)
	}
	for _, r := range required {
		if name, _, _ := strings.Cut(r, "."); p.values[name] == nil {
			g.failf("%v has no field %s to require", t, r)
		}
	}
	out := js{"type": "object", "properties": &p}
	if len(req) > 0 {
		out["required"] = req
	}
	if d, ok := typeDocs[t]; ok {
		out["description"] = d
	}
	for k, v := range hints[""] {
		out[k] = v
	}
	return out
}

// merge returns s with the keys of hint set over it. A hint that says
// what the value is (type, $ref, anyOf…) replaces s; one that only
// annotates (description, pattern…) adds to it. A hint's "nullable": true
// lets the value be null.
func merge(s, hint js) js {
	for _, k := range []string{"type", "$ref", "anyOf", "oneOf", "allOf"} {
		if _, ok := hint[k]; ok {
			s = js{}
			break
		}
	}
	out := maps.Clone(s)
	if ref, ok := s["$ref"]; ok && len(hint) > 0 {
		// Keywords beside $ref are allowed in OpenAPI 3.1, but not every
		// tool reads them: the reference goes into an allOf.
		out = js{"allOf": []any{js{"$ref": ref}}}
	}
	null := false
	for k, v := range hint {
		if k == "nullable" {
			null = v == true
			continue
		}
		out[k] = v
	}
	if null {
		return orNull(out)
	}
	return out
}

func hasOption(opts, want string) bool {
	for o := range strings.SplitSeq(opts, ",") {
		if o == want {
			return true
		}
	}
	return false
}

func isNumber(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// exportName is name with its first letter in upper case.
func exportName(name string) string {
	r := []rune(name)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// OpenAPI returns the OpenAPI 3.1 document of the route table, as JSON. The
// error lists the routes without a description and the descriptions
// without a route (the document then leaves them out), and anything the
// generator could not describe.
func (a *API) OpenAPI() ([]byte, error) { return a.document(operations) }

// document builds the document of the route table with the descriptions
// in ops.
func (a *API) document(ops map[string]operation) ([]byte, error) {
	g := &generator{schemas: map[string]any{"ReportRow": reportRow()}, defined: map[string]reflect.Type{}}
	paths := map[string]js{}
	seen := map[string]bool{}
	for _, rt := range a.routes() {
		key := rt.method + " " + rt.path
		seen[key] = true
		op, ok := ops[key]
		if !ok {
			g.failf("the route %s has no description in operations (openapi_ops.go)", key)
			continue
		}
		item := paths[rt.path]
		if item == nil {
			item = js{}
			paths[rt.path] = item
		}
		item[strings.ToLower(rt.method)] = g.operation(rt, op)
	}
	for key, op := range ops {
		if !seen[key] && !(op.testClock && a.TestClock == nil) {
			g.failf("operations describes %s, which is not in the route table", key)
		}
	}
	g.typeSchema(errorType, answer) // referred to by every error answer
	doc := js{
		"openapi": "3.1.0",
		"info": js{
			"title":       "Flint API",
			"version":     "1",
			"summary":     "Creator-authorized ads: accounts, posts, ad authorization, Spark posts, campaigns, delivery, measurement.",
			"description": docDescription,
		},
		"jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
		"tags":              docTags,
		"paths":             paths,
		"components": js{
			"schemas": g.schemas,
			"securitySchemes": js{
				"bearerToken": js{"type": "http", "scheme": "bearer", "description": "The operator token " +
					"(FLINT_OPERATOR_TOKEN) or a creator's or advertiser's account token. Each operation's " +
					"x-flint-roles names the roles it is open to; another role's token answers 403 FORBIDDEN."},
			},
			"responses": sharedResponses(),
		},
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		g.failf("encode the document: %v", err)
	}
	out = append(out, '\n')
	if len(g.err) > 0 {
		sort.Strings(g.err)
		return out, fmt.Errorf("openapi: %s", strings.Join(g.err, "; "))
	}
	return out, nil
}

// operation builds the OpenAPI operation of route rt.
func (g *generator) operation(rt route, op operation) js {
	out := js{"operationId": op.id, "summary": op.summary, "tags": []any{op.tag}}
	names := rt.roleNames()
	roles := make([]any, len(names))
	for i, n := range names {
		roles[i] = n
	}
	who := "Open to anyone, without a token."
	if len(roles) == 0 {
		out["security"] = []any{}
		out["x-flint-roles"] = []any{}
	} else {
		out["security"] = []any{js{"bearerToken": []any{}}}
		out["x-flint-roles"] = roles
		who = "Open to: " + strings.Join(names, ", ") + "."
	}
	out["description"] = strings.TrimSpace(op.description + "\n\n" + who)
	if op.testClock {
		out["x-flint-test-clock"] = true
	}
	if op.openAnswer {
		out["x-flint-open-answer"] = true
	}
	var params []any
	for seg := range strings.SplitSeq(rt.path, "/") {
		if name, ok := strings.CutPrefix(seg, "{"); ok {
			name = strings.TrimSuffix(name, "}")
			params = append(params, js{"name": name, "in": "path", "required": true,
				"description": "An ID that Flint made. Anything else (1–64 lower-case letters, digits, _ and - " +
					"only) answers 404 NOT_FOUND, as does an ID of another tenant.",
				"schema": js{"type": "string", "pattern": idPattern}})
		}
	}
	for _, q := range op.query {
		p := js{"name": q.name, "in": q.in, "schema": g.resolve(q.schema, request)}
		if p["in"] == "" {
			p["in"] = "query"
		}
		if q.description != "" {
			p["description"] = q.description
		}
		if q.required {
			p["required"] = true
		}
		if q.list {
			p["style"], p["explode"] = "form", false
		}
		params = append(params, p)
	}
	if len(params) > 0 {
		out["parameters"] = params
	}

	// Errors, by status: those the route's shape implies, then the domain's.
	errs := map[int][]string{}
	add := func(status int, codes ...string) {
		for _, c := range codes {
			if !slices.Contains(errs[status], c) {
				errs[status] = append(errs[status], c)
			}
		}
	}
	if rt.roles != 0 {
		add(401, apperr.CodeUnauthenticated)
		if rt.roles != roleOperator|roleCreator|roleAdvertiser {
			add(403, apperr.CodeForbidden)
		}
	}
	if strings.Contains(rt.path, "{") {
		add(404, apperr.CodeNotFound)
	}
	add(400, apperr.CodeInvalidText, apperr.CodeInvalidValue) // query parameters: checkRequestIDs
	switch op.body.(type) {
	case nil:
	case csvBody:
		add(413, apperr.CodeBodyTooLarge)
	default:
		if op.rawBody {
			add(413, apperr.CodeBodyTooLarge)
			break
		}
		add(400, apperr.CodeMalformedJSON, apperr.CodeWrongType, apperr.CodeDuplicateKey, apperr.CodeKeyCase,
			apperr.CodeInvalidText)
		add(413, apperr.CodeBodyTooLarge)
		if rt.method == "PATCH" {
			add(400, apperr.CodeNoEditableField, apperr.CodeNotEditable)
		}
	}
	for status, codes := range op.errors {
		add(status, codes...)
	}

	switch b := op.body.(type) {
	case nil:
	case csvBody:
		out["requestBody"] = js{"required": true, "description": b.description,
			"content": js{"text/csv": js{"schema": js{"type": "string"}}}}
	default:
		var s any
		if t, ok := b.(reflect.Type); ok && t.Kind() == reflect.Struct {
			name := exportName(op.id) + "Request"
			g.schemas[name] = g.structSchema(t, request, op.required)
			s = js{"$ref": "#/components/schemas/" + name}
		} else {
			s = g.resolve(b, request)
		}
		out["requestBody"] = js{"required": !op.optionalBody, "content": js{"application/json": js{"schema": s}}}
	}

	responses := js{}
	status := op.status
	if status == 0 {
		status = http.StatusOK
	}
	responses[strconv.Itoa(status)] = g.success(status, op.answer, op.answerHeaders)
	for st, ans := range op.alsoAnswers {
		responses[strconv.Itoa(st)] = g.success(st, ans, nil)
	}
	for st, codes := range errs {
		var headers js
		switch st {
		case http.StatusUnauthorized:
			headers = js{"WWW-Authenticate": header(`Bearer realm="flint"`, true)}
		case http.StatusTooManyRequests, http.StatusServiceUnavailable:
			headers = js{"Retry-After": js{"description": "Seconds to wait before trying again.", "required": true,
				"schema": js{"type": "integer", "minimum": 1}}}
		}
		if h, ok := op.errorHeaders[st]; ok {
			headers = h
		}
		_, special := op.errorAnswers[st]
		if _, h := op.errorHeaders[st]; !h && !special {
			if name := sharedError(st, codes); name != "" {
				responses[strconv.Itoa(st)] = js{"$ref": "#/components/responses/" + name}
				continue
			}
		}
		r := errorResponse(http.StatusText(st), codes, headers)
		if s, ok := op.errorAnswers[st]; ok {
			r["content"].(js)["application/json"].(js)["schema"] = js{"allOf": []any{g.resolve(s, answer),
				codeEnum(codes)}}
		}
		responses[strconv.Itoa(st)] = r
	}
	responses["500"] = js{"$ref": "#/components/responses/Internal"}
	out["responses"] = responses
	return out
}

// sharedErrors are error answers that many operations give alike, as
// components.responses, by name.
var sharedErrors = []struct {
	name   string
	status int
	codes  []string
	desc   string
}{
	{"Unauthenticated", 401, []string{apperr.CodeUnauthenticated}, "No token, or not a valid one"},
	{"Forbidden", 403, []string{apperr.CodeForbidden}, "The call is not open to the token's role"},
	{"NotFound", 404, []string{apperr.CodeNotFound}, "No such object, or another tenant's"},
	{"BodyTooLarge", 413, []string{apperr.CodeBodyTooLarge}, "The body is larger than the route takes"},
	{"Internal", 500, []string{"INTERNAL"}, "Something went wrong on Flint's side; it has been logged"},
}

// sharedError names the shared answer of status with exactly codes, or "".
func sharedError(status int, codes []string) string {
	for _, e := range sharedErrors {
		if e.status == status && slices.Equal(e.codes, codes) {
			return e.name
		}
	}
	return ""
}

// sharedResponses are components.responses: the shared error answers, and
// the answers that belong to no operation: the path exists with other
// methods, or no route has the path, or the request is not HTTP the server
// can parse.
func sharedResponses() js {
	out := js{
		"MethodNotAllowed": errorResponse("The path exists, but not with this method. Allow lists the methods it "+
			"has (HEAD is allowed wherever GET is)", []string{apperr.CodeMethodNotAllowed}, js{"Allow": header(
			"The methods the path takes, such as GET, HEAD, POST", true)}),
		"NoRoute": errorResponse("No route has this path, or the path is not canonical (//, /./, /../), "+
			"which is never redirected", []string{apperr.CodeNotFound}, nil),
		"ProtocolError": errorResponse("The request could not be read as HTTP (a control character in a "+
			"header, a malformed request line): answered by the server itself, in the same shape, with status "+
			"400, 431 or 501", []string{"BAD_REQUEST", "HEADERS_TOO_LARGE", "NOT_IMPLEMENTED"}, nil),
	}
	for _, e := range sharedErrors {
		var headers js
		if e.status == http.StatusUnauthorized {
			headers = js{"WWW-Authenticate": header(`Bearer realm="flint"`, true)}
		}
		out[e.name] = errorResponse(e.desc, e.codes, headers)
	}
	return out
}

// success is the response of a successful call with answer ans.
func (g *generator) success(status int, ans any, headers js) js {
	r := js{"description": http.StatusText(status)}
	if headers != nil {
		r["headers"] = headers
	}
	switch a := ans.(type) {
	case nil:
	case csvAnswer:
		r["content"] = js{"application/json": js{"schema": g.resolve(a.json, answer)},
			"text/csv": js{"schema": js{"type": "string"}}}
	default:
		r["content"] = js{"application/json": js{"schema": g.resolve(a, answer)}}
	}
	return r
}

// codeEnum restricts an error answer's code to codes.
func codeEnum(codes []string) js {
	enum := make([]any, len(codes))
	for i, c := range codes {
		enum[i] = c
	}
	return js{"properties": js{"error": js{"properties": js{"code": js{"enum": enum}}}}}
}

// errorResponse is an error answer with one of codes.
func errorResponse(desc string, codes []string, headers js) js {
	codes = slices.Clone(codes)
	sort.Strings(codes)
	r := js{
		"description": desc + ". Codes: " + strings.Join(codes, ", ") + ".",
		"content": js{"application/json": js{"schema": js{"allOf": []any{
			js{"$ref": "#/components/schemas/Error"}, codeEnum(codes)}}}},
	}
	if headers != nil {
		r["headers"] = headers
	}
	return r
}

func header(desc string, required bool) js {
	return js{"description": desc, "required": required, "schema": str()}
}

// serveOpenAPI answers the document. It is built once, from this API's
// route table; a route without a description is logged (and fails the
// tests), never hidden from the caller by an error answer.
func (a *API) serveOpenAPI(w http.ResponseWriter, r *http.Request, _ principal) error {
	a.openAPIOnce.Do(func() {
		var err error
		if a.openAPI, err = a.OpenAPI(); err != nil {
			a.Log.Error("the OpenAPI document is incomplete", "err", err)
		}
	})
	h := w.Header()
	h["Content-Type"] = headerJSON
	h.Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(a.openAPI)
	return nil
}
