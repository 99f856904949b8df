package integration

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/flintads/flint/internal/apperr"
	"github.com/flintads/flint/internal/money"
)

// Order is a store order as Shopify describes it, with the hints it
// carries about where it came from.
type Order struct {
	Line            int    // physical line of its first row (CSV only)
	ID              string // Shopify's order id (digits; may exceed 2^53)
	Name            string // "#1001"
	CreatedAt       time.Time
	Currency        string
	Total           money.Micros
	Refunded        money.Micros
	FinancialStatus string // pending, paid, partially_paid, refunded, partially_refunded, voided, …
	Cancelled       bool
	Test            bool
	ClickID         string // flint_clid from the landing page or a note attribute
	UTMCampaign     string
	DiscountCode    string
	Source          string // Shopify's source: web, pos, …
}

// The columns an orders export must have, and the optional ones read.
var (
	orderRequired = []string{"name", "financial status", "currency", "total", "created at"}
	shopifyTime   = "2006-01-02 15:04:05 -0700"
)

// OrderReader reads a Shopify "Export orders" CSV order by order. The
// export has one row per line item; order-level values are on an order's
// first row, and its rows are together. An order that appears again later
// in the file is read again (storing it counts it once); nothing grows with
// the file.
type OrderReader struct {
	t       *table
	c       orderCols
	pending []string // first row of the next order, read ahead
	pLine   int
	done    bool
}

type orderCols struct {
	id, name, status, currency, total, created, cancelled, refunded, discount, source, notes, tags, paidAt int
}

// NewOrderReader reads the header of an orders export. A file that is not
// one (another kind of export, missing columns, not text) is refused here.
func NewOrderReader(r io.Reader) (*OrderReader, error) {
	t, err := newTable(r)
	if err != nil {
		return nil, err
	}
	rec, err := t.next()
	if errors.Is(err, io.EOF) {
		return nil, refuse(CodeEmptyFile, "the file is empty")
	}
	if err != nil {
		return nil, err
	}
	t.setHeader(rec)
	var missing []string
	for _, c := range orderRequired {
		if t.col(c) < 0 {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, wrongExport(t, "a Shopify orders export (Orders → Export → CSV)", missing)
	}
	c := orderCols{id: t.col("id"), name: t.col("name"), status: t.col("financial status"), currency: t.col("currency"),
		total: t.col("total"), created: t.col("created at"), cancelled: t.col("cancelled at"),
		refunded: t.col("refunded amount"), discount: t.col("discount code"), source: t.col("source"),
		notes: t.col("note attributes"), tags: t.col("tags"), paidAt: t.col("paid at")}
	return &OrderReader{t: t, c: c}, nil
}

// wrongExport refuses a file, saying what it looks like instead.
func wrongExport(t *table, want string, missing []string) error {
	looks := ""
	switch {
	case t.col("gross sales", "net sales", "total sales") >= 0:
		looks = " It looks like a Shopify sales report; export the orders themselves."
	case t.col("name", "financial status") >= 0 && t.col("lineitem name") >= 0:
		looks = " It looks like a Shopify orders export; upload it to /api/v1/imports/orders."
	default:
		if p := detectPlatform(t); p != nil {
			looks = fmt.Sprintf(" It looks like a %s spend export; upload it to /api/v1/imports/ad-spend.", p.title)
		}
	}
	return refuse(CodeWrongExport, "this is not %s: the header lacks %s.%s Nothing was imported.", want,
		strings.Join(quoteAll(missing), ", "), looks)
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = `"` + s + `"`
	}
	return out
}

// Next returns the next order. It returns io.EOF at the end, a *RowError
// for an order whose values are wrong (reading may go on), and any other
// error for a file that must be refused whole.
func (o *OrderReader) Next() (Order, error) {
	for {
		first, line := o.pending, o.pLine
		o.pending = nil
		if first == nil {
			if o.done {
				return Order{}, io.EOF
			}
			rec, err := o.t.next()
			if errors.Is(err, io.EOF) {
				o.done = true
				return Order{}, io.EOF
			}
			if err != nil {
				return Order{}, err
			}
			if blank(rec) {
				continue
			}
			first, line = rec, o.t.line
		}
		name := field(first, o.c.name)
		// Read the order's other rows (line items without order values).
		for !o.done {
			rec, err := o.t.next()
			if errors.Is(err, io.EOF) {
				o.done = true
				break
			}
			if err != nil {
				return Order{}, err
			}
			if blank(rec) {
				continue
			}
			if field(rec, o.c.name) != name || field(rec, o.c.status) != "" || field(rec, o.c.total) != "" {
				o.pending, o.pLine = rec, o.t.line
				break
			}
		}
		return o.order(first, line, name)
	}
}

func (o *OrderReader) order(rec []string, line int, name string) (Order, error) {
	c := &o.c
	ord := Order{Line: line, Name: cleanText(name, 64), ID: field(rec, c.id), FinancialStatus: strings.ToLower(field(rec, c.status)),
		Currency: strings.ToUpper(field(rec, c.currency)), DiscountCode: cleanText(field(rec, c.discount), 128),
		Source: cleanText(field(rec, c.source), 64)}
	if ord.Name == "" {
		return ord, rowError(line, "Name", CodeMissingValue, "line %d: the order has no Name", line)
	}
	if ord.ID != "" && !digits(ord.ID) {
		return ord, rowError(line, "Id", CodeInvalidValue, "line %d: Id %q is not a Shopify order id", line, short(ord.ID))
	}
	if ord.FinancialStatus == "" {
		return ord, rowError(line, "Financial Status", CodeMissingValue,
			"line %d: order %s has no Financial Status (is it a line item whose order row is missing?)", line, ord.Name)
	}
	if len(ord.Currency) != 3 {
		return ord, rowError(line, "Currency", CodeInvalidValue, "line %d: Currency %q is not an ISO 4217 code", line, short(ord.Currency))
	}
	var ok bool
	if ord.Total, ok = parseAmount(field(rec, c.total), false); !ok {
		return ord, rowError(line, "Total", CodeInvalidValue, "line %d: Total %q is not an amount (formulas are not evaluated)",
			line, short(field(rec, c.total)))
	}
	if s := field(rec, c.refunded); s != "" {
		if ord.Refunded, ok = parseAmount(s, false); !ok {
			return ord, rowError(line, "Refunded Amount", CodeInvalidValue, "line %d: Refunded Amount %q is not an amount", line, short(s))
		}
	}
	created, err := time.Parse(shopifyTime, field(rec, c.created))
	if err != nil {
		return ord, rowError(line, "Created at", CodeInvalidValue,
			"line %d: Created at %q is not a time like 2026-03-08 01:59:00 -0500", line, short(field(rec, c.created)))
	}
	ord.CreatedAt = created
	ord.Cancelled = field(rec, c.cancelled) != ""
	var h hints
	h.noteAttributes(field(rec, c.notes))
	ord.ClickID, ord.UTMCampaign = cleanText(h.clickID, 128), cleanText(h.utmCampaign, 256)
	return ord, nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return len(s) > 0 && len(s) <= 24
}

// short quotes at most 40 bytes of a value in messages.
func short(s string) string {
	if len(s) > 40 {
		return cleanText(s, 40) + "…"
	}
	return s
}

// VerifyShopify reports whether signature (the X-Shopify-Hmac-Sha256
// header: base64 of HMAC-SHA256 of the body under the shared secret) signs
// body, comparing in constant time. body must be the raw bytes received.
func VerifyShopify(secret, body []byte, signature string) bool {
	want, err := base64.StdEncoding.DecodeString(strings.TrimSpace(signature))
	if err != nil || len(want) != sha256.Size || len(secret) == 0 {
		return false
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return hmac.Equal(mac.Sum(nil), want)
}

// SignShopify returns the signature Shopify would send for body.
func SignShopify(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// webhookOrder is the part of Shopify's order payload Flint reads.
type webhookOrder struct {
	ID              json.Number `json:"id"`
	Name            string      `json:"name"`
	CreatedAt       string      `json:"created_at"`
	Currency        string      `json:"currency"`
	TotalPrice      string      `json:"total_price"`
	FinancialStatus *string     `json:"financial_status"`
	CancelledAt     *string     `json:"cancelled_at"`
	Test            bool        `json:"test"`
	LandingSite     *string     `json:"landing_site"`
	SourceName      *string     `json:"source_name"`
	DiscountCodes   []struct {
		Code string `json:"code"`
	} `json:"discount_codes"`
	NoteAttributes []struct {
		Name  string          `json:"name"`
		Value json.RawMessage `json:"value"`
	} `json:"note_attributes"`
	Refunds []struct {
		Transactions []struct {
			Kind   string `json:"kind"`
			Status string `json:"status"`
			Amount string `json:"amount"`
		} `json:"transactions"`
	} `json:"refunds"`
}

// ParseOrderWebhook reads the body of an orders/create (or orders/updated)
// webhook. Order ids are read as decimal text, never as floating point.
func ParseOrderWebhook(body []byte) (Order, error) {
	var w webhookOrder
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&w); err != nil {
		return Order{}, apperr.New(apperr.Invalid, apperr.CodeMalformedJSON, "the webhook body is not a Shopify order")
	}
	id := w.ID.String()
	if !digits(id) {
		return Order{}, apperr.Field("id", CodeInvalidValue, "the order id must be a whole number")
	}
	o := Order{ID: id, Name: cleanText(w.Name, 64), Currency: strings.ToUpper(strings.TrimSpace(w.Currency)), Test: w.Test}
	if o.Name == "" {
		o.Name = "#" + id
	}
	if len(o.Currency) != 3 {
		return o, apperr.Field("currency", CodeInvalidValue, "currency must be an ISO 4217 code")
	}
	var ok bool
	if o.Total, ok = parseAmount(w.TotalPrice, false); !ok {
		return o, apperr.Field("total_price", CodeInvalidValue, "total_price must be an amount such as \"39.00\"")
	}
	t, err := time.Parse(time.RFC3339, w.CreatedAt)
	if err != nil {
		return o, apperr.Field("created_at", CodeInvalidValue, "created_at must be an RFC 3339 time")
	}
	o.CreatedAt = t
	if w.FinancialStatus != nil {
		o.FinancialStatus = strings.ToLower(*w.FinancialStatus)
	}
	o.Cancelled = w.CancelledAt != nil && *w.CancelledAt != ""
	if w.SourceName != nil {
		o.Source = cleanText(*w.SourceName, 64)
	}
	for _, r := range w.Refunds {
		for _, tx := range r.Transactions {
			if tx.Kind == "refund" && (tx.Status == "" || tx.Status == "success") {
				if m, ok := parseAmount(tx.Amount, false); ok {
					o.Refunded += m
				}
			}
		}
	}
	if len(w.DiscountCodes) > 0 {
		o.DiscountCode = cleanText(w.DiscountCodes[0].Code, 128)
	}
	var h hints
	if w.LandingSite != nil {
		h.url(*w.LandingSite)
	}
	for _, a := range w.NoteAttributes {
		var v string
		if json.Unmarshal(a.Value, &v) != nil {
			v = string(a.Value)
		}
		h.add(a.Name, v)
	}
	o.ClickID, o.UTMCampaign = cleanText(h.clickID, 128), cleanText(h.utmCampaign, 256)
	return o, nil
}
