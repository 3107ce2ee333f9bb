-- Attachments of dossiers (issue 4 item 2). The bytes live under the data directory, named by
-- their SHA-256 (`<data_dir>/blobs/ab/cd/<sha256>`, written durably before this row); one blob
-- serves every row with the same content. Instants are INTEGER microseconds since the Unix
-- epoch (UTC).

CREATE TABLE dossier_attachments (
    id           INTEGER PRIMARY KEY,
    dossier_id   INTEGER NOT NULL REFERENCES dossiers(id),
    -- lower-case hex SHA-256 of the content; names the blob file
    sha256       TEXT    NOT NULL,
    size         INTEGER NOT NULL,
    -- sniffed from the content, never the client's Content-Type
    media_type   TEXT    NOT NULL,
    -- sanitised (motcua_domain::attachment::sanitize_name)
    file_name    TEXT    NOT NULL,
    -- key of the checklist item the file belongs to, if any
    document_key TEXT,
    uploaded_at  INTEGER NOT NULL,
    uploaded_by  TEXT    NOT NULL,
    UNIQUE (dossier_id, sha256)
);

CREATE INDEX dossier_attachments_sha256 ON dossier_attachments (sha256);
