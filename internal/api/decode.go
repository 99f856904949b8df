package api

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/flintads/flint/internal/apperr"
)

// Request bodies are read strictly, with the semantics of Go's
// encoding/json/v2 where they differ from encoding/json: an object may not
// name a key twice, a key must match a field's name exactly (a key that
// differs from one only in case is refused, not matched), and every string
// must be valid UTF-8 without lone surrogate escapes; Flint also refuses NUL
// characters, which no text field can hold. check walks the body once
// against the type it is decoded into and reports the first problem with
// the path of the offending field ("events[3].watch_ms"); only then does
// encoding/json fill the value in, so nothing it would silently repair
// (U+FFFD for bad text, the last of two keys) can get through.

// maxDepth bounds the nesting of a request body.
const maxDepth = 64

// decode reads the request body, which must be one JSON object, into v.
// Unknown fields are ignored; syntax errors, wrong types, duplicate or
// case-variant keys, invalid text, trailing data and oversized bodies become
// clear 400/413 errors naming the field.
func decode(r *http.Request, v any) error {
	_, err := decodeBody(r, v, false)
	return err
}

// decodeOptional is decode for calls whose body may be left out.
func decodeOptional(r *http.Request, v any) error {
	_, err := decodeBody(r, v, true)
	return err
}

// decodePatch is decode for a PATCH: v's fields are what can change. A key
// in readOnly (a field of the object that cannot change) is refused with
// FIELD_NOT_EDITABLE, and a body that names none of v's fields with
// NO_EDITABLE_FIELD.
func decodePatch(r *http.Request, v any, readOnly ...string) error {
	keys, err := decodeBody(r, v, false)
	if err != nil {
		return err
	}
	for _, k := range readOnly {
		if keys[k] {
			return &apperr.Error{Kind: apperr.Invalid, Code: apperr.CodeNotEditable, Field: k,
				Message: k + " cannot be changed"}
		}
	}
	editable := jsonFields(reflect.TypeOf(v).Elem())
	for k := range keys {
		if _, ok := editable[k]; ok {
			return nil
		}
	}
	names := make([]string, 0, len(editable))
	for _, f := range visibleFields(reflect.TypeOf(v).Elem()) {
		names = append(names, f.name)
	}
	return apperr.New(apperr.Invalid, apperr.CodeNoEditableField, "send at least one field to change: %s",
		strings.Join(names, ", "))
}

// readOnly are the fields of every object that no PATCH can change.
var readOnly = []string{"id", "advertiser_id", "created_at", "updated_at"}

// decodeBody reads the body into v and returns the keys of its top-level
// object.
func decodeBody(r *http.Request, v any, optional bool) (map[string]bool, error) {
	buf := buffers.Get().(*bytes.Buffer)
	defer putBuffer(buf)
	if _, err := buf.ReadFrom(r.Body); err != nil {
		return nil, decodeError(err)
	}
	body := bytes.TrimSpace(buf.Bytes())
	if len(body) == 0 {
		if optional {
			return nil, nil
		}
		return nil, decodeError(io.EOF)
	}
	keys, err := decodeValue(body, "", v)
	return keys, err
}

// decodeValue checks data strictly against v's type, with field paths
// under path, and then decodes it into v. It returns the keys of data's
// top-level object.
func decodeValue(data []byte, path string, v any) (map[string]bool, error) {
	c := checker{data: data, top: map[string]bool{}}
	if err := c.document(reflect.TypeOf(v), path); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return nil, decodeError(err)
	}
	return c.top, nil
}

func decodeError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return err
	case errors.Is(err, io.EOF):
		return apperr.New(apperr.Invalid, apperr.CodeMalformedJSON, "the request body is empty; send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.New(apperr.Invalid, apperr.CodeMalformedJSON, "the request body ends in the middle of the JSON")
	case errors.As(err, &syntax):
		return apperr.New(apperr.Invalid, apperr.CodeMalformedJSON, "the request body is not valid JSON (at byte %d)", syntax.Offset)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return apperr.New(apperr.Invalid, apperr.CodeWrongType, "the request body must be a JSON object")
		}
		return apperr.Field(typ.Field, apperr.CodeWrongType, "%s must be %s, not %s", typ.Field, describe(typ.Type), typ.Value)
	}
	return apperr.New(apperr.Invalid, apperr.CodeMalformedJSON, "the request body could not be read as JSON")
}

// describe names the JSON type a Go type expects.
func describe(t reflect.Type) string {
	if t == nil {
		return "a valid value"
	}
	if t.Implements(textUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler) {
		return "a string"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Pointer:
		return describe(t.Elem())
	}
	return "a valid value"
}

var (
	rawMessage      = reflect.TypeFor[json.RawMessage]()
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// checker walks one JSON document.
type checker struct {
	data  []byte
	pos   int
	depth int
	top   map[string]bool // keys of the top-level object
}

func (c *checker) document(t reflect.Type, path string) error {
	c.space()
	if c.pos < len(c.data) && c.data[c.pos] != '{' && expects(t) == reflect.Struct {
		if err := c.value(nil, path); err != nil {
			return err
		}
		return apperr.New(apperr.Invalid, apperr.CodeWrongType, "the request body must be a JSON object")
	}
	if err := c.value(t, path); err != nil {
		return err
	}
	c.space()
	if c.pos != len(c.data) {
		return c.syntax("unexpected data after the JSON value")
	}
	return nil
}

// expects returns the kind of JSON value t takes, after pointers; Invalid
// for anything (interfaces, raw messages, types that decode themselves).
func expects(t reflect.Type) reflect.Kind {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t == rawMessage || t.Kind() == reflect.Interface || reflect.PointerTo(t).Implements(jsonUnmarshaler) {
		return reflect.Invalid
	}
	if reflect.PointerTo(t).Implements(textUnmarshaler) {
		return reflect.String
	}
	if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
		return reflect.String // base64
	}
	return t.Kind()
}

func (c *checker) space() {
	for c.pos < len(c.data) {
		switch c.data[c.pos] {
		case ' ', '\t', '\n', '\r':
			c.pos++
		default:
			return
		}
	}
}

func (c *checker) syntax(what string) error {
	if c.pos >= len(c.data) {
		return apperr.New(apperr.Invalid, apperr.CodeMalformedJSON, "the request body ends in the middle of the JSON")
	}
	return apperr.New(apperr.Invalid, apperr.CodeMalformedJSON, "the request body is not valid JSON (at byte %d: %s)",
		c.pos+1, what)
}

func wrongType(path string, t reflect.Type, got string) error {
	if path == "" {
		return apperr.New(apperr.Invalid, apperr.CodeWrongType, "the request body must be %s, not %s", describe(t), got)
	}
	return apperr.Field(path, apperr.CodeWrongType, "%s must be %s, not %s", path, describe(t), got)
}

// value checks one value against t (nil: any value).
func (c *checker) value(t reflect.Type, path string) error {
	c.space()
	if c.pos >= len(c.data) {
		return c.syntax("a value is missing")
	}
	want := expects(t)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if want == reflect.Invalid {
		t = nil
	}
	switch ch := c.data[c.pos]; {
	case ch == '{':
		if t != nil && want != reflect.Struct && want != reflect.Map {
			return wrongType(path, t, "an object")
		}
		return c.object(t, path)
	case ch == '[':
		if t != nil && want != reflect.Slice && want != reflect.Array {
			return wrongType(path, t, "an array")
		}
		var elem reflect.Type
		if t != nil {
			elem = t.Elem()
		}
		return c.array(elem, path)
	case ch == '"':
		if _, err := c.str(path); err != nil {
			return err
		}
		if t != nil && want != reflect.String {
			return wrongType(path, t, "a string")
		}
		return nil
	case ch == 't' || ch == 'f':
		if err := c.literal(map[bool]string{true: "true", false: "false"}[ch == 't']); err != nil {
			return err
		}
		if t != nil && want != reflect.Bool {
			return wrongType(path, t, "true or false")
		}
		return nil
	case ch == 'n':
		return c.literal("null") // null leaves any field as it is
	case ch == '-' || (ch >= '0' && ch <= '9'):
		return c.number(t, want, path)
	}
	return c.syntax("unexpected character")
}

func (c *checker) literal(word string) error {
	if !bytes.HasPrefix(c.data[c.pos:], []byte(word)) {
		return c.syntax("unexpected character")
	}
	c.pos += len(word)
	return nil
}

func (c *checker) number(t reflect.Type, want reflect.Kind, path string) error {
	start := c.pos
	if c.data[c.pos] == '-' {
		c.pos++
	}
	digits := func() int {
		n := 0
		for c.pos < len(c.data) && c.data[c.pos] >= '0' && c.data[c.pos] <= '9' {
			c.pos++
			n++
		}
		return n
	}
	intStart := c.pos
	n := digits()
	if n == 0 || (n > 1 && c.data[intStart] == '0') {
		return c.syntax("malformed number")
	}
	integer := true
	if c.pos < len(c.data) && c.data[c.pos] == '.' {
		c.pos++
		integer = false
		if digits() == 0 {
			return c.syntax("malformed number")
		}
	}
	if c.pos < len(c.data) && (c.data[c.pos] == 'e' || c.data[c.pos] == 'E') {
		c.pos++
		integer = false
		if c.pos < len(c.data) && (c.data[c.pos] == '+' || c.data[c.pos] == '-') {
			c.pos++
		}
		if digits() == 0 {
			return c.syntax("malformed number")
		}
	}
	if t == nil {
		return nil
	}
	lit := string(c.data[start:c.pos])
	switch want {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if _, err := strconv.ParseInt(lit, 10, t.Bits()); !integer || err != nil {
			return apperr.Field(path, apperr.CodeWrongType, "%s must be an integer of at most %d bits, not %s", path,
				t.Bits(), lit)
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if _, err := strconv.ParseUint(lit, 10, t.Bits()); !integer || err != nil {
			return apperr.Field(path, apperr.CodeWrongType, "%s must be a non-negative integer, not %s", path, lit)
		}
	case reflect.Float32, reflect.Float64:
		if _, err := strconv.ParseFloat(lit, t.Bits()); err != nil {
			return apperr.Field(path, apperr.CodeWrongType, "%s must be a number in range, not %s", path, lit)
		}
	default:
		return wrongType(path, t, "a number")
	}
	return nil
}

// str reads a string, refusing invalid UTF-8, lone surrogates and NUL,
// and returns it unescaped.
func (c *checker) str(path string) (string, error) {
	c.pos++ // the opening quote
	var sb strings.Builder
	bad := func() error {
		field := path
		if field == "" {
			field = "the request body"
		}
		e := apperr.Field(path, apperr.CodeInvalidText,
			"%s must be valid UTF-8 text without NUL characters or unpaired surrogates", field)
		return e
	}
	for {
		if c.pos >= len(c.data) {
			return "", c.syntax("unterminated string")
		}
		ch := c.data[c.pos]
		switch {
		case ch == '"':
			c.pos++
			return sb.String(), nil
		case ch < 0x20:
			return "", c.syntax("control character in a string")
		case ch == '\\':
			if c.pos+1 >= len(c.data) {
				return "", c.syntax("unterminated string")
			}
			esc := c.data[c.pos+1]
			c.pos += 2
			switch esc {
			case '"', '\\', '/':
				sb.WriteByte(esc)
			case 'b':
				sb.WriteByte('\b')
			case 'f':
				sb.WriteByte('\f')
			case 'n':
				sb.WriteByte('\n')
			case 'r':
				sb.WriteByte('\r')
			case 't':
				sb.WriteByte('\t')
			case 'u':
				r, ok := c.hex4()
				if !ok {
					return "", c.syntax("malformed \\u escape")
				}
				switch {
				case r == 0:
					return "", bad()
				case r >= 0xDC00 && r <= 0xDFFF:
					return "", bad() // a low surrogate alone
				case r >= 0xD800 && r <= 0xDBFF:
					if !bytes.HasPrefix(c.data[c.pos:], []byte(`\u`)) {
						return "", bad()
					}
					c.pos += 2
					lo, ok := c.hex4()
					if !ok {
						return "", c.syntax("malformed \\u escape")
					}
					if lo < 0xDC00 || lo > 0xDFFF {
						return "", bad()
					}
					r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
				}
				sb.WriteRune(r)
			default:
				return "", c.syntax("unknown escape in a string")
			}
		case ch < utf8.RuneSelf:
			sb.WriteByte(ch)
			c.pos++
		default:
			r, size := utf8.DecodeRune(c.data[c.pos:])
			if r == utf8.RuneError && size <= 1 {
				return "", bad()
			}
			sb.WriteRune(r)
			c.pos += size
		}
	}
}

func (c *checker) hex4() (rune, bool) {
	if c.pos+4 > len(c.data) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(c.data[c.pos:c.pos+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	c.pos += 4
	return rune(v), true
}

func (c *checker) enter() error {
	c.depth++
	if c.depth > maxDepth {
		return apperr.New(apperr.Invalid, apperr.CodeMalformedJSON, "the request body is nested more than %d levels deep", maxDepth)
	}
	return nil
}

func (c *checker) array(elem reflect.Type, path string) error {
	if err := c.enter(); err != nil {
		return err
	}
	defer func() { c.depth-- }()
	c.pos++ // [
	c.space()
	if c.pos < len(c.data) && c.data[c.pos] == ']' {
		c.pos++
		return nil
	}
	for i := 0; ; i++ {
		if err := c.value(elem, fmt.Sprintf("%s[%d]", path, i)); err != nil {
			return err
		}
		c.space()
		if c.pos >= len(c.data) {
			return c.syntax("unterminated array")
		}
		switch c.data[c.pos] {
		case ',':
			c.pos++
		case ']':
			c.pos++
			return nil
		default:
			return c.syntax("expected , or ]")
		}
	}
}

// field is a struct field as JSON names it.
type field struct {
	name string
	typ  reflect.Type
	opts string // the options of its json tag: "omitempty"
}

// visibleFields returns the fields encoding/json decodes into, by name.
func visibleFields(t reflect.Type) []field {
	var out []field
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || f.Anonymous {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, field{name, f.Type, opts})
	}
	return out
}

// jsonFields maps the JSON names of t's fields to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for _, f := range visibleFields(t) {
		out[f.name] = f.typ
	}
	return out
}

func (c *checker) object(t reflect.Type, path string) error {
	if err := c.enter(); err != nil {
		return err
	}
	defer func() { c.depth-- }()
	var fields map[string]reflect.Type
	var elem reflect.Type
	if t != nil && t.Kind() == reflect.Struct {
		fields = jsonFields(t)
	} else if t != nil {
		elem = t.Elem()
	}
	seen := map[string]bool{}
	c.pos++ // {
	c.space()
	if c.pos < len(c.data) && c.data[c.pos] == '}' {
		c.pos++
		return nil
	}
	for {
		c.space()
		if c.pos >= len(c.data) || c.data[c.pos] != '"' {
			return c.syntax("expected a key")
		}
		key, err := c.str(path)
		if err != nil {
			return err
		}
		sub := key
		if path != "" {
			sub = path + "." + key
		}
		if seen[key] {
			return apperr.Field(sub, apperr.CodeDuplicateKey, "the key %q appears twice", key)
		}
		seen[key] = true
		if c.depth == 1 && path == "" {
			c.top[key] = true
		}
		valueType := elem
		if fields != nil {
			ft, ok := fields[key]
			if !ok {
				for name := range fields {
					if strings.EqualFold(name, key) {
						return apperr.Field(sub, apperr.CodeKeyCase, "unknown key %q: keys are case-sensitive (did you mean %q?)",
							key, name)
					}
				}
			}
			valueType = ft // nil for an unknown key: any value, ignored
		}
		c.space()
		if c.pos >= len(c.data) || c.data[c.pos] != ':' {
			return c.syntax("expected :")
		}
		c.pos++
		if err := c.value(valueType, sub); err != nil {
			return err
		}
		c.space()
		if c.pos >= len(c.data) {
			return c.syntax("unterminated object")
		}
		switch c.data[c.pos] {
		case ',':
			c.pos++
		case '}':
			c.pos++
			return nil
		default:
			return c.syntax("expected , or }")
		}
	}
}
