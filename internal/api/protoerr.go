package api

import (
	"bytes"
	"encoding/json"
	"net"
	"strconv"
	"strings"
)

// Go's HTTP server answers a request it cannot parse (a NUL or another
// control character in a header, a malformed request line, headers too
// large) itself, before any handler runs, with a plain-text error written
// straight to the connection:
//
//	HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request
//
// JSONErrors wraps a listener so that those answers come in the API's JSON
// error shape instead. It recognises them by their exact form, which no
// answer of a handler has (a handler's answer always carries a Date header
// before Connection and Content-Type).

// JSONErrors returns ln with the server's own protocol errors rewritten as
// JSON.
func JSONErrors(ln net.Listener) net.Listener { return jsonErrorListener{ln} }

type jsonErrorListener struct{ net.Listener }

func (l jsonErrorListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return jsonErrorConn{c}, nil
}

type jsonErrorConn struct{ net.Conn }

// protoErrorHeaders is what the server writes between its status line and
// the plain-text body of a protocol error.
const protoErrorHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

func (c jsonErrorConn) Write(p []byte) (int, error) {
	if out, ok := jsonProtocolError(p); ok {
		if _, err := c.Conn.Write(out); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return c.Conn.Write(p)
}

// jsonProtocolError rewrites one of the server's plain-text protocol error
// answers as JSON; ok is false for anything else.
func jsonProtocolError(p []byte) ([]byte, bool) {
	if !bytes.HasPrefix(p, []byte("HTTP/1.1 4")) && !bytes.HasPrefix(p, []byte("HTTP/1.1 5")) {
		return nil, false
	}
	status, body, ok := bytes.Cut(p, []byte(protoErrorHeaders))
	if !ok || bytes.Contains(status, []byte("\r\n")) {
		return nil, false
	}
	line := strings.TrimPrefix(string(status), "HTTP/1.1 ")
	codeText, _, _ := strings.Cut(line, " ")
	code, err := strconv.Atoi(codeText)
	if err != nil {
		return nil, false
	}
	errCode := "BAD_REQUEST"
	switch code {
	case 431:
		errCode = "HEADERS_TOO_LARGE"
	case 501:
		errCode = "NOT_IMPLEMENTED"
	}
	msg := "the request could not be read as HTTP: " + string(body)
	if code == 400 {
		msg = "the request could not be read as HTTP (a malformed request line or header, such as a control " +
			"character in a header)"
	}
	j, _ := json.Marshal(errorBody{errorDetail{Code: errCode, Message: msg}})
	var out bytes.Buffer
	out.WriteString("HTTP/1.1 ")
	out.WriteString(strconv.Itoa(code))
	out.WriteString(" ")
	out.WriteString(strings.TrimPrefix(strings.TrimPrefix(line, codeText), " "))
	out.WriteString("\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\nContent-Length: ")
	out.WriteString(strconv.Itoa(len(j) + 1))
	out.WriteString("\r\n\r\n")
	out.Write(j)
	out.WriteByte('\n')
	return out.Bytes(), true
}
