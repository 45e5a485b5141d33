//! Retry policy: which failures are tried again, how long to wait, and when to stop.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

/// The retry extension of the OpenAPI document (`x-speakeasy-retries`), as generated.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct SpecRetry {
    /// The first wait.
    pub initial_interval_ms: u64,
    /// The longest wait.
    pub max_interval_ms: u64,
    /// How much each wait grows.
    pub exponent: f64,
    /// The document's total bound; the default policy keeps a shorter one
    /// ([`DEFAULT_MAX_ELAPSED`]).
    pub max_elapsed_ms: u64,
    /// Whether connection errors are retried.
    pub retry_connection_errors: bool,
    /// The statuses retried (`"5XX"`, `"429"`).
    pub status_codes: &'static [&'static str],
}

/// The total time the default policy keeps trying: one minute.
///
/// The spec's own bound is an hour. A blocking tool or script that hangs for an hour
/// behind an outage is worse than one that reports the outage; a minute covers brief
/// overloads and deployments (about ten attempts with the spec's backoff) and still
/// returns while a person is watching. Raise it with [`RetryPolicy::max_elapsed`].
pub const DEFAULT_MAX_ELAPSED: Duration = Duration::from_secs(60);

/// When and how a failed call is tried again.
///
/// The default comes from the OpenAPI document's retry extension: exponential backoff
/// starting at 500 ms, growing by 1.5 per attempt up to 60 s per wait, on connection
/// errors and 5XX statuses, plus 429; bounded in total by [`DEFAULT_MAX_ELAPSED`].
/// Every wait is jittered: it is drawn uniformly between half and all of the computed
/// delay, so that clients that failed together do not retry together.
///
/// A server's `retry-after-ms` or `Retry-After` replaces the computed wait. A wait that
/// would pass the total bound is not slept: the last error is returned at once.
///
/// Requests whose method is not idempotent (POST) are re-sent only when the first attempt
/// cannot have taken effect: the connection was refused or not established, or the server
/// answered 429 (rate limited before being handled). Two exceptions, by operation: a
/// create that may have been applied is looked up by its slug first, and the bulk member
/// operations, which the API defines as repeatable, are retried like a PUT.
///
/// ```
/// use std::time::Duration;
/// use openrouter_workspaces::RetryPolicy;
///
/// let patient = RetryPolicy::default().max_elapsed(Duration::from_secs(300));
/// let never = RetryPolicy::none();
/// assert_eq!(never.get_max_attempts(), Some(1));
/// # let _ = patient;
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    initial_interval: Duration,
    max_interval: Duration,
    exponent: f64,
    max_elapsed: Duration,
    max_attempts: Option<u32>,
    retry_connection_errors: bool,
    statuses: Vec<StatusClass>,
    jitter: bool,
}

/// A status, or a class of statuses (`5XX`): what a policy retries, and what a documented
/// error response of an operation matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusClass {
    /// Exactly this status.
    Code(u16),
    /// Every status whose first digit is this (5 for 5XX).
    Class(u16),
}

impl StatusClass {
    /// Whether `status` is this status or in this class.
    pub(crate) fn matches(self, status: u16) -> bool {
        match self {
            StatusClass::Code(code) => code == status,
            StatusClass::Class(class) => status / 100 == class,
        }
    }

    /// Parses the spec's notation: `"503"` or `"5XX"`.
    fn parse(text: &str) -> Option<Self> {
        let upper = text.trim().to_ascii_uppercase();
        if let Some(class) = upper.strip_suffix("XX") {
            return class.parse().ok().map(StatusClass::Class);
        }
        upper.parse().ok().map(StatusClass::Code)
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self::from_spec(crate::spec::RETRY)
    }
}

impl RetryPolicy {
    pub(crate) fn from_spec(spec: Option<SpecRetry>) -> Self {
        let spec = spec.unwrap_or(SpecRetry {
            initial_interval_ms: 500,
            max_interval_ms: 60_000,
            exponent: 1.5,
            max_elapsed_ms: 3_600_000,
            retry_connection_errors: true,
            status_codes: &["5XX"],
        });
        let mut statuses: Vec<StatusClass> = spec
            .status_codes
            .iter()
            .filter_map(|s| StatusClass::parse(s))
            .collect();
        if !statuses.iter().any(|s| s.matches(429)) {
            statuses.push(StatusClass::Code(429));
        }
        Self {
            initial_interval: Duration::from_millis(spec.initial_interval_ms),
            max_interval: Duration::from_millis(spec.max_interval_ms),
            exponent: spec.exponent,
            max_elapsed: DEFAULT_MAX_ELAPSED,
            max_attempts: None,
            retry_connection_errors: spec.retry_connection_errors,
            statuses,
            jitter: true,
        }
    }

    /// A policy that sends every request once.
    pub fn none() -> Self {
        Self {
            max_attempts: Some(1),
            ..Self::default()
        }
    }

    /// The first wait (default 500 ms).
    pub fn initial_interval(mut self, wait: Duration) -> Self {
        self.initial_interval = wait;
        self
    }

    /// The longest single wait (default 60 s).
    pub fn max_interval(mut self, wait: Duration) -> Self {
        self.max_interval = wait;
        self
    }

    /// The factor by which each wait grows (default 1.5; values below 1 count as 1).
    pub fn exponent(mut self, exponent: f64) -> Self {
        self.exponent = if exponent.is_finite() {
            exponent.max(1.0)
        } else {
            1.0
        };
        self
    }

    /// The deadline of a whole call, from its first attempt (default
    /// [`DEFAULT_MAX_ELAPSED`]): no retry starts after it, and every attempt is given at
    /// most the time left, so the call ends by it, the attempt in flight included.
    pub fn max_elapsed(mut self, total: Duration) -> Self {
        self.max_elapsed = total;
        self
    }

    /// The most attempts in all, the first included (default: bounded by time only).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = Some(attempts.max(1));
        self
    }

    /// Whether connection failures are retried (default: as the spec says, yes).
    pub fn retry_connection_errors(mut self, retry: bool) -> Self {
        self.retry_connection_errors = retry;
        self
    }

    /// Replaces the retried statuses (default: 5XX and 429).
    pub fn statuses(mut self, statuses: impl IntoIterator<Item = StatusClass>) -> Self {
        self.statuses = statuses.into_iter().collect();
        self
    }

    /// Turns jitter off, for deterministic tests (default: on).
    pub fn without_jitter(mut self) -> Self {
        self.jitter = false;
        self
    }

    /// The attempt limit, if one is set.
    ///
    /// Named as `std::process::Command`'s getters are: the plain name is the setter.
    pub fn get_max_attempts(&self) -> Option<u32> {
        self.max_attempts
    }

    /// The total time bound.
    pub fn get_max_elapsed(&self) -> Duration {
        self.max_elapsed
    }

    pub(crate) fn retries_status(&self, status: u16) -> bool {
        self.statuses.iter().any(|s| s.matches(status))
    }

    pub(crate) fn retries_connection_errors(&self) -> bool {
        self.retry_connection_errors
    }

    pub(crate) fn allows_attempt(&self, attempt: u32) -> bool {
        self.max_attempts.is_none_or(|max| attempt <= max)
    }

    /// The computed wait after failed attempt number `attempt` (1-based), before jitter.
    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        let factor = self.exponent.powi(attempt.saturating_sub(1).min(64) as i32);
        let millis = self.initial_interval.as_secs_f64() * 1000.0 * factor;
        let capped = millis.min(self.max_interval.as_secs_f64() * 1000.0);
        let wait =
            Duration::try_from_secs_f64((capped / 1000.0).max(0.0)).unwrap_or(self.max_interval);
        if self.jitter {
            // Uniform in [wait/2, wait].
            wait.mul_f64(0.5 + fastrand::f64() * 0.5)
        } else {
            wait
        }
    }
}

/// What follows a failed attempt.
pub(crate) enum Wait {
    /// Try again after this wait.
    Retry(Duration),
    /// The failure is not retried, or no attempt is left.
    GiveUp,
    /// Another attempt would start after the policy's total bound.
    PastBound,
}

/// Whether to try again after failed attempt `attempt` of a call that began at `started`,
/// and after how long; `server_wait` (a `Retry-After`) replaces the computed backoff.
pub(crate) fn next_wait(
    policy: &RetryPolicy,
    attempt: u32,
    started: Instant,
    retryable: bool,
    server_wait: Option<Duration>,
) -> Wait {
    if !retryable || !policy.allows_attempt(attempt + 1) {
        return Wait::GiveUp;
    }
    let wait = server_wait.unwrap_or_else(|| policy.backoff(attempt));
    // Saturating: a server may ask for a wait near `Duration::MAX`.
    if started.elapsed().saturating_add(wait) > policy.max_elapsed {
        return Wait::PastBound;
    }
    Wait::Retry(wait)
}

/// The wait a response asks for: `retry-after-ms` (milliseconds) first, then
/// `Retry-After` in seconds or as an HTTP date.
/// A pause every call of one client keeps: when the server answers 429 with a wait, the
/// calls on other threads hold their next request until the wait is over instead of each
/// finding the limit for itself. Without it, N threads under a rate limit send N times
/// the requests the server asked to stop.
#[derive(Debug)]
pub(crate) struct SharedPause {
    epoch: Instant,
    /// The end of the pause, in nanoseconds since `epoch` (0: none yet).
    until: AtomicU64,
}

impl SharedPause {
    pub(crate) fn new() -> Self {
        Self {
            epoch: Instant::now(),
            until: AtomicU64::new(0),
        }
    }

    /// Holds every call until `wait` from now (or later, if a longer pause is on).
    pub(crate) fn hold_for(&self, wait: Duration) {
        let end = (self.epoch.elapsed() + wait).as_nanos();
        self.until
            .fetch_max(u64::try_from(end).unwrap_or(u64::MAX), Ordering::Relaxed);
    }

    /// How long the pause still lasts.
    pub(crate) fn remaining(&self) -> Duration {
        let until = Duration::from_nanos(self.until.load(Ordering::Relaxed));
        until.saturating_sub(self.epoch.elapsed())
    }
}

pub(crate) fn retry_after(headers: &ureq::http::HeaderMap, now: SystemTime) -> Option<Duration> {
    if let Some(ms) = headers
        .get("retry-after-ms")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|ms| ms.is_finite() && *ms >= 0.0)
    {
        // Finite and not negative, so the only failure is a wait too long for a Duration
        // (`1e300`): as good as forever, and no reason to panic.
        return Some(Duration::try_from_secs_f64(ms / 1000.0).unwrap_or(Duration::MAX));
    }
    let value = headers.get("retry-after")?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ureq::http::HeaderMap;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, v.parse().unwrap());
        }
        map
    }

    #[test]
    fn default_policy_follows_the_spec_and_adds_429() {
        let p = RetryPolicy::default().without_jitter();
        assert_eq!(p.backoff(1), Duration::from_millis(500));
        assert_eq!(p.backoff(2), Duration::from_millis(750));
        assert_eq!(p.backoff(3), Duration::from_micros(1_125_000));
        assert_eq!(
            p.backoff(40),
            Duration::from_secs(60),
            "capped at max interval"
        );
        assert!(p.retries_status(500) && p.retries_status(503) && p.retries_status(429));
        assert!(!p.retries_status(400) && !p.retries_status(404));
        assert!(p.retries_connection_errors());
        assert_eq!(p.get_max_elapsed(), DEFAULT_MAX_ELAPSED);
    }

    #[test]
    fn jitter_stays_between_half_and_all_of_the_delay() {
        let p = RetryPolicy::default();
        for _ in 0..200 {
            let d = p.backoff(2);
            assert!(
                d >= Duration::from_millis(375) && d <= Duration::from_millis(750),
                "{d:?}"
            );
        }
    }

    #[test]
    fn none_allows_one_attempt() {
        let p = RetryPolicy::none();
        assert!(p.allows_attempt(1));
        assert!(!p.allows_attempt(2));
    }

    #[test]
    fn retry_after_ms_wins_over_retry_after() {
        let h = headers(&[("retry-after-ms", "250"), ("retry-after", "9")]);
        assert_eq!(
            retry_after(&h, SystemTime::now()),
            Some(Duration::from_millis(250))
        );
    }

    #[test]
    fn retry_after_seconds_and_http_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(
            retry_after(&headers(&[("retry-after", "3")]), now),
            Some(Duration::from_secs(3))
        );
        let later = httpdate::fmt_http_date(now + Duration::from_secs(5));
        assert_eq!(
            retry_after(&headers(&[("retry-after", &later)]), now),
            Some(Duration::from_secs(5))
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(5));
        assert_eq!(
            retry_after(&headers(&[("retry-after", &past)]), now),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after(&headers(&[("retry-after", "soon")]), now), None);
    }

    #[test]
    fn absurd_waits_saturate_instead_of_panicking() {
        let now = SystemTime::now();
        assert_eq!(
            retry_after(&headers(&[("retry-after-ms", "1e300")]), now),
            Some(Duration::MAX)
        );
        assert_eq!(
            retry_after(&headers(&[("retry-after", "18446744073709551615")]), now),
            Some(Duration::from_secs(u64::MAX))
        );
    }

    #[test]
    fn status_notation_parses() {
        assert_eq!(StatusClass::parse("5XX"), Some(StatusClass::Class(5)));
        assert_eq!(StatusClass::parse("5xx"), Some(StatusClass::Class(5)));
        assert_eq!(StatusClass::parse("503"), Some(StatusClass::Code(503)));
        assert_eq!(StatusClass::parse("x"), None);
    }
}
