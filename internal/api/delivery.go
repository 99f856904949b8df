package api

import (
	"net/http"
	"time"

	"github.com/flintads/flint/internal/apperr"
	"github.com/flintads/flint/internal/delivery"
	"github.com/flintads/flint/internal/event"
)

type viewerRequest struct {
	ID        string   `json:"id"`
	Country   string   `json:"country"`
	Age       int      `json:"age"`
	Gender    string   `json:"gender"`
	Language  string   `json:"language"`
	OS        string   `json:"os"`
	Interests []string `json:"interests"`
}

type decisionRequest struct {
	Placement string        `json:"placement"`
	Viewer    viewerRequest `json:"viewer"`
	Count     int           `json:"count"`
}

type decisionView struct {
	DecisionID string           `json:"decision_id"`
	Ads        []decisionAdView `json:"ads"`
}

type decisionAdView struct {
	AdID     string      `json:"ad_id"`
	PostID   string      `json:"post_id"`
	Creator  creatorView `json:"creator"`
	Caption  string      `json:"caption"`
	VideoURL string      `json:"video_url"`
	CTA      ctaView     `json:"cta"`
	ClickID  string      `json:"click_id"`
	Token    string      `json:"token"`
}

func (a *API) decide(w http.ResponseWriter, r *http.Request, _ principal) error {
	var req decisionRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	start := time.Now()
	d, err := a.Delivery.Decide(r.Context(), delivery.Request{Placement: req.Placement, Count: req.Count,
		Viewer: delivery.Viewer(req.Viewer)})
	a.Metrics.Decision(time.Since(start), len(d.Ads), err)
	if err != nil {
		return err
	}
	out := decisionView{DecisionID: d.ID, Ads: make([]decisionAdView, len(d.Ads))}
	for i, ad := range d.Ads {
		out.Ads[i] = decisionAdView{AdID: ad.AdID, PostID: ad.PostID,
			Creator: creatorView{ID: ad.CreatorID, Handle: ad.CreatorHandle, DisplayName: ad.CreatorName},
			Caption: ad.Caption, VideoURL: ad.VideoURL, CTA: ctaView{Label: ad.CTALabel, URL: ad.CTAURL},
			ClickID: ad.ClickID, Token: ad.Token}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type eventRequest struct {
	EventID  string `json:"event_id"`
	Type     string `json:"type"`
	Token    string `json:"token"`
	PostID   string `json:"post_id"`
	ViewerID string `json:"viewer_id"`
	WatchMS  *int64 `json:"watch_ms"`
	At       string `json:"at"`
}

type eventsRequest struct {
	Events *[]eventRequest `json:"events"`
}

type rejectionView struct {
	Index int         `json:"index"`
	Error errorDetail `json:"error"`
}

type eventsView struct {
	Accepted   int             `json:"accepted"`
	Duplicates int             `json:"duplicates"`
	Rejected   []rejectionView `json:"rejected"`
}

func (a *API) ingestEvents(w http.ResponseWriter, r *http.Request, _ principal) error {
	var req eventsRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Events == nil {
		return apperr.Missing("events")
	}
	inputs := make([]event.Input, len(*req.Events))
	for i, e := range *req.Events {
		inputs[i] = event.Input(e)
	}
	res, err := a.Events.Ingest(r.Context(), inputs)
	if err != nil {
		if e, ok := apperr.As(err); ok {
			a.Metrics.EventBatchFailed(e.Code)
		}
		return err
	}
	if a.Metrics != nil {
		codes := make([]string, len(res.Rejected))
		for i, rj := range res.Rejected {
			codes[i] = rj.Err.Code
		}
		a.Metrics.Events(res.Accepted, res.Duplicates, codes)
	}
	out := eventsView{Accepted: res.Accepted, Duplicates: res.Duplicates, Rejected: make([]rejectionView, len(res.Rejected))}
	for i, rj := range res.Rejected {
		out.Rejected[i] = rejectionView{Index: rj.Index, Error: errorDetail{Code: rj.Err.Code, Message: rj.Err.Message,
			Field: rj.Err.Field}}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
