//! First start: create the ministry root and the first administrator when the database is
//! empty, so `motcua serve` works with no set-up.

use motcua_domain::Result;
use motcua_domain::unit::NewUnit;
use motcua_domain::user::{NewUser, Role, check_password};
use motcua_store::Store;
use time::OffsetDateTime;

use crate::config::OrganisationConfig;
use crate::password;

/// What start-up created.
#[derive(Debug, Default)]
pub struct Bootstrapped {
    pub root_created: Option<String>,
    /// Username and, when it was generated, the password to print once.
    pub admin_created: Option<(String, Option<String>)>,
}

/// Creates the root unit if there are no units, and the `admin` user if there are no users.
/// The password comes from `admin_password` (MOTCUA_ADMIN_PASSWORD) or is generated.
pub async fn ensure_initial_data(
    store: &Store,
    org: &OrganisationConfig,
    admin_password: Option<String>,
    now: OffsetDateTime,
) -> Result<Bootstrapped> {
    let mut done = Bootstrapped::default();
    if store.unit_count().await? == 0 {
        let root = NewUnit::parse(
            &org.root_code,
            &org.root_name,
            Some(&org.root_short_name),
            0,
            None,
        )?;
        store.create_unit("system", now, &root).await?;
        done.root_created = Some(root.code.to_string());
    }
    if store.user_count().await? == 0 {
        let Some(root) = store.root_unit().await? else {
            return Ok(done);
        };
        let (password, generated) = match admin_password.filter(|p| !p.is_empty()) {
            Some(p) => (p, false),
            None => (generate_password(), true),
        };
        check_password(&password)?;
        let hash = password::hash_async(password.clone()).await?;
        let admin = NewUser::parse(
            "admin",
            "Quản trị hệ thống",
            &root.code,
            &[Role::Admin.as_str().to_string()],
        )?;
        store.create_user("system", now, &admin, &hash).await?;
        done.admin_created = Some(("admin".into(), generated.then_some(password)));
    }
    Ok(done)
}

/// 16 characters from an alphabet without look-alikes (no 0/O, 1/l/I).
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let bytes: [u8; 16] = rand::random();
    bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}
