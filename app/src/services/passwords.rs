//! Argon2id password hashing with OWASP's recommended parameters (19 MiB, 2 passes, 1 lane).
//! Hashing is deliberately slow (tens of milliseconds), so it runs on tokio's blocking pool and a
//! burst of logins cannot stall the async workers serving other requests. Every hash a request
//! causes first passes the [`HashGate`], so a flood of sign-ins cannot claim 19 MiB each without
//! limit.
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The memory one hash holds (Argon2's m = 19 MiB).
pub const HASH_MEMORY_BYTES: u64 = 19 * 1024 * 1024;
/// Bounds on the gate's size when it is sized from memory.
pub const MIN_CONCURRENT_HASHES: usize = 2;
pub const MAX_CONCURRENT_HASHES: usize = 64;
/// How long a request waits for a free slot before it is answered 429.
pub const GATE_WAIT: Duration = Duration::from_secs(1);
/// The Retry-After sent when the gate stayed full.
pub const GATE_RETRY_SECS: u64 = 2;

/// At most `size` password hashes at once; requests wait up to `wait` for a slot.
#[derive(Debug)]
pub struct HashGate {
    permits: Arc<Semaphore>,
    size: usize,
    wait: Duration,
}

impl HashGate {
    pub fn new(size: usize, wait: Duration) -> HashGate {
        HashGate { permits: Arc::new(Semaphore::new(size)), size, wait }
    }

    /// Sized from the memory available now (see [`permits_for_memory`]).
    pub fn from_memory() -> HashGate {
        HashGate::new(permits_for_memory(available_memory()), GATE_WAIT)
    }

    pub fn size(&self) -> usize {
        self.size
    }

    /// A slot, held until the permit is dropped; `None` when every slot stayed busy for `wait`.
    pub async fn enter(&self) -> Option<OwnedSemaphorePermit> {
        if let Some(permit) = self.try_enter() {
            return Some(permit);
        }
        tokio::time::timeout(self.wait, self.permits.clone().acquire_owned()).await.ok()?.ok()
    }

    pub fn try_enter(&self) -> Option<OwnedSemaphorePermit> {
        self.permits.clone().try_acquire_owned().ok()
    }
}

/// A quarter of the available memory at 19 MiB a hash, within [MIN, MAX]; the minimum when
/// the amount is unknown.
pub fn permits_for_memory(available_bytes: Option<u64>) -> usize {
    let Some(bytes) = available_bytes else {
        return MIN_CONCURRENT_HASHES;
    };
    let fits = (bytes / 4 / HASH_MEMORY_BYTES).min(MAX_CONCURRENT_HASHES as u64) as usize;
    fits.clamp(MIN_CONCURRENT_HASHES, MAX_CONCURRENT_HASHES)
}

/// MemAvailable from /proc/meminfo, lowered to what the cgroup (container) limit leaves, if any.
pub fn available_memory() -> Option<u64> {
    let host = std::fs::read_to_string("/proc/meminfo").ok().and_then(|t| mem_available(&t));
    let read = |p: &str| std::fs::read_to_string(p).ok().and_then(|t| t.trim().parse::<u64>().ok());
    let cgroup = read("/sys/fs/cgroup/memory.max")
        .map(|limit| limit.saturating_sub(read("/sys/fs/cgroup/memory.current").unwrap_or(0)));
    match (host, cgroup) {
        (Some(h), Some(c)) => Some(h.min(c)),
        (h, c) => h.or(c),
    }
}

/// `MemAvailable:   21973380 kB` → bytes.
pub fn mem_available(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash_blocking(password: &str) -> Result<String, String> {
    let salt = SaltString::encode_b64(&super::random::bytes::<16>()).map_err(|e| e.to_string())?;
    argon2().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
}

pub fn verify_blocking(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).map(|parsed| argon2().verify_password(password.as_bytes(), &parsed).is_ok()).unwrap_or(false)
}

pub async fn hash(password: String) -> Result<String, String> {
    tokio::task::spawn_blocking(move || hash_blocking(&password)).await.map_err(|e| e.to_string())?
}

/// Verifies against `phc`, or, when there is no such account, against a fixed dummy hash, so
/// that "no such email" takes as long as "wrong password" and timing reveals nothing.
pub async fn verify(password: String, phc: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || match phc {
        Some(phc) => verify_blocking(&password, &phc),
        None => {
            let _ = verify_blocking(&password, dummy_hash());
            false
        }
    })
    .await
    .unwrap_or(false)
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_blocking("not a real password, only for timing").unwrap_or_default())
}

/// A 256-bit random session token, hex-encoded for the cookie.
pub fn new_token() -> String {
    hex(&super::random::bytes::<32>())
}

/// What the database stores for a token: its SHA-256, so stolen rows are not live cookies.
pub fn token_hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_salted_and_verify() {
        let a = hash_blocking("correct horse battery").unwrap();
        let b = hash_blocking("correct horse battery").unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert_ne!(a, b, "salted");
        assert!(verify_blocking("correct horse battery", &a));
        assert!(!verify_blocking("wrong horse battery", &a));
        assert!(!verify_blocking("anything", "not a phc string"));
    }

    #[test]
    fn tokens_are_256_bit_and_hashed_for_storage() {
        let t = new_token();
        assert_eq!(t.len(), 64);
        assert_ne!(t, new_token());
        assert_eq!(token_hash(&t).len(), 64);
        assert_ne!(token_hash(&t), t);
        assert_eq!(token_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn the_gate_is_sized_from_memory_within_bounds() {
        assert_eq!(mem_available("MemTotal: 100 kB\nMemAvailable:   2048 kB\n"), Some(2 * 1024 * 1024));
        assert_eq!(mem_available("MemTotal: 100 kB\n"), None);
        assert_eq!(mem_available("MemAvailable: lots kB"), None);
        assert_eq!(permits_for_memory(None), MIN_CONCURRENT_HASHES);
        assert_eq!(permits_for_memory(Some(0)), MIN_CONCURRENT_HASHES);
        assert_eq!(permits_for_memory(Some(8 * 4 * HASH_MEMORY_BYTES)), 8);
        assert_eq!(permits_for_memory(Some(u64::MAX)), MAX_CONCURRENT_HASHES);
    }

    #[test]
    fn a_full_gate_refuses_after_waiting() {
        let rt = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
        rt.block_on(async {
            let gate = HashGate::new(1, Duration::from_millis(20));
            let held = gate.enter().await.expect("a free slot");
            assert!(gate.try_enter().is_none());
            assert!(gate.enter().await.is_none(), "still full after the wait");
            drop(held);
            assert!(gate.enter().await.is_some());
        });
    }
}
