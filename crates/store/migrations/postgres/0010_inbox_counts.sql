-- Issue 4, inbox at a million open dossiers: the counters (running, overdue, due today, due
-- within two working days) count open unassigned dossiers per acting unit, role and status
-- in due order. With the status in the key the counts read only this index: no dossier rows,
-- no sort (`dossiers_inbox_role` lacks the status and sent every counter to the table).
CREATE INDEX dossiers_inbox_count ON dossiers(acting_unit_id, waiting_role, status, legal_due_at)
    WHERE waiting_role IS NOT NULL AND assignee IS NULL;
