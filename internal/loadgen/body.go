package loadgen

import (
	"strconv"
	"unicode/utf8"
)

// Request bodies are appended by hand into reused buffers: the load
// generator shares two cores with the server, so it must not spend them on
// reflection. The tests check the output against encoding/json.

// placement is where the ads are shown.
const placement = "feed"

// appendDecision appends the body of POST /api/v1/decisions for v.
func appendDecision(b []byte, v *Viewer, count int) []byte {
	b = append(b, `{"placement":"`+placement+`","viewer":{"id":"v`...)
	b = strconv.AppendInt(b, int64(v.N), 10)
	b = append(b, `","country":`...)
	b = appendString(b, v.Country)
	b = append(b, `,"age":`...)
	b = strconv.AppendInt(b, int64(v.Age), 10)
	b = append(b, `,"gender":`...)
	b = appendString(b, v.Gender)
	b = append(b, `,"language":`...)
	b = appendString(b, v.Language)
	b = append(b, `,"os":`...)
	b = appendString(b, v.OS)
	b = append(b, `,"interests":[`...)
	for i, s := range v.Interests {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	b = append(b, `]},"count":`...)
	b = strconv.AppendInt(b, int64(count), 10)
	return append(b, '}')
}

// event is one engagement event waiting to be sent; its event_id is made
// when the batch is encoded.
type event struct {
	typ     eventType
	token   string
	watchMS int32 // for complete
}

// appendEvents appends the body of POST /api/v1/events for evs, giving each
// event a fresh id from ids.
func appendEvents(b []byte, evs []event, ids *idSource) []byte {
	b = append(b, `{"events":[`...)
	for i := range evs {
		e := &evs[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"event_id":"`...)
		b = ids.append(b)
		b = append(b, `","type":"`...)
		b = append(b, e.typ.String()...)
		b = append(b, `","token":`...)
		b = appendString(b, e.token)
		if e.typ == complete {
			b = append(b, `,"watch_ms":`...)
			b = strconv.AppendInt(b, int64(e.watchMS), 10)
		}
		b = append(b, '}')
	}
	return append(b, "]}"...)
}

// appendString appends s as a JSON string. Everything the load generator
// writes is plain ASCII; tokens come from the server, so anything else is
// escaped all the same.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		b = append(b, s[start:i]...)
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, `\ufffd`...)
			} else {
				b = append(b, s[i:i+size]...)
			}
			i += size
			start = i
			continue
		}
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, `\n`...)
		case '\r':
			b = append(b, `\r`...)
		case '\t':
			b = append(b, `\t`...)
		default:
			b = append(b, `\u00`...)
			b = append(b, hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

const hexDigits = "0123456789abcdef"
