-- +goose Up
-- One source for both engines: sqldb.Migrate fills in the type macros
-- (int, bool, bytes, without_rowid, each in double braces) per dialect.
-- Times are Unix microseconds (0 = not set); money is integer micros.
CREATE TABLE accounts (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    handle        TEXT UNIQUE,
    display_name  TEXT NOT NULL DEFAULT '',
    creator_type  TEXT NOT NULL DEFAULT '',
    name          TEXT NOT NULL DEFAULT '',
    currency      TEXT NOT NULL DEFAULT '',
    timezone      TEXT NOT NULL DEFAULT '',
    token_hash    {{bytes}} NOT NULL UNIQUE,
    password_hash TEXT NOT NULL DEFAULT '',
    created_at    {{int}} NOT NULL,
    updated_at    {{int}} NOT NULL
);

CREATE TABLE posts (
    id               TEXT PRIMARY KEY,
    creator_id       TEXT NOT NULL REFERENCES accounts (id),
    caption          TEXT NOT NULL,
    video_url        TEXT NOT NULL,
    duration_ms      {{int}} NOT NULL,
    visibility       TEXT NOT NULL,
    original         {{bool}} NOT NULL,
    has_music        {{bool}} NOT NULL,
    music_title      TEXT NOT NULL,
    music_commercial {{bool}} NOT NULL,
    music_own        {{bool}} NOT NULL,
    deleted          {{bool}} NOT NULL,
    created_at       {{int}} NOT NULL,
    updated_at       {{int}} NOT NULL
);
CREATE INDEX posts_creator ON posts (creator_id, created_at);

CREATE TABLE post_stats (
    post_id  TEXT NOT NULL,
    paid     {{bool}} NOT NULL,
    views    {{int}} NOT NULL DEFAULT 0,
    likes    {{int}} NOT NULL DEFAULT 0,
    comments {{int}} NOT NULL DEFAULT 0,
    shares   {{int}} NOT NULL DEFAULT 0,
    follows  {{int}} NOT NULL DEFAULT 0,
    PRIMARY KEY (post_id, paid)
){{without_rowid}};

CREATE TABLE authorizations (
    id                TEXT PRIMARY KEY,
    post_id           TEXT NOT NULL REFERENCES posts (id),
    creator_id        TEXT NOT NULL REFERENCES accounts (id),
    days              {{int}} NOT NULL,
    terms_version     TEXT NOT NULL,
    terms_accepted_at {{int}} NOT NULL,
    created_at        {{int}} NOT NULL,
    generated_at      {{int}} NOT NULL,
    expires_at        {{int}} NOT NULL,
    revoked_at        {{int}} NOT NULL,
    updated_at        {{int}} NOT NULL
);
CREATE INDEX authorizations_post ON authorizations (post_id, created_at);

CREATE TABLE ad_codes (
    id               TEXT PRIMARY KEY,
    authorization_id TEXT NOT NULL REFERENCES authorizations (id),
    post_id          TEXT NOT NULL REFERENCES posts (id),
    hash             {{bytes}} NOT NULL UNIQUE,
    advertiser_id    TEXT NOT NULL,
    max_redemptions  {{int}} NOT NULL,
    redemptions      {{int}} NOT NULL,
    created_at       {{int}} NOT NULL
);

CREATE TABLE code_redemptions (
    code_id       TEXT NOT NULL REFERENCES ad_codes (id),
    advertiser_id TEXT NOT NULL REFERENCES accounts (id),
    redeemed_at   {{int}} NOT NULL,
    PRIMARY KEY (code_id, advertiser_id)
){{without_rowid}};

CREATE TABLE spark_posts (
    id               TEXT PRIMARY KEY,
    advertiser_id    TEXT NOT NULL REFERENCES accounts (id),
    post_id          TEXT NOT NULL REFERENCES posts (id),
    creator_id       TEXT NOT NULL REFERENCES accounts (id),
    authorization_id TEXT NOT NULL REFERENCES authorizations (id),
    code_id          TEXT NOT NULL REFERENCES ad_codes (id),
    added_at         {{int}} NOT NULL,
    updated_at       {{int}} NOT NULL,
    UNIQUE (advertiser_id, post_id)
);
CREATE INDEX spark_posts_post ON spark_posts (post_id);

CREATE TABLE campaigns (
    id            TEXT PRIMARY KEY,
    advertiser_id TEXT NOT NULL REFERENCES accounts (id),
    name          TEXT NOT NULL,
    objective     TEXT NOT NULL,
    budget_mode   TEXT NOT NULL,
    budget        {{int}} NOT NULL,
    status        TEXT NOT NULL,
    created_at    {{int}} NOT NULL,
    updated_at    {{int}} NOT NULL
);
CREATE INDEX campaigns_advertiser ON campaigns (advertiser_id, created_at);

CREATE TABLE ad_groups (
    id                    TEXT PRIMARY KEY,
    advertiser_id         TEXT NOT NULL REFERENCES accounts (id),
    campaign_id           TEXT NOT NULL REFERENCES campaigns (id),
    name                  TEXT NOT NULL,
    targeting             TEXT NOT NULL,
    start_time            {{int}} NOT NULL,
    end_time              {{int}} NOT NULL,
    budget_mode           TEXT NOT NULL,
    budget                {{int}} NOT NULL,
    billing_event         TEXT NOT NULL,
    bid                   {{int}} NOT NULL,
    frequency_impressions {{int}} NOT NULL,
    frequency_days        {{int}} NOT NULL,
    pacing                TEXT NOT NULL,
    status                TEXT NOT NULL,
    created_at            {{int}} NOT NULL,
    updated_at            {{int}} NOT NULL
);
CREATE INDEX ad_groups_campaign ON ad_groups (campaign_id, created_at);
CREATE INDEX ad_groups_advertiser ON ad_groups (advertiser_id, created_at);

CREATE TABLE ads (
    id            TEXT PRIMARY KEY,
    advertiser_id TEXT NOT NULL REFERENCES accounts (id),
    campaign_id   TEXT NOT NULL REFERENCES campaigns (id),
    ad_group_id   TEXT NOT NULL REFERENCES ad_groups (id),
    name          TEXT NOT NULL,
    spark_post_id TEXT NOT NULL REFERENCES spark_posts (id),
    post_id       TEXT NOT NULL REFERENCES posts (id),
    cta_label     TEXT NOT NULL,
    cta_url       TEXT NOT NULL,
    status        TEXT NOT NULL,
    created_at    {{int}} NOT NULL,
    updated_at    {{int}} NOT NULL
);
CREATE INDEX ads_ad_group ON ads (ad_group_id, created_at);
CREATE INDEX ads_advertiser ON ads (advertiser_id, created_at);
CREATE INDEX ads_spark_post ON ads (spark_post_id);
CREATE INDEX ads_post ON ads (post_id);

-- Raw engagement events. once_key is NULL for events that may repeat.
CREATE TABLE events (
    event_id    TEXT PRIMARY KEY,
    type        {{int}} NOT NULL,
    post_id     TEXT NOT NULL,
    ad_id       TEXT,
    decision_id TEXT,
    viewer_id   TEXT,
    click_id    TEXT,
    at          {{int}} NOT NULL,
    watch_ms    {{int}} NOT NULL,
    charge      {{int}} NOT NULL,
    once_key    {{bytes}} UNIQUE
){{without_rowid}};
CREATE INDEX events_click ON events (click_id) WHERE click_id IS NOT NULL;

CREATE TABLE ad_stats_hourly (
    ad_id       TEXT NOT NULL,
    hour        {{int}} NOT NULL,
    impressions {{int}} NOT NULL,
    views_2s    {{int}} NOT NULL,
    views_6s    {{int}} NOT NULL,
    completes   {{int}} NOT NULL,
    watch_ms    {{int}} NOT NULL,
    clicks      {{int}} NOT NULL,
    likes       {{int}} NOT NULL,
    comments    {{int}} NOT NULL,
    shares      {{int}} NOT NULL,
    follows     {{int}} NOT NULL,
    spend       {{int}} NOT NULL,
    PRIMARY KEY (ad_id, hour)
){{without_rowid}};
CREATE INDEX ad_stats_hourly_hour ON ad_stats_hourly (hour);

-- +goose Down
DROP TABLE ad_stats_hourly;
DROP TABLE events;
DROP TABLE ads;
DROP TABLE ad_groups;
DROP TABLE campaigns;
DROP TABLE spark_posts;
DROP TABLE code_redemptions;
DROP TABLE ad_codes;
DROP TABLE authorizations;
DROP TABLE post_stats;
DROP TABLE posts;
DROP TABLE accounts;
