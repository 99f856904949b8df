-- +goose Up
-- Measurement: report rollups, conversions, store orders, imported spend,
-- attribution settings, and the index that makes the raw-event purge cheap.
-- Days are local dates of the advertiser (days since 1970-01-01) in the
-- time zone it had when the row was counted.

-- Own ads, one row per advertiser, local day and ad, written with the
-- events. Clustered by advertiser and day so that a report's date range is
-- one contiguous range scan.
CREATE TABLE report_ad_days (
    advertiser_id TEXT NOT NULL,
    day           {{int}} NOT NULL,
    ad_id         TEXT NOT NULL,
    campaign_id   TEXT NOT NULL,
    ad_group_id   TEXT NOT NULL,
    post_id       TEXT NOT NULL,
    creator_id    TEXT NOT NULL,
    impressions   {{int}} NOT NULL,
    views_2s      {{int}} NOT NULL,
    views_6s      {{int}} NOT NULL,
    completes     {{int}} NOT NULL,
    watch_ms      {{int}} NOT NULL,
    clicks        {{int}} NOT NULL,
    likes         {{int}} NOT NULL,
    comments      {{int}} NOT NULL,
    shares        {{int}} NOT NULL,
    follows       {{int}} NOT NULL,
    spend         {{int}} NOT NULL,
    PRIMARY KEY (advertiser_id, day, ad_id)
){{without_rowid}};

-- The same sums per campaign: reports by campaign (or coarser) read ten
-- times fewer rows.
CREATE TABLE report_campaign_days (
    advertiser_id TEXT NOT NULL,
    day           {{int}} NOT NULL,
    campaign_id   TEXT NOT NULL,
    impressions   {{int}} NOT NULL,
    views_2s      {{int}} NOT NULL,
    views_6s      {{int}} NOT NULL,
    completes     {{int}} NOT NULL,
    watch_ms      {{int}} NOT NULL,
    clicks        {{int}} NOT NULL,
    likes         {{int}} NOT NULL,
    comments      {{int}} NOT NULL,
    shares        {{int}} NOT NULL,
    follows       {{int}} NOT NULL,
    spend         {{int}} NOT NULL,
    PRIMARY KEY (advertiser_id, day, campaign_id)
){{without_rowid}};

-- The same sums per campaign and local month (month = its first day): a
-- month-to-date report by campaign reads one row per campaign.
CREATE TABLE report_campaign_months (
    advertiser_id TEXT NOT NULL,
    month         {{int}} NOT NULL,
    campaign_id   TEXT NOT NULL,
    impressions   {{int}} NOT NULL,
    views_2s      {{int}} NOT NULL,
    views_6s      {{int}} NOT NULL,
    completes     {{int}} NOT NULL,
    watch_ms      {{int}} NOT NULL,
    clicks        {{int}} NOT NULL,
    likes         {{int}} NOT NULL,
    comments      {{int}} NOT NULL,
    shares        {{int}} NOT NULL,
    follows       {{int}} NOT NULL,
    spend         {{int}} NOT NULL,
    PRIMARY KEY (advertiser_id, month, campaign_id)
){{without_rowid}};

-- Organic engagement per post and UTC hour (Unix hour).
CREATE TABLE post_organic_hourly (
    post_id   TEXT NOT NULL,
    hour      {{int}} NOT NULL,
    views     {{int}} NOT NULL,
    views_2s  {{int}} NOT NULL,
    views_6s  {{int}} NOT NULL,
    completes {{int}} NOT NULL,
    watch_ms  {{int}} NOT NULL,
    likes     {{int}} NOT NULL,
    comments  {{int}} NOT NULL,
    shares    {{int}} NOT NULL,
    follows   {{int}} NOT NULL,
    PRIMARY KEY (post_id, hour)
){{without_rowid}};

-- The raw-event purge deletes by time. Events with a once key are found
-- through its unique index: once keys start with the decision id, which is
-- time-ordered. The others (organic events, comments, shares) by time.
CREATE INDEX events_unkeyed_at ON events (at) WHERE once_key IS NULL;

CREATE TABLE measurement_settings (
    advertiser_id     TEXT PRIMARY KEY REFERENCES accounts (id),
    click_window_days {{int}} NOT NULL,
    utm_campaigns     TEXT NOT NULL,
    discount_codes    TEXT NOT NULL,
    shopify_secret    {{bytes}},
    updated_at        {{int}} NOT NULL
);

CREATE TABLE conversions (
    advertiser_id TEXT NOT NULL,
    event_id      TEXT NOT NULL,
    event         TEXT NOT NULL,
    click_id      TEXT NOT NULL,
    order_id      TEXT NOT NULL,
    ad_id         TEXT NOT NULL,
    campaign_id   TEXT NOT NULL,
    value         {{int}} NOT NULL,
    currency      TEXT NOT NULL,
    at            {{int}} NOT NULL,
    day           {{int}} NOT NULL,
    received_at   {{int}} NOT NULL,
    PRIMARY KEY (advertiser_id, event_id)
);
-- Covering the revenue query: a month of conversions is one range scan.
CREATE INDEX conversions_day ON conversions (advertiser_id, day, event, campaign_id, ad_id, currency, value, order_id);

-- Store orders from CSV exports and webhooks, one row per order id: the
-- same order from both sources is one row.
CREATE TABLE orders (
    advertiser_id    TEXT NOT NULL,
    order_id         TEXT NOT NULL,
    name             TEXT NOT NULL,
    source           TEXT NOT NULL,
    created_at       {{int}} NOT NULL,
    day              {{int}} NOT NULL,
    currency         TEXT NOT NULL,
    total            {{int}} NOT NULL,
    refunded         {{int}} NOT NULL,
    revenue          {{int}} NOT NULL,
    counted          {{bool}} NOT NULL,
    financial_status TEXT NOT NULL,
    cancelled        {{bool}} NOT NULL,
    test             {{bool}} NOT NULL,
    click_id         TEXT NOT NULL,
    utm_campaign     TEXT NOT NULL,
    discount_code    TEXT NOT NULL,
    ad_id            TEXT NOT NULL,
    campaign_id      TEXT NOT NULL,
    attributed_by    TEXT NOT NULL,
    imported_at      {{int}} NOT NULL,
    PRIMARY KEY (advertiser_id, order_id)
);
-- Covering the revenue query: a month of orders is one range scan.
CREATE INDEX orders_day ON orders (advertiser_id, day, counted, campaign_id, ad_id, currency, revenue);
-- Orders exported by CSV carry their name but, in older exports, no id.
CREATE INDEX orders_name ON orders (advertiser_id, name);

-- Counted orders summed per local month, kept with the orders (an update
-- moves an order's contribution).
CREATE TABLE order_months (
    advertiser_id TEXT NOT NULL,
    month         {{int}} NOT NULL,
    campaign_id   TEXT NOT NULL,
    ad_id         TEXT NOT NULL,
    currency      TEXT NOT NULL,
    orders        {{int}} NOT NULL,
    revenue       {{int}} NOT NULL,
    PRIMARY KEY (advertiser_id, month, campaign_id, ad_id, currency)
){{without_rowid}};

-- Webhook deliveries already handled, by Shopify's X-Shopify-Webhook-Id.
CREATE TABLE webhook_deliveries (
    advertiser_id TEXT NOT NULL,
    webhook_id    TEXT NOT NULL,
    received_at   {{int}} NOT NULL,
    PRIMARY KEY (advertiser_id, webhook_id)
);

-- Spend imported from other channels, one row per row of the export: a day,
-- or the export's reporting range (reports spread it evenly over its days).
CREATE TABLE channel_spend (
    advertiser_id TEXT NOT NULL,
    channel       TEXT NOT NULL,
    campaign      TEXT NOT NULL,
    detail        TEXT NOT NULL,
    span_start    {{int}} NOT NULL,
    span_end      {{int}} NOT NULL,
    currency      TEXT NOT NULL,
    spend         {{int}} NOT NULL,
    impressions   {{int}},
    clicks        {{int}},
    conversions   {{int}},
    imported_at   {{int}} NOT NULL,
    PRIMARY KEY (advertiser_id, channel, campaign, detail, currency, span_start, span_end)
);
CREATE INDEX channel_spend_span ON channel_spend (advertiser_id, span_start);

-- +goose Down
DROP TABLE channel_spend;
DROP TABLE webhook_deliveries;
DROP TABLE order_months;
DROP TABLE orders;
DROP TABLE conversions;
DROP TABLE measurement_settings;
DROP INDEX events_unkeyed_at;
DROP TABLE post_organic_hourly;
DROP TABLE report_campaign_months;
DROP TABLE report_campaign_days;
DROP TABLE report_ad_days;
