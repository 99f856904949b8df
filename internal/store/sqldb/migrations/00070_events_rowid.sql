-- +goose Up
-- SQLite: the raw events move from a table clustered by event_id (WITHOUT
-- ROWID) to a rowid table in arrival order, with event_id unique in an
-- index of its own. Event IDs are the clients' and often random (UUIDv4):
-- in the clustered table every event was inserted, whole (about 150 bytes),
-- at a random place in a tree that outgrows the page cache, and its once
-- key index carried the event_id again. Now the rows are appended, and the
-- random inserts go to an index of small entries (the ID and a rowid) that
-- stays in the cache longer and splits less: ingestion of a million
-- events with random IDs went from 36,700 to 42,800-50,300 events a second
-- (docs/BENCHMARKS.md). Only SQLite: a PostgreSQL table is a heap beside
-- its indexes already.
{{sqlite}}CREATE TABLE events_new (
{{sqlite}}    event_id    TEXT NOT NULL,
{{sqlite}}    type        {{int}} NOT NULL,
{{sqlite}}    post_id     TEXT NOT NULL,
{{sqlite}}    ad_id       TEXT,
{{sqlite}}    decision_id TEXT,
{{sqlite}}    viewer_id   TEXT,
{{sqlite}}    click_id    TEXT,
{{sqlite}}    at          {{int}} NOT NULL,
{{sqlite}}    watch_ms    {{int}} NOT NULL,
{{sqlite}}    charge      {{int}} NOT NULL,
{{sqlite}}    once_key    {{bytes}}
{{sqlite}});
{{sqlite}}INSERT INTO events_new (event_id, type, post_id, ad_id, decision_id, viewer_id, click_id, at, watch_ms, charge, once_key)
{{sqlite}}    SELECT event_id, type, post_id, ad_id, decision_id, viewer_id, click_id, at, watch_ms, charge, once_key
{{sqlite}}    FROM events ORDER BY at;
{{sqlite}}DROP TABLE events;
{{sqlite}}ALTER TABLE events_new RENAME TO events;
{{sqlite}}CREATE UNIQUE INDEX events_id ON events (event_id);
{{sqlite}}CREATE UNIQUE INDEX events_once ON events (once_key);
{{sqlite}}CREATE INDEX events_click ON events (click_id) WHERE click_id IS NOT NULL;
{{sqlite}}CREATE INDEX events_unkeyed_at ON events (at) WHERE once_key IS NULL;

-- +goose Down
{{sqlite}}CREATE TABLE events_old (
{{sqlite}}    event_id    TEXT PRIMARY KEY,
{{sqlite}}    type        {{int}} NOT NULL,
{{sqlite}}    post_id     TEXT NOT NULL,
{{sqlite}}    ad_id       TEXT,
{{sqlite}}    decision_id TEXT,
{{sqlite}}    viewer_id   TEXT,
{{sqlite}}    click_id    TEXT,
{{sqlite}}    at          {{int}} NOT NULL,
{{sqlite}}    watch_ms    {{int}} NOT NULL,
{{sqlite}}    charge      {{int}} NOT NULL,
{{sqlite}}    once_key    {{bytes}} UNIQUE
{{sqlite}}){{without_rowid}};
{{sqlite}}INSERT INTO events_old (event_id, type, post_id, ad_id, decision_id, viewer_id, click_id, at, watch_ms, charge, once_key)
{{sqlite}}    SELECT event_id, type, post_id, ad_id, decision_id, viewer_id, click_id, at, watch_ms, charge, once_key
{{sqlite}}    FROM events;
{{sqlite}}DROP TABLE events;
{{sqlite}}ALTER TABLE events_old RENAME TO events;
{{sqlite}}CREATE INDEX events_click ON events (click_id) WHERE click_id IS NOT NULL;
{{sqlite}}CREATE INDEX events_unkeyed_at ON events (at) WHERE once_key IS NULL;
