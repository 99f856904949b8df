-- +goose Up
-- Row versions: every update of a row adds one (a new row has version 1),
-- so a reader can tell which of two reads of a row is newer.
ALTER TABLE posts ADD COLUMN version {{int}} NOT NULL DEFAULT 1;
ALTER TABLE authorizations ADD COLUMN version {{int}} NOT NULL DEFAULT 1;
ALTER TABLE campaigns ADD COLUMN version {{int}} NOT NULL DEFAULT 1;
ALTER TABLE ad_groups ADD COLUMN version {{int}} NOT NULL DEFAULT 1;
ALTER TABLE ads ADD COLUMN version {{int}} NOT NULL DEFAULT 1;

-- A post has at most one current authorization episode, whatever the
-- process that starts one: the database refuses a second.
ALTER TABLE authorizations ADD COLUMN is_current {{bool}} NOT NULL DEFAULT FALSE;
UPDATE authorizations SET is_current = TRUE WHERE NOT EXISTS (
    SELECT 1 FROM authorizations b WHERE b.post_id = authorizations.post_id
    AND (b.created_at > authorizations.created_at OR (b.created_at = authorizations.created_at AND b.id > authorizations.id)));
CREATE UNIQUE INDEX authorizations_current ON authorizations (post_id) WHERE is_current;

-- +goose Down
DROP INDEX authorizations_current;
ALTER TABLE authorizations DROP COLUMN is_current;
ALTER TABLE ads DROP COLUMN version;
ALTER TABLE ad_groups DROP COLUMN version;
ALTER TABLE campaigns DROP COLUMN version;
ALTER TABLE authorizations DROP COLUMN version;
ALTER TABLE posts DROP COLUMN version;
