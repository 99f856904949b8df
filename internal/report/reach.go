package report

import (
	"context"
	"fmt"
	"time"

	"github.com/flintads/flint/internal/ids"
	"github.com/flintads/flint/internal/model"
)

// reach counts distinct viewers per row from the raw impressions, exactly.
// Raw events are kept for the retention period only: for a range that
// starts before it, reach is null (not measured) and a note says why.
func (s *Service) reach(ctx context.Context, adv model.Account, q Query, period Period, loc *time.Location,
	dir *directory, groups map[string]*group, rep *Report) error {
	from, to := localStart(period.From, loc), localStart(period.To+1, loc)
	if s.retention > 0 && from.Before(s.clock.Now().Add(-s.retention)) {
		rep.Notes = append(rep.Notes, fmt.Sprintf("Reach is counted from raw events, which are kept %d days; this range "+
			"starts before that, so reach is not shown.", int(s.retention.Hours()/24)))
		return nil
	}
	viewers := map[string]map[string]struct{}{}
	all := map[string]struct{}{}
	// An event comes between 7 days before and a token's lifetime after its
	// decision; once keys start with the time-ordered decision id.
	keyFrom := []byte(ids.OrderedFloor(ids.DecisionPrefix, from.Add(-s.tokenTTL)))
	keyTo := []byte(ids.OrderedFloor(ids.DecisionPrefix, to.Add(7*24*time.Hour+time.Hour)))
	err := s.store.Impressions(ctx, adv.ID, from, to, keyFrom, keyTo, func(adID, viewerID string, at time.Time) error {
		ad, ok := dir.ads[adID]
		if !ok || viewerID == "" {
			return nil
		}
		f := facts{day: model.DayOf(at, loc), hour: at.UTC().Truncate(time.Hour), channel: s.own.Name, campaignID: ad.CampaignID, adGroupID: ad.AdGroupID,
			adID: ad.ID, postID: ad.PostID, creatorID: dir.creatorOf(ad.PostID)}
		if !s.keep(q, f) {
			return nil
		}
		key := labelKey(s.labels(q.Dimensions, f, dir))
		set := viewers[key]
		if set == nil {
			set = map[string]struct{}{}
			viewers[key] = set
		}
		set[viewerID] = struct{}{}
		all[viewerID] = struct{}{}
		return nil
	})
	if err != nil {
		return err
	}
	for key, g := range groups {
		if g.sums.own {
			g.sums.reach, g.sums.reachMeasured = int64(len(viewers[key])), true
		}
	}
	rep.totalReach, rep.reachKnown = int64(len(all)), true
	return nil
}
