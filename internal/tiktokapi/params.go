package tiktokapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/flintads/flint/internal/ids"
)

// Parameters come in the query string (GET) or a JSON body (POST). List
// and object values in a query are JSON text, in any of the spellings
// TikTok's clients send: compact JSON (the JS SDK), ", "-separated JSON
// (Python's json.dumps), hand-indented JSON (the Singer tap), a Python
// repr (['ad_id', 'stat_time_day']) or repeated keys (metrics=a&metrics=b).
// Unknown parameters are ignored.

// parseQuery parses the query string; text that is not valid UTF-8 or
// holds control characters is refused.
func parseQuery(r *http.Request) (url.Values, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, paramErr("the query string cannot be parsed")
	}
	for k, vs := range q {
		for _, v := range append(vs, k) {
			if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
				return nil, paramErr("%s: must be valid UTF-8 text", truncate(k, 40))
			}
		}
	}
	return q, nil
}

// values returns the raw values of a parameter: the query's values (GET)
// or the body's value (POST); ok is false when it is absent.
func (c *call) values(name string) ([]any, bool) {
	if c.body != nil {
		v, ok := c.body[name]
		if !ok || v == nil {
			return nil, false
		}
		return []any{v}, true
	}
	vs := c.r.URL.Query()[name]
	if len(vs) == 0 {
		return nil, false
	}
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out, true
}

// text returns a scalar parameter as text ("" when absent).
func (c *call) text(name string) (string, error) {
	vs, ok := c.values(name)
	if !ok {
		return "", nil
	}
	switch v := vs[0].(type) {
	case string:
		return strings.TrimSpace(v), nil
	case json.Number:
		return v.String(), nil
	case bool:
		return strconv.FormatBool(v), nil
	}
	return "", paramErr("%s: must be a single value", name)
}

// list returns a list parameter's elements as text, from any spelling;
// ok is false when it is absent.
func (c *call) list(name string) ([]string, bool, error) {
	vs, ok := c.values(name)
	if !ok {
		return nil, false, nil
	}
	var out []string
	for _, v := range vs {
		elems, err := listOf(v)
		if err != nil {
			return nil, true, paramErr("%s: %s", name, err)
		}
		out = append(out, elems...)
	}
	if len(out) > 1000 {
		return nil, true, paramErr("%s: at most 1000 values", name)
	}
	return out, true, nil
}

// listOf reads one value of a list parameter.
func listOf(v any) ([]string, error) {
	if s, ok := v.(string); ok {
		s = strings.TrimSpace(s)
		switch {
		case s == "":
			return nil, nil
		case strings.HasPrefix(s, "["):
			parsed, err := literal(s)
			if err != nil {
				return nil, err
			}
			v = parsed
		default:
			var out []string
			for part := range strings.SplitSeq(s, ",") {
				if part = strings.TrimSpace(part); part != "" {
					out = append(out, part)
				}
			}
			return out, nil
		}
	}
	switch x := v.(type) {
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, err := scalarText(e)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	case json.Number:
		return []string{x.String()}, nil
	}
	return nil, fmt.Errorf("must be a list such as [\"a\",\"b\"]")
}

func scalarText(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case json.Number:
		return x.String(), nil
	case bool:
		return strconv.FormatBool(x), nil
	}
	return "", fmt.Errorf("a list may hold only strings and numbers")
}

// object returns an object (or list) parameter, parsed from any spelling.
func (c *call) object(name string) (any, bool, error) {
	vs, ok := c.values(name)
	if !ok {
		return nil, false, nil
	}
	v := vs[0]
	if s, isText := v.(string); isText {
		s = strings.TrimSpace(s)
		if s == "" {
			return nil, false, nil
		}
		parsed, err := literal(s)
		if err != nil {
			return nil, true, paramErr("%s: must be JSON: %s", name, err)
		}
		v = parsed
	}
	return v, true, nil
}

// literal parses JSON text, or a Python literal (single-quoted strings,
// True, False, None) as Python's repr writes lists and dicts.
func literal(s string) (any, error) {
	if v, err := decodeJSON(s); err == nil {
		return v, nil
	}
	j, err := pythonToJSON(s)
	if err != nil {
		return nil, err
	}
	v, err := decodeJSON(j)
	if err != nil {
		return nil, fmt.Errorf("not JSON text")
	}
	return v, nil
}

func decodeJSON(s string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing text")
	}
	return v, nil
}

// pythonToJSON rewrites a Python literal's strings and constants as JSON.
func pythonToJSON(s string) (string, error) {
	var b bytes.Buffer
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\'' || c == '"':
			var val strings.Builder
			j := i + 1
			for ; j < len(s) && s[j] != c; j++ {
				if s[j] == '\\' && j+1 < len(s) {
					j++
					switch s[j] {
					case 'n':
						val.WriteByte('\n')
					case 't':
						val.WriteByte('\t')
					default:
						val.WriteByte(s[j])
					}
					continue
				}
				val.WriteByte(s[j])
			}
			if j >= len(s) {
				return "", fmt.Errorf("unterminated string")
			}
			q, _ := json.Marshal(val.String())
			b.Write(q)
			i = j + 1
		case strings.HasPrefix(s[i:], "True"):
			b.WriteString("true")
			i += 4
		case strings.HasPrefix(s[i:], "False"):
			b.WriteString("false")
			i += 5
		case strings.HasPrefix(s[i:], "None"):
			b.WriteString("null")
			i += 4
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), nil
}

// number reads a numeric id parameter; an id Flint could not have made
// names nothing (ok false), and is never looked up.
func number(s string) (int64, bool) { return ids.ParseNumeric(strings.TrimSpace(s)) }

// pageInfo is TikTok's page_info.
type pageInfo struct {
	Page        int `json:"page"`
	PageSize    int `json:"page_size"`
	TotalNumber int `json:"total_number"`
	TotalPage   int `json:"total_page"`
}

// paging reads page and page_size (defaults def, at most max).
func (c *call) paging(def, max int) (page, size int, err error) {
	page, size = 1, def
	for _, p := range []struct {
		name    string
		dst     *int
		lo, hi  int
		problem string
	}{{"page", &page, 1, 1_000_000, "page: must be a whole number from 1"},
		{"page_size", &size, 1, max, fmt.Sprintf("page_size: must be a whole number from 1 to %d", max)}} {
		s, err := c.text(p.name)
		if err != nil {
			return 0, 0, err
		}
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < p.lo || n > p.hi {
			return 0, 0, paramErr("%s", p.problem)
		}
		*p.dst = n
	}
	return page, size, nil
}

// pageOf returns the page's slice bounds of total items and its page_info.
func pageOf(page, size, total int) (lo, hi int, info pageInfo) {
	info = pageInfo{Page: page, PageSize: size, TotalNumber: total, TotalPage: (total + size - 1) / size}
	lo = min((page-1)*size, total)
	hi = min(lo+size, total)
	return lo, hi, info
}

// advertiser checks the advertiser_id parameter: it must be the caller's
// own (numeric id). Any other answers 40001, whether it exists or not.
func (c *call) advertiser() error {
	s, err := c.text("advertiser_id")
	if err != nil {
		return err
	}
	if s == "" {
		return missing("advertiser_id")
	}
	if n, ok := number(s); !ok || n != c.adv.NumericID {
		return notYours()
	}
	return nil
}
