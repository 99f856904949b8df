-- +goose Up
-- Several nodes on one database (issue 9).

-- The change log: every change that affects serving or authentication is
-- logged here in the transaction that makes it. Sequence numbers come from
-- the one row of change_head, which each change transaction updates just
-- before it commits: the row's lock is held until commit, so numbers are
-- handed out in commit order and a reader never sees seq n+1 before n.
CREATE TABLE change_head (
    id  {{int}} PRIMARY KEY,
    seq {{int}} NOT NULL
);
CREATE TABLE change_log (
    seq       {{int}} PRIMARY KEY,
    kind      {{int}} NOT NULL,
    object_id TEXT NOT NULL,
    at        {{int}} NOT NULL
);
CREATE INDEX change_log_at ON change_log (at);

-- Nodes that serve from this database, with their last heartbeat (the
-- database's clock, Unix microseconds) and the change they have applied.
CREATE TABLE nodes (
    id           TEXT PRIMARY KEY,
    started_at   {{int}} NOT NULL,
    heartbeat_at {{int}} NOT NULL,
    applied_seq  {{int}} NOT NULL
);

-- Budgets leased to nodes. A pool is one budget (an ad group's or a
-- campaign's) for one period (0 for a lifetime budget, the advertiser's
-- local day for a daily one); granted is what the leases of every node and
-- the charges made straight from the pool add up to, never more than the
-- budget. A lease is what one node may spend of a pool; used is what was
-- charged to it, foreign_used the part of that charged by other nodes
-- (events of this node's decisions that reached another node).
CREATE TABLE budget_pools (
    budget_id TEXT NOT NULL,
    period    {{int}} NOT NULL,
    granted   {{int}} NOT NULL,
    PRIMARY KEY (budget_id, period)
){{without_rowid}};
CREATE TABLE budget_leases (
    node_id      TEXT NOT NULL,
    budget_id    TEXT NOT NULL,
    period       {{int}} NOT NULL,
    granted      {{int}} NOT NULL,
    used         {{int}} NOT NULL,
    foreign_used {{int}} NOT NULL,
    PRIMARY KEY (node_id, budget_id, period)
){{without_rowid}};
CREATE INDEX budget_leases_budget ON budget_leases (budget_id, period);

-- Rate limits shared by every node: a token bucket per key, in millionths
-- of a token.
CREATE TABLE rate_buckets (
    key    TEXT PRIMARY KEY,
    tokens {{int}} NOT NULL,
    at     {{int}} NOT NULL
);
CREATE INDEX rate_buckets_at ON rate_buckets (at);

-- +goose Down
DROP TABLE rate_buckets;
DROP TABLE budget_leases;
DROP TABLE budget_pools;
DROP TABLE nodes;
DROP TABLE change_log;
DROP TABLE change_head;
