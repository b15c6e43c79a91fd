//! Personal data in events, encrypted per data subject (crypto-shredding).
//!
//! The personal fields of an analytics event (the client's visitor id, user id, traits, customer id
//! and email) are sealed with a key of their own for each data subject (a site's visitor) before
//! the event is stored. The log, Kafka and every replay carry only the sealed form; readers that
//! need the fields (projectors, the audit API, replays) open them with the subject's key. Erasing a
//! person destroys the key: the stored events are never rewritten (the hash chain still verifies),
//! yet the fields can no longer be read by anyone. Everything here is pure; keys are stored by the
//! caller.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use keel_events::{DomainEvent, Sealed};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A data subject's key: a public id and a 256-bit secret.
#[derive(Clone, PartialEq, Eq)]
pub struct SubjectKey {
    pub id: String,
    pub secret: [u8; 32],
}

impl std::fmt::Debug for SubjectKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SubjectKey")
            .field("id", &self.id)
            .field("secret", &"<hidden>")
            .finish()
    }
}

impl SubjectKey {
    /// A fresh random key.
    pub fn generate() -> Self {
        let mut rng = rand::rngs::OsRng;
        let mut id = [0u8; 16];
        let mut secret = [0u8; 32];
        rng.fill_bytes(&mut id);
        rng.fill_bytes(&mut secret);
        Self {
            id: hex::encode(id),
            secret,
        }
    }

    /// A key as stored (its secret in hex); `None` if the secret is not 32 bytes of hex.
    pub fn from_stored(id: &str, secret_hex: &str) -> Option<Self> {
        let bytes = hex::decode(secret_hex).ok()?;
        Some(Self {
            id: id.to_string(),
            secret: bytes.try_into().ok()?,
        })
    }

    pub fn secret_hex(&self) -> String {
        hex::encode(self.secret)
    }
}

/// The fields sealed, whichever of them the event has.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Fields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    visitor_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    traits: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    customer_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    email: Option<String>,
}

/// The data subject whose key must seal this event before it is stored: its visitor key, when it
/// carries personal fields not sealed yet. A payment without a visitor has no subject and is
/// stored as sent.
pub fn subject(e: &DomainEvent) -> Option<&str> {
    match e {
        DomainEvent::PageviewRecorded(h)
        | DomainEvent::CustomEventRecorded(h)
        | DomainEvent::GoalCompleted(h) => {
            (h.sealed.is_none() && h.visitor_id.is_some()).then_some(h.visitor.as_str())
        }
        DomainEvent::PaymentRecorded(p) => {
            let personal = p.visitor_id.is_some() || p.customer_id.is_some() || p.email.is_some();
            if p.sealed.is_none() && personal {
                p.visitor.as_deref()
            } else {
                None
            }
        }
        DomainEvent::VisitorIdentified(v) => v.sealed.is_none().then_some(v.visitor.as_str()),
        _ => None,
    }
}

/// The id of the key an event's personal fields are sealed with, if they are sealed and not
/// erased.
pub fn sealed_key(e: &DomainEvent) -> Option<&str> {
    sealed_of(e).filter(|s| !s.erased()).map(|s| s.key.as_str())
}

/// The sealed form an event carries, if any (erased or not).
pub fn sealed_of(e: &DomainEvent) -> Option<&Sealed> {
    match e {
        DomainEvent::PageviewRecorded(h)
        | DomainEvent::CustomEventRecorded(h)
        | DomainEvent::GoalCompleted(h) => h.sealed.as_ref(),
        DomainEvent::PaymentRecorded(p) => p.sealed.as_ref(),
        DomainEvent::VisitorIdentified(v) => v.sealed.as_ref(),
        _ => None,
    }
}

fn cipher(key: &SubjectKey) -> ChaCha20Poly1305 {
    ChaCha20Poly1305::new(&key.secret.into())
}

/// The personal fields of each event type that has any.
fn personal_fields(event_type: &str) -> &'static [&'static str] {
    match event_type {
        "pageview.recorded" | "custom_event.recorded" | "goal.completed" => &["visitor_id"],
        "payment.recorded" => &["visitor_id", "customer_id", "email"],
        "visitor.identified" => &["visitor_id", "user_id", "traits"],
        _ => &[],
    }
}

/// Moves the personal fields of a stored payload (see [`crate::to_stored`]) into `sealed`,
/// encrypted with `key`. The visitor key is bound in as associated data: a sealed blob copied
/// into another visitor's event does not open. This is what the event store does before an
/// insert: no copy of the event, one pass over its payload.
pub fn seal_payload(event_type: &str, payload: &mut Value, key: &SubjectKey) {
    let Value::Object(map) = payload else { return };
    let mut fields = Map::new();
    for f in personal_fields(event_type) {
        if let Some(v) = map.remove(*f) {
            fields.insert((*f).to_string(), v);
        }
    }
    if fields.is_empty() {
        return;
    }
    let subject = map
        .get("visitor")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    // Serialising JSON values cannot fail.
    let plain = serde_json::to_vec(&fields).unwrap_or_default();
    let mut nonce = [0u8; 12];
    // A CSPRNG seeded from the OS, per thread: random nonces without a system call each.
    rand::thread_rng().fill_bytes(&mut nonce);
    let data = cipher(key)
        .encrypt(
            &Nonce::from(nonce),
            Payload {
                msg: &plain,
                aad: subject.as_bytes(),
            },
        )
        .map(|ct| format!("{}.{}", hex::encode(nonce), hex::encode(ct)))
        .unwrap_or_default();
    map.insert(
        "sealed".into(),
        serde_json::json!({ "key": key.id, "data": data }),
    );
}

/// [`seal_payload`] on a typed event.
pub fn seal(e: &mut DomainEvent, key: &SubjectKey) {
    let mut stored = crate::to_stored(e);
    seal_payload(stored.event_type, &mut stored.payload, key);
    if let Ok(sealed) = crate::from_stored(stored.event_type, stored.schema_version, stored.payload)
    {
        *e = sealed;
    }
}

/// Why sealed fields could not be opened although the key exists.
#[derive(Debug, thiserror::Error)]
#[error("sealed personal data of visitor {visitor} does not open with key {key}: {reason}")]
pub struct OpenError {
    pub visitor: String,
    pub key: String,
    pub reason: &'static str,
}

/// Opens the event's sealed fields back into place with `key`, or, when the key is gone (`None`:
/// the person was erased), marks them erased and leaves the fields empty. On an error the fields
/// are left empty and marked erased too, so that no reader ever sees half-opened data.
pub fn open(e: &mut DomainEvent, key: Option<&SubjectKey>) -> Result<(), OpenError> {
    let (subject, slot) = match e {
        DomainEvent::PageviewRecorded(h)
        | DomainEvent::CustomEventRecorded(h)
        | DomainEvent::GoalCompleted(h) => (h.visitor.clone(), &mut h.sealed),
        DomainEvent::PaymentRecorded(p) => (p.visitor.clone().unwrap_or_default(), &mut p.sealed),
        DomainEvent::VisitorIdentified(v) => (v.visitor.clone(), &mut v.sealed),
        _ => return Ok(()),
    };
    let Some(sealed) = slot.as_mut() else {
        return Ok(());
    };
    if sealed.erased() {
        return Ok(());
    }
    let fail = |reason| OpenError {
        visitor: subject.clone(),
        key: sealed.key.clone(),
        reason,
    };
    let opened = match key {
        None => None,
        Some(k) if k.id != sealed.key => return erase_with(sealed, fail("another key")),
        Some(k) => {
            let Some((n, ct)) = sealed.data.split_once('.') else {
                return erase_with(sealed, fail("malformed"));
            };
            let (Ok(n), Ok(ct)) = (hex::decode(n), hex::decode(ct)) else {
                return erase_with(sealed, fail("malformed"));
            };
            let Ok(n) = <[u8; 12]>::try_from(n.as_slice()) else {
                return erase_with(sealed, fail("malformed"));
            };
            let Ok(plain) = cipher(k).decrypt(
                &Nonce::from(n),
                Payload {
                    msg: &ct,
                    aad: subject.as_bytes(),
                },
            ) else {
                return erase_with(sealed, fail("authentication failed"));
            };
            let Ok(fields) = serde_json::from_slice::<Fields>(&plain) else {
                return erase_with(sealed, fail("not the fields"));
            };
            Some(fields)
        }
    };
    let Some(f) = opened else {
        sealed.data.clear();
        return Ok(());
    };
    match e {
        DomainEvent::PageviewRecorded(h)
        | DomainEvent::CustomEventRecorded(h)
        | DomainEvent::GoalCompleted(h) => {
            h.visitor_id = f.visitor_id;
            h.sealed = None;
        }
        DomainEvent::PaymentRecorded(p) => {
            p.visitor_id = f.visitor_id;
            p.customer_id = f.customer_id;
            p.email = f.email;
            p.sealed = None;
        }
        DomainEvent::VisitorIdentified(v) => {
            v.visitor_id = f.visitor_id.unwrap_or_default();
            v.user_id = f.user_id.unwrap_or_default();
            v.traits = f.traits.unwrap_or_default();
            v.sealed = None;
        }
        _ => {}
    }
    Ok(())
}

fn erase_with(sealed: &mut Sealed, e: OpenError) -> Result<(), OpenError> {
    sealed.data.clear();
    Err(e)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use keel_events::{Hit, PaymentRecorded, SiteId, VisitorIdentified, WorkspaceId};

    fn identified() -> DomainEvent {
        let mut traits = Map::new();
        traits.insert("plan".into(), Value::String("pro".into()));
        DomainEvent::VisitorIdentified(VisitorIdentified {
            site_id: SiteId::new_v7(),
            workspace_id: WorkspaceId::new_v7(),
            visitor: "vk1".into(),
            visitor_id: "v1".into(),
            user_id: "alice@example.com".into(),
            traits,
            sealed: None,
        })
    }

    fn payment() -> DomainEvent {
        DomainEvent::PaymentRecorded(PaymentRecorded {
            site_id: SiteId::new_v7(),
            workspace_id: WorkspaceId::new_v7(),
            transaction_id: "t1".into(),
            amount: 100,
            currency: "EUR".into(),
            visitor: Some("vk1".into()),
            visitor_id: Some("v1".into()),
            customer_id: Some("cus_1".into()),
            email: Some("alice@example.com".into()),
            renewal: false,
            refunded: false,
            is_free_trial: false,
            sealed: None,
        })
    }

    fn text(e: &DomainEvent) -> String {
        crate::to_stored(e).payload.to_string()
    }

    #[test]
    fn sealed_events_hold_no_personal_field_and_open_back_exactly() {
        let key = SubjectKey::generate();
        for original in [identified(), payment()] {
            assert_eq!(subject(&original), Some("vk1"));
            let mut e = original.clone();
            seal(&mut e, &key);
            let stored = text(&e);
            for personal in ["v1", "alice", "cus_1", "pro"] {
                assert!(!stored.contains(personal), "{personal} in {stored}");
            }
            assert_eq!(subject(&e), None, "sealed once");
            assert_eq!(sealed_key(&e), Some(key.id.as_str()));
            // Through the stored form and back.
            let mut back =
                crate::from_stored(e.event_type(), 1, crate::to_stored(&e).payload).unwrap();
            open(&mut back, Some(&key)).unwrap();
            assert_eq!(back, original);
        }
    }

    #[test]
    fn without_the_key_the_fields_are_erased_and_say_so() {
        let key = SubjectKey::generate();
        let mut e = payment();
        seal(&mut e, &key);
        open(&mut e, None).unwrap();
        let DomainEvent::PaymentRecorded(p) = &e else {
            unreachable!()
        };
        assert_eq!(
            (&p.visitor_id, &p.customer_id, &p.email),
            (&None, &None, &None)
        );
        assert!(p.sealed.as_ref().unwrap().erased());
        assert_eq!(p.amount, 100, "the rest of the event stays");
        assert_eq!(sealed_key(&e), None);
    }

    #[test]
    fn a_wrong_key_or_a_blob_moved_to_another_visitor_does_not_open() {
        let key = SubjectKey::generate();
        let mut e = identified();
        seal(&mut e, &key);
        let mut other = SubjectKey::generate();
        other.id = key.id.clone();
        let mut wrong = e.clone();
        assert!(open(&mut wrong, Some(&other)).is_err());
        assert!(sealed_of(&wrong).unwrap().erased(), "nothing half-opened");
        let mut moved = e.clone();
        if let DomainEvent::VisitorIdentified(v) = &mut moved {
            v.visitor = "vk2".into();
        }
        assert!(open(&mut moved, Some(&key)).is_err());
    }

    #[test]
    fn events_without_personal_fields_are_left_alone() {
        let hit = Hit {
            site_id: SiteId::new_v7(),
            workspace_id: WorkspaceId::new_v7(),
            visitor: "anonymous".into(),
            visitor_id: None,
            session_id: None,
            name: None,
            url: None,
            path: Some("/".into()),
            referrer: None,
            source: None,
            utm_source: None,
            utm_medium: None,
            utm_campaign: None,
            utm_content: None,
            utm_term: None,
            hostname: None,
            country: None,
            device: None,
            browser: None,
            browser_version: None,
            os: None,
            os_version: None,
            screen: None,
            region: None,
            city: None,
            properties: Map::new(),
            client_event_id: None,
            sealed: None,
        };
        let e = DomainEvent::PageviewRecorded(hit);
        assert_eq!(subject(&e), None);
        let mut opened = e.clone();
        open(&mut opened, None).unwrap();
        assert_eq!(opened, e);
    }

    #[test]
    fn keys_round_trip_through_storage_and_hide_their_secret() {
        let k = SubjectKey::generate();
        assert_eq!(
            SubjectKey::from_stored(&k.id, &k.secret_hex()),
            Some(k.clone())
        );
        assert_eq!(SubjectKey::from_stored(&k.id, "abcd"), None);
        assert!(!format!("{k:?}").contains(&k.secret_hex()));
    }
}
