-- +goose Up
-- Advertisers log in to the web UI with an email (creators with their
-- handle); absent emails are NULL, which the unique index ignores.
ALTER TABLE accounts ADD COLUMN email TEXT;
CREATE UNIQUE INDEX accounts_email ON accounts (email);

-- Web sessions. Only the SHA-256 of the session secret is stored. The
-- operator's sessions have an empty account_id. password_tag is a digest of
-- the account's password hash at login: when the password changes, the tag
-- no longer matches and every older session ends.
CREATE TABLE web_sessions (
    hash         {{bytes}} PRIMARY KEY,
    account_id   TEXT NOT NULL,
    operator     {{bool}} NOT NULL,
    password_tag {{bytes}} NOT NULL,
    created_at   {{int}} NOT NULL,
    expires_at   {{int}} NOT NULL
);
CREATE INDEX web_sessions_account ON web_sessions (account_id);
CREATE INDEX web_sessions_expires ON web_sessions (expires_at);

-- +goose Down
DROP TABLE web_sessions;
DROP INDEX accounts_email;
ALTER TABLE accounts DROP COLUMN email;
