package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestSparkAdCandidates: the creator's posts and the advertiser's library
// show each post's rank as a Spark ad with its reason; a post with 10 views
// and 2 likes does not outrank one with 400 views and 60 likes.
func TestSparkAdCandidates(t *testing.T) {
	t.Parallel()
	s := newSite(t, false)
	adv := s.advertiser("Glow Co", "ads@glow.example")
	maya := s.creator("maya", "creator")
	few := s.post(maya, "Ten views")
	many := s.post(maya, "Four hundred views")
	organic := func(post string, views, likes int) {
		var events []map[string]any
		for i := range views {
			events = append(events, map[string]any{"event_id": fmt.Sprintf("%s-v%d", post, i), "type": "impression", "post_id": post})
			if i < likes {
				events = append(events, map[string]any{"event_id": fmt.Sprintf("%s-l%d", post, i), "type": "like", "post_id": post})
			}
		}
		s.api(opToken, "POST", "/events", map[string]any{"events": events})
	}
	organic(few, 10, 2)
	organic(many, 400, 60)
	for _, p := range []string{few, many} {
		s.api(adv.token, "POST", "/spark-posts", map[string]any{"code": s.code(maya, p)})
	}

	cc := s.client().login("maya")
	profile := cc.get("/profile")
	card := func(body, caption, end string) string {
		_, rest, _ := strings.Cut(body, caption)
		c, _, _ := strings.Cut(rest, end)
		return c
	}
	if profile.status != http.StatusOK || !strings.Contains(card(profile.body, "Four hundred views", "</li>"), "Spark-ad pick #1 of 2") ||
		!strings.Contains(card(profile.body, "Ten views", "</li>"), "Spark-ad pick #2 of 2") {
		t.Fatalf("the profile's ranks:\n%s", profile.body)
	}
	post := cc.get("/posts/" + few)
	if !strings.Contains(post.body, "Spark-ad pick #2 of your 2 posts") || !strings.Contains(post.body, "only 10 views so far") {
		t.Errorf("the post page's rank and reason:\n%s", post.body)
	}

	ac := s.client().login(adv.login)
	lib := ac.get("/ads/creatives")
	row := card(lib.body, "Four hundred views", "</tr>")
	if lib.status != http.StatusOK || !strings.Contains(row, "#1 of 2") ||
		!strings.Contains(row, "15.0% engagement (60 likes, comments and shares on 400 views)") {
		t.Errorf("the library's ranks:\n%s", lib.body)
	}
}
