package web

import (
	"context"
	"strings"

	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/report"
)

// candidateView is a post's rank as a Spark-ad candidate, with the reason
// in words (report.Service.Recommendations: organic engagement and
// watch-through, smoothed so that a few views cannot buy a high rank).
type candidateView struct {
	Rank, Of int
	// Reason is the whole reason; Short its first clause, for lists.
	Reason, Short string
}

// candidates ranks the posts of a creator, or the library of an
// advertiser, by post ID; empty when reports are not wired.
func (h *Handler) candidates(ctx context.Context, a model.Account) (map[string]candidateView, error) {
	out := map[string]candidateView{}
	if h.Reports == nil {
		return out, nil
	}
	cands, err := h.Reports.Recommendations(ctx, a)
	if err != nil {
		return nil, err
	}
	for _, c := range cands {
		out[c.Post.ID] = candidateOf(c, len(cands))
	}
	return out, nil
}

func candidateOf(c report.Candidate, of int) candidateView {
	short, _, _ := strings.Cut(c.Reason, ";")
	return candidateView{Rank: c.Rank, Of: of, Reason: c.Reason, Short: strings.TrimSuffix(short, ".")}
}
