//! Idempotency for retried writes (checkout, refunds): the client sends a key with each request;
//! the server stores the key with a fingerprint of the request and its first outcome. A repeat
//! with the same key and the same fingerprint gets that outcome again; the same key with a
//! different fingerprint is refused, since replaying would answer a question nobody asked.
//!
//! The fingerprint is FNV-1a 64 over a canonical encoding of the payload, implemented here to stay
//! dependency-free and identical on server and wasm. It detects accidental reuse of a key, not
//! forgery (the key is the shopper's own, and the payload is authorised separately).
use super::order::crockford_encode;
use serde::{Deserialize, Serialize};
use std::fmt;

pub const MIN_KEY_LEN: usize = 8;
pub const MAX_KEY_LEN: usize = 128;

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// 8–128 characters of `A–Z a–z 0–9 _ -`: enough for a UUID or our own keys, and safe to log
    /// and to store in an indexed column.
    pub fn parse(raw: &str) -> Result<IdempotencyKey, String> {
        let key = raw.trim();
        if key.is_empty() {
            return Err("The request has no idempotency key; reload the page and try again.".into());
        }
        if !(MIN_KEY_LEN..=MAX_KEY_LEN).contains(&key.len()) {
            return Err(format!("An idempotency key has {MIN_KEY_LEN} to {MAX_KEY_LEN} characters."));
        }
        if !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
            return Err("An idempotency key may contain only letters, digits, '_' and '-'.".into());
        }
        Ok(IdempotencyKey(key.to_string()))
    }

    /// A fresh key for a form, from 16 random bytes the server supplies (26 chars, 128 bits).
    pub fn from_random(random: [u8; 16]) -> IdempotencyKey {
        let mut padded = [0u8; 17];
        padded[..16].copy_from_slice(&random);
        IdempotencyKey(crockford_encode(&padded, 26))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a, 64-bit.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    fnv1a64_extend(FNV_OFFSET, bytes)
}

fn fnv1a64_extend(mut hash: u64, bytes: &[u8]) -> u64 {
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(FNV_PRIME);
    }
    hash
}

/// A stable hash of a request's payload; stored as 16 hex digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Fingerprint(pub u64);

impl Fingerprint {
    /// The payload as (field, value) pairs. The encoding is canonical: pairs are sorted, so field
    /// order does not matter (the payload is a set of fields, e.g. cart lines in any order), and
    /// every string is length-prefixed, so `("ab", "c")` and `("a", "bc")` differ.
    pub fn of(fields: &[(&str, &str)]) -> Fingerprint {
        let mut sorted: Vec<&(&str, &str)> = fields.iter().collect();
        sorted.sort();
        let hash = sorted.iter().fold(FNV_OFFSET, |h, (name, value)| {
            let h = fnv1a64_extend(h, &(name.len() as u64).to_le_bytes());
            let h = fnv1a64_extend(h, name.as_bytes());
            let h = fnv1a64_extend(h, &(value.len() as u64).to_le_bytes());
            fnv1a64_extend(h, value.as_bytes())
        });
        Fingerprint(hash)
    }

    pub fn to_hex(self) -> String {
        format!("{:016x}", self.0)
    }

    pub fn from_hex(s: &str) -> Option<Fingerprint> {
        (s.len() == 16).then(|| u64::from_str_radix(s, 16).ok()).flatten().map(Fingerprint)
    }
}

/// What a retried write claims in storage, in the write's own transaction: its key within a
/// scope (one per kind of request) and the fingerprint of what it asked for (`Fingerprint::to_hex`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyClaim {
    pub scope: String,
    pub key: String,
    pub fingerprint: String,
}

/// What to do with a request, given what is stored under its key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Replay {
    /// Never seen: do the work and store the outcome.
    New,
    /// Seen with the same payload: return the stored outcome, do nothing else.
    Repeat,
    /// Seen with a different payload: refuse.
    Conflict,
}

pub const CONFLICT_MESSAGE: &str =
    "This form was already submitted with different details. Reload the page to start a new checkout.";

pub fn check(stored: Option<Fingerprint>, incoming: Fingerprint) -> Replay {
    match stored {
        None => Replay::New,
        Some(f) if f == incoming => Replay::Repeat,
        Some(_) => Replay::Conflict,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a64_matches_the_reference_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn keys_are_bounded_and_plain() {
        assert_eq!(IdempotencyKey::parse(" abcd-EF_12 ").unwrap().as_str(), "abcd-EF_12");
        assert!(IdempotencyKey::parse("550e8400-e29b-41d4-a716-446655440000").is_ok());
        assert!(IdempotencyKey::parse("").unwrap_err().contains("reload"));
        assert!(IdempotencyKey::parse("short12").unwrap_err().contains("8 to 128"));
        assert!(IdempotencyKey::parse(&"k".repeat(128)).is_ok());
        assert!(IdempotencyKey::parse(&"k".repeat(129)).is_err());
        for bad in ["abcd efgh", "abcd/efgh", "abcd.efgh", "abcdéfgh", "abcd\nefgh", "abcd'; --"] {
            assert!(IdempotencyKey::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn generated_keys_are_valid_and_use_all_the_randomness() {
        let a = IdempotencyKey::from_random([7; 16]);
        assert_eq!(a.as_str().len(), 26);
        assert_eq!(IdempotencyKey::parse(a.as_str()).unwrap(), a);
        let mut last = [7; 16];
        last[15] = 8;
        assert_ne!(IdempotencyKey::from_random(last), a, "the last byte counts");
    }

    #[test]
    fn fingerprints_are_canonical_and_unambiguous() {
        let a = Fingerprint::of(&[("email", "a@b.co"), ("variant:7", "2"), ("variant:9", "1")]);
        let b = Fingerprint::of(&[("variant:9", "1"), ("email", "a@b.co"), ("variant:7", "2")]);
        assert_eq!(a, b, "field order does not matter");
        assert_ne!(a, Fingerprint::of(&[("email", "a@b.co"), ("variant:7", "3"), ("variant:9", "1")]));
        assert_ne!(Fingerprint::of(&[("ab", "c")]), Fingerprint::of(&[("a", "bc")]));
        assert_ne!(Fingerprint::of(&[("a", "b"), ("c", "")]), Fingerprint::of(&[("a", "b")]));
        assert_eq!(Fingerprint::from_hex(&a.to_hex()), Some(a));
        assert_eq!(Fingerprint::from_hex("xyz"), None);
        assert_eq!(Fingerprint(1).to_hex(), "0000000000000001");
    }

    #[test]
    fn same_key_different_payload_is_a_conflict() {
        let f = Fingerprint::of(&[("total", "1000")]);
        let g = Fingerprint::of(&[("total", "2000")]);
        assert_eq!(check(None, f), Replay::New);
        assert_eq!(check(Some(f), f), Replay::Repeat);
        assert_eq!(check(Some(f), g), Replay::Conflict);
    }
}

/// Idempotency keys arrive in forms and headers.
#[cfg(test)]
mod proptests {
    use super::*;
    use crate::domain::test_input::{config, wild};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn any_key_is_checked_without_panicking(raw in wild()) {
            if let Ok(key) = IdempotencyKey::parse(&raw) {
                prop_assert!((MIN_KEY_LEN..=MAX_KEY_LEN).contains(&key.as_str().len()));
                prop_assert_eq!(key.as_str(), raw.trim());
                prop_assert_eq!(IdempotencyKey::parse(key.as_str()), Ok(key.clone()));
            }
        }

        #[test]
        fn valid_keys_read_back_and_others_are_refused(
            key in "[A-Za-z0-9_-]{8,128}",
            odd in any::<char>().prop_filter("not a key character", |c| {
                !c.is_ascii_alphanumeric() && *c != '_' && *c != '-' && !c.is_whitespace()
            }),
            at in 0usize..128,
        ) {
            prop_assert_eq!(IdempotencyKey::parse(&format!("  {key}\n")).map(|k| k.to_string()), Ok(key.clone()));
            let mut bad: Vec<char> = key.chars().collect();
            bad.insert(at.min(bad.len()), odd);
            prop_assert!(IdempotencyKey::parse(&bad.into_iter().collect::<String>()).is_err());
            prop_assert!(IdempotencyKey::parse(&key[..7]).is_err(), "too short");
        }

        #[test]
        fn fresh_keys_parse_and_fingerprints_read_back(random in any::<[u8; 16]>(), fields in wild(), hex in wild()) {
            let key = IdempotencyKey::from_random(random);
            prop_assert_eq!(IdempotencyKey::parse(key.as_str()), Ok(key.clone()));
            let f = Fingerprint::of(&[("a", fields.as_str())]);
            prop_assert_eq!(Fingerprint::from_hex(&f.to_hex()), Some(f));
            let _ = Fingerprint::from_hex(&hex);
        }
    }
}
