-- Announced calendar exceptions: days off and worked weekend days, one per date.
-- The effective exception set of the working calendar is exactly what this table holds.
--
-- Seeding: the announcements shipped with the product (motcua_calendar::shipped_exceptions)
-- are inserted here, by the migration, with source = 'shipped', created_by = 'system' and no
-- created_at (SQL never reads the clock). They are not audited: the migration file is their
-- record, and it runs before any audit entry exists. Later announcements that ship with the
-- product come as new migrations (INSERT ... ON CONFLICT (date) DO NOTHING, so a date an
-- administrator already set keeps the administrator's entry). Every change made afterwards
-- goes through an audited write (calendar.exception_add / calendar.exception_remove).
-- The conformance suite checks that a fresh database holds exactly shipped_exceptions().

CREATE TABLE calendar_exceptions (
    -- YYYY-MM-DD; fixed width, so text order is date order and year ranges are text ranges
    date        TEXT    PRIMARY KEY,
    kind        TEXT    NOT NULL CHECK (kind IN ('day_off', 'working_day')),
    name        TEXT    NOT NULL,
    legal_ref   TEXT,
    -- key of the holiday rule whose yearly choice this announcement makes, e.g. tet_nguyen_dan
    covers      TEXT,
    source      TEXT    NOT NULL CHECK (source IN ('shipped', 'admin')),
    -- microseconds since the Unix epoch (UTC); NULL for rows shipped with the product
    created_at  INTEGER,
    created_by  TEXT    NOT NULL
);

INSERT INTO calendar_exceptions (date, kind, name, legal_ref, covers, source, created_at, created_by) VALUES
    ('2022-01-31', 'day_off', 'Nghỉ Tết Âm lịch Nhâm Dần', 'Thông báo của Bộ Lao động - Thương binh và Xã hội về lịch nghỉ năm 2022 đối với cán bộ, công chức, viên chức', 'tet_nguyen_dan', 'shipped', NULL, 'system'),
    ('2022-02-01', 'day_off', 'Nghỉ Tết Âm lịch Nhâm Dần', 'Thông báo của Bộ Lao động - Thương binh và Xã hội về lịch nghỉ năm 2022 đối với cán bộ, công chức, viên chức', 'tet_nguyen_dan', 'shipped', NULL, 'system'),
    ('2022-02-02', 'day_off', 'Nghỉ Tết Âm lịch Nhâm Dần', 'Thông báo của Bộ Lao động - Thương binh và Xã hội về lịch nghỉ năm 2022 đối với cán bộ, công chức, viên chức', 'tet_nguyen_dan', 'shipped', NULL, 'system'),
    ('2022-02-03', 'day_off', 'Nghỉ Tết Âm lịch Nhâm Dần', 'Thông báo của Bộ Lao động - Thương binh và Xã hội về lịch nghỉ năm 2022 đối với cán bộ, công chức, viên chức', 'tet_nguyen_dan', 'shipped', NULL, 'system'),
    ('2022-02-04', 'day_off', 'Nghỉ Tết Âm lịch Nhâm Dần', 'Thông báo của Bộ Lao động - Thương binh và Xã hội về lịch nghỉ năm 2022 đối với cán bộ, công chức, viên chức', 'tet_nguyen_dan', 'shipped', NULL, 'system'),
    ('2022-09-01', 'day_off', 'Nghỉ Quốc khánh (ngày liền kề)', 'Thông báo của Bộ Lao động - Thương binh và Xã hội về lịch nghỉ năm 2022 đối với cán bộ, công chức, viên chức', 'quoc_khanh_adjacent', 'shipped', NULL, 'system'),
    ('2023-01-20', 'day_off', 'Nghỉ Tết Âm lịch Quý Mão', 'Thông báo của Bộ Lao động - Thương binh và Xã hội về lịch nghỉ năm 2023 đối với cán bộ, công chức, viên chức', 'tet_nguyen_dan', 'shipped', NULL, 'system'),
    ('2023-01-23', 'day_off', 'Nghỉ Tết Âm lịch Quý Mão', 'Thông báo của Bộ Lao động - Thương binh và Xã hội về lịch nghỉ năm 2023 đối với cán bộ, công chức, viên chức', 'tet_nguyen_dan', 'shipped', NULL, 'system'),
    ('2023-01-24', 'day_off', 'Nghỉ Tết Âm lịch Quý Mão', 'Thông báo của Bộ Lao động - Thương binh và Xã hội về lịch nghỉ năm 2023 đối với cán bộ, công chức, viên chức', 'tet_nguyen_dan', 'shipped', NULL, 'system'),
    ('2023-01-25', 'day_off', 'Nghỉ Tết Âm lịch Quý Mão', 'Thông báo của Bộ Lao động - Thương binh và Xã hội về lịch nghỉ năm 2023 đối với cán bộ, công chức, viên chức', 'tet_nguyen_dan', 'shipped', NULL, 'system'),
    ('2023-01-26', 'day_off', 'Nghỉ Tết Âm lịch Quý Mão', 'Thông báo của Bộ Lao động - Thương binh và Xã hội về lịch nghỉ năm 2023 đối với cán bộ, công chức, viên chức', 'tet_nguyen_dan', 'shipped', NULL, 'system'),
    ('2024-02-08', 'day_off', 'Nghỉ Tết Âm lịch Giáp Thìn', 'Thông báo của Bộ Lao động - Thương binh và Xã hội về lịch nghỉ năm 2024 đối với cán bộ, công chức, viên chức', 'tet_nguyen_dan', 'shipped', NULL, 'system'),
    ('2024-02-09', 'day_off', 'Nghỉ Tết Âm lịch Giáp Thìn', 'Thông báo của Bộ Lao động - Thương binh và Xã hội về lịch nghỉ năm 2024 đối với cán bộ, công chức, viên chức', 'tet_nguyen_dan', 'shipped', NULL, 'system'),
    ('2024-02-12', 'day_off', 'Nghỉ Tết Âm lịch Giáp Thìn', 'Thông báo của Bộ Lao động - Thương binh và Xã hội về lịch nghỉ năm 2024 đối với cán bộ, công chức, viên chức', 'tet_nguyen_dan', 'shipped', NULL, 'system'),
    ('2024-02-13', 'day_off', 'Nghỉ Tết Âm lịch Giáp Thìn', 'Thông báo của Bộ Lao động - Thương binh và Xã hội về lịch nghỉ năm 2024 đối với cán bộ, công chức, viên chức', 'tet_nguyen_dan', 'shipped', NULL, 'system'),
    ('2024-02-14', 'day_off', 'Nghỉ Tết Âm lịch Giáp Thìn', 'Thông báo của Bộ Lao động - Thương binh và Xã hội về lịch nghỉ năm 2024 đối với cán bộ, công chức, viên chức', 'tet_nguyen_dan', 'shipped', NULL, 'system'),
    ('2024-04-29', 'day_off', 'Nghỉ hoán đổi dịp 30/4 - 1/5', 'Thông báo của Bộ Lao động - Thương binh và Xã hội về lịch nghỉ năm 2024 đối với cán bộ, công chức, viên chức', NULL, 'shipped', NULL, 'system'),
    ('2024-05-04', 'working_day', 'Làm bù cho ngày 29/4', 'Thông báo của Bộ Lao động - Thương binh và Xã hội về lịch nghỉ năm 2024 đối với cán bộ, công chức, viên chức', NULL, 'shipped', NULL, 'system'),
    ('2024-09-03', 'day_off', 'Nghỉ Quốc khánh (ngày liền kề)', 'Thông báo của Bộ Lao động - Thương binh và Xã hội về lịch nghỉ năm 2024 đối với cán bộ, công chức, viên chức', 'quoc_khanh_adjacent', 'shipped', NULL, 'system'),
    ('2025-01-27', 'day_off', 'Nghỉ Tết Âm lịch Ất Tỵ', 'Thông báo của Bộ Lao động - Thương binh và Xã hội về lịch nghỉ năm 2025 đối với cán bộ, công chức, viên chức', 'tet_nguyen_dan', 'shipped', NULL, 'system'),
    ('2025-01-28', 'day_off', 'Nghỉ Tết Âm lịch Ất Tỵ', 'Thông báo của Bộ Lao động - Thương binh và Xã hội về lịch nghỉ năm 2025 đối với cán bộ, công chức, viên chức', 'tet_nguyen_dan', 'shipped', NULL, 'system'),
    ('2025-01-29', 'day_off', 'Nghỉ Tết Âm lịch Ất Tỵ', 'Thông báo của Bộ Lao động - Thương binh và Xã hội về lịch nghỉ năm 2025 đối với cán bộ, công chức, viên chức', 'tet_nguyen_dan', 'shipped', NULL, 'system'),
    ('2025-01-30', 'day_off', 'Nghỉ Tết Âm lịch Ất Tỵ', 'Thông báo của Bộ Lao động - Thương binh và Xã hội về lịch nghỉ năm 2025 đối với cán bộ, công chức, viên chức', 'tet_nguyen_dan', 'shipped', NULL, 'system'),
    ('2025-01-31', 'day_off', 'Nghỉ Tết Âm lịch Ất Tỵ', 'Thông báo của Bộ Lao động - Thương binh và Xã hội về lịch nghỉ năm 2025 đối với cán bộ, công chức, viên chức', 'tet_nguyen_dan', 'shipped', NULL, 'system'),
    ('2025-05-02', 'day_off', 'Nghỉ hoán đổi dịp 30/4 - 1/5', 'Thông báo của Bộ Lao động - Thương binh và Xã hội về lịch nghỉ năm 2025 đối với cán bộ, công chức, viên chức', NULL, 'shipped', NULL, 'system'),
    ('2025-04-26', 'working_day', 'Làm bù cho ngày 2/5', 'Thông báo của Bộ Lao động - Thương binh và Xã hội về lịch nghỉ năm 2025 đối với cán bộ, công chức, viên chức', NULL, 'shipped', NULL, 'system'),
    ('2026-02-16', 'day_off', 'Nghỉ Tết Âm lịch Bính Ngọ', 'Thông báo 9441/TB-BNV', 'tet_nguyen_dan', 'shipped', NULL, 'system'),
    ('2026-02-17', 'day_off', 'Nghỉ Tết Âm lịch Bính Ngọ', 'Thông báo 9441/TB-BNV', 'tet_nguyen_dan', 'shipped', NULL, 'system'),
    ('2026-02-18', 'day_off', 'Nghỉ Tết Âm lịch Bính Ngọ', 'Thông báo 9441/TB-BNV', 'tet_nguyen_dan', 'shipped', NULL, 'system'),
    ('2026-02-19', 'day_off', 'Nghỉ Tết Âm lịch Bính Ngọ', 'Thông báo 9441/TB-BNV', 'tet_nguyen_dan', 'shipped', NULL, 'system'),
    ('2026-02-20', 'day_off', 'Nghỉ Tết Âm lịch Bính Ngọ', 'Thông báo 9441/TB-BNV', 'tet_nguyen_dan', 'shipped', NULL, 'system');
