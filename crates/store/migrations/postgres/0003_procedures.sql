-- The procedure catalogue (thủ tục hành chính). Every save of a procedure adds a row with the
-- next version; older versions stay readable because dossiers keep the version they were
-- received under. `document` is the canonical JSON of motcua_domain::procedure::NewProcedure
-- (the import/export format); the other columns are copies of it for listing and filtering.
-- Exactly one row per code has latest = TRUE (the partial unique index enforces it).

CREATE TABLE procedures (
    -- byte-wise collation so keyset pages by code behave exactly as on SQLite
    code        TEXT COLLATE "C" NOT NULL,
    version     BIGINT  NOT NULL CHECK (version >= 1),
    latest      BOOLEAN NOT NULL,
    name        TEXT    NOT NULL,
    field_code  TEXT    NOT NULL,
    field_name  TEXT    NOT NULL,
    level       TEXT    NOT NULL,
    -- diacritic-free, lower-case code, name and field name (motcua_domain::text::search_key)
    search_key  TEXT    NOT NULL,
    -- implementing unit (cơ quan thực hiện)
    unit_id     BIGINT  NOT NULL REFERENCES units(id),
    document    TEXT    NOT NULL,
    -- microseconds since the Unix epoch (UTC)
    created_at  BIGINT  NOT NULL,
    created_by  TEXT    NOT NULL,
    PRIMARY KEY (code, version)
);
CREATE UNIQUE INDEX procedures_latest ON procedures(code) WHERE latest = TRUE;
CREATE INDEX procedures_field ON procedures(field_code, code) WHERE latest = TRUE;
CREATE INDEX procedures_unit ON procedures(unit_id, code) WHERE latest = TRUE;
