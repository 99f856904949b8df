package loadgen

import (
	"math"
	"math/bits"
	"sync/atomic"
	"time"
)

// histogram records latencies in log-linear buckets, as HdrHistogram does:
// values below 2^subBits nanoseconds have a bucket each, and every power of
// two above that is split into 2^(subBits-1) equal buckets, so a recorded
// value is known to within 1/128 (0.8%) of itself. Memory is fixed (32 KiB)
// however long the run, and recording is a few atomic adds, so all workers
// share one histogram per request kind.
type histogram struct {
	counts [numBuckets]atomic.Uint64
	n      atomic.Uint64
	sum    atomic.Uint64 // nanoseconds
	max    atomic.Uint64
}

const (
	subBits    = 8
	subCount   = 1 << subBits // 256
	halfCount  = subCount / 2
	maxBits    = 37 // values are clamped below 2^37 ns, about 137 s
	maxValue   = 1<<maxBits - 1
	numBuckets = subCount + (maxBits-subBits)*halfCount
)

// bucketOf returns the bucket of v (v <= maxValue).
func bucketOf(v uint64) int {
	if v < subCount {
		return int(v)
	}
	shift := bits.Len64(v) - subBits // >= 1
	return subCount + (shift-1)*halfCount + int(v>>shift) - halfCount
}

// bucketRange returns the smallest and largest values of bucket i.
func bucketRange(i int) (lo, hi uint64) {
	if i < subCount {
		return uint64(i), uint64(i)
	}
	shift := (i-subCount)/halfCount + 1
	mant := uint64((i-subCount)%halfCount + halfCount)
	return mant << shift, (mant+1)<<shift - 1
}

// record adds one latency.
func (h *histogram) record(d time.Duration) {
	v := uint64(max(d, 0))
	if v > maxValue {
		v = maxValue
	}
	h.counts[bucketOf(v)].Add(1)
	h.n.Add(1)
	h.sum.Add(v)
	for {
		m := h.max.Load()
		if v <= m || h.max.CompareAndSwap(m, v) {
			break
		}
	}
}

// quantiles returns the latency at each quantile q (0 < q <= 1) by the
// nearest-rank method: the smallest recorded value such that at least q of
// all values are at or below it, reported as the middle of its bucket (the
// exact value below 256 ns, and never above the largest value recorded).
func (h *histogram) quantiles(qs ...float64) []time.Duration {
	out := make([]time.Duration, len(qs))
	n := h.n.Load()
	if n == 0 {
		return out
	}
	maxV := h.max.Load()
	ranks := make([]uint64, len(qs))
	for i, q := range qs {
		ranks[i] = uint64(math.Ceil(q * float64(n)))
		ranks[i] = min(max(ranks[i], 1), n)
	}
	set := make([]bool, len(qs))
	var cum uint64
	done := 0
	for b := 0; b < numBuckets && done < len(qs); b++ {
		c := h.counts[b].Load()
		if c == 0 {
			continue
		}
		cum += c
		lo, hi := bucketRange(b)
		mid := min(lo+(hi-lo)/2, maxV)
		for i, r := range ranks {
			if !set[i] && r <= cum {
				out[i], set[i] = time.Duration(mid), true
				done++
			}
		}
	}
	return out
}

// mean returns the mean latency.
func (h *histogram) mean() time.Duration {
	n := h.n.Load()
	if n == 0 {
		return 0
	}
	return time.Duration(h.sum.Load() / n)
}
