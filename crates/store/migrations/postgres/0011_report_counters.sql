-- Biểu 06 as prefix sums (docs/reports.md, "How it is computed"): per (owner unit, field,
-- Vietnam date number day = floor((µs + 25 200 000 000) / 86 400 000 000)), the sum of the
-- eight counters' deltas of `motcua_domain::report::deltas` at instants of that day. Kept in
-- the same write transaction as every dossier write that changes a report input.
CREATE TABLE report_deltas (
    unit_id     BIGINT  NOT NULL,
    field_code  TEXT    NOT NULL,
    day         BIGINT  NOT NULL,
    c_online    BIGINT  NOT NULL DEFAULT 0,
    c_offline   BIGINT  NOT NULL DEFAULT 0,
    c_early     BIGINT  NOT NULL DEFAULT 0,
    c_on_time   BIGINT  NOT NULL DEFAULT 0,
    c_late      BIGINT  NOT NULL DEFAULT 0,
    c_left      BIGINT  NOT NULL DEFAULT 0,
    c_open      BIGINT  NOT NULL DEFAULT 0,
    c_overdue   BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_id, field_code, day)
);
CREATE INDEX report_deltas_day ON report_deltas(day);

-- Cached prefix sums at the midnight starting `day` (Σ deltas with day < this day), per
-- (unit, field) with a non-zero counter; a day's rows are written at once. A write adding
-- deltas on day m deletes the checkpoints after m.
CREATE TABLE report_checkpoints (
    day         BIGINT  NOT NULL,
    unit_id     BIGINT  NOT NULL,
    field_code  TEXT    NOT NULL,
    c_online    BIGINT  NOT NULL,
    c_offline   BIGINT  NOT NULL,
    c_early     BIGINT  NOT NULL,
    c_on_time   BIGINT  NOT NULL,
    c_late      BIGINT  NOT NULL,
    c_left      BIGINT  NOT NULL,
    c_open      BIGINT  NOT NULL,
    c_overdue   BIGINT  NOT NULL,
    PRIMARY KEY (day, unit_id, field_code)
);
-- The days that have a checkpoint (also the ones whose counters are all zero).
CREATE TABLE report_checkpoint_days (
    day         BIGINT  PRIMARY KEY
);

-- Databases with dossiers before this migration: the deltas are computed once from the
-- dossiers and their pauses by the store at start-up (report_counters_sql.rs).
CREATE TABLE report_counters_backfill (
    id          BIGINT  PRIMARY KEY CHECK (id = 1),
    done        BIGINT  NOT NULL
);
INSERT INTO report_counters_backfill (id, done)
SELECT 1, CASE WHEN EXISTS (SELECT 1 FROM dossiers) THEN 0 ELSE 1 END;
