package report

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/flintads/flint/internal/model"
)

// Candidate is a post ranked as a Spark-ad candidate by its organic
// performance.
type Candidate struct {
	Rank      int
	Post      model.Post
	CreatorID string
	Views     int64
	Engaged   int64 // likes + comments + shares
	Completes int64
	// EngagementRate and WatchThrough are the raw rates (NaN without views).
	EngagementRate float64
	WatchThrough   float64
	// CautiousEngagement and CautiousWatchThrough are the lower 10 % bounds
	// of the smoothed estimates: what the post can be trusted to do.
	CautiousEngagement   float64
	CautiousWatchThrough float64
	Score                float64
	Reason               string
}

// Recommendations ranks posts for a creator (their own, not deleted) or
// an advertiser (its library) as Spark-ad candidates.
//
// Rates are smoothed by empirical Bayes: each post's rate is pulled toward
// the rate of all the posts ranked, by a prior whose strength is fitted to
// how much the posts really differ; a post is then ranked on the lower
// 10 % bound of its smoothed rate, so that few views cannot buy a high
// rank (10 views and 2 likes rank below 10,000 views and 1,500 likes).
// The score is the mean of the two cautious rates, each relative to the
// pool's rate.
func (s *Service) Recommendations(ctx context.Context, acct model.Account) ([]Candidate, error) {
	var posts []model.Post
	creators := map[string]string{}
	switch acct.Kind {
	case model.KindCreator:
		ps, err := s.store.ListPosts(ctx, acct.ID)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			if !p.Deleted {
				posts = append(posts, p)
				creators[p.ID] = acct.ID
			}
		}
	default:
		lib, err := s.store.ListSparkPosts(ctx, acct.ID)
		if err != nil {
			return nil, err
		}
		for _, sp := range lib {
			p, err := s.store.GetPost(ctx, sp.PostID)
			if err != nil {
				return nil, err
			}
			if !p.Deleted {
				posts = append(posts, p)
				creators[p.ID] = sp.CreatorID
			}
		}
	}
	ids := make([]string, len(posts))
	for i, p := range posts {
		ids[i] = p.ID
	}
	stats, err := s.store.PostStats(ctx, ids)
	if err != nil {
		return nil, err
	}
	activity, err := s.store.PostActivity(ctx, ids, time.Time{})
	if err != nil {
		return nil, err
	}
	cands := make([]Candidate, len(posts))
	eng := make([]trial, len(posts))
	watch := make([]trial, len(posts))
	for i, p := range posts {
		o := stats[p.ID].Organic
		a := activity[p.ID]
		c := Candidate{Post: p, CreatorID: creators[p.ID], Views: o.Views, Engaged: o.Likes + o.Comments + o.Shares,
			Completes: a.Completes, EngagementRate: math.NaN(), WatchThrough: math.NaN()}
		if c.Views > 0 {
			c.EngagementRate = float64(c.Engaged) / float64(c.Views)
		}
		if a.Views > 0 {
			c.WatchThrough = float64(min(a.Completes, a.Views)) / float64(a.Views)
		}
		cands[i] = c
		eng[i] = trial{successes: float64(min(c.Engaged, c.Views)), n: float64(c.Views)}
		watch[i] = trial{successes: float64(min(a.Completes, a.Views)), n: float64(a.Views)}
	}
	engPrior, watchPrior := fitPrior(eng), fitPrior(watch)
	for i := range cands {
		c := &cands[i]
		c.CautiousEngagement = engPrior.lowerBound(eng[i])
		c.CautiousWatchThrough = watchPrior.lowerBound(watch[i])
		c.Score = (relative(c.CautiousEngagement, engPrior.mean) + relative(c.CautiousWatchThrough, watchPrior.mean)) / 2
		c.Reason = reason(c, engPrior, watchPrior)
	}
	slices.SortStableFunc(cands, func(a, b Candidate) int {
		if a.Score != b.Score {
			if a.Score > b.Score {
				return -1
			}
			return 1
		}
		return int(b.Views - a.Views)
	})
	for i := range cands {
		cands[i].Rank = i + 1
	}
	return cands, nil
}

// trial is successes out of n (engagements out of views, completions out
// of plays).
type trial struct{ successes, n float64 }

// prior is a Beta prior: mean and strength (in pseudo-views).
type prior struct{ mean, strength float64 }

// fitPrior fits a Beta prior to the trials by the method of moments: the
// pooled rate is its mean; the spread of the rates beyond what chance
// explains sets its strength, kept between 20 and 5,000 pseudo-views.
func fitPrior(ts []trial) prior {
	var s, n float64
	for _, t := range ts {
		s += t.successes
		n += t.n
	}
	if n == 0 {
		return prior{mean: 0, strength: 20}
	}
	mu := s / n
	var k, sumVar, sumChance float64
	for _, t := range ts {
		if t.n == 0 {
			continue
		}
		r := t.successes / t.n
		sumVar += t.n * (r - mu) * (r - mu)
		sumChance += mu * (1 - mu)
		k++
	}
	strength := 100.0
	if k >= 3 {
		between := (sumVar - sumChance) / n // variance of the true rates
		if between > 0 {
			strength = mu*(1-mu)/between - 1
		} else {
			strength = 5000
		}
	}
	return prior{mean: mu, strength: math.Min(math.Max(strength, 20), 5000)}
}

// lowerBound is the lower 10 % bound of the posterior of t's rate (normal
// approximation of the Beta posterior).
func (p prior) lowerBound(t trial) float64 {
	a := t.successes + p.strength*p.mean
	b := t.n - t.successes + p.strength*(1-p.mean)
	if a+b == 0 {
		return 0
	}
	mean := a / (a + b)
	sd := math.Sqrt(a * b / ((a + b) * (a + b) * (a + b + 1)))
	return math.Max(mean-1.2816*sd, 0)
}

func relative(v, mean float64) float64 {
	if mean == 0 {
		return 0
	}
	return v / mean
}

func reason(c *Candidate, eng, watch prior) string {
	pct := func(f float64) string { return fmt.Sprintf("%.1f%%", 100*f) }
	if c.Views == 0 {
		return "No organic views yet: nothing to go on, so it ranks by the average of your posts held back."
	}
	s := fmt.Sprintf("%s engagement (%d likes, comments and shares on %d views)", pct(c.EngagementRate), c.Engaged, c.Views)
	if !math.IsNaN(c.WatchThrough) {
		s += fmt.Sprintf(", %s watched to the end", pct(c.WatchThrough))
	}
	if c.Views < 1000 {
		s += fmt.Sprintf("; only %d views so far, so it is ranked on a cautious %s engagement (the average is %s)",
			c.Views, pct(c.CautiousEngagement), pct(eng.mean))
	} else {
		s += fmt.Sprintf("; enough views to trust it: at least %s engagement and %s watch-through",
			pct(c.CautiousEngagement), pct(c.CautiousWatchThrough))
	}
	switch {
	case c.CautiousEngagement > eng.mean && c.CautiousWatchThrough >= watch.mean:
		s += ". It is already working organically: amplify it."
	case c.CautiousEngagement > eng.mean:
		s += ". Strong engagement."
	default:
		s += "."
	}
	return s
}
