-- +goose Up
-- Numeric ids for the TikTok-compatible API: every account, post,
-- campaign, ad group and ad carries a decimal id (18-19 digits, random)
-- beside its opaque one, unique per kind. New rows get theirs when they
-- are created; rows made before this migration get theirs when the store
-- opens (sqldb.fillNumericIDs), since the engines draw random numbers
-- differently. NULL only until then; a unique index allows many NULLs.
ALTER TABLE accounts ADD COLUMN numeric_id {{int}};
ALTER TABLE posts ADD COLUMN numeric_id {{int}};
ALTER TABLE campaigns ADD COLUMN numeric_id {{int}};
ALTER TABLE ad_groups ADD COLUMN numeric_id {{int}};
ALTER TABLE ads ADD COLUMN numeric_id {{int}};
CREATE UNIQUE INDEX accounts_numeric_id ON accounts (numeric_id);
CREATE UNIQUE INDEX posts_numeric_id ON posts (numeric_id);
CREATE UNIQUE INDEX campaigns_numeric_id ON campaigns (numeric_id);
CREATE UNIQUE INDEX ad_groups_numeric_id ON ad_groups (numeric_id);
CREATE UNIQUE INDEX ads_numeric_id ON ads (numeric_id);

-- The Spark code an advertiser redeemed, sealed for that advertiser
-- (AES-256-GCM under a key derived from the server secret): TikTok's
-- clients match their posts by it. NULL for entries redeemed before.
ALTER TABLE spark_posts ADD COLUMN sealed_code {{bytes}};

-- +goose Down
ALTER TABLE spark_posts DROP COLUMN sealed_code;
DROP INDEX ads_numeric_id;
DROP INDEX ad_groups_numeric_id;
DROP INDEX campaigns_numeric_id;
DROP INDEX posts_numeric_id;
DROP INDEX accounts_numeric_id;
ALTER TABLE ads DROP COLUMN numeric_id;
ALTER TABLE ad_groups DROP COLUMN numeric_id;
ALTER TABLE campaigns DROP COLUMN numeric_id;
ALTER TABLE posts DROP COLUMN numeric_id;
ALTER TABLE accounts DROP COLUMN numeric_id;
