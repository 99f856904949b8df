package measure_test

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flintads/flint/internal/clock"
	"github.com/flintads/flint/internal/measure"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/seal"
	"github.com/flintads/flint/internal/store/sqlite"
)

// orderFile writes (once) a Shopify orders export of about 50 MB
// (FLINT_BENCH_ORDERS_MB to choose another size): the
// 79-column header of the fixtures, orders of two line items each, a third
// of them carrying a utm_campaign note. It returns its path and row count.
func orderFile(b *testing.B) (string, int) {
	mb := 50
	if v, err := strconv.Atoi(os.Getenv("FLINT_BENCH_ORDERS_MB")); err == nil && v > 0 {
		mb = v
	}
	path := filepath.Join(os.TempDir(), fmt.Sprintf("flint-orders-%dmb-v1.csv", mb))
	fixture, err := os.ReadFile("../integration/testdata/shopify_orders_79.csv")
	if err != nil {
		b.Fatal(err)
	}
	header, err := csv.NewReader(strings.NewReader(string(fixture))).Read()
	if err != nil {
		b.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		f, err := os.Create(path + ".tmp")
		if err != nil {
			b.Fatal(err)
		}
		bw := bufio.NewWriterSize(f, 1<<20)
		w := csv.NewWriter(bw)
		w.Write(header)
		col := map[string]int{}
		for i, h := range header {
			col[h] = i
		}
		row := make([]string, len(header))
		var size int64
		start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.FixedZone("EST", -5*3600))
		for o := 0; size < int64(mb)<<20; o++ {
			for item := range 2 {
				clear(row)
				row[col["Name"]] = fmt.Sprintf("#%d", 100000+o)
				row[col["Lineitem quantity"]], row[col["Lineitem name"]], row[col["Lineitem price"]] = "1", "Glow Serum - 30 ml", "39.00"
				row[col["Lineitem sku"]], row[col["Lineitem requires shipping"]], row[col["Lineitem taxable"]] = "GS-30", "true", "true"
				row[col["Lineitem fulfillment status"]], row[col["Vendor"]] = "fulfilled", "Glow Co"
				if item == 0 {
					row[col["Financial Status"]], row[col["Paid at"]], row[col["Fulfillment Status"]] = "paid", "2026-11-02 10:00:00 -0500", "fulfilled"
					row[col["Currency"]], row[col["Subtotal"]], row[col["Shipping"]], row[col["Taxes"]] = "USD", "78.00", "5.00", "6.24"
					row[col["Total"]], row[col["Discount Amount"]], row[col["Shipping Method"]] = "89.24", "0.00", "Standard Shipping"
					row[col["Created at"]] = start.Add(time.Duration(o) * 17 * time.Second).Format("2006-01-02 15:04:05 -0700")
					row[col["Payment Method"]], row[col["Refunded Amount"]], row[col["Outstanding Balance"]] = "Shopify Payments", "0.00", "0.00"
					row[col["Id"]], row[col["Risk Level"]], row[col["Source"]] = fmt.Sprint(5_600_000_000_000_000+o), "Low", "web"
					row[col["Billing Country"]], row[col["Shipping Country"]] = "US", "US"
					row[col["Tax 1 Name"]], row[col["Tax 1 Value"]] = "NY State Tax 8%", "6.24"
					if o%3 == 0 {
						row[col["Note Attributes"]] = fmt.Sprintf("utm_source: tiktok\nutm_campaign: campaign %d", o%50)
					}
				}
				w.Write(row)
			}
			w.Flush()
			size = int64(bw.Buffered())
			if st, err := f.Stat(); err == nil {
				size += st.Size()
			}
		}
		w.Flush()
		if err := bw.Flush(); err != nil {
			b.Fatal(err)
		}
		f.Close()
		if err := os.Rename(path+".tmp", path); err != nil {
			b.Fatal(err)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReader(f))
	r.ReuseRecord = true
	rows := -1
	for {
		if _, err := r.Read(); err == io.EOF {
			break
		} else if err != nil {
			b.Fatal(err)
		}
		rows++
	}
	return path, rows
}

// peakHeap samples the heap in use while fn runs and returns its peak
// above what was in use before.
func peakHeap(fn func()) uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	fn()
	close(stop)
	wg.Wait()
	if peak.Load() < base {
		return 0
	}
	return peak.Load() - base
}

// BenchmarkImportOrders imports a 50 MB orders export into a fresh SQLite
// store (flint: reading, grouping, the counting rule, attribution, storing
// in one transaction), against reading the same file with encoding/csv
// alone (csv). rows/s counts CSV rows (line items); peak-heap-MB is the
// heap in use at the peak of an import, above what was in use before.
func BenchmarkImportOrders(b *testing.B) {
	path, rows := orderFile(b)
	st, _ := os.Stat(path)
	b.Logf("%s: %.1f MB, %d rows", path, float64(st.Size())/(1<<20), rows)
	b.Run("flint", func(b *testing.B) {
		var peak uint64
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			ctx := context.Background()
			db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "flint.db"))
			if err != nil {
				b.Fatal(err)
			}
			at := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
			adv := model.Account{ID: "adv", Kind: model.KindAdvertiser, Name: "Glow", Currency: "USD", Timezone: "America/New_York",
				TokenHash: []byte("adv"), CreatedAt: at, UpdatedAt: at}
			w := model.World{Accounts: []model.Account{adv}}
			for c := range 50 {
				w.Campaigns = append(w.Campaigns, model.Campaign{ID: fmt.Sprintf("cmp_%d", c), AdvertiserID: "adv",
					Name: fmt.Sprintf("Campaign %d", c), Objective: model.ObjectiveConversions, BudgetMode: model.BudgetNone,
					Status: model.Enabled, CreatedAt: at, UpdatedAt: at})
			}
			if err := db.Seed(ctx, w); err != nil {
				b.Fatal(err)
			}
			svc := measure.New(db, clock.NewManual(at), seal.New([]byte("0123456789abcdef0123456789abcdef"), seal.WebhookSecrets))
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			var res measure.ImportResult
			p := peakHeap(func() { res, err = svc.ImportOrders(ctx, adv, f) })
			b.StopTimer()
			f.Close()
			db.Close()
			if err != nil || res.Imported != rows/2 || len(res.Rejected) != 0 {
				b.Fatalf("import: %v, %+v", err, res)
			}
			peak = max(peak, p)
			b.StartTimer()
		}
		b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	})
	b.Run("csv", func(b *testing.B) {
		for range b.N {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			r := csv.NewReader(bufio.NewReader(f))
			for {
				if _, err := r.Read(); err == io.EOF {
					break
				} else if err != nil {
					b.Fatal(err)
				}
			}
			f.Close()
		}
		b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
	})
}
