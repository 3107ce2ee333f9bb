-- Dossiers (hồ sơ): the domain state as JSON plus the columns the inbox, the scope filter and
-- statistics query. Instants are BIGINT microseconds since the Unix epoch (UTC).
--
-- `state` is the source of truth for the domain's `apply` (motcua_domain::dossier::Dossier as
-- JSON); every other column is derived from it on each write, in the same transaction.

CREATE TABLE dossiers (
    id                  BIGSERIAL PRIMARY KEY,
    code                TEXT COLLATE "C" NOT NULL UNIQUE,
    procedure_code      TEXT    NOT NULL,
    procedure_version   BIGINT  NOT NULL,
    field_code          TEXT    NOT NULL,
    -- owner: the procedure's implementing unit
    unit_id             BIGINT  NOT NULL REFERENCES units(id),
    -- the unit expected to act next (the current step's unit; the owner once the result is ready)
    acting_unit_id      BIGINT  NOT NULL REFERENCES units(id),
    channel             TEXT    NOT NULL,
    status              TEXT    NOT NULL,
    current_step        BIGINT  NOT NULL,
    -- role expected to act next; NULL once the dossier is final (it leaves every inbox)
    waiting_role        TEXT,
    assignee            TEXT,
    applicant_name      TEXT    NOT NULL,
    -- diacritic-free, lower-case "code applicant name" for search
    applicant_key       TEXT    NOT NULL,
    applicant_id_number TEXT    NOT NULL,
    received_at         BIGINT  NOT NULL,
    counted_from        BIGINT  NOT NULL,
    legal_due_at        BIGINT  NOT NULL,
    appointment_at      BIGINT  NOT NULL,
    resolved_at         BIGINT,
    finished_at         BIGINT,
    -- SHA-256 (hex) of the applicant's tracking key; the key itself is never stored
    tracking_key_hash   TEXT    NOT NULL,
    rating              BIGINT  CHECK (rating BETWEEN 1 AND 5),
    rating_comment      TEXT,
    rated_at            BIGINT,
    state               TEXT    NOT NULL,
    version             BIGINT  NOT NULL,
    created_at          BIGINT  NOT NULL,
    updated_at          BIGINT  NOT NULL
);
-- Inbox by role: open dossiers nobody holds, per acting unit, in due order.
CREATE INDEX dossiers_inbox_role ON dossiers(acting_unit_id, waiting_role, legal_due_at, code)
    WHERE waiting_role IS NOT NULL AND assignee IS NULL;
-- Inbox by person: open dossiers someone holds, in due order.
CREATE INDEX dossiers_inbox_assignee ON dossiers(assignee, legal_due_at, code)
    WHERE waiting_role IS NOT NULL AND assignee IS NOT NULL;
CREATE INDEX dossiers_unit ON dossiers(unit_id, received_at);
CREATE INDEX dossiers_procedure ON dossiers(procedure_code, procedure_version);

-- History and control slip: one row per event, in order.
CREATE TABLE dossier_events (
    dossier_id  BIGINT  NOT NULL REFERENCES dossiers(id),
    seq         BIGINT  NOT NULL,
    at          BIGINT  NOT NULL,
    kind        TEXT    NOT NULL,
    actor       TEXT,
    event       TEXT    NOT NULL,
    PRIMARY KEY (dossier_id, seq)
);

-- Per owner unit and Vietnam receiving date (YYYY-MM-DD), the last sequence number handed
-- out. Incremented inside the audited write transaction, which serialises writers, so the
-- numbers are unique and gap-free even with several server instances.
CREATE TABLE dossier_sequences (
    unit_id  BIGINT  NOT NULL REFERENCES units(id),
    day      TEXT    NOT NULL,
    last     BIGINT  NOT NULL,
    PRIMARY KEY (unit_id, day)
);

-- Slips issued instead of registering a dossier: request to complete (Mẫu 02, TT 01/2018)
-- and refusal at intake (Phiếu từ chối tiếp nhận giải quyết hồ sơ).
CREATE TABLE intake_slips (
    id              BIGSERIAL PRIMARY KEY,
    -- per unit and kind, 1, 2, 3, … (printed on the slip)
    number          BIGINT  NOT NULL,
    unit_id         BIGINT  NOT NULL REFERENCES units(id),
    kind            TEXT    NOT NULL CHECK (kind IN ('request_to_complete', 'refusal')),
    procedure_code  TEXT    NOT NULL,
    procedure_version BIGINT  NOT NULL,
    channel         TEXT    NOT NULL,
    applicant       TEXT    NOT NULL,
    -- JSON: the missing documents (request to complete) or the reasons (refusal)
    items           TEXT    NOT NULL,
    note            TEXT,
    created_at      BIGINT  NOT NULL,
    created_by      TEXT    NOT NULL,
    UNIQUE (unit_id, kind, number)
);
CREATE INDEX intake_slips_unit ON intake_slips(unit_id, created_at);
