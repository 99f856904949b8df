package post

import (
	"slices"
	"testing"

	"github.com/flintads/flint/internal/apperr"
	"github.com/flintads/flint/internal/model"
)

// TestCheckPostReportsEveryField: a post with several wrong fields is
// refused with an error about each.
func TestCheckPostReportsEveryField(t *testing.T) {
	p := model.Post{Caption: "a\x00b", VideoURL: "javascript:alert(1)", DurationMS: -1, Visibility: "secret",
		Music: &model.Music{Title: " "}}
	e, ok := apperr.As(checkPost(&p))
	if !ok {
		t.Fatal("a wrong post passed")
	}
	var fields []string
	for _, x := range e.All() {
		fields = append(fields, x.Field)
	}
	if want := []string{"caption", "video_url", "duration_ms", "visibility", "music.title"}; !slices.Equal(fields, want) {
		t.Errorf("errors about %q, want %q", fields, want)
	}
	good := model.Post{VideoURL: "https://cdn.example/v.mp4", DurationMS: 1000, Visibility: model.Public}
	if err := checkPost(&good); err != nil {
		t.Errorf("a good post: %v", err)
	}
}
