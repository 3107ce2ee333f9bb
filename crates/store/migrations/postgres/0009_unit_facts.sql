-- Unit e-government facts (issue 5 item 2; see docs/egov.md). The list of fact kinds is data:
-- the five below are seeded here (created_by 'system', no created_at: SQL never reads the
-- clock); administrators add more through the audited API. Facts are append-only: a later
-- valid_from supersedes, a correction is a new row for the same date with a reason in `note`,
-- nothing is updated or deleted. The value in force on a date D is the row with the latest
-- valid_from <= D, then the latest recorded_at, then the highest id.
-- Instants are BIGINT microseconds since the Unix epoch (UTC); dates are TEXT YYYY-MM-DD.

CREATE TABLE fact_kinds (
    code        TEXT COLLATE "C" PRIMARY KEY,
    name        TEXT    NOT NULL,
    value_type  TEXT    NOT NULL CHECK (value_type IN ('boolean', 'count')),
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    -- display order
    position    INTEGER NOT NULL,
    created_at  BIGINT,
    created_by  TEXT    NOT NULL
);

INSERT INTO fact_kinds (code, name, value_type, active, position, created_at, created_by) VALUES
    ('data_network', 'Kết nối mạng truyền số liệu chuyên dùng', 'boolean', TRUE, 1, NULL, 'system'),
    ('email_accounts', 'Số tài khoản thư điện tử', 'count', TRUE, 2, NULL, 'system'),
    ('digital_workspace', 'Không gian làm việc số', 'boolean', TRUE, 3, NULL, 'system'),
    ('online_meetings', 'Họp trực tuyến', 'boolean', TRUE, 4, NULL, 'system'),
    ('task_tracking', 'Phần mềm quản lý, theo dõi tiến độ nhiệm vụ', 'boolean', TRUE, 5, NULL, 'system');

CREATE TABLE unit_facts (
    id           BIGSERIAL PRIMARY KEY,
    unit_id      BIGINT  NOT NULL REFERENCES units(id),
    kind         TEXT    NOT NULL REFERENCES fact_kinds(code),
    -- 1/0 for boolean kinds, the number for counts
    value        BIGINT  NOT NULL,
    valid_from   TEXT COLLATE "C" NOT NULL,
    note         TEXT,
    recorded_by  TEXT    NOT NULL,
    recorded_at  BIGINT  NOT NULL
);

-- serves "the row in force for (unit, kind) on a date" as one index probe per unit
CREATE INDEX unit_facts_in_force ON unit_facts (unit_id, kind, valid_from, recorded_at, id);
