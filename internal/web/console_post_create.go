package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/post"
)

func (h *Handler) consoleCreatePost(w http.ResponseWriter, r *http.Request, u *user) error {
	if err := parseForm(r); err != nil {
		return err
	}
	p := r.PostForm
	pf := postForm{CreatorID: p.Get("creator_id"), Caption: p.Get("caption"), VideoURL: p.Get("video_url"),
		Duration: p.Get("duration"), Visibility: p.Get("visibility"), MusicTitle: strings.TrimSpace(p.Get("music_title")),
		Original: p.Get("original") == "on", Commercial: p.Get("commercial") == "on"}
	page, perr := h.consolePage(r, u, accountForm{Kind: "creator", CreatorType: "creator", Currency: "USD", Timezone: "UTC"}, pf)
	if perr != nil {
		return perr
	}
	in := post.CreateInput{CreatorID: pf.CreatorID, Caption: pf.Caption, VideoURL: pf.VideoURL, Visibility: pf.Visibility,
		Original: &pf.Original}
	// The length is typed in seconds; the form reads it, the domain judges
	// the rest, and both kinds of error are shown at once.
	own := formErrors{}
	if secs, err := strconv.ParseFloat(pf.Duration, 64); err == nil && secs > 0 && secs < 1e7 {
		ms := int64(secs * 1000)
		in.DurationMS = &ms
	} else if pf.Duration != "" {
		own["duration"] = "Enter the length in seconds, such as 21."
	}
	if pf.MusicTitle != "" {
		in.Music = &model.Music{Title: pf.MusicTitle, Commercial: pf.Commercial}
	}
	_, err := h.Posts.Create(r.Context(), in)
	if err == nil && len(own) == 0 {
		return seeOther(w, r, "/console?done=post")
	}
	page.PostErrors = own
	status := http.StatusBadRequest
	if err != nil {
		if !page.PostErrors.add(err, map[string]string{"creator_id": "creator_id", "caption": "caption",
			"video_url": "video_url", "duration_ms": "duration", "visibility": "visibility", "music.": "music_title"}) {
			return err
		}
		status = statusFor(err)
	}
	h.render(w, r, status, "console", page)
	return nil
}
