package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"iter"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
	"github.com/flintads/flint/internal/store"
)

// MeasurementSettings implements store.Measurement.
func (db *DB) MeasurementSettings(ctx context.Context, advertiserID string) (model.MeasurementSettings, error) {
	s := model.MeasurementSettings{AdvertiserID: advertiserID}
	var utm, codes string
	var updated int64
	err := db.queryRow(ctx, `SELECT click_window_days, utm_campaigns, discount_codes, shopify_secret, updated_at
		FROM measurement_settings WHERE advertiser_id = ?`, advertiserID).Scan(&s.ClickWindowDays, &utm, &codes,
		&s.ShopifySecret, &updated)
	if err != nil {
		return s, db.translate(err)
	}
	s.UpdatedAt = timeOf(updated)
	if err := json.Unmarshal([]byte(utm), &s.UTMCampaigns); err != nil {
		return s, err
	}
	if err := json.Unmarshal([]byte(codes), &s.DiscountCodes); err != nil {
		return s, err
	}
	return s, nil
}

// PutMeasurementSettings implements store.Measurement.
func (db *DB) PutMeasurementSettings(ctx context.Context, s model.MeasurementSettings) error {
	utm, err := json.Marshal(nonNil(s.UTMCampaigns))
	if err != nil {
		return err
	}
	codes, err := json.Marshal(nonNil(s.DiscountCodes))
	if err != nil {
		return err
	}
	var secret any
	if s.ShopifySecret != nil {
		secret = s.ShopifySecret
	}
	_, err = db.exec(ctx, `INSERT INTO measurement_settings (advertiser_id, click_window_days, utm_campaigns,
		discount_codes, shopify_secret, updated_at) VALUES (?,?,?,?,?,?) ON CONFLICT (advertiser_id) DO UPDATE SET
		click_window_days = excluded.click_window_days, utm_campaigns = excluded.utm_campaigns,
		discount_codes = excluded.discount_codes, shopify_secret = excluded.shopify_secret, updated_at = excluded.updated_at`,
		s.AdvertiserID, s.ClickWindowDays, string(utm), string(codes), secret, micros(s.UpdatedAt))
	return err
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// Clicks implements store.Measurement.
func (db *DB) Clicks(ctx context.Context, clickIDs []string) (map[string]model.Click, error) {
	out := make(map[string]model.Click, len(clickIDs))
	err := chunks(clickIDs, 500, func(part []string) error {
		rows, err := db.query(ctx, `SELECT click_id, ad_id, at FROM events WHERE click_id IN (`+placeholders(len(part))+`)`,
			anys(part)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, ad string
			var at int64
			if err := rows.Scan(&id, &ad, &at); err != nil {
				return err
			}
			out[id] = model.Click{AdID: ad, At: timeOf(at)}
		}
		return rows.Err()
	})
	return out, err
}

// InsertConversions implements store.Measurement.
func (db *DB) InsertConversions(ctx context.Context, cs []model.Conversion) ([]bool, error) {
	stored := make([]bool, len(cs))
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		clear(stored)
		for i, c := range cs {
			res, err := tx.ExecContext(ctx, db.q(`INSERT INTO conversions (advertiser_id, event_id, event, click_id, order_id,
				ad_id, campaign_id, value, currency, at, day, received_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
				ON CONFLICT (advertiser_id, event_id) DO NOTHING`), c.AdvertiserID, c.EventID, c.Event, c.ClickID,
				c.OrderID, c.AdID, c.CampaignID, int64(c.Value), c.Currency, micros(c.At), int64(c.Day), micros(c.ReceivedAt))
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			stored[i] = n == 1
		}
		return nil
	})
	return stored, err
}

const orderColumns = `advertiser_id, order_id, name, source, created_at, day, currency, total, refunded, revenue, counted,
	financial_status, cancelled, test, click_id, utm_campaign, discount_code, ad_id, campaign_id, attributed_by, imported_at`

var orderTable = newTable("orders", orderColumns, func(dst []any, o *model.Order) ([]any, error) {
	return append(dst, o.AdvertiserID, o.OrderID, o.Name, o.Source, micros(o.CreatedAt), int64(o.Day), o.Currency,
		int64(o.Total), int64(o.Refunded), int64(o.Revenue), o.Counted, string(o.FinancialStatus), o.Cancelled, o.Test,
		o.ClickID, o.UTMCampaign, o.DiscountCode, o.AdID, o.CampaignID, string(o.AttributedBy), micros(o.ImportedAt)), nil
})

// ImportOrders implements store.Measurement.
func (db *DB) ImportOrders(ctx context.Context, advertiserID string, batches iter.Seq2[[]model.Order, error]) (model.ImportCounts, error) {
	var counts model.ImportCounts
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		counts = model.ImportCounts{}
		for batch, err := range batches {
			if err != nil {
				return err
			}
			c, err := db.storeOrders(ctx, tx, advertiserID, batch)
			if err != nil {
				return err
			}
			counts = counts.Add(c)
		}
		return nil
	})
	return counts, err
}

// OrderWebhook implements store.Measurement.
func (db *DB) OrderWebhook(ctx context.Context, advertiserID, webhookID string, receivedAt time.Time, o *model.Order) (bool, model.ImportCounts, error) {
	var dup bool
	var counts model.ImportCounts
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.q(`INSERT INTO webhook_deliveries (advertiser_id, webhook_id, received_at)
			VALUES (?,?,?) ON CONFLICT (advertiser_id, webhook_id) DO NOTHING`), advertiserID, webhookID, micros(receivedAt))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if dup = n == 0; dup || o == nil {
			return nil
		}
		counts, err = db.storeOrders(ctx, tx, advertiserID, []model.Order{*o})
		return err
	})
	return dup, counts, err
}

// storedOrder is what storeOrders compares of an order already stored.
type storedOrder struct {
	orderID, name, status, attributedBy string
	total, refunded, revenue            int64
	counted, cancelled, test            bool
	day                                 model.Day
	campaignID, adID, currency          string
}

// orderMonthKey is a row of order_months.
type orderMonthKey struct {
	month                      model.Day
	campaignID, adID, currency string
}

// orderSums are what one or more orders add to an order_months row.
type orderSums struct{ orders, revenue int64 }

// count adds (sign 1) or takes away (-1) the order's contribution.
func (s *storedOrder) count(deltas map[orderMonthKey]orderSums, sign int64) {
	if !s.counted {
		return
	}
	k := orderMonthKey{s.day.Month(), s.campaignID, s.adID, s.currency}
	d := deltas[k]
	d.orders += sign
	d.revenue += sign * s.revenue
	deltas[k] = d
}

// storeOrders inserts the new orders of a batch and updates those whose
// payment state changed (see store.Measurement.ImportOrders).
func (db *DB) storeOrders(ctx context.Context, tx *sql.Tx, advertiserID string, batch []model.Order) (model.ImportCounts, error) {
	var counts model.ImportCounts
	ids := make([]string, 0, len(batch))
	names := make([]string, 0, len(batch))
	for i := range batch {
		ids = append(ids, batch[i].OrderID)
		if batch[i].Name != "" {
			names = append(names, batch[i].Name)
		}
	}
	byID := map[string]*storedOrder{}
	byName := map[string]*storedOrder{}
	// Two lookups, each through its index (an OR of the two would scan).
	for _, col := range []struct {
		name   string
		values []string
	}{{"order_id", ids}, {"name", names}} {
		err := chunks(col.values, 500, func(part []string) error {
			rows, err := tx.QueryContext(ctx, db.q(`SELECT order_id, name, financial_status, attributed_by, total, refunded,
				revenue, counted, cancelled, test, day, campaign_id, ad_id, currency FROM orders
				WHERE advertiser_id = ? AND `+col.name+` IN (`+placeholders(len(part))+`)`),
				append([]any{advertiserID}, anys(part)...)...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var s storedOrder
				if err := rows.Scan(&s.orderID, &s.name, &s.status, &s.attributedBy, &s.total, &s.refunded, &s.revenue,
					&s.counted, &s.cancelled, &s.test, &s.day, &s.campaignID, &s.adID, &s.currency); err != nil {
					return err
				}
				if _, ok := byID[s.orderID]; ok {
					continue // found by both id and name
				}
				byID[s.orderID] = &s
				if s.name != "" {
					byName[s.name] = &s
				}
			}
			return rows.Err()
		})
		if err != nil {
			return counts, err
		}
	}
	var fresh []model.Order
	deltas := map[orderMonthKey]orderSums{}
	for i := range batch {
		o := &batch[i]
		o.AdvertiserID = advertiserID
		s := byID[o.OrderID]
		if s == nil && o.Name != "" {
			s = byName[o.Name]
		}
		if s == nil {
			fresh = append(fresh, *o)
			s = &storedOrder{orderID: o.OrderID, name: o.Name, status: string(o.FinancialStatus),
				attributedBy: string(o.AttributedBy), total: int64(o.Total), refunded: int64(o.Refunded),
				revenue: int64(o.Revenue), counted: o.Counted, cancelled: o.Cancelled, test: o.Test, day: o.Day,
				campaignID: o.CampaignID, adID: o.AdID, currency: o.Currency}
			s.count(deltas, 1)
			byID[o.OrderID] = s
			if o.Name != "" {
				byName[o.Name] = s
			}
			counts.Imported++
			continue
		}
		changed := s.status != string(o.FinancialStatus) || s.total != int64(o.Total) || s.refunded != int64(o.Refunded) ||
			s.revenue != int64(o.Revenue) || s.counted != o.Counted || s.cancelled != o.Cancelled || s.test != o.Test
		attribute := s.attributedBy == "" && o.AttributedBy != ""
		if !changed && !attribute {
			counts.Skipped++
			continue
		}
		s.count(deltas, -1)
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE orders SET financial_status = ?, total = ?, refunded = ?, revenue = ?,
			counted = ?, cancelled = ?, test = ?, imported_at = ? WHERE advertiser_id = ? AND order_id = ?`),
			string(o.FinancialStatus), int64(o.Total), int64(o.Refunded), int64(o.Revenue), o.Counted, o.Cancelled, o.Test,
			micros(o.ImportedAt), advertiserID, s.orderID); err != nil {
			return counts, err
		}
		if attribute {
			if _, err := tx.ExecContext(ctx, db.q(`UPDATE orders SET click_id = ?, utm_campaign = ?, discount_code = ?,
				ad_id = ?, campaign_id = ?, attributed_by = ? WHERE advertiser_id = ? AND order_id = ?`),
				o.ClickID, o.UTMCampaign, o.DiscountCode, o.AdID, o.CampaignID, string(o.AttributedBy), advertiserID,
				s.orderID); err != nil {
				return counts, err
			}
			s.attributedBy, s.campaignID, s.adID = string(o.AttributedBy), o.CampaignID, o.AdID
		}
		s.status, s.total, s.refunded, s.revenue = string(o.FinancialStatus), int64(o.Total), int64(o.Refunded), int64(o.Revenue)
		s.counted, s.cancelled, s.test = o.Counted, o.Cancelled, o.Test
		s.count(deltas, 1)
		counts.Updated++
	}
	const rowsPerInsert = 40
	args := make([]any, 0, rowsPerInsert*orderTable.n)
	for len(fresh) > 0 {
		n := min(rowsPerInsert, len(fresh))
		args = args[:0]
		for i := range fresh[:n] {
			args, _ = orderTable.row(args, &fresh[i])
		}
		if _, err := tx.ExecContext(ctx, db.q(orderTable.insert(n)), args...); err != nil {
			return counts, err
		}
		fresh = fresh[n:]
	}
	var rows [][]any
	for _, k := range slices.SortedFunc(maps.Keys(deltas), func(a, b orderMonthKey) int {
		return cmp.Or(cmp.Compare(a.month, b.month), strings.Compare(a.campaignID, b.campaignID),
			strings.Compare(a.adID, b.adID), strings.Compare(a.currency, b.currency))
	}) {
		if d := deltas[k]; d != (orderSums{}) {
			rows = append(rows, []any{advertiserID, int64(k.month), k.campaignID, k.adID, k.currency, d.orders, d.revenue})
		}
	}
	err := db.upsert(ctx, tx, "order_months", "advertiser_id, month, campaign_id, ad_id, currency, orders, revenue",
		"advertiser_id, month, campaign_id, ad_id, currency", addUpdates("order_months", []string{"orders", "revenue"}), rows)
	return counts, err
}

// ImportSpend implements store.Measurement.
func (db *DB) ImportSpend(ctx context.Context, advertiserID string, batches iter.Seq2[[]model.ChannelSpend, error]) (model.ImportCounts, error) {
	var counts model.ImportCounts
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		counts = model.ImportCounts{}
		for batch, err := range batches {
			if err != nil {
				return err
			}
			for _, s := range batch {
				key := []any{advertiserID, s.Channel, s.Campaign, s.Detail, s.Currency, int64(s.SpanStart), int64(s.SpanEnd)}
				res, err := tx.ExecContext(ctx, db.q(`INSERT INTO channel_spend (advertiser_id, channel, campaign, detail,
					currency, span_start, span_end, spend, impressions, clicks, conversions, imported_at)
					VALUES (?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING`),
					append(key, int64(s.Spend), nullInt(s.Impressions), nullInt(s.Clicks), nullInt(s.Conversions),
						micros(s.ImportedAt))...)
				if err != nil {
					return err
				}
				if n, err := res.RowsAffected(); err != nil {
					return err
				} else if n == 1 {
					counts.Imported++
					continue
				}
				res, err = tx.ExecContext(ctx, db.q(`UPDATE channel_spend SET spend = ?, impressions = ?, clicks = ?,
					conversions = ?, imported_at = ? WHERE advertiser_id = ? AND channel = ? AND campaign = ? AND detail = ?
					AND currency = ? AND span_start = ? AND span_end = ? AND (spend <> ?
					OR impressions IS DISTINCT FROM ? OR clicks IS DISTINCT FROM ? OR conversions IS DISTINCT FROM ?)`),
					append(append([]any{int64(s.Spend), nullInt(s.Impressions), nullInt(s.Clicks), nullInt(s.Conversions),
						micros(s.ImportedAt)}, key...), int64(s.Spend), nullInt(s.Impressions), nullInt(s.Clicks),
						nullInt(s.Conversions))...)
				if err != nil {
					return err
				}
				if n, err := res.RowsAffected(); err != nil {
					return err
				} else if n == 1 {
					counts.Updated++
				} else {
					counts.Skipped++
				}
			}
		}
		return nil
	})
	return counts, err
}

func nullInt(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

// ConversionRevenue implements store.Measurement.
func (db *DB) ConversionRevenue(ctx context.Context, q model.RevenueQuery) ([]model.RevenueRow, error) {
	rows, err := db.query(ctx, `SELECT `+dayColumn(q.ByDay, "c.day")+` AS d, c.campaign_id, c.ad_id, c.currency,
		CASE WHEN c.order_id <> '' AND EXISTS (SELECT 1 FROM orders o WHERE o.advertiser_id = c.advertiser_id
			AND (o.order_id = c.order_id OR o.name = c.order_id)) THEN 1 ELSE 0 END AS dup,
		COUNT(*), CAST(SUM(c.value) AS BIGINT)
		FROM conversions c WHERE c.advertiser_id = ? AND c.day >= ? AND c.day <= ? AND c.event = 'purchase'
		GROUP BY d, c.campaign_id, c.ad_id, c.currency, dup`, q.AdvertiserID, int64(q.From), int64(q.To))
	if err != nil {
		return nil, err
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (model.RevenueRow, error) {
		var r model.RevenueRow
		var day, dup, value int64
		err := row.Scan(&day, &r.CampaignID, &r.AdID, &r.Currency, &dup, &r.Count, &value)
		r.Day, r.DuplicateOfOrder, r.Value = model.Day(day), dup == 1, money.Micros(value)
		return r, err
	})
}

// dayColumn is the day column, or 0 when rows are not summed per day.
func dayColumn(byDay bool, column string) string {
	if byDay {
		return column
	}
	return "0"
}

// OrderRevenue implements store.Measurement. Sums that are not per day
// read whole months from order_months (see monthPlan).
func (db *DB) OrderRevenue(ctx context.Context, q model.RevenueQuery) ([]model.RevenueRow, error) {
	if q.ByDay {
		return db.orderRevenue(ctx, q.AdvertiserID, q.From, q.To, true)
	}
	months, spans := monthPlan(q.From, q.To, q.Today)
	type key struct{ campaign, ad, currency string }
	sums := map[key]*model.RevenueRow{}
	var order []key
	add := func(rows []model.RevenueRow, sign int64) {
		for _, r := range rows {
			k := key{r.CampaignID, r.AdID, r.Currency}
			t := sums[k]
			if t == nil {
				t = &model.RevenueRow{CampaignID: r.CampaignID, AdID: r.AdID, Currency: r.Currency}
				sums[k] = t
				order = append(order, k)
			}
			t.Count += sign * r.Count
			t.Value += money.Micros(sign) * r.Value
		}
	}
	if len(months) > 0 {
		rows, err := db.query(ctx, `SELECT campaign_id, ad_id, currency, CAST(SUM(orders) AS BIGINT), CAST(SUM(revenue) AS BIGINT)
			FROM order_months WHERE advertiser_id = ? AND month >= ? AND month <= ? GROUP BY campaign_id, ad_id, currency`,
			q.AdvertiserID, int64(months[0]), int64(months[len(months)-1]))
		if err != nil {
			return nil, err
		}
		monthly, err := collect(rows, func(row interface{ Scan(...any) error }) (model.RevenueRow, error) {
			var r model.RevenueRow
			var value int64
			err := row.Scan(&r.CampaignID, &r.AdID, &r.Currency, &r.Count, &value)
			r.Value = money.Micros(value)
			return r, err
		})
		if err != nil {
			return nil, err
		}
		add(monthly, 1)
	}
	for _, sp := range spans {
		rows, err := db.orderRevenue(ctx, q.AdvertiserID, sp.from, sp.to, false)
		if err != nil {
			return nil, err
		}
		add(rows, sp.sign)
	}
	out := make([]model.RevenueRow, 0, len(order))
	for _, k := range order {
		if t := sums[k]; t.Count != 0 || t.Value != 0 {
			out = append(out, *t)
		}
	}
	return out, nil
}

// orderRevenue sums counted orders from the orders table.
func (db *DB) orderRevenue(ctx context.Context, advertiserID string, from, to model.Day, byDay bool) ([]model.RevenueRow, error) {
	rows, err := db.query(ctx, `SELECT `+dayColumn(byDay, "day")+` AS d, campaign_id, ad_id, currency, COUNT(*),
		CAST(SUM(revenue) AS BIGINT) FROM orders WHERE advertiser_id = ? AND day >= ? AND day <= ? AND counted = ?
		GROUP BY d, campaign_id, ad_id, currency`, advertiserID, int64(from), int64(to), true)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (model.RevenueRow, error) {
		var r model.RevenueRow
		var day, value int64
		err := row.Scan(&day, &r.CampaignID, &r.AdID, &r.Currency, &r.Count, &value)
		r.Day, r.Value = model.Day(day), money.Micros(value)
		return r, err
	})
}

// MaxSpanDays is the longest span of an imported spend row, in days.
const MaxSpanDays = 366

// ChannelSpend implements store.Measurement.
func (db *DB) ChannelSpend(ctx context.Context, q model.SpendQuery) ([]model.SpendRow, error) {
	// Spans are at most a year long (the importers refuse longer ones), so
	// the index on span_start bounds the scan.
	rows, err := db.query(ctx, `SELECT span_start, span_end, channel, campaign, currency, CAST(SUM(spend) AS BIGINT),
		CAST(SUM(impressions) AS BIGINT), CAST(SUM(clicks) AS BIGINT), CAST(SUM(conversions) AS BIGINT)
		FROM channel_spend WHERE advertiser_id = ? AND span_start >= ? AND span_start <= ? AND span_end >= ?
		GROUP BY span_start, span_end, channel, campaign, currency`,
		q.AdvertiserID, int64(q.From)-MaxSpanDays, int64(q.To), int64(q.From))
	if err != nil {
		return nil, err
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (model.SpendRow, error) {
		var r model.SpendRow
		var start, end, spend int64
		var imp, clicks, conv sql.NullInt64
		err := row.Scan(&start, &end, &r.Channel, &r.Campaign, &r.Currency, &spend, &imp, &clicks, &conv)
		r.SpanStart, r.SpanEnd, r.Spend = model.Day(start), model.Day(end), money.Micros(spend)
		r.Impressions, r.Clicks, r.Conversions = ptrOf(imp), ptrOf(clicks), ptrOf(conv)
		return r, err
	})
}

func ptrOf(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	return &n.Int64
}

// Channels implements store.Measurement.
func (db *DB) Channels(ctx context.Context, advertiserID string) ([]string, error) {
	rows, err := db.query(ctx, `SELECT DISTINCT channel FROM channel_spend WHERE advertiser_id = ? ORDER BY channel`, advertiserID)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (string, error) {
		var s string
		err := row.Scan(&s)
		return s, err
	})
}

var _ store.Measurement = (*DB)(nil)
