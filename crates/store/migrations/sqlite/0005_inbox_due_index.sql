-- Inbox by role across a wide scope: open dossiers nobody holds, per waiting role, in due
-- order. The inbox queries the person's own dossiers (`dossiers_inbox_assignee`) and the
-- unassigned ones waiting for their roles apart (`UNION ALL`); for a ministry-wide or
-- province-wide scope this index walks the second half in due order instead of sorting every
-- open dossier of every acting unit (`dossiers_inbox_role` serves one acting unit).
CREATE INDEX dossiers_inbox_due ON dossiers(waiting_role, legal_due_at, code)
    WHERE waiting_role IS NOT NULL AND assignee IS NULL;
