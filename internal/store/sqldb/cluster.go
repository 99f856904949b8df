package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/flintads/flint/internal/change"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
	"github.com/flintads/flint/internal/store"
)

// The change log, node heartbeats, budget leases and shared rate limits
// (store.Cluster). Lock order, in every transaction that takes more than
// one of these rows: budget_leases rows (by node, budget, period), then
// budget_pools rows (by budget, period). The change_head row is always
// taken last, just before commit.

// changeTx runs fn in a write transaction and logs the change it returns
// (nil: nothing changed) in that transaction, after everything else, so
// that the change_head row's lock is held only while the transaction
// commits.
func (db *DB) changeTx(ctx context.Context, fn func(tx *sql.Tx) (*change.Event, error)) error {
	logged := false
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		ev, err := fn(tx)
		if err != nil || ev == nil {
			return err
		}
		logged = true
		return db.logChange(ctx, tx, *ev)
	})
	if err == nil && logged {
		select {
		case db.changed <- struct{}{}:
		default:
		}
	}
	return err
}

// logChange appends ev to the change log in tx. The sequence number comes
// from change_head, whose row stays locked until tx ends: so numbers are
// given in commit order, and one that is visible has no invisible
// predecessor. (Taking max(seq)+1, or a database sequence, would let two
// transactions commit out of order, and a reader could pass over the one
// that commits last.)
func (db *DB) logChange(ctx context.Context, tx *sql.Tx, ev change.Event) error {
	var seq int64
	if err := tx.QueryRowContext(ctx, db.q(`INSERT INTO change_head (id, seq) VALUES (1, 1)
		ON CONFLICT (id) DO UPDATE SET seq = change_head.seq + 1 RETURNING seq`)).Scan(&seq); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO change_log (seq, kind, object_id, at) VALUES (?, ?, ?, ?)`),
		seq, int64(ev.Kind), ev.ID, time.Now().UnixMicro()); err != nil {
		return err
	}
	if db.D.Notify != "" {
		if _, err := tx.ExecContext(ctx, db.D.Notify); err != nil {
			return err
		}
	}
	return nil
}

// ChangeSignal implements store.Cluster.
func (db *DB) ChangeSignal() <-chan struct{} { return db.changed }

// ChangeHead implements store.Cluster.
func (db *DB) ChangeHead(ctx context.Context) (uint64, error) {
	var seq int64
	err := db.queryRow(ctx, `SELECT COALESCE(MAX(seq), 0) FROM change_head`).Scan(&seq)
	return uint64(seq), err
}

// ChangesAfter implements store.Cluster.
func (db *DB) ChangesAfter(ctx context.Context, after uint64, limit int) ([]store.LoggedChange, error) {
	rows, err := db.query(ctx, `SELECT seq, kind, object_id, at FROM change_log WHERE seq > ? ORDER BY seq LIMIT ?`,
		int64(after), limit)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (store.LoggedChange, error) {
		var c store.LoggedChange
		var seq, kind, at int64
		err := row.Scan(&seq, &kind, &c.Event.ID, &at)
		c.Seq, c.Event.Kind, c.At = uint64(seq), change.Kind(kind), timeOf(at)
		return c, err
	})
}

// PruneChanges implements store.Cluster.
func (db *DB) PruneChanges(ctx context.Context, before time.Time) (int, error) {
	return db.deleted(db.exec(ctx, `DELETE FROM change_log WHERE at < ?`, micros(before)))
}

func (db *DB) deleted(res sql.Result, err error) (int, error) {
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// JoinCluster implements store.Cluster.
func (db *DB) JoinCluster(ctx context.Context, node string) error {
	_, err := db.exec(ctx, `INSERT INTO nodes (id, started_at, heartbeat_at, applied_seq) VALUES (?, `+db.D.Now+`, `+
		db.D.Now+`, 0) ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at`, node)
	return err
}

// Heartbeat implements store.Cluster.
func (db *DB) Heartbeat(ctx context.Context, node string, applied uint64) (bool, error) {
	n, err := db.deleted(db.exec(ctx, `UPDATE nodes SET heartbeat_at = `+db.D.Now+`, applied_seq = ? WHERE id = ?`,
		int64(applied), node))
	return n > 0, err
}

// LiveNodes implements store.Cluster.
func (db *DB) LiveNodes(ctx context.Context, timeout time.Duration) (int, error) {
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM nodes WHERE heartbeat_at >= `+db.D.Now+` - ?`,
		timeout.Microseconds()).Scan(&n)
	return n, err
}

// LeaveCluster implements store.Cluster.
func (db *DB) LeaveCluster(ctx context.Context, node string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.returnLeases(ctx, tx, node, ""); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, db.q(`DELETE FROM nodes WHERE id = ?`), node)
		return err
	})
}

// ReclaimDead implements store.Cluster.
func (db *DB) ReclaimDead(ctx context.Context, timeout time.Duration, except string) ([]string, error) {
	rows, err := db.query(ctx, `SELECT id FROM nodes WHERE heartbeat_at < `+db.D.Now+` - ? AND id <> ? ORDER BY id`,
		timeout.Microseconds(), except)
	if err != nil {
		return nil, err
	}
	dead, err := collect(rows, func(row interface{ Scan(...any) error }) (string, error) {
		var id string
		return id, row.Scan(&id)
	})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, node := range dead {
		gone := false
		err := db.inTx(ctx, func(tx *sql.Tx) error {
			// Still silent? (It may have come back since the list was read.)
			n, err := db.deleted(tx.ExecContext(ctx, db.q(`DELETE FROM nodes WHERE id = ? AND heartbeat_at < `+
				db.D.Now+` - ?`), node, timeout.Microseconds()))
			if err != nil || n == 0 {
				return err
			}
			gone = true
			return db.returnLeases(ctx, tx, node, "")
		})
		if err != nil {
			return out, err
		}
		if gone {
			out = append(out, node)
		}
	}
	return out, nil
}

// returnLeases gives back to their pools what node did not spend of its
// leases (of one budget, when budgetID is not empty), and ends them.
func (db *DB) returnLeases(ctx context.Context, tx *sql.Tx, node, budgetID string) error {
	query := `SELECT budget_id, period, granted - used FROM budget_leases WHERE node_id = ?`
	args := []any{node}
	if budgetID != "" {
		query += ` AND budget_id = ?`
		args = append(args, budgetID)
	}
	rows, err := tx.QueryContext(ctx, db.q(query+` ORDER BY budget_id, period`+db.D.ForUpdate), args...)
	if err != nil {
		return err
	}
	type unspent struct {
		budget string
		period int64
		amount int64
	}
	back, err := collect(rows, func(row interface{ Scan(...any) error }) (unspent, error) {
		var u unspent
		return u, row.Scan(&u.budget, &u.period, &u.amount)
	})
	if err != nil {
		return err
	}
	for _, u := range back {
		if u.amount == 0 {
			continue
		}
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE budget_pools SET granted = granted - ? WHERE budget_id = ? AND period = ?`),
			u.amount, u.budget, u.period); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, db.q(`DELETE FROM budget_leases WHERE node_id = ?`+strings.TrimPrefix(query, `SELECT budget_id, period, granted - used FROM budget_leases WHERE node_id = ?`)), args...)
	return err
}

// ReturnLease implements store.Cluster.
func (db *DB) ReturnLease(ctx context.Context, node, budgetID string, period int64) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var unspent int64
		err := tx.QueryRowContext(ctx, db.q(`SELECT granted - used FROM budget_leases WHERE node_id = ? AND budget_id = ?
			AND period = ?`+db.D.ForUpdate), node, budgetID, period).Scan(&unspent)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE budget_pools SET granted = granted - ? WHERE budget_id = ? AND period = ?`),
			unspent, budgetID, period); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, db.q(`DELETE FROM budget_leases WHERE node_id = ? AND budget_id = ? AND period = ?`),
			node, budgetID, period)
		return err
	})
}

// NodeLeases implements store.Cluster.
func (db *DB) NodeLeases(ctx context.Context, node string) ([]store.Lease, error) {
	rows, err := db.query(ctx, `SELECT budget_id, period, granted, used, foreign_used FROM budget_leases
		WHERE node_id = ? ORDER BY budget_id, period`, node)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanLease)
}

func scanLease(row interface{ Scan(...any) error }) (store.Lease, error) {
	var l store.Lease
	var granted, used, foreign int64
	err := row.Scan(&l.BudgetID, &l.Period, &granted, &used, &foreign)
	l.Granted, l.Used, l.Foreign = money.Micros(granted), money.Micros(used), money.Micros(foreign)
	return l, err
}

// budgetOf reads a budget's mode, limit and the ads column that names it,
// from its ad group or, failing that, its campaign.
func budgetOf(ctx context.Context, db *DB, tx *sql.Tx, id string) (mode string, limit int64, column string, err error) {
	err = tx.QueryRowContext(ctx, db.q(`SELECT budget_mode, budget FROM ad_groups WHERE id = ?`), id).Scan(&mode, &limit)
	if errors.Is(err, sql.ErrNoRows) {
		err = tx.QueryRowContext(ctx, db.q(`SELECT budget_mode, budget FROM campaigns WHERE id = ?`), id).Scan(&mode, &limit)
		return mode, limit, "campaign_id", err
	}
	return mode, limit, "ad_group_id", err
}

// LeaseBudget implements store.Cluster.
func (db *DB) LeaseBudget(ctx context.Context, req store.LeaseRequest) (store.LeaseGrant, error) {
	var g store.LeaseGrant
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		g = store.LeaseGrant{Lease: store.Lease{BudgetID: req.BudgetID, Period: req.Period}}
		mode, limit, column, err := budgetOf(ctx, db, tx, req.BudgetID)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && mode != string(req.Mode)) {
			return nil // gone, or changed since the caller read it: nothing to lease
		}
		if err != nil {
			return err
		}
		// The lease first, then the pool (the lock order).
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO budget_leases (node_id, budget_id, period, granted, used, foreign_used)
			VALUES (?, ?, ?, 0, 0, 0) ON CONFLICT DO NOTHING`), req.Node, req.BudgetID, req.Period); err != nil {
			return err
		}
		if g.Lease, err = scanLease(tx.QueryRowContext(ctx, db.q(`SELECT budget_id, period, granted, used, foreign_used
			FROM budget_leases WHERE node_id = ? AND budget_id = ? AND period = ?`+db.D.ForUpdate),
			req.Node, req.BudgetID, req.Period)); err != nil {
			return err
		}
		// A new pool starts from what the budget's ads spent: of its day, a
		// daily budget (report_ad_days counts spend under the advertiser's
		// local day of each decision, as the ledger does); ever, a
		// lifetime one.
		spent := `SELECT ?, ?, CAST(COALESCE(SUM(h.spend), 0) AS BIGINT) FROM ad_stats_hourly h
			JOIN ads a ON a.id = h.ad_id WHERE a.` + column + ` = ?`
		args := []any{req.BudgetID, req.Period, req.BudgetID}
		if req.Mode == model.BudgetDaily {
			spent = `SELECT ?, ?, CAST(COALESCE(SUM(d.spend), 0) AS BIGINT) FROM ads a
				JOIN report_ad_days d ON d.advertiser_id = a.advertiser_id AND d.day = ? AND d.ad_id = a.id
				WHERE a.` + column + ` = ?`
			args = []any{req.BudgetID, req.Period, req.Period, req.BudgetID}
		}
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO budget_pools (budget_id, period, granted) `+spent+
			` ON CONFLICT DO NOTHING`), args...); err != nil {
			return err
		}
		var granted int64
		if err := tx.QueryRowContext(ctx, db.q(`SELECT granted FROM budget_pools WHERE budget_id = ? AND period = ?`+
			db.D.ForUpdate), req.BudgetID, req.Period).Scan(&granted); err != nil {
			return err
		}
		ceiling := limit
		if req.Cap > 0 {
			ceiling = min(ceiling, int64(req.Cap))
		}
		x := max(0, min(int64(req.Want), ceiling-granted))
		g.Room = money.Micros(max(0, limit-granted-x))
		if x == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE budget_pools SET granted = granted + ? WHERE budget_id = ? AND period = ?`),
			x, req.BudgetID, req.Period); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE budget_leases SET granted = granted + ? WHERE node_id = ?
			AND budget_id = ? AND period = ?`), x, req.Node, req.BudgetID, req.Period); err != nil {
			return err
		}
		g.Granted = money.Micros(x)
		g.Lease.Granted += g.Granted
		return nil
	})
	return g, err
}

// forgetPools ends every lease and pool of a budget whose mode changed: a
// budget of another mode starts afresh (its pools start again from the
// rollups), as it does in each node's ledger.
func (db *DB) forgetPools(ctx context.Context, tx *sql.Tx, budgetID string) error {
	rows, err := tx.QueryContext(ctx, db.q(`SELECT node_id FROM budget_leases WHERE budget_id = ?
		ORDER BY node_id, budget_id, period`+db.D.ForUpdate), budgetID)
	if err != nil {
		return err
	}
	if _, err := collect(rows, func(row interface{ Scan(...any) error }) (string, error) {
		var s string
		return s, row.Scan(&s)
	}); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, db.q(`DELETE FROM budget_leases WHERE budget_id = ?`), budgetID); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, db.q(`DELETE FROM budget_pools WHERE budget_id = ?`), budgetID)
	return err
}

// clipLeases is what lowering a budget does to its leases: where a pool
// granted more than the new limit, the excess is taken back from the
// unspent room of its leases (nodes in order), so that what every node can
// still charge, with what is charged already, never exceeds the new limit.
// A node finds its lease smaller on its next read of its leases (the
// leaser's round) and serves only from what is left; a charge it makes
// meanwhile past that finds no room in the lease or the pool, and its
// event is stored uncharged. Spend past the new limit, if any was charged
// before it, stays: nothing more is charged.
func (db *DB) clipLeases(ctx context.Context, tx *sql.Tx, budgetID string, limit int64) error {
	// The leases first, then the pools (the lock order).
	rows, err := tx.QueryContext(ctx, db.q(`SELECT node_id, period, granted - used FROM budget_leases
		WHERE budget_id = ? ORDER BY node_id, budget_id, period`+db.D.ForUpdate), budgetID)
	if err != nil {
		return err
	}
	type leaseRoom struct {
		node         string
		period, room int64
	}
	leases, err := collect(rows, func(row interface{ Scan(...any) error }) (leaseRoom, error) {
		var l leaseRoom
		return l, row.Scan(&l.node, &l.period, &l.room)
	})
	if err != nil {
		return err
	}
	rows, err = tx.QueryContext(ctx, db.q(`SELECT period, granted FROM budget_pools WHERE budget_id = ?
		ORDER BY budget_id, period`+db.D.ForUpdate), budgetID)
	if err != nil {
		return err
	}
	pools, err := collect(rows, func(row interface{ Scan(...any) error }) ([2]int64, error) {
		var p [2]int64
		return p, row.Scan(&p[0], &p[1])
	})
	if err != nil {
		return err
	}
	for _, p := range pools {
		period, excess := p[0], p[1]-limit
		taken := int64(0)
		for _, l := range leases {
			if excess <= 0 {
				break
			}
			take := min(excess, l.room)
			if l.period != period || take <= 0 {
				continue
			}
			if _, err := tx.ExecContext(ctx, db.q(`UPDATE budget_leases SET granted = granted - ?
				WHERE node_id = ? AND budget_id = ? AND period = ?`), take, l.node, budgetID, period); err != nil {
				return err
			}
			excess -= take
			taken += take
		}
		if taken > 0 {
			if _, err := tx.ExecContext(ctx, db.q(`UPDATE budget_pools SET granted = granted - ?
				WHERE budget_id = ? AND period = ?`), taken, budgetID, period); err != nil {
				return err
			}
		}
	}
	return nil
}

// TakeToken implements store.Cluster. Tokens are counted in millionths.
func (db *DB) TakeToken(ctx context.Context, key string, rate float64, burst int, now time.Time) (bool, time.Duration, error) {
	const unit = 1_000_000
	full := int64(burst) * unit
	nowUS := now.UnixMicro()
	ok := false
	var wait time.Duration
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO rate_buckets (key, tokens, at) VALUES (?, ?, ?)
			ON CONFLICT DO NOTHING`), key, full, nowUS); err != nil {
			return err
		}
		var tokens, at int64
		if err := tx.QueryRowContext(ctx, db.q(`SELECT tokens, at FROM rate_buckets WHERE key = ?`+db.D.ForUpdate),
			key).Scan(&tokens, &at); err != nil {
			return err
		}
		if elapsed := nowUS - at; elapsed > 0 {
			tokens = min(full, tokens+int64(float64(elapsed)*rate))
			at = nowUS
		}
		ok = tokens >= unit
		if ok {
			tokens -= unit
		} else {
			wait = time.Duration(float64(unit-tokens)/rate) * time.Microsecond
		}
		_, err := tx.ExecContext(ctx, db.q(`UPDATE rate_buckets SET tokens = ?, at = ? WHERE key = ?`), tokens, at, key)
		return err
	})
	return ok, wait, err
}

// PruneBuckets implements store.Cluster.
func (db *DB) PruneBuckets(ctx context.Context, before time.Time) (int, error) {
	return db.deleted(db.exec(ctx, `DELETE FROM rate_buckets WHERE at < ?`, micros(before)))
}

// leaseKey names one node's lease of one budget's period; an empty node
// names the period's pool.
type leaseKey struct {
	node, budget string
	period       int64
}

func compareLeaseKeys(a, b leaseKey) int {
	return cmp.Or(strings.Compare(a.node, b.node), strings.Compare(a.budget, b.budget), cmp.Compare(a.period, b.period))
}

// account is a lease's or a pool's room as read (locked) in a
// transaction, and what the transaction adds to it.
type account struct {
	room, used, foreign int64
	limitRead           bool
}

// chargeLeases charges the stored billing events of a batch to the leases
// of the nodes that decided them, in the transaction that stores them.
// Each event's charge is taken from the decider's lease of each of its
// budgets, or, where that lease is gone or spent (a late event, a lease
// taken back), straight from the budget's pool if it has room. An event
// that cannot be charged to all of its budgets is stored uncharged: its
// Charge is set to 0, in the batch and in the events table. So what every
// node spends of a budget never exceeds what the pools granted, which never
// exceeds the budget.
//
// Cost: for a batch with billing events, one SELECT … FOR UPDATE of the
// leases it charges (in key order, so that concurrent batches of several
// nodes cannot deadlock) and one UPDATE of them; the pools are read only
// when a lease lacks room.
func (db *DB) chargeLeases(ctx context.Context, tx *sql.Tx, events []model.Event, outcomes []model.EventOutcome) error {
	var charged []int
	leases := map[leaseKey]*account{}
	for i := range events {
		e := &events[i]
		if outcomes[i] != model.EventStored || e.Charge <= 0 || (e.Budgets[0].ID == "" && e.Budgets[1].ID == "") {
			continue
		}
		charged = append(charged, i)
		for _, b := range e.Budgets {
			if b.ID != "" && e.Node != "" {
				leases[leaseKey{e.Node, b.ID, b.Period}] = nil
			}
		}
	}
	if len(charged) == 0 {
		return nil
	}
	if err := db.lockAccounts(ctx, tx, leases, true); err != nil {
		return err
	}
	pools := map[leaseKey]*account{}
	// settle charges the events from what the leases (and the pools, once
	// read) hold, and returns the pools that events lacking room need.
	settle := func(apply bool) (need map[leaseKey]*account, unpaid []int) {
		room := make(map[leaseKey]int64, len(leases)+len(pools))
		for k, a := range leases {
			if a != nil {
				room[k] = a.room
			}
		}
		for k, a := range pools {
			if a != nil {
				room[k] = a.room
			}
		}
		need = map[leaseKey]*account{}
		for _, i := range charged {
			e := &events[i]
			c := int64(e.Charge)
			var took [2]leaseKey
			ok := true
			for k, b := range e.Budgets {
				if b.ID == "" {
					continue
				}
				lk, pk := leaseKey{e.Node, b.ID, b.Period}, leaseKey{"", b.ID, b.Period}
				switch {
				case e.Node != "" && room[lk] >= c:
					took[k] = lk
				case room[pk] >= c:
					took[k] = pk
				default:
					ok = false
					if _, read := pools[pk]; !read {
						need[pk] = nil
					}
					continue
				}
				room[took[k]] -= c
			}
			if !ok {
				for _, k := range took {
					if k.budget != "" {
						room[k] += c
					}
				}
				unpaid = append(unpaid, i)
				continue
			}
			if !apply {
				continue
			}
			for _, k := range took {
				if k.budget == "" {
					continue
				}
				a := leases[k]
				if k.node == "" {
					a = pools[k]
				}
				a.used += c
				if e.Foreign && k.node != "" {
					a.foreign += c
				}
			}
		}
		return need, unpaid
	}
	need, _ := settle(false)
	if len(need) > 0 {
		if err := db.lockAccounts(ctx, tx, need, false); err != nil {
			return err
		}
		pools = need
	}
	_, unpaid := settle(true)
	if err := db.addToAccounts(ctx, tx, leases, true); err != nil {
		return err
	}
	if err := db.addToAccounts(ctx, tx, pools, false); err != nil {
		return err
	}
	if len(unpaid) == 0 {
		return nil
	}
	ids := make([]string, len(unpaid))
	for k, i := range unpaid {
		events[i].Charge = 0
		ids[k] = events[i].ID
	}
	return chunks(ids, 500, func(part []string) error {
		_, err := tx.ExecContext(ctx, db.q(`UPDATE events SET charge = 0 WHERE event_id IN (`+placeholders(len(part))+`)`),
			anys(part)...)
		return err
	})
}

// lockAccounts reads and locks, in key order, the leases (or pools) keyed
// in accts, filling in each one's room; a key without a row stays nil.
func (db *DB) lockAccounts(ctx context.Context, tx *sql.Tx, accts map[leaseKey]*account, leases bool) error {
	keys := slices.SortedFunc(func(yield func(leaseKey) bool) {
		for k := range accts {
			if !yield(k) {
				return
			}
		}
	}, compareLeaseKeys)
	const chunk = 200
	for part := range slices.Chunk(keys, chunk) {
		var where []string
		var args []any
		for _, k := range part {
			if leases {
				where = append(where, `(node_id = ? AND budget_id = ? AND period = ?)`)
				args = append(args, k.node, k.budget, k.period)
			} else {
				where = append(where, `(budget_id = ? AND period = ?)`)
				args = append(args, k.budget, k.period)
			}
		}
		query := `SELECT node_id, budget_id, period, granted - used FROM budget_leases WHERE ` + strings.Join(where, " OR ") +
			` ORDER BY node_id, budget_id, period`
		if !leases {
			query = `SELECT '', budget_id, period, granted FROM budget_pools WHERE ` + strings.Join(where, " OR ") +
				` ORDER BY budget_id, period`
		}
		rows, err := tx.QueryContext(ctx, db.q(query+db.D.ForUpdate), args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var k leaseKey
			var v int64
			if err := rows.Scan(&k.node, &k.budget, &k.period, &v); err != nil {
				rows.Close()
				return err
			}
			accts[k] = &account{room: v}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	if leases {
		return nil
	}
	// A pool's room is its budget's limit less what it granted.
	for k, a := range accts {
		if a == nil {
			continue
		}
		_, limit, _, err := budgetOf(ctx, db, tx, k.budget)
		if errors.Is(err, sql.ErrNoRows) {
			a.room = 0
			continue
		}
		if err != nil {
			return err
		}
		a.room = limit - a.room
	}
	return nil
}

// addToAccounts writes what a transaction charged to leases (or pools),
// in one statement.
func (db *DB) addToAccounts(ctx context.Context, tx *sql.Tx, accts map[leaseKey]*account, leases bool) error {
	var values []string
	var args []any
	for k, a := range accts {
		if a == nil || a.used == 0 {
			continue
		}
		values = append(values, `(CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT))`)
		args = append(args, k.node, k.budget, k.period, a.used, a.foreign)
	}
	if len(values) == 0 {
		return nil
	}
	query := `UPDATE budget_leases SET used = budget_leases.used + v.column4,
		foreign_used = budget_leases.foreign_used + v.column5 FROM (VALUES ` + strings.Join(values, ",") + `) AS v
		WHERE budget_leases.node_id = v.column1 AND budget_leases.budget_id = v.column2 AND budget_leases.period = v.column3`
	if !leases {
		query = `UPDATE budget_pools SET granted = budget_pools.granted + v.column4 FROM (VALUES ` + strings.Join(values, ",") +
			`) AS v WHERE budget_pools.budget_id = v.column2 AND budget_pools.period = v.column3`
	}
	_, err := tx.ExecContext(ctx, db.bind(query), args...)
	return err
}
