//! Password hashing with Argon2id. Parameters: 19 MiB of memory, 2 passes, 1 lane — the
//! OWASP minimum for Argon2id, which keeps one sign-in near 20–40 ms on a modest server core
//! (measured in BENCHMARKS.md) while making offline guessing expensive.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use motcua_domain::{Error, Result};

pub const MEMORY_KIB: u32 = 19 * 1024;
pub const PASSES: u32 = 2;
pub const LANES: u32 = 1;

fn hasher() -> Result<Argon2<'static>> {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None).map_err(|_| Error::internal())?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) with a random salt.
pub fn hash(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    hasher()?
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| Error::internal())
}

/// Whether `password` matches the stored hash. Hashes made with other parameters still verify
/// (the parameters travel in the PHC string).
pub fn verify(password: &str, stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

/// Hashes on the blocking pool so a sign-in never stalls the async workers.
pub async fn hash_async(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || hash(&password))
        .await
        .map_err(|_| Error::internal())?
}

pub async fn verify_async(password: String, stored: String) -> bool {
    tokio::task::spawn_blocking(move || verify(&password, &stored))
        .await
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_carry_parameters() {
        let h = hash("mật khẩu đủ dài").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("mật khẩu đủ dài", &h));
        assert!(!verify("mật khẩu sai", &h));
        assert!(!verify("x", "not a hash"));
        assert_ne!(h, hash("mật khẩu đủ dài").unwrap(), "salted");
    }
}
