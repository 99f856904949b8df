package delivery

import (
	"time"

	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
	"github.com/flintads/flint/internal/post"
)

// index is the state that changes build and decisions read through
// snapshots: the slabs (arena.go) and the maps that find things in them by
// key.
//
// One writer at a time changes an index: whoever holds Engine.writer (the
// change applier, the re-ranker, Load). The writer reads the index without
// further locking. It holds Engine.mu while it changes a map or adds to a
// slab, because event ingestion (Engine.Ad, ChargeBilling, Observe) and
// status checks (Exhausted) look ads and budgets up under Engine.mu's read
// lock. Decisions take no lock at all: they read the immutable snapshot.
type index struct {
	entries slab[entry]
	texts   textArena
	lists   slab[uint32]
	auths   slab[authState]
	posts   slab[postState]
	rates   slab[rates]
	budgets slab[budget]
	ads     map[uint64]int32 // ad key → its current entry
	authIdx map[uint64]int32 // authorization key → state
	postIdx map[uint64]int32
	rateIdx map[uint64]int32 // ad key → rates
	budIdx  map[uint64]int32 // ad group or campaign key → budget
	terms   map[string]uint32
	dead    int // dead entries still in the slabs
}

func newIndex() *index {
	return &index{ads: map[uint64]int32{}, authIdx: map[uint64]int32{}, postIdx: map[uint64]int32{},
		rateIdx: map[uint64]int32{}, budIdx: map[uint64]int32{}, terms: map[string]uint32{}}
}

// ratesFor returns the index of an ad's rate counters, creating them.
func (ix *index) ratesFor(adID string) int32 {
	k := key(adID)
	i, ok := ix.rateIdx[k]
	if !ok {
		i = ix.rates.add()
		ix.rateIdx[k] = i
	}
	return i
}

// authFor returns the index of an authorization episode's state, brought up
// to date with a.
func (ix *index) authFor(a model.Authorization) int32 {
	k := key(a.ID)
	i, ok := ix.authIdx[k]
	if !ok {
		i = ix.auths.add()
		ix.auths.at(i).postKey = key(a.PostID)
		ix.authIdx[k] = i
	}
	ix.auths.at(i).set(a)
	return i
}

// postFor returns the index of a post's state, brought up to date.
func (ix *index) postFor(p model.Post, creatorType model.CreatorType) int32 {
	k := key(p.ID)
	i, ok := ix.postIdx[k]
	if !ok {
		i = ix.posts.add()
		ix.posts.at(i).creatorKey = key(p.CreatorID)
		ix.postIdx[k] = i
	}
	ix.posts.at(i).eligible.Store(post.Ineligibility(creatorType, &p) == "")
	return i
}

// budgetFor returns the index of the budget with the given ID, created or
// updated to the given mode and limit; -1 when mode is NONE. A budget whose
// mode changes starts afresh: its spend must be restored (spend.go).
func (ix *index) budgetFor(l ledger, now time.Time, id, advertiserID string, mode model.BudgetMode, limit money.Micros,
	loc *time.Location) int32 {
	k := key(id)
	if mode == model.BudgetNone {
		delete(ix.budIdx, k)
		return -1
	}
	if i, ok := ix.budIdx[k]; ok && ix.budgets.at(i).mode == mode {
		b := ix.budgets.at(i)
		b.mu.Lock()
		if !b.leased {
			b.limit = limit
		} else if limit < b.total {
			// Lowered: the store took back leased room past the new
			// limit; the leaser's next round finds out how much.
			kick(b.kick)
		}
		b.total, b.loc = limit, loc
		b.dayEnd.Store(0) // re-derive the day in case the zone changed
		b.roll(l, now)
		b.mu.Unlock()
		return i
	}
	i := ix.budgets.add()
	b := ix.budgets.at(i)
	b.init(mode, limit, loc)
	if l.leased {
		b.lease(id, l.kick)
	}
	b.advertiserKey = key(advertiserID)
	b.mu.Lock()
	b.roll(l, now)
	b.mu.Unlock()
	ix.budIdx[k] = i
	return i
}

// needsSpend reports whether budgetFor would start a budget afresh for
// this ID and mode (so its spend must be read from the store).
func (ix *index) needsSpend(id string, mode model.BudgetMode) bool {
	if mode == model.BudgetNone {
		return false
	}
	i, ok := ix.budIdx[key(id)]
	return !ok || ix.budgets.at(i).mode != mode
}

// budget returns the budget filed under id, or nil.
func (ix *index) budget(id string) *budget {
	if i, ok := ix.budIdx[key(id)]; ok {
		return ix.budgets.at(i)
	}
	return nil
}

// budgetAt returns the budget at index i, or nil for -1.
func (ix *index) budgetAt(i int32) *budget {
	if i < 0 {
		return nil
	}
	return ix.budgets.at(i)
}

// intern returns the ID of a targeting term.
func (ix *index) intern(term string) uint32 {
	id, ok := ix.terms[term]
	if !ok {
		id = uint32(len(ix.terms) + 1)
		ix.terms[term] = id
	}
	return id
}

func (ix *index) internAll(prefix string, values []string) span {
	if len(values) == 0 {
		return span{}
	}
	ids := make([]uint32, len(values))
	for i, v := range values {
		ids[i] = ix.intern(prefix + v)
	}
	return addList(&ix.lists, ids)
}

// current returns the entry now filed for adID and its packed text, or nil.
func (ix *index) current(adID string) (*entry, string) {
	i, ok := ix.ads[key(adID)]
	if !ok {
		return nil, ""
	}
	en := ix.entries.at(i)
	text := ix.texts.view().of(en)
	if en.field(text, tAdID) != adID {
		return nil, "" // a key collision: not this ad
	}
	return en, text
}
