//! The one source of randomness on the server: the operating system's generator. Order numbers,
//! idempotency keys, session and cart tokens all come from here.
use argon2::password_hash::rand_core::{OsRng, RngCore};

/// Random bytes from the operating system.
pub fn bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    OsRng.fill_bytes(&mut bytes);
    bytes
}

/// A fresh idempotency key for the forms of a page that is being rendered: a resubmitted form
/// is then applied once.
pub fn action_key() -> String {
    crate::domain::idempotency::IdempotencyKey::from_random(bytes::<16>()).as_str().to_string()
}
