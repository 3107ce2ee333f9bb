-- Intake is idempotent per officer: a form posted twice (or an API call retried with the same
-- Idempotency-Key) finds the dossier the first post registered instead of registering another.
-- The stored key is "<username>:<key>", so one person's keys never match another's.
ALTER TABLE dossiers ADD COLUMN intake_key TEXT;
CREATE UNIQUE INDEX dossiers_intake_key ON dossiers(intake_key) WHERE intake_key IS NOT NULL;
