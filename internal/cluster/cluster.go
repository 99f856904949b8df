// Package cluster keeps one node's membership among the nodes that share a
// database: it joins, beats its heart (with how far it has applied the
// change log), takes back the budget leases of nodes that fell silent,
// prunes the change log and the shared rate-limit buckets, and leaves on
// shutdown, returning its leases. On SQLite there is one node by
// definition: it takes back every other node's leases when it joins (a
// previous process that was killed).
package cluster

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/flintads/flint/internal/store"
)

// Engine is what membership needs of the delivery engine.
type Engine interface {
	// ForgetLeases drops every lease, for a node taken for dead.
	ForgetLeases()
	// StopLeasing stops serving from leases, before they are returned.
	StopLeasing()
	// SetNodes says how many nodes share the budgets.
	SetNodes(n int)
}

// Config tunes membership.
type Config struct {
	// Node is this node's ID.
	Node string
	// Timeout is how long a node may stay silent before the others take
	// its leases back. It beats every Timeout/4, at least every second.
	Timeout time.Duration
	// Single says that no other node can share the database (SQLite).
	Single bool
	// LogRetention is how long applied changes stay in the change log.
	LogRetention time.Duration
}

// Member is this node's membership.
type Member struct {
	cfg     Config
	store   store.Cluster
	engine  Engine
	log     *slog.Logger
	applied func() uint64

	healthySince atomic.Int64 // Unix nanos since heartbeats have succeeded without a break; 0 while failing
	live         atomic.Int64
	reclaimed    atomic.Int64
}

// New returns a member; applied reports how far the node has applied the
// change log.
func New(cfg Config, st store.Cluster, e Engine, applied func() uint64, log *slog.Logger) *Member {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.LogRetention <= 0 {
		cfg.LogRetention = time.Hour
	}
	return &Member{cfg: cfg, store: st, engine: e, log: log, applied: applied}
}

// Join records this node; on SQLite it also takes back the leases of any
// earlier process.
func (m *Member) Join(ctx context.Context) error {
	if err := m.store.JoinCluster(ctx, m.cfg.Node); err != nil {
		return err
	}
	m.healthySince.Store(time.Now().UnixNano())
	if m.cfg.Single {
		if dead, err := m.store.ReclaimDead(ctx, 0, m.cfg.Node); err != nil {
			return err
		} else if len(dead) > 0 {
			m.log.Info("budget leases of earlier processes taken back", "nodes", len(dead))
		}
	}
	m.countLive(ctx)
	return nil
}

// LiveNodes returns how many nodes beat their hearts when last counted.
func (m *Member) LiveNodes() int { return int(m.live.Load()) }

// Reclaimed counts the silent nodes whose leases this node took back.
func (m *Member) Reclaimed() int64 { return m.reclaimed.Load() }

func (m *Member) countLive(ctx context.Context) {
	if n, err := m.store.LiveNodes(ctx, m.cfg.Timeout); err == nil {
		m.live.Store(int64(n))
		m.engine.SetNodes(n)
	}
}

// Run beats the heart and does the housekeeping until ctx is done.
func (m *Member) Run(ctx context.Context) {
	beat := time.NewTicker(min(m.cfg.Timeout/4, time.Second))
	defer beat.Stop()
	prune := time.NewTicker(time.Minute)
	defer prune.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-beat.C:
			m.beat(ctx)
		case <-prune.C:
			m.prune(ctx)
		}
	}
}

// beat records a heartbeat and takes back the leases of silent nodes. A
// node takes others for dead only after its own heartbeats have succeeded
// for a whole Timeout: after a database outage every heartbeat is old,
// and the live nodes must have had the time to beat again.
func (m *Member) beat(ctx context.Context) {
	alive, err := m.store.Heartbeat(ctx, m.cfg.Node, m.applied())
	if err != nil {
		if m.healthySince.Swap(0) != 0 {
			m.log.Warn("heartbeat failed; serving from the leases held", "err", err)
		}
		return
	}
	if !alive {
		m.log.Warn("this node was taken for dead (silent longer than the lease timeout); its leases were taken back: joining again")
		m.engine.ForgetLeases()
		if err := m.store.JoinCluster(ctx, m.cfg.Node); err != nil {
			return
		}
	}
	now := time.Now().UnixNano()
	if m.healthySince.CompareAndSwap(0, now) {
		m.log.Info("heartbeat succeeds again")
	}
	m.countLive(ctx)
	if now-m.healthySince.Load() < int64(m.cfg.Timeout) {
		return
	}
	dead, err := m.store.ReclaimDead(ctx, m.cfg.Timeout, m.cfg.Node)
	if err != nil {
		m.log.Warn("taking back the leases of silent nodes failed", "err", err)
		return
	}
	if len(dead) > 0 {
		m.reclaimed.Add(int64(len(dead)))
		m.log.Info("budget leases of silent nodes taken back", "nodes", dead)
	}
}

// prune deletes old change-log entries and full rate-limit buckets.
func (m *Member) prune(ctx context.Context) {
	if _, err := m.store.PruneChanges(ctx, time.Now().Add(-m.cfg.LogRetention)); err != nil {
		m.log.Warn("pruning the change log failed", "err", err)
	}
	if _, err := m.store.PruneBuckets(ctx, time.Now().Add(-24*time.Hour)); err != nil {
		m.log.Warn("pruning rate-limit buckets failed", "err", err)
	}
}

// Leave stops serving from leases and returns them all, for graceful
// shutdown (after the last event has been stored).
func (m *Member) Leave(ctx context.Context) error {
	m.engine.StopLeasing()
	return m.store.LeaveCluster(ctx, m.cfg.Node)
}
