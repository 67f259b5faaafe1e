//! Carrier webhooks: the signature scheme and the event payload.
//!
//! Signature (Stripe's scheme, so carriers and tools already know it): the carrier sends
//!
//! ```text
//! X-Carrier-Signature: t=1767225600,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd
//! ```
//!
//! where `v1` is the lower-case hex HMAC-SHA256, keyed with the carrier's secret from
//! configuration, of the bytes `"{t}.{raw body}"`. Signing the timestamp with the body means a
//! captured request cannot be replayed later with a fresh `t`; refusing a `t` more than
//! [`TOLERANCE_SECS`] away from our clock bounds how long a captured request stays usable, and
//! the carrier's event id (idempotency) covers replays inside that window. Several `v1` entries
//! may be sent while a secret is being rotated; one match is enough. The HMAC is compared in
//! constant time, and the body size is checked before any hashing.
//!
//! The body is JSON ([`CarrierEventPayload`]); times are unix seconds.
use super::carriers::{Carrier, TrackingNumber, TrackingNumberError};
use super::shipment::TrackingKind;
use super::tracking::{TrackingError, TrackingEvent, clean_description, clean_location};
use serde::{Deserialize, Serialize};

pub const SIGNATURE_HEADER: &str = "X-Carrier-Signature";
/// How far the signed timestamp may be from our clock, either way.
pub const TOLERANCE_SECS: i64 = 300;
/// One event is a few hundred bytes; anything near this is not a tracking event.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
pub const MAX_EVENT_ID_CHARS: usize = 100;
/// 2000-01-01T00:00:00Z: earlier `occurred_at` values are milliseconds-vs-seconds mistakes or junk.
const EARLIEST_EVENT: i64 = 946_684_800;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("No webhook secret is configured for this carrier.")]
    NotConfigured,
    #[error("The request body is {0} bytes; the limit is {MAX_BODY_BYTES} bytes.")]
    BodyTooLarge(usize),
    #[error("The request has no {SIGNATURE_HEADER} header.")]
    MissingSignature,
    #[error("The {SIGNATURE_HEADER} header must look like t=<unix seconds>,v1=<64 hex digits>.")]
    MalformedSignature,
    #[error("The signature does not match the request body.")]
    BadSignature,
    #[error("The signature timestamp is {0} seconds old; requests older than {TOLERANCE_SECS} seconds are refused.")]
    StaleTimestamp(i64),
    #[error("The signature timestamp is {0} seconds in the future; check the sender's clock.")]
    FutureTimestamp(i64),
}

impl WebhookError {
    /// Too large → 413; anything about the signature → 401 (and nothing is recorded).
    pub fn status(&self) -> u16 {
        match self {
            WebhookError::BodyTooLarge(_) => 413,
            _ => 401,
        }
    }
}

/// The JSON a carrier posts for one event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarrierEventPayload {
    pub event_id: String,
    pub tracking_number: String,
    /// One of the [`TrackingKind`] names; a string so an unknown kind gets a clear message
    /// rather than a generic parse error.
    pub kind: String,
    /// Unix seconds.
    pub occurred_at: i64,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// A payload that passed validation, ready to match to a shipment and record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarrierEvent {
    pub tracking_number: TrackingNumber,
    pub event: TrackingEvent,
}

/// For the carrier's developers, so each message names the JSON field. Answered with 422.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    #[error("event_id must be 1 to {MAX_EVENT_ID_CHARS} visible ASCII characters.")]
    EventId,
    #[error("tracking_number: {0}")]
    TrackingNumber(TrackingNumberError),
    #[error(
        "kind must be one of label_created, picked_up, in_transit, out_for_delivery, delivered or exception (got {0:?})."
    )]
    Kind(String),
    #[error("occurred_at must be unix seconds after 2000-01-01 (got {0}).")]
    TooEarly(i64),
    #[error("occurred_at is {0} seconds in the future; send events once they have happened.")]
    InTheFuture(i64),
    #[error("{0}")]
    Text(TrackingError),
}

impl CarrierEventPayload {
    /// Checks every field for `carrier`; `now` bounds `occurred_at` (with the same clock slack
    /// as signatures).
    pub fn validate(&self, carrier: Carrier, now: i64) -> Result<CarrierEvent, PayloadError> {
        let id = self.event_id.as_str();
        if id.is_empty() || id.len() > MAX_EVENT_ID_CHARS || !id.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(PayloadError::EventId);
        }
        let tracking_number =
            carrier.validate_tracking_number(&self.tracking_number).map_err(PayloadError::TrackingNumber)?;
        let kind = TrackingKind::parse(&self.kind).ok_or_else(|| PayloadError::Kind(self.kind.clone()))?;
        if self.occurred_at < EARLIEST_EVENT {
            return Err(PayloadError::TooEarly(self.occurred_at));
        }
        if self.occurred_at > now.saturating_add(TOLERANCE_SECS) {
            return Err(PayloadError::InTheFuture(self.occurred_at - now));
        }
        let location = clean_location(self.location.as_deref()).map_err(PayloadError::Text)?;
        let description = clean_description(self.description.as_deref(), kind).map_err(PayloadError::Text)?;
        Ok(CarrierEvent {
            tracking_number,
            event: TrackingEvent { id: id.to_string(), kind, at: self.occurred_at, location, description },
        })
    }
}

#[cfg(feature = "ssr")]
mod signature {
    use super::*;
    use hmac::{Hmac, Mac};
    use sha2::Sha256;

    type HmacSha256 = Hmac<Sha256>;

    fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC accepts keys of any length");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }

    /// The header value for `body` sent at `timestamp` (for the carrier simulator and tests).
    pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
        let digest = mac(secret, timestamp, body).finalize().into_bytes();
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        format!("t={timestamp},v1={hex}")
    }

    /// Checks a request against the carrier's secret; on success, the signed timestamp.
    pub fn verify(secret: &[u8], header: Option<&str>, body: &[u8], now: i64) -> Result<i64, WebhookError> {
        if secret.is_empty() {
            return Err(WebhookError::NotConfigured);
        }
        if body.len() > MAX_BODY_BYTES {
            return Err(WebhookError::BodyTooLarge(body.len()));
        }
        let header = header.map(str::trim).filter(|h| !h.is_empty()).ok_or(WebhookError::MissingSignature)?;
        let (timestamp, candidates) = parse_header(header)?;
        let expected = mac(secret, timestamp, body);
        // Every candidate is checked, so the time taken does not reveal which one matched.
        let matched = candidates.iter().fold(false, |ok, c| expected.clone().verify_slice(c).is_ok() | ok);
        if !matched {
            return Err(WebhookError::BadSignature);
        }
        if now - timestamp > TOLERANCE_SECS {
            return Err(WebhookError::StaleTimestamp(now - timestamp));
        }
        if timestamp - now > TOLERANCE_SECS {
            return Err(WebhookError::FutureTimestamp(timestamp - now));
        }
        Ok(timestamp)
    }

    /// `t=…,v1=…[,v1=…]`; other keys (future schemes) are ignored.
    fn parse_header(header: &str) -> Result<(i64, Vec<[u8; 32]>), WebhookError> {
        let mut timestamp = None;
        let mut candidates = Vec::new();
        for item in header.split(',') {
            let (key, value) = item.trim().split_once('=').ok_or(WebhookError::MalformedSignature)?;
            match key.trim() {
                "t" if timestamp.is_none() => {
                    let digits = value.trim();
                    if digits.is_empty() || digits.len() > 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                        return Err(WebhookError::MalformedSignature);
                    }
                    timestamp = Some(digits.parse().map_err(|_| WebhookError::MalformedSignature)?);
                }
                "t" => return Err(WebhookError::MalformedSignature),
                "v1" => candidates.push(decode_hex(value.trim()).ok_or(WebhookError::MalformedSignature)?),
                _ => {}
            }
        }
        match timestamp {
            Some(t) if !candidates.is_empty() && candidates.len() <= 8 => Ok((t, candidates)),
            _ => Err(WebhookError::MalformedSignature),
        }
    }

    fn decode_hex(s: &str) -> Option<[u8; 32]> {
        let bytes = s.as_bytes();
        if bytes.len() != 64 {
            return None;
        }
        let nibble = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
        let mut out = [0u8; 32];
        for (i, pair) in bytes.chunks(2).enumerate() {
            out[i] = nibble(pair[0])? << 4 | nibble(pair[1])?;
        }
        Some(out)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        const SECRET: &[u8] = b"whsec_ups_test_0123456789";
        const NOW: i64 = 1_767_225_600;
        const BODY: &[u8] = br#"{"event_id":"evt_1","tracking_number":"1Z999AA10123456784","kind":"in_transit","occurred_at":1767225500}"#;

        #[test]
        fn a_good_signature_is_accepted() {
            let header = sign(SECRET, NOW, BODY);
            assert!(header.starts_with("t=1767225600,v1=") && header.len() == "t=1767225600,v1=".len() + 64);
            assert_eq!(verify(SECRET, Some(&header), BODY, NOW), Ok(NOW));
            // Within the tolerance either way, spaces around the parts, unknown keys and a
            // second (rotated) secret's signature are all fine.
            assert!(verify(SECRET, Some(&header), BODY, NOW + TOLERANCE_SECS).is_ok());
            assert!(verify(SECRET, Some(&header), BODY, NOW - TOLERANCE_SECS).is_ok());
            let v1 = &header["t=1767225600,".len()..];
            let old = sign(b"old secret", NOW, BODY);
            let rotated = format!(" t=1767225600 , v0=abc, {}, {v1} ", &old["t=1767225600,".len()..]);
            assert_eq!(verify(SECRET, Some(&rotated), BODY, NOW), Ok(NOW));
            assert_eq!(
                verify(SECRET, Some(&header.to_uppercase().replace("T=", "t=").replace("V1=", "v1=")), BODY, NOW),
                Ok(NOW)
            );
        }

        #[test]
        fn a_known_vector_pins_the_scheme() {
            // python3: hmac.new(b"key", b"1.{}", hashlib.sha256).hexdigest()
            assert_eq!(
                sign(b"key", 1, b"{}"),
                format!("t=1,v1={}", "1ba6b8171186efc613e8bcc0cbdab2748f24984d7c5a84faa2637afa0e40d224")
            );
        }

        #[test]
        fn tampering_wrong_secrets_and_missing_headers_are_refused() {
            let header = sign(SECRET, NOW, BODY);
            let mut tampered = BODY.to_vec();
            tampered[20] ^= 1;
            assert_eq!(verify(SECRET, Some(&header), &tampered, NOW), Err(WebhookError::BadSignature));
            assert_eq!(verify(b"another secret", Some(&header), BODY, NOW), Err(WebhookError::BadSignature));
            // A fresh timestamp on an old signature: the timestamp is signed too.
            let moved = header.replace("t=1767225600", "t=1767225601");
            assert_eq!(verify(SECRET, Some(&moved), BODY, NOW), Err(WebhookError::BadSignature));
            assert_eq!(verify(SECRET, None, BODY, NOW), Err(WebhookError::MissingSignature));
            assert_eq!(verify(SECRET, Some("  "), BODY, NOW), Err(WebhookError::MissingSignature));
            assert_eq!(verify(b"", Some(&header), BODY, NOW), Err(WebhookError::NotConfigured));
            for bad in [
                "v1=abc",
                "t=1767225600",
                "t=1767225600,v1=zz",
                "t=abc,v1=00",
                "t=-5,v1=00",
                "t=1,t=2,v1=00",
                "sha256=deadbeef",
                "garbage",
            ] {
                assert_eq!(verify(SECRET, Some(bad), BODY, NOW), Err(WebhookError::MalformedSignature), "{bad}");
            }
            let short = &header[..header.len() - 2];
            assert_eq!(verify(SECRET, Some(short), BODY, NOW), Err(WebhookError::MalformedSignature));
            assert_eq!(WebhookError::BadSignature.status(), 401);
        }

        #[test]
        fn old_and_future_timestamps_are_refused_even_when_signed() {
            let old = sign(SECRET, NOW - TOLERANCE_SECS - 1, BODY);
            let err = verify(SECRET, Some(&old), BODY, NOW).unwrap_err();
            assert_eq!(err, WebhookError::StaleTimestamp(301));
            assert_eq!(
                err.to_string(),
                "The signature timestamp is 301 seconds old; requests older than 300 seconds are refused."
            );
            let future = sign(SECRET, NOW + 3_600, BODY);
            assert_eq!(verify(SECRET, Some(&future), BODY, NOW), Err(WebhookError::FutureTimestamp(3_600)));
        }

        #[test]
        fn oversized_bodies_are_refused_before_hashing() {
            let big = vec![b' '; MAX_BODY_BYTES + 1];
            let header = sign(SECRET, NOW, &big);
            let err = verify(SECRET, Some(&header), &big, NOW).unwrap_err();
            assert_eq!((err.status(), err), (413, WebhookError::BodyTooLarge(MAX_BODY_BYTES + 1)));
            let max = vec![b' '; MAX_BODY_BYTES];
            assert!(verify(SECRET, Some(&sign(SECRET, NOW, &max)), &max, NOW).is_ok());
        }
    }
}

#[cfg(feature = "ssr")]
pub use signature::{sign, verify};

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_767_225_600;

    fn payload() -> CarrierEventPayload {
        CarrierEventPayload {
            event_id: "evt_01HQ7".into(),
            tracking_number: "1z 999 aa1 01 2345 6784".into(),
            kind: "out_for_delivery".into(),
            occurred_at: NOW - 60,
            location: Some(" Louisville,  KY ".into()),
            description: None,
        }
    }

    #[test]
    fn a_good_payload_becomes_a_tracking_event() {
        let e = payload().validate(Carrier::Ups, NOW).unwrap();
        assert_eq!(e.tracking_number.as_str(), "1Z999AA10123456784");
        assert_eq!(
            e.event,
            TrackingEvent {
                id: "evt_01HQ7".into(),
                kind: TrackingKind::OutForDelivery,
                at: NOW - 60,
                location: Some("Louisville, KY".into()),
                description: "Out for delivery".into(),
            }
        );
    }

    #[test]
    fn bad_payloads_say_which_field_is_wrong() {
        type Edit = fn(&mut CarrierEventPayload);
        let cases: &[(Edit, &str)] = &[
            (|p| p.event_id = String::new(), "event_id must be 1 to 100 visible ASCII characters."),
            (|p| p.event_id = "evt 1".into(), "event_id must be 1 to 100 visible ASCII characters."),
            (|p| p.event_id = "e".repeat(101), "event_id must be 1 to 100 visible ASCII characters."),
            (
                |p| p.tracking_number = "123".into(),
                "tracking_number: A UPS tracking number looks like 1Z followed by 16 letters and digits (e.g. 1Z999AA10123456784).",
            ),
            (|p| p.tracking_number = " ".into(), "tracking_number: Enter the tracking number."),
            (
                |p| p.kind = "lost".into(),
                "kind must be one of label_created, picked_up, in_transit, out_for_delivery, delivered or exception (got \"lost\").",
            ),
            (
                |p| p.occurred_at = 1_767_225_600_000,
                "occurred_at is 1765458374400 seconds in the future; send events once they have happened.",
            ),
            (|p| p.occurred_at = 12, "occurred_at must be unix seconds after 2000-01-01 (got 12)."),
            (
                |p| p.location = Some("x".repeat(81)),
                "A tracking location is a city or region of at most 80 characters (it has 81).",
            ),
        ];
        for (edit, message) in cases {
            let mut p = payload();
            edit(&mut p);
            assert_eq!(p.validate(Carrier::Ups, NOW).unwrap_err().to_string(), *message);
        }
        let mut soon = payload();
        soon.occurred_at = NOW + TOLERANCE_SECS;
        assert!(soon.validate(Carrier::Ups, NOW).is_ok(), "clock slack is allowed");
    }

    #[test]
    fn the_json_shape_is_stable() {
        // leptos re-exports serde_json; the app crate has no direct dependency on it.
        use leptos::serde_json;
        let json = r#"{"event_id":"e1","tracking_number":"EA123456789CN","kind":"delivered","occurred_at":1767225500}"#;
        let p: CarrierEventPayload = serde_json::from_str(json).unwrap();
        assert_eq!((p.location.as_deref(), p.description.as_deref()), (None, None));
        let e = p.validate(Carrier::ChinaPost, NOW).unwrap();
        assert_eq!((e.event.kind, e.event.description.as_str()), (TrackingKind::Delivered, "Delivered"));
        assert!(serde_json::from_str::<CarrierEventPayload>(r#"{"event_id":"e1"}"#).is_err());
        assert!(
            serde_json::from_str::<CarrierEventPayload>(
                r#"{"event_id":"e1","tracking_number":"x","kind":"delivered","occurred_at":"2026-01-01"}"#
            )
            .is_err()
        );
    }
}

/// Carrier webhooks are posted by anyone who finds the URL: the signature header and every
/// payload field are outside input.
#[cfg(test)]
mod proptests {
    use super::*;
    use crate::domain::shipment::TrackingKind;
    use crate::domain::test_input::{config, wild};
    use proptest::prelude::*;

    const NOW: i64 = 1_767_225_600;

    fn any_payload() -> impl Strategy<Value = CarrierEventPayload> {
        (wild(), wild(), wild(), any::<i64>(), prop::option::of(wild()), prop::option::of(wild())).prop_map(
            |(event_id, tracking_number, kind, occurred_at, location, description)| CarrierEventPayload {
                event_id,
                tracking_number,
                kind,
                occurred_at,
                location,
                description,
            },
        )
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn any_payload_is_checked_without_panicking(p in any_payload(), i in 0usize..10) {
            let carrier = Carrier::ALL[i];
            if let Ok(e) = p.validate(carrier, NOW) {
                prop_assert!(e.tracking_number.as_str().is_ascii());
                prop_assert_eq!(carrier.validate_tracking_number(e.tracking_number.as_str()), Ok(e.tracking_number.clone()));
                prop_assert!(e.event.id.bytes().all(|b| b.is_ascii_graphic()));
                prop_assert!(e.event.at <= NOW + TOLERANCE_SECS);
            }
        }

        #[test]
        fn a_good_payload_is_accepted_and_a_bad_field_named(
            id in "[A-Za-z0-9_.:-]{1,100}",
            nine in "[0-9]{9}",
            kind in prop::sample::select(TrackingKind::ALL.to_vec()),
            ago in 0i64..86_400 * 365,
            location in "[A-Za-z ,]{0,60}",
        ) {
            let good = CarrierEventPayload {
                event_id: id.clone(),
                tracking_number: format!("ea{nine}cn"),
                kind: kind.as_str().to_string(),
                occurred_at: NOW - ago,
                location: Some(location),
                description: None,
            };
            let e = good.validate(Carrier::ChinaPost, NOW).unwrap();
            prop_assert_eq!(e.tracking_number.as_str(), format!("EA{nine}CN"));
            prop_assert_eq!(e.event.kind, kind);
            prop_assert_eq!(e.event.id, id);
            let bad_id = CarrierEventPayload { event_id: "é".repeat(3), ..good.clone() };
            prop_assert_eq!(bad_id.validate(Carrier::ChinaPost, NOW).unwrap_err(), PayloadError::EventId);
            let bad_kind = CarrierEventPayload { kind: format!("{}!", kind.as_str()), ..good.clone() };
            prop_assert!(matches!(bad_kind.validate(Carrier::ChinaPost, NOW), Err(PayloadError::Kind(_))));
            let future = CarrierEventPayload { occurred_at: NOW + TOLERANCE_SECS + 1 + ago, ..good };
            prop_assert!(matches!(future.validate(Carrier::ChinaPost, NOW), Err(PayloadError::InTheFuture(_))));
        }
    }

    #[cfg(feature = "ssr")]
    proptest! {
        #![proptest_config(config())]

        #[test]
        fn any_signature_header_is_checked_without_panicking(header in wild(), body in wild(), t in any::<i64>()) {
            let _ = verify(b"secret", Some(&header), body.as_bytes(), NOW);
            let _ = verify(b"secret", Some(&format!("t={t},v1={header}")), body.as_bytes(), NOW);
            let _ = verify(b"secret", Some(&format!("t={header},v1={}", "0".repeat(64))), body.as_bytes(), NOW);
        }

        #[test]
        fn a_signed_body_verifies_and_a_changed_one_does_not(body in wild(), skew in -TOLERANCE_SECS..=TOLERANCE_SECS) {
            prop_assume!(body.len() <= MAX_BODY_BYTES);
            let header = sign(b"secret", NOW + skew, body.as_bytes());
            prop_assert_eq!(verify(b"secret", Some(&header), body.as_bytes(), NOW), Ok(NOW + skew));
            let changed = format!("{body}x");
            prop_assert_eq!(verify(b"secret", Some(&header), changed.as_bytes(), NOW), Err(WebhookError::BadSignature));
        }
    }
}
