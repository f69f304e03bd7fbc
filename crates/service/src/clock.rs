//! The clock the server reads: wall-clock [`Millis`] behind a trait, so
//! that expiry, retention and rate windows can be tested by moving a
//! [`ManualClock`] forward instead of sleeping.
//!
//! Sessions expire by wall clock (not a monotonic clock) because several
//! instances sharing one database must agree on the time.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use accueil_engine::notices::Millis;

/// Where the current time comes from.
pub trait Clock: Send + Sync + std::fmt::Debug + 'static {
    /// Milliseconds since the Unix epoch.
    fn now(&self) -> Millis;
}

/// The system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Millis {
        crate::store::now_millis()
    }
}

/// A clock that stands still until told to move: for tests.
#[derive(Debug)]
pub struct ManualClock {
    now: AtomicU64,
}

impl ManualClock {
    /// A clock showing `start`.
    pub fn at(start: Millis) -> ManualClock {
        ManualClock {
            now: AtomicU64::new(start),
        }
    }

    /// A clock showing the system's time now, then standing still.
    pub fn starting_now() -> ManualClock {
        ManualClock::at(crate::store::now_millis())
    }

    /// Move the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let by = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        // fetch_update cannot fail with a closure that always returns Some.
        let _ = self
            .now
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |t| {
                Some(t.saturating_add(by))
            });
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Millis {
        self.now.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told() {
        let c = ManualClock::at(1_000);
        assert_eq!(c.now(), 1_000);
        assert_eq!(c.now(), 1_000);
        c.advance(Duration::from_millis(250));
        assert_eq!(c.now(), 1_250);
        c.advance(Duration::MAX);
        assert_eq!(c.now(), u64::MAX, "saturates instead of wrapping");
    }

    #[test]
    fn the_system_clock_is_after_2025() {
        assert!(SystemClock.now() > 1_735_689_600_000);
    }
}
