package loadgen

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// client posts JSON bodies to one Flint over keep-alive connections.
type client struct {
	hc           *http.Client
	decisionsURL string
	eventsURL    string
	auth         string // "Bearer <token>"
	bufs         sync.Pool
}

// newClient returns a client that keeps up to conns idle connections, one
// per worker, so no request waits for a dial once the run is warm.
func newClient(baseURL, token string, conns int, timeout time.Duration) *client {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		WriteBufferSize:     32 << 10, // an events batch leaves in a few writes
		ReadBufferSize:      16 << 10,
	}
	return &client{
		hc:           &http.Client{Transport: tr, Timeout: timeout},
		decisionsURL: baseURL + "/api/v1/decisions",
		eventsURL:    baseURL + "/api/v1/events",
		auth:         "Bearer " + token,
		bufs:         sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }},
	}
}

// header returns a request header for one worker; it is reused for every
// request of that worker and never changed.
func (c *client) header() http.Header {
	return http.Header{"Content-Type": {"application/json"}, "Authorization": {c.auth}}
}

// buffer returns an empty body buffer; post gives it back.
func (c *client) buffer() *[]byte {
	b := c.bufs.Get().(*[]byte)
	*b = (*b)[:0]
	return b
}

// post sends body (from buffer) with hdr to url and reads the answer into resp. The
// body goes back to the pool when the transport closes it, which may be
// after post returns, so it is never reused while still being written.
func (c *client) post(ctx context.Context, url string, hdr http.Header, body *[]byte, resp *bytes.Buffer) (status int, err error) {
	pb := &pooledBody{pool: &c.bufs, buf: body}
	pb.r.Reset(*body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, nil)
	if err != nil {
		pb.Close()
		return 0, err
	}
	req.Header, req.Body, req.ContentLength = hdr, pb, int64(len(*body))
	res, err := c.hc.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Reset()
	_, err = resp.ReadFrom(res.Body)
	res.Body.Close()
	return res.StatusCode, err
}

// pooledBody is a request body that returns its buffer to the pool once
// the transport has closed it.
type pooledBody struct {
	r      bytes.Reader
	pool   *sync.Pool
	buf    *[]byte
	closed atomic.Bool
}

func (b *pooledBody) Read(p []byte) (int, error) { return b.r.Read(p) }

func (b *pooledBody) Close() error {
	if !b.closed.Swap(true) {
		b.pool.Put(b.buf)
	}
	return nil
}
