//! Parsed procedure versions, kept per [`crate::Store`].
//!
//! A stored version `(code, version)` never changes once committed: editing a procedure adds
//! the next version and only moves the `latest` flag (procedures_sql.rs). So a parsed copy can
//! stand in for reading and parsing the version's JSON document again, which every workflow
//! action and every dossier answer otherwise does.
//!
//! Only versions read **outside** a write transaction (so committed) are added; writes only
//! look up. A version saved in a transaction that is later rolled back (or whose group commit
//! fails) can therefore never be served from here.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use motcua_domain::procedure::Procedure;

/// More versions than any catalogue holds; past it the cache starts again (a bound, not an
/// eviction policy).
const MAX_VERSIONS: usize = 4096;

#[derive(Default)]
pub(crate) struct ProcedureCache {
    inner: RwLock<Inner>,
}

#[derive(Default)]
struct Inner {
    by_code: HashMap<String, HashMap<i64, Arc<Procedure>>>,
    len: usize,
}

impl ProcedureCache {
    pub(crate) fn get(&self, code: &str, version: i64) -> Option<Arc<Procedure>> {
        let inner = self.inner.read().ok()?;
        inner.by_code.get(code)?.get(&version).cloned()
    }

    /// Adds a committed version (read outside any write transaction).
    pub(crate) fn put(&self, procedure: &Arc<Procedure>) {
        let Ok(mut inner) = self.inner.write() else {
            return;
        };
        if inner.len >= MAX_VERSIONS {
            *inner = Inner::default();
        }
        let fresh = inner
            .by_code
            .entry(procedure.code.clone())
            .or_default()
            .insert(procedure.version, procedure.clone())
            .is_none();
        if fresh {
            inner.len += 1;
        }
    }
}
