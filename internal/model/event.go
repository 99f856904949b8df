package model

import (
	"time"

	"github.com/flintads/flint/internal/money"
)

// EventType is a kind of engagement event.
type EventType uint8

// The event types. Their numeric values are stored: append, never reorder.
const (
	EventImpression EventType = iota + 1
	EventView2s
	EventView6s
	EventComplete
	EventClick
	EventLike
	EventComment
	EventShare
	EventFollow
)

var eventTypeNames = [...]string{
	EventImpression: "impression",
	EventView2s:     "view_2s",
	EventView6s:     "view_6s",
	EventComplete:   "complete",
	EventClick:      "click",
	EventLike:       "like",
	EventComment:    "comment",
	EventShare:      "share",
	EventFollow:     "follow",
}

// EventTypeNames lists the wire names of all event types, in order.
func EventTypeNames() []string { return append([]string(nil), eventTypeNames[1:]...) }

// ParseEventType returns the type with the given wire name.
func ParseEventType(s string) (EventType, bool) {
	for i := 1; i < len(eventTypeNames); i++ {
		if eventTypeNames[i] == s {
			return EventType(i), true
		}
	}
	return 0, false
}

func (t EventType) String() string {
	if t == 0 || int(t) >= len(eventTypeNames) {
		return "unknown"
	}
	return eventTypeNames[t]
}

// Repeatable reports whether one viewer may send this event more than once
// for the same ad delivery (a viewer may comment or share several times, but
// sees an impression, clicks or likes once).
func (t EventType) Repeatable() bool { return t == EventComment || t == EventShare }

// Engagement returns what one event of this type adds to a post's counts.
func (t EventType) Engagement() Engagement {
	switch t {
	case EventImpression:
		return Engagement{Views: 1}
	case EventLike:
		return Engagement{Likes: 1}
	case EventComment:
		return Engagement{Comments: 1}
	case EventShare:
		return Engagement{Shares: 1}
	case EventFollow:
		return Engagement{Follows: 1}
	}
	return Engagement{}
}

// Event is one engagement event as stored. Ad events carry the ad and the
// decision they came from; organic events carry only the post.
type Event struct {
	ID         string // the client's event_id, unique
	Type       EventType
	PostID     string
	AdID       string // empty for organic events
	DecisionID string
	ViewerID   string
	ClickID    string // set on clicks
	At         time.Time
	WatchMS    int64
	Charge     money.Micros // what this event cost the advertiser
	// DecidedAt is, for ad events, when the decision that issued the token
	// was made. Budgets count spend by it: the charge is rolled up under
	// its hour, the counts under At's.
	DecidedAt time.Time
	// OnceKey identifies (delivery, type) for ad events that may happen once
	// per delivery; a second event with the same key is a replay. Nil for
	// repeatable and organic events.
	OnceKey []byte
	// For a charged billing event: Node is the node that decided (whose
	// lease of each budget pays the charge), Foreign whether another node
	// stores the event, and Budgets the periods of the ad group's and the
	// campaign's budgets charged (an empty ID: no budget).
	Node    string
	Foreign bool
	Budgets [2]BudgetPeriod
}

// BudgetPeriod names one period of a budget: an ad group's or a campaign's
// ID, and 0 for a lifetime budget or, for a daily one, the advertiser's
// local calendar day (days from 1970-01-01 to that date).
type BudgetPeriod struct {
	ID     string
	Period int64
}

// Paid reports whether the event came from paid delivery.
func (e *Event) Paid() bool { return e.AdID != "" }

// EventOutcome is what storing one event did.
type EventOutcome uint8

// The outcomes of storing an event.
const (
	EventStored    EventOutcome = iota + 1 // new, now durable
	EventDuplicate                         // an event with this ID was stored before
	EventReplayed                          // another event already used this OnceKey
)

// AdStats are an ad's counters over some period.
type AdStats struct {
	Impressions int64
	Views2s     int64
	Views6s     int64
	Completes   int64
	WatchMS     int64
	Clicks      int64
	Likes       int64
	Comments    int64
	Shares      int64
	Follows     int64
	Spend       money.Micros
}

// HourStats are counters of one hour (starting at Hour, UTC).
type HourStats struct {
	Hour  time.Time
	Stats AdStats
}

// AdHourRow is one ad's counters of one UTC hour (starting at Hour).
type AdHourRow struct {
	AdID  string
	Hour  time.Time
	Stats AdStats
}

// AdSpend is one ad's spend over some period.
type AdSpend struct {
	AdID  string
	Spend money.Micros
}
