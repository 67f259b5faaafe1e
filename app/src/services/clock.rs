//! The one clock: Unix seconds. The running shop reads the system clock (`SystemClock`, handed to
//! the services in `Shop::clock`); a test that needs to control time gives the shop a
//! `FixedClock` instead. Code without a shop (jobs, the store adapters, the server binary) calls
//! `now()`, the same system clock.
use std::sync::atomic::{AtomicI64, Ordering};

pub trait Clock: Send + Sync + 'static {
    /// Seconds since the Unix epoch.
    fn now(&self) -> i64;
}

/// The operating system's clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
    }
}

/// The system clock, for code that holds no `Shop`.
pub fn now() -> i64 {
    SystemClock.now()
}

/// A clock that stands still until a test moves it.
#[derive(Debug, Default)]
pub struct FixedClock(AtomicI64);

impl FixedClock {
    pub fn at(unix: i64) -> FixedClock {
        FixedClock(AtomicI64::new(unix))
    }
    pub fn set(&self, unix: i64) {
        self.0.store(unix, Ordering::SeqCst);
    }
    pub fn advance(&self, secs: i64) {
        self.0.fetch_add(secs, Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_clock_moves_only_when_told() {
        let c = FixedClock::at(1_000);
        assert_eq!(c.now(), 1_000);
        c.advance(60);
        assert_eq!(c.now(), 1_060);
        c.set(5);
        assert_eq!(c.now(), 5);
        assert!(now() > 1_700_000_000);
    }
}
