-- Biểu 06 (reports): the pauses of each dossier's clock, kept as rows so a report can
-- classify a dossier as it stood at any past instant without reading JSON events, and the
-- indexes the report's range scans use. See docs/reports.md.

-- One row per pause (request_supplement / request_payment), written in the same write
-- transaction as the action: `due_before` is the legal due instant while paused; the resume
-- (or an end while paused) sets `ended_at` and `due_after` (NULL when ended by an end).
CREATE TABLE dossier_pauses (
    dossier_id  BIGINT  NOT NULL REFERENCES dossiers(id),
    -- the dossier's version after the pausing event (orders the pauses)
    seq         BIGINT  NOT NULL,
    started_at  BIGINT  NOT NULL,
    ended_at    BIGINT,
    due_before  BIGINT  NOT NULL,
    due_after   BIGINT,
    PRIMARY KEY (dossier_id, seq)
);

-- Received in a period (columns 4, 5) and recently received dossiers open at an instant
-- (columns 6, 11): a covering range scan on the receiving instant.
CREATE INDEX dossiers_report_received ON dossiers(received_at, resolved_at, unit_id, field_code, channel, legal_due_at, id);
-- Resolved in a period (columns 7–10 and the withdrawn/stopped ones).
CREATE INDEX dossiers_report_resolved ON dossiers(resolved_at, unit_id, field_code, status, legal_due_at)
    WHERE resolved_at IS NOT NULL;
-- Long-lived dossiers: unresolved, or resolved more than 30 days (2 592 000 000 000 µs) after
-- being received. Open at T = received in [T − 30 days, T) and not resolved before T (the index
-- above), plus these received before T − 30 days; the query repeats this exact predicate.
CREATE INDEX dossiers_report_long ON dossiers(received_at, resolved_at, unit_id, field_code, legal_due_at, id)
    WHERE resolved_at IS NULL OR resolved_at - received_at > 2592000000000;

-- Dossiers with pauses that existed before this migration: their pause rows are rebuilt from
-- the JSON events once, by the store at start-up (exact instants; see reports.rs).
CREATE TABLE report_backfill (
    id          BIGINT  PRIMARY KEY CHECK (id = 1),
    pauses_done BIGINT  NOT NULL
);
INSERT INTO report_backfill (id, pauses_done)
SELECT 1, CASE WHEN EXISTS (SELECT 1 FROM dossier_events
                            WHERE kind IN ('request_supplement', 'request_payment'))
               THEN 0 ELSE 1 END;
