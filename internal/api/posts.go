package api

import (
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/post"
)

type postRequest struct {
	CreatorID  string       `json:"creator_id"`
	Caption    string       `json:"caption"`
	VideoURL   string       `json:"video_url"`
	DurationMS *int64       `json:"duration_ms"`
	Visibility string       `json:"visibility"`
	Original   *bool        `json:"original"`
	Music      *model.Music `json:"music"`
}

type statsView struct {
	Organic model.Engagement `json:"organic"`
	Paid    model.Engagement `json:"paid"`
	Total   model.Engagement `json:"total"`
}

type postView struct {
	ID         string       `json:"id"`
	CreatorID  string       `json:"creator_id"`
	Caption    string       `json:"caption"`
	VideoURL   string       `json:"video_url"`
	DurationMS int64        `json:"duration_ms"`
	Visibility string       `json:"visibility"`
	Original   bool         `json:"original"`
	Music      *model.Music `json:"music"`
	Deleted    bool         `json:"deleted"`
	CreatedAt  time.Time    `json:"created_at"`
	UpdatedAt  time.Time    `json:"updated_at"`
	Stats      *statsView   `json:"stats,omitempty"`
}

func viewPost(p model.Post, stats *model.PostStats) postView {
	v := postView{ID: p.ID, CreatorID: p.CreatorID, Caption: p.Caption, VideoURL: p.VideoURL, DurationMS: p.DurationMS,
		Visibility: string(p.Visibility), Original: p.Original, Music: p.Music, Deleted: p.Deleted,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
	if stats != nil {
		v.Stats = &statsView{Organic: stats.Organic, Paid: stats.Paid, Total: stats.Organic.Add(stats.Paid)}
	}
	return v
}

// creatorScope is the creator whose posts the caller sees ("" for all).
func creatorScope(p principal) string {
	if p.role == roleOperator {
		return ""
	}
	return p.id()
}

func (a *API) createPost(w http.ResponseWriter, r *http.Request, _ principal) error {
	var req postRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	p, err := a.Posts.Create(r.Context(), post.CreateInput(req))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, viewPost(p, &model.PostStats{}))
	return nil
}

// postPatch tells an absent "music" from an explicit null (which removes it).
type postPatch struct {
	Caption    *string         `json:"caption"`
	VideoURL   *string         `json:"video_url"`
	DurationMS *int64          `json:"duration_ms"`
	Visibility *string         `json:"visibility"`
	Original   *bool           `json:"original"`
	Music      json.RawMessage `json:"music"`
	Deleted    *bool           `json:"deleted"`
}

func (a *API) patchPost(w http.ResponseWriter, r *http.Request, _ principal) error {
	var req postPatch
	if err := decodePatch(r, &req, slices.Concat(readOnly, []string{"creator_id", "stats"})...); err != nil {
		return err
	}
	in := post.PatchInput{Caption: req.Caption, VideoURL: req.VideoURL, DurationMS: req.DurationMS,
		Visibility: req.Visibility, Original: req.Original, Deleted: req.Deleted}
	var music model.Music
	removeMusic, err := nullable(req.Music, "music", &music)
	if err != nil {
		return err
	}
	if removeMusic {
		var none *model.Music
		in.Music = &none
	} else if req.Music != nil {
		m := &music
		in.Music = &m
	}
	p, err := a.Posts.Patch(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return a.writePost(w, r, p)
}

func (a *API) getPost(w http.ResponseWriter, r *http.Request, pr principal) error {
	p, err := a.Posts.Get(r.Context(), creatorScope(pr), r.PathValue("id"))
	if err != nil {
		return err
	}
	return a.writePost(w, r, p)
}

// writePost answers with one post and its engagement.
func (a *API) writePost(w http.ResponseWriter, r *http.Request, p model.Post) error {
	stats, err := a.Posts.Stats(r.Context(), []string{p.ID})
	if err != nil {
		return err
	}
	s := stats[p.ID]
	writeJSON(w, http.StatusOK, viewPost(p, &s))
	return nil
}

func (a *API) listPosts(w http.ResponseWriter, r *http.Request, pr principal) error {
	posts, err := a.Posts.List(r.Context(), creatorScope(pr))
	if err != nil {
		return err
	}
	ids := make([]string, len(posts))
	for i, p := range posts {
		ids[i] = p.ID
	}
	stats, err := a.Posts.Stats(r.Context(), ids)
	if err != nil {
		return err
	}
	out := make([]postView, len(posts))
	for i, p := range posts {
		s := stats[p.ID]
		out[i] = viewPost(p, &s)
	}
	writeJSON(w, http.StatusOK, map[string]any{"posts": out})
	return nil
}
