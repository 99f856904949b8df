-- +goose Up
-- One row that readiness checks rewrite while event writes fail, to learn
-- whether the database takes writes again (a ping only proves it reads).
CREATE TABLE write_probe (
    id {{int}} PRIMARY KEY,
    at {{int}} NOT NULL
);

-- +goose Down
DROP TABLE write_probe;
