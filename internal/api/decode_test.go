package api

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/flintads/flint/internal/apperr"
)

// targets are request types the fuzzer decodes into: flat, nested, with
// arrays of objects, nullable raw fields and pointers.
var targets = []func() any{
	func() any { return new(accountRequest) },
	func() any { return new(adGroupRequest) },
	func() any { return new(eventsRequest) },
	func() any { return new(postRequest) },
	func() any { return new(map[string]any) },
}

// FuzzDecode checks the strict decoder against encoding/json: it never
// panics, it never accepts what encoding/json refuses as JSON, and what it
// accepts is valid UTF-8 JSON whose strings hold no NUL, whose objects have
// no repeated keys, and which encoding/json decodes to the same value.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{}`, `{"kind":"creator","handle":"maya"}`, `{"kind":"a","KIND":"b"}`,
		`{"budget":"1","budget":"2"}`, `{"caption":"\ud800"}`, `{"caption":"\ud83d\ude00"}`, "{\"caption\":\"\xff\"}",
		`{"events":[{"event_id":"e","watch_ms":1},{"watch_ms":"x"}]}`, `{"targeting":{"countries":["US"],"age_min":18}}`,
		`{"end_time":null,"frequency_cap":{"impressions":3,"days":1}}`, `{"music":{"title":"t","commercial":true}}`,
		`[1,2]`, `null`, `{"a":` + strings.Repeat("[", 70), `{"duration_ms":1e3}`, `{"duration_ms":-0}`, `{"x":"\u0000"}`} {
		for i := range targets {
			f.Add([]byte(s), uint8(i))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		mk := targets[int(which)%len(targets)]
		v := mk()
		_, err := decodeValue(data, "", v)
		var generic any
		stdErr := json.Unmarshal(data, &generic)
		if err != nil {
			if _, ok := apperr.As(err); !ok {
				t.Fatalf("decode %q: error %v is not an apperr", data, err)
			}
			return
		}
		if stdErr != nil {
			t.Fatalf("decode accepted %q, which encoding/json refuses: %v", data, stdErr)
		}
		if !utf8.Valid(data) {
			t.Fatalf("decode accepted invalid UTF-8: %q", data)
		}
		checkStrict(t, data, generic)
		want := mk()
		if err := json.Unmarshal(data, want); err != nil {
			t.Fatalf("decode accepted %q, which encoding/json cannot decode into %T: %v", data, want, err)
		}
		got, _ := json.Marshal(v)
		exp, _ := json.Marshal(want)
		if string(got) != string(exp) {
			t.Fatalf("decode %q: got %s, encoding/json %s", data, got, exp)
		}
	})
}

// checkStrict fails when the decoded document has a NUL or U+FFFD that the
// raw text does not spell out, or when an object of the raw text repeats a
// key.
func checkStrict(t *testing.T, data []byte, v any) {
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			if strings.ContainsRune(x, 0) {
				t.Fatalf("decode accepted a NUL in %q", data)
			}
			if strings.ContainsRune(x, utf8.RuneError) && !strings.Contains(string(data), "\uFFFD") &&
				!strings.Contains(strings.ToLower(string(data)), `\ufffd`) {
				t.Fatalf("decode accepted text that decodes to U+FFFD: %q", data)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for k, e := range x {
				walk(k)
				walk(e)
			}
		}
	}
	walk(v)
	type frame struct {
		object, expectKey bool
		keys              map[string]bool
	}
	var stack []*frame
	dec := json.NewDecoder(strings.NewReader(string(data)))
	for {
		tok, err := dec.Token()
		if err != nil {
			return
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.expectKey {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				continue
			}
			k := tok.(string)
			if top.keys[k] {
				t.Fatalf("decode accepted the repeated key %q in %q", k, data)
			}
			top.keys[k] = true
			top.expectKey = false
			continue
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			if top != nil && top.object {
				top.expectKey = true
			}
			stack = append(stack, &frame{object: tok == json.Delim('{'), expectKey: tok == json.Delim('{'),
				keys: map[string]bool{}})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		default:
			if top != nil && top.object {
				top.expectKey = true
			}
		}
	}
}

func TestDecodeNamesPaths(t *testing.T) {
	t.Parallel()
	for body, field := range map[string]string{
		`{"events":[{},{},{},{"watch_ms":"x"}]}`:        "events[3].watch_ms",
		`{"events":[{"at":1}]}`:                         "events[0].at",
		`{"targeting":{"countries":[1]}}`:               "targeting.countries[0]",
		`{"frequency_cap":{"impressions":"3"}}`:         "",
		`{"targeting":{"age_min":1,"age_min":2}}`:       "targeting.age_min",
		`{"targeting":{"Countries":["US"]}}`:            "targeting.Countries",
		`{"events":[{"event_id":"ok","Event_ID":"x"}]}`: "events[0].Event_ID",
	} {
		var err error
		switch {
		case strings.Contains(body, "events"):
			_, err = decodeValue([]byte(body), "", new(eventsRequest))
		default:
			_, err = decodeValue([]byte(body), "", new(adGroupRequest))
		}
		e, ok := apperr.As(err)
		if field == "" {
			if err != nil {
				t.Errorf("%s: %v", body, err)
			}
			continue
		}
		if !ok || e.Field != field {
			t.Errorf("%s: error %v, want one about %s", body, err, field)
		}
	}
}
