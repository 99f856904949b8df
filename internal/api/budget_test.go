package api_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/flintads/flint/internal/config"
)

// clockNow reads the server's test clock.
func (e *env) clockNow() time.Time {
	e.t.Helper()
	now, err := time.Parse(time.RFC3339Nano, e.must(200, operatorToken, "GET", "/api/v1/test-clock", nil).str("now"))
	if err != nil {
		e.t.Fatal(err)
	}
	return now
}

// advanceTo moves the test clock to the next time of day hh:mm in zone.
func (e *env) advanceTo(zone string, hh, mm int) time.Time {
	e.t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		e.t.Fatal(err)
	}
	now := e.clockNow().In(loc)
	target := time.Date(now.Year(), now.Month(), now.Day(), hh, mm, 0, 0, loc)
	if !target.After(now.Add(time.Second)) {
		target = time.Date(now.Year(), now.Month(), now.Day()+1, hh, mm, 0, 0, loc)
	}
	e.advance(int64(target.Sub(now).Seconds()))
	return target
}

func (e *env) adStatus(adv account, adID string) answer {
	e.t.Helper()
	return e.must(200, adv.token, "GET", "/api/v1/ads/"+adID, nil)
}

// TestDailySpendFollowsTheDecisionClock: the billing events of decisions
// made just before the advertiser's midnight arrive just after it, with
// the decisions' time as their at. They are the day before's spend:
// today's budget stays whole (the ledger used to charge them to the day
// they arrived, while the rollups filed them under the day before, so a
// restart changed the answer). The restart itself is tested on the engine
// (event's TestBudgetClockSurvivesRestart): a restarted server's test clock
// starts again from the real time.
func TestDailySpendFollowsTheDecisionClock(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, newEnv func(...func(*config.Config)) *env) {
		e := newEnv()
		w := e.world()
		e.advanceTo("America/New_York", 23, 57)
		adID, _ := e.sparkAd(w.creator, w.advertiser, w.post, func(g map[string]any) {
			g["budget_mode"], g["budget"], g["bid"] = "DAILY", "0.02", "10.00"
		})
		e.sparkAd(w.creator2, w.advertiser2, w.post2, func(g map[string]any) { g["bid"] = "9.00" })

		// Two deliveries at 0.009 before midnight use up 0.018 of 0.02.
		type delivery struct{ token, at string }
		var late []delivery
		for i := 0; len(late) < 2; i++ {
			if i == 10 {
				t.Fatal("the budgeted ad is not served before midnight")
			}
			d := e.decide(viewer(fmt.Sprintf("eve%d", i), nil))
			if d.str("ads.0.ad_id") == adID {
				late = append(late, delivery{d.str("ads.0.token"), e.clockNow().Format(time.RFC3339Nano)})
			}
		}
		e.advance(4 * 60) // 00:01 the next day
		var events []any
		for i, d := range late {
			events = append(events, map[string]any{"event_id": fmt.Sprintf("late-%d", i), "type": "impression",
				"token": d.token, "at": d.at})
		}
		if got := e.must(200, operatorToken, "POST", "/api/v1/events", map[string]any{"events": events}); got.num("accepted") != 2 {
			t.Fatalf("events: %s", got.raw)
		}
		// 0.018 spent, shown in the currency's cents.
		if got := e.adStatus(w.advertiser, adID); got.str("serving_status") != "SERVING" || got.str("spend") != "0.02" {
			t.Fatalf("yesterday's decisions exhausted today's budget: %s", got.raw)
		}
		if d := e.decide(viewer("today", nil)); d.str("ads.0.ad_id") != adID {
			t.Fatalf("today's budget does not serve: %s", d.raw)
		}
	})
}

// TestExpiredHoldsComeBack is the reproduction of held budget never given
// back: a lifetime budget of 0.01 at CPM 4.00, 300 decisions, no events.
// Once the reservations expire, the ad must serve again without anything
// else touching its budget.
func TestExpiredHoldsComeBack(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, newEnv func(...func(*config.Config)) *env) {
		e := newEnv(func(c *config.Config) { c.ReservationTTL = 5 * time.Second })
		w := e.world()
		adID, _ := e.sparkAd(w.creator, w.advertiser, w.post, func(g map[string]any) {
			g["budget_mode"], g["budget"], g["bid"] = "LIFETIME", "0.01", "4.00"
		})
		served := func(prefix string, n int) int {
			k := 0
			for i := range n {
				if e.decide(viewer(fmt.Sprintf("%s%d", prefix, i), nil)).str("ads.0.ad_id") == adID {
					k++
				}
			}
			return k
		}
		if served("first", 300) == 0 {
			t.Fatal("the ad never served")
		}
		if n := served("held", 20); n != 0 {
			t.Fatalf("served %d times with the whole budget held", n)
		}
		e.advance(20)
		if n := served("after", 50); n == 0 {
			t.Fatalf("0 of 50 decisions served the ad 20 s after its holds expired (status %s)",
				e.adStatus(w.advertiser, adID).raw)
		}
	})
}
