//! Where a request's new ids and secrets come from.
//!
//! Without an `Idempotency-Key`, from the operating system. Under one, from a seed kept (sealed)
//! with the key's claim: a second run of the same request draws the same workspace, key and event
//! ids and the same secrets, in the same order. That is what lets a retry of a write whose commit
//! went through but whose answer was lost (the database or the connection died in between) be
//! recognised: [`keel_commands::execute`] finds the events it would append already in the stream
//! and returns them, and the handler rebuilds the answer the client never received, secrets
//! included, instead of running the command a second time.

use actix_web::{HttpMessage, HttpRequest};
use hmac::{Hmac, Mac};
use keel_events::EventId;
use rand::RngCore;
use sha2::Sha256;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

#[derive(Clone)]
pub struct Entropy(Arc<Mutex<Source>>);

enum Source {
    Os,
    Seeded {
        seed: [u8; 32],
        /// The time of the request's first run: the timestamp of the UUIDv7 ids it draws.
        unix_ms: u64,
        drawn: u64,
    },
}

impl Entropy {
    /// The request's source: the one the idempotency layer set, or the operating system's.
    pub fn of(req: &HttpRequest) -> Entropy {
        req.extensions()
            .get::<Entropy>()
            .cloned()
            .unwrap_or_else(Entropy::os)
    }

    pub fn os() -> Entropy {
        Entropy(Arc::new(Mutex::new(Source::Os)))
    }

    pub fn seeded(seed: [u8; 32], unix_ms: u64) -> Entropy {
        Entropy(Arc::new(Mutex::new(Source::Seeded {
            seed,
            unix_ms,
            drawn: 0,
        })))
    }

    pub fn is_seeded(&self) -> bool {
        matches!(*self.lock(), Source::Seeded { .. })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Source> {
        // A panic while drawing cannot leave the counter half-updated: recover the guard.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The next block of the seeded stream (HMAC-SHA256 of a counter), or `None` for the OS.
    fn block(&self) -> Option<([u8; 32], u64)> {
        let mut g = self.lock();
        let Source::Seeded {
            seed,
            unix_ms,
            drawn,
        } = &mut *g
        else {
            return None;
        };
        #[allow(clippy::expect_used)]
        let mut mac = Hmac::<Sha256>::new_from_slice(seed).expect("HMAC takes a key of any length");
        mac.update(b"keel/entropy/v1\0");
        mac.update(&drawn.to_be_bytes());
        *drawn += 1;
        Some((mac.finalize().into_bytes().into(), *unix_ms))
    }

    /// Fills `out` with random bytes.
    pub fn fill(&self, out: &mut [u8]) {
        if matches!(*self.lock(), Source::Os) {
            rand::rngs::OsRng.fill_bytes(out);
            return;
        }
        for chunk in out.chunks_mut(32) {
            if let Some((b, _)) = self.block() {
                chunk.copy_from_slice(&b[..chunk.len()]);
            }
        }
    }

    /// A new UUIDv7: the current time from the OS, the first run's time when seeded.
    pub fn uuid_v7(&self) -> Uuid {
        match self.block() {
            None => Uuid::now_v7(),
            Some((b, ms)) => {
                let mut r = [0u8; 10];
                r.copy_from_slice(&b[..10]);
                uuid::Builder::from_unix_timestamp_millis(ms, &r).into_uuid()
            }
        }
    }

    /// The event ids of one command, for [`keel_commands::execute`]: a source of its own, so
    /// however many ids the command draws (it draws one more to look for a previous run's
    /// events) the request's later draws are unchanged.
    pub fn event_ids(&self) -> impl FnMut() -> EventId + Send + 'static {
        let own = match self.block() {
            None => Entropy::os(),
            Some((seed, ms)) => Entropy::seeded(seed, ms),
        };
        move || EventId(own.uuid_v7())
    }

    /// A random-number generator drawing from this source.
    pub fn rng(&self) -> EntropyRng {
        EntropyRng(self.clone())
    }

    /// A random id above 0 that fits a signed 64-bit column (a stored secret's id): a retry
    /// under the same `Idempotency-Key` draws the same one.
    pub fn positive_id(&self) -> i64 {
        let mut b = [0u8; 8];
        self.rng().fill_bytes(&mut b);
        ((u64::from_le_bytes(b) >> 1) as i64).max(1)
    }
}

pub struct EntropyRng(Entropy);

impl RngCore for EntropyRng {
    fn next_u32(&mut self) -> u32 {
        let mut b = [0u8; 4];
        self.0.fill(&mut b);
        u32::from_le_bytes(b)
    }
    fn next_u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        self.0.fill(&mut b);
        u64::from_le_bytes(b)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.0.fill(dest);
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand::Error> {
        self.0.fill(dest);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn a_seed_draws_the_same_sequence_every_time() {
        let draw = |e: &Entropy| {
            let id = e.uuid_v7();
            let mut ev = e.event_ids();
            let events = (ev(), ev(), ev());
            let secret: String = (0..20)
                .map(|_| char::from(b'a' + e.rng().gen_range(0..26u8)))
                .collect();
            (id, events, secret, e.uuid_v7())
        };
        let a = draw(&Entropy::seeded([7; 32], 1_700_000_000_000));
        let b = draw(&Entropy::seeded([7; 32], 1_700_000_000_000));
        assert_eq!(a, b);
        let c = draw(&Entropy::seeded([8; 32], 1_700_000_000_000));
        assert_ne!(a.0, c.0);
        assert_ne!(a.2, c.2);
        assert_eq!(a.0.get_version_num(), 7);
        assert_eq!(
            a.0.get_timestamp().map(|t| t.to_unix().0),
            Some(1_700_000_000)
        );
        assert_ne!(a.0, a.3, "each draw is new");
    }

    #[test]
    fn the_event_ids_of_a_command_do_not_shift_later_draws() {
        let a = Entropy::seeded([1; 32], 0);
        let mut ids = a.event_ids();
        let _ = (ids(), ids());
        let b = Entropy::seeded([1; 32], 0);
        let mut ids = b.event_ids();
        let _ = (ids(), ids(), ids(), ids());
        assert_eq!(a.uuid_v7(), b.uuid_v7());
    }

    #[test]
    fn without_a_seed_every_draw_is_fresh() {
        let e = Entropy::os();
        assert!(!e.is_seeded());
        assert_ne!(e.uuid_v7(), e.uuid_v7());
        let mut ids = e.event_ids();
        assert_ne!(ids(), ids());
    }
}
