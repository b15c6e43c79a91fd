//! The time the API decides with. The system clock in production; tests hold a manual one and
//! move it, so time-dependent rules (usage periods rolling over) are tested without sleeping.

use chrono::{DateTime, Duration, Utc};
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
pub struct Clock(Option<Arc<Mutex<DateTime<Utc>>>>);

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Clock(None)
    }

    /// A clock that stands at `at` until moved.
    pub fn manual(at: DateTime<Utc>) -> Self {
        Clock(Some(Arc::new(Mutex::new(at))))
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &self.0 {
            None => Utc::now(),
            Some(t) => t.lock().map_or_else(|e| *e.into_inner(), |t| *t),
        }
    }

    /// Moves a manual clock to `at` (no effect on the system clock).
    pub fn set(&self, at: DateTime<Utc>) {
        if let Some(t) = &self.0 {
            if let Ok(mut g) = t.lock() {
                *g = at;
            }
        }
    }

    pub fn advance(&self, by: Duration) {
        self.set(self.now() + by);
    }
}

/// Configurations are equal whatever their clocks.
impl PartialEq for Clock {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            None => f.write_str("Clock::system"),
            Some(_) => write!(f, "Clock::manual({})", self.now()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_stands_still_until_moved() {
        let t = DateTime::<Utc>::UNIX_EPOCH + Duration::days(3);
        let c = Clock::manual(t);
        let shared = c.clone();
        assert_eq!(c.now(), t);
        shared.advance(Duration::seconds(1));
        assert_eq!(c.now(), t + Duration::seconds(1));
        Clock::system().set(t);
        assert!(Clock::system().now() > t);
    }
}
