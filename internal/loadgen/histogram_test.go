package loadgen

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestBucketsCoverEveryValueOnce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	check := func(v uint64) {
		i := bucketOf(v)
		lo, hi := bucketRange(i)
		if i < 0 || i >= numBuckets || v < lo || v > hi {
			t.Fatalf("value %d in bucket %d [%d, %d]", v, i, lo, hi)
		}
		if v >= subCount && float64(hi-lo+1)/float64(lo) > 1.0/halfCount {
			t.Fatalf("bucket %d [%d, %d] is wider than 1/%d of its values", i, lo, hi, halfCount)
		}
	}
	for v := range uint64(5000) {
		check(v)
	}
	for range 100_000 {
		check(r.Uint64N(maxValue + 1))
		check(uint64(math.Exp(r.Float64() * math.Log(maxValue))))
	}
	check(maxValue)
	for i := 1; i < numBuckets; i++ {
		_, prevHi := bucketRange(i - 1)
		lo, _ := bucketRange(i)
		if lo != prevHi+1 {
			t.Fatalf("bucket %d starts at %d, after %d", i, lo, prevHi)
		}
	}
}

// exact returns the nearest-rank quantile q of sorted.
func exact(sorted []time.Duration, q float64) time.Duration {
	rank := int(math.Ceil(q * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

func TestQuantilesMatchExactValues(t *testing.T) {
	qs := []float64{0.5, 0.9, 0.99, 0.999, 1}

	// Small values are kept exactly.
	var small histogram
	var vals []time.Duration
	for v := 1; v <= 200; v++ {
		small.record(time.Duration(v))
		vals = append(vals, time.Duration(v))
	}
	for i, got := range small.quantiles(qs...) {
		if want := exact(vals, qs[i]); got != want {
			t.Errorf("q%.3f of 1..200ns = %d, want %d", qs[i], got, want)
		}
	}

	// Realistic latencies, log-normal around 2ms with a long tail, are
	// within the bucket precision of the exact answer.
	r := rand.New(rand.NewPCG(2, 3))
	var h histogram
	vals = vals[:0]
	for range 300_000 {
		d := time.Duration(2e6 * math.Exp(r.NormFloat64()*0.8))
		if r.IntN(1000) == 0 {
			d *= 40
		}
		h.record(d)
		vals = append(vals, d)
	}
	slices.Sort(vals)
	for i, got := range h.quantiles(qs...) {
		want := exact(vals, qs[i])
		if diff := math.Abs(float64(got-want)) / float64(want); diff > 1.0/halfCount {
			t.Errorf("q%.3f = %v, want %v (off by %.2f%%)", qs[i], got, want, 100*diff)
		}
	}
	if got := time.Duration(h.max.Load()); got != vals[len(vals)-1] {
		t.Errorf("max %v, want %v", got, vals[len(vals)-1])
	}
	var total time.Duration
	for _, v := range vals {
		total += v
	}
	if got, want := h.mean(), total/time.Duration(len(vals)); got != want {
		t.Errorf("mean %v, want %v", got, want)
	}

	var empty histogram
	if got := empty.quantiles(0.5, 1); got[0] != 0 || got[1] != 0 {
		t.Errorf("quantiles of nothing: %v", got)
	}
}
