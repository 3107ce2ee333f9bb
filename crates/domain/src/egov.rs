//! Unit e-government facts (issue 5): dated per-unit facts and coverage by unit level.
