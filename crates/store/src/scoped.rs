//! The scoped view of the store that request handlers receive. Every read is filtered to the
//! caller's unit subtree and every write checks that its target lies inside it; there is no
//! way to ask this type for data outside the scope. Out-of-scope objects look absent (404).

use serde::Deserialize;
use time::OffsetDateTime;

use motcua_domain::audit::AuditEntry;
use motcua_domain::import::ImportRow;
use motcua_domain::procedure::{Procedure, StepUnit};
use motcua_domain::scope::Scope;
use motcua_domain::unit::{NewUnit, Unit, UnitChange};
use motcua_domain::user::{NewUser, User};
use motcua_domain::{Error, Result};

use crate::backend::{Page, ProcedureFilter, ProcedureSummary, Store, StoredException, UnitFilter};

/// Filters for the audit log.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AuditFilter {
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub actor: Option<String>,
    /// Microseconds since the epoch, inclusive.
    #[serde(skip)]
    pub from_us: Option<i64>,
    /// Microseconds since the epoch, exclusive.
    #[serde(skip)]
    pub to_us: Option<i64>,
    /// Keyset cursor: entries older than this sequence number.
    #[serde(skip)]
    pub before_seq: Option<i64>,
}

pub const MAX_PAGE: i64 = 500;

/// A store that only answers within one scope.
#[derive(Clone)]
pub struct ScopedStore {
    store: Store,
    scope: Scope,
}

fn unit_not_found() -> Error {
    Error::not_found("unit_not_found", "Không tìm thấy đơn vị.")
}

fn clamp(limit: i64) -> i64 {
    limit.clamp(1, MAX_PAGE)
}

impl ScopedStore {
    pub(crate) fn new(store: Store, scope: Scope) -> Self {
        ScopedStore { store, scope }
    }

    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// The unscoped store, for scoped operations defined in other modules (dossiers).
    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    /// A unit inside the scope, or `unit_not_found`.
    pub async fn unit(&self, code: &str) -> Result<Unit> {
        match self.store.unit_by_code(code).await? {
            Some(u) if self.scope.contains(&u.path) => Ok(u),
            _ => Err(unit_not_found()),
        }
    }

    pub async fn list_units(&self, filter: &UnitFilter, limit: i64) -> Result<Page<Unit>> {
        let limit = clamp(limit);
        let mut items = self
            .store
            .list_units_in(self.scope.path_bounds(), filter, limit + 1)
            .await?;
        let next = if items.len() as i64 > limit {
            items.truncate(limit as usize);
            items.last().map(|u| u.code.clone())
        } else {
            None
        };
        Ok(Page { items, next })
    }

    pub async fn children(&self, code: &str) -> Result<Vec<Unit>> {
        let parent = self.unit(code).await?;
        self.store.children_of(parent.id).await
    }

    /// The top units of the scope (the root, or the person's own unit).
    pub async fn top_units(&self) -> Result<Vec<Unit>> {
        match &self.scope {
            Scope::All => Ok(self.store.root_unit().await?.into_iter().collect()),
            Scope::Subtree(path) => Ok(self
                .store
                .subtree_in(motcua_domain::unit::subtree_range(path), 1)
                .await?),
        }
    }

    /// Number of units in a unit's subtree, the unit included.
    pub async fn subtree_count(&self, code: &str) -> Result<i64> {
        let top = self.unit(code).await?;
        self.store.subtree_count(&top.path).await
    }

    /// A subtree in depth-first order, at most `limit` units.
    pub async fn subtree(&self, code: &str, limit: i64) -> Result<Vec<Unit>> {
        let top = self.unit(code).await?;
        self.store
            .subtree_in(motcua_domain::unit::subtree_range(&top.path), limit)
            .await
    }

    pub async fn create_unit(
        &self,
        actor: &str,
        now: OffsetDateTime,
        new: &NewUnit,
    ) -> Result<Unit> {
        match &new.parent {
            Some(parent) => {
                self.unit(parent.as_str()).await.map_err(|_| {
                    Error::invalid(
                        "unit_parent_missing",
                        format!("Không tìm thấy đơn vị cấp trên {parent}."),
                    )
                })?;
            }
            // Only someone who sees everything may create the root.
            None if self.scope != Scope::All => return Err(Error::forbidden()),
            None => {}
        }
        self.store.create_unit(actor, now, new).await
    }

    pub async fn change_unit(
        &self,
        actor: &str,
        now: OffsetDateTime,
        code: &str,
        version: i64,
        change: &UnitChange,
    ) -> Result<Unit> {
        self.unit(code).await?;
        if let Some(parent) = &change.parent {
            self.unit(parent.as_str()).await.map_err(|_| {
                Error::invalid(
                    "unit_parent_missing",
                    format!("Không tìm thấy đơn vị cấp trên {parent}."),
                )
            })?;
        }
        // The store re-reads both units inside the write transaction, so a concurrent change
        // shows up as a version conflict, not a lost update.
        self.store
            .change_unit(actor, now, code, version, change)
            .await
    }

    /// Imports a file; only ministry-wide staff may, since rows may attach anywhere.
    pub async fn import_units(
        &self,
        actor: &str,
        now: OffsetDateTime,
        rows: &[ImportRow],
    ) -> Result<usize> {
        if self.scope != Scope::All {
            return Err(Error::forbidden());
        }
        self.store.import_units(actor, now, rows).await
    }

    pub async fn list_users(
        &self,
        after: Option<&str>,
        unit_code: Option<&str>,
        limit: i64,
    ) -> Result<Page<User>> {
        let limit = clamp(limit);
        let mut items = self
            .store
            .list_users_in(self.scope.path_bounds(), after, unit_code, limit + 1)
            .await?;
        let next = if items.len() as i64 > limit {
            items.truncate(limit as usize);
            items.last().map(|u| u.username.clone())
        } else {
            None
        };
        Ok(Page { items, next })
    }

    pub async fn user(&self, username: &str) -> Result<User> {
        match self.store.credentials(username).await? {
            Some(c) if self.scope.contains(&c.user.unit_path) => Ok(c.user),
            _ => Err(Error::not_found(
                "user_not_found",
                "Không tìm thấy người dùng.",
            )),
        }
    }

    pub async fn create_user(
        &self,
        actor: &str,
        now: OffsetDateTime,
        new: &NewUser,
        password_hash: &str,
    ) -> Result<User> {
        self.unit(&new.unit_code).await.map_err(|_| {
            Error::invalid(
                "unit_not_found",
                format!("Không tìm thấy đơn vị {}.", new.unit_code),
            )
        })?;
        self.store.create_user(actor, now, new, password_hash).await
    }

    /// One line per procedure (latest versions), in code order. The catalogue is public
    /// information, so every signed-in person reads all of it whatever their scope
    /// (docs/domain-decisions.md).
    pub async fn procedures(
        &self,
        filter: &ProcedureFilter,
        limit: i64,
    ) -> Result<Page<ProcedureSummary>> {
        let limit = clamp(limit);
        let mut items = self.store.list_procedures(filter, limit + 1).await?;
        let next = if items.len() as i64 > limit {
            items.truncate(limit as usize);
            items.last().map(|p| p.code.clone())
        } else {
            None
        };
        Ok(Page { items, next })
    }

    /// The latest version of a procedure (or `version`), or 404 `procedure_not_found`.
    /// Readable by everyone, like [`ScopedStore::procedures`].
    pub async fn procedure(&self, code: &str, version: Option<i64>) -> Result<Procedure> {
        let found = match version {
            None => self.store.procedure(code).await?,
            Some(v) => self.store.procedure_version(code, v).await?,
        };
        // Like units, the answer does not echo the code asked for.
        found.ok_or_else(|| {
            Error::not_found(
                "procedure_not_found",
                match version {
                    None => "Không tìm thấy thủ tục.",
                    Some(_) => "Không tìm thấy phiên bản này của thủ tục.",
                },
            )
        })
    }

    /// Saves a procedure as its next version. The implementing unit and the units of the
    /// workflow's steps must lie inside the scope (422 `unit_not_found` otherwise, as for
    /// units one cannot see); the caller checks the role.
    pub async fn save_procedure(
        &self,
        actor: &str,
        now: OffsetDateTime,
        procedure: &Procedure,
    ) -> Result<Procedure> {
        self.check_procedure_units(procedure).await?;
        self.store.save_procedure(actor, now, procedure).await
    }

    async fn check_procedure_units(&self, procedure: &Procedure) -> Result<()> {
        let mut units = vec![(
            "implementing_unit".to_string(),
            procedure.implementing_unit.as_str(),
        )];
        for (i, step) in procedure.workflow.steps.iter().enumerate() {
            if let StepUnit::Unit(code) = &step.unit {
                units.push((format!("workflow.steps[{i}].unit"), code.as_str()));
            }
        }
        for (field, code) in units {
            if self.unit(code).await.is_err() {
                return Err(Error::invalid(
                    "unit_not_found",
                    format!("Không tìm thấy đơn vị {code}."),
                )
                .with_details(serde_json::json!({ "field": field, "unit": code })));
            }
        }
        Ok(())
    }

    /// The announced calendar exceptions; the calendar is ministry-wide, so everyone reads
    /// the same list.
    pub async fn calendar_exceptions(&self, year: Option<i32>) -> Result<Vec<StoredException>> {
        self.store.calendar_exceptions(year).await
    }

    /// Announces an exception. The calendar binds every unit, so only ministry-wide staff
    /// may change it (the caller checks the role).
    pub async fn add_calendar_exception(
        &self,
        actor: &str,
        now: OffsetDateTime,
        exception: &motcua_calendar::Exception,
    ) -> Result<StoredException> {
        if self.scope != Scope::All {
            return Err(Error::forbidden());
        }
        self.store
            .add_calendar_exception(actor, now, exception)
            .await
    }

    /// Removes the exception of a date; ministry-wide staff only, as for adding.
    pub async fn remove_calendar_exception(
        &self,
        actor: &str,
        now: OffsetDateTime,
        date: time::Date,
    ) -> Result<StoredException> {
        if self.scope != Scope::All {
            return Err(Error::forbidden());
        }
        self.store.remove_calendar_exception(actor, now, date).await
    }

    /// Newest first; entries that belong to no unit are visible only to ministry-wide scope.
    pub async fn audit(&self, filter: &AuditFilter, limit: i64) -> Result<Page<AuditEntry>> {
        let limit = clamp(limit);
        let bounds = match &self.scope {
            Scope::All => None,
            Scope::Subtree(_) => Some(self.scope.path_bounds()),
        };
        let mut items = self.store.audit_page_in(bounds, filter, limit + 1).await?;
        let next = if items.len() as i64 > limit {
            items.truncate(limit as usize);
            items.last().map(|e| e.seq.to_string())
        } else {
            None
        };
        Ok(Page { items, next })
    }
}
