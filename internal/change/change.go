// Package change carries news that a stored object changed from the domain
// services that change it to the parts of Flint that keep derived state in
// memory (the delivery index). A Notifier is called after the change is
// stored and before the request that made it is answered, so whatever it
// updates is current by the time the caller hears back.
package change

import (
	"context"
	"time"
)

// Kind is the type of object that changed.
type Kind uint8

// The kinds of object whose changes matter to derived state.
const (
	Account Kind = iota + 1
	Post
	Authorization // ID is the post's ID
	SparkPost
	Campaign
	AdGroup
	Ad
	// Credentials: an account's token changed, and nothing else about it;
	// only caches of credentials care.
	Credentials
)

// Event says that the object of the given kind and ID changed.
type Event struct {
	Kind Kind
	ID   string
}

// Notifier hears about changes.
type Notifier interface {
	Changed(ctx context.Context, e Event)
}

// Nop is a Notifier that ignores every change.
type Nop struct{}

// Changed does nothing.
func (Nop) Changed(context.Context, Event) {}

// Logged is one entry of the shared change log (see Follower).
type Logged struct {
	Seq   uint64
	Event Event
	At    time.Time
}
