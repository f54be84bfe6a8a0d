//! Passwords as BetterAuth stores them (`crypto/password.ts`):
//! `hex(salt16) + ":" + hex(scrypt(NFKC(password), saltHexString, N=16384, r=16, p=1, 64))`.
//! The salt fed to scrypt is the hex *string*, not its bytes.
//!
//! One hash costs ~32 MiB and tens of milliseconds of CPU, so hashing runs on
//! the blocking pool behind a semaphore sized to the cores: sign-ins queue
//! among themselves instead of stalling the async workers or exhausting memory.

use std::sync::Arc;

use subtle::ConstantTimeEq;
use tokio::sync::Semaphore;
use unicode_normalization::UnicodeNormalization;

use crate::error::AppError;

/// Shortest password accepted at sign-up, change and reset.
pub const MIN_LENGTH: usize = 8;
/// Longest password accepted at sign-up, change and reset.
pub const MAX_LENGTH: usize = 128;

const LOG_N: u8 = 14;
const R: u32 = 16;
const P: u32 = 1;
const KEY_LEN: usize = 64;

/// A well-formed hash of a password nobody has: verifying against it costs
/// exactly as much as a real check, so an unknown email takes as long as a
/// wrong password.
const DUMMY_HASH: &str = "0123456789abcdef0123456789abcdef:84ae14feb3a1fd613fc0dabc073e62c497eeae37c7227171e564b719640cd4f22948a17206feb8ce5970b22330653636d51d03eec523bc5fbe2ddc7ee27660a1";

fn derive(password: &str, salt_hex: &str) -> [u8; KEY_LEN] {
    let normalized: String = password.nfkc().collect();
    let params = scrypt::Params::new(LOG_N, R, P).expect("BetterAuth's scrypt parameters are valid");
    let mut key = [0u8; KEY_LEN];
    scrypt::scrypt(normalized.as_bytes(), salt_hex.as_bytes(), &params, &mut key)
        .expect("a 64-byte output is a valid scrypt length");
    key
}

/// Hashes a password (blocking: call from the blocking pool).
pub fn hash_blocking(password: &str) -> String {
    let salt = hex::encode(rand::random::<[u8; 16]>());
    let key = derive(password, &salt);
    format!("{salt}:{}", hex::encode(key))
}

/// Checks a password against a stored hash in constant time (blocking).
/// A malformed stored hash is a mismatch, after the same amount of work.
pub fn verify_blocking(password: &str, stored: &str) -> bool {
    let (salt, expected) = match stored.split_once(':').map(|(s, k)| (s, hex::decode(k))) {
        Some((salt, Ok(key))) if key.len() == KEY_LEN => (salt, key),
        _ => {
            let _ = derive(password, "00000000000000000000000000000000");
            return false;
        }
    };
    derive(password, salt).ct_eq(expected.as_slice()).into()
}

/// Runs hashes on the blocking pool, at most one per core at a time.
#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
}

impl Default for PasswordHasher {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        Self { permits: Arc::new(Semaphore::new(cores)) }
    }
}

impl PasswordHasher {
    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
        // The permit moves into the blocking job: a cancelled request must not
        // free its slot while its hash is still running.
        let permit = self.permits.clone().acquire_owned().await.map_err(|e| AppError::Internal(e.into()))?;
        tokio::task::spawn_blocking(move || {
            let out = work();
            drop(permit);
            out
        })
        .await
        .map_err(|e| AppError::Internal(e.into()))
    }

    /// Hashes a password.
    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        self.run(move || hash_blocking(&password)).await
    }

    /// Verifies a password; `stored: None` (unknown user, no credential) still
    /// spends one full hash and answers false.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, AppError> {
        self.run(move || {
            let matched = verify_blocking(&password, stored.as_deref().unwrap_or(DUMMY_HASH));
            matched && stored.is_some()
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_a_vector_from_node_scrypt() {
        // Node: crypto.scryptSync("pässwörd ﬁ".normalize("NFKC"), salt, 64, {N:16384, r:16, p:1}).
        assert!(verify_blocking("pässwörd ﬁ", DUMMY_HASH));
        assert!(verify_blocking("pässwörd fi", DUMMY_HASH), "NFKC folds the ligature");
        assert!(!verify_blocking("password", DUMMY_HASH));
    }

    #[test]
    fn hashes_verify_and_salts_differ() {
        let a = hash_blocking("correct horse");
        let b = hash_blocking("correct horse");
        assert_ne!(a, b);
        assert_eq!(a.len(), 32 + 1 + 128);
        assert!(verify_blocking("correct horse", &a));
        assert!(!verify_blocking("correct horsE", &a));
        assert!(!verify_blocking("correct horse", "garbage"));
    }
}
