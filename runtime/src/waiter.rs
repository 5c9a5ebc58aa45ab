//! Waiters (`smithy.waiters#waitable`): poll an operation until the model's acceptors say the
//! resource reached the desired state, will never reach it, or the caller's maximum wait passed.
//!
//! A generated `client.wait_until_<name>()` builds the operation's input once, then [`wait`]
//! sends it, hands each result to the waiter's acceptors (compiled from the model by the
//! generator) and sleeps between attempts as the Smithy specification says
//! ([`Delays::delay`]: exponential backoff with full jitter between the waiter's `minDelay`
//! and `maxDelay`, never past the maximum wait, with one last attempt when the wait runs out).
//! Sleeping and timing go through `tokio::time`, so a paused test clock drives a waiter
//! without real sleeps.

// A waiter error carries the last output or error by design (what the caller needs to see).
#![allow(clippy::result_large_err)]

use std::fmt;
use std::future::Future;
use std::time::Duration;

use crate::error::{BuildError, BuildErrorKind, SdkError};
use crate::retry::Jitter;

/// The state an acceptor moves a waiter to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AcceptorState {
    /// The resource is in the desired state: stop with the last result.
    Success,
    /// The resource will never reach the desired state: stop with an error.
    Failure,
    /// Poll again after a delay.
    Retry,
}

/// The delays between attempts: the waiter's `minDelay` and `maxDelay` (2 s and 120 s unless
/// the model or the caller says otherwise).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delays {
    min: Duration,
    max: Duration,
}

impl Delays {
    /// Delays between `min` and `max`.
    pub fn new(min: Duration, max: Duration) -> Delays {
        Delays { min, max }
    }

    /// The minimum delay.
    pub fn min(&self) -> Duration {
        self.min
    }

    /// The maximum delay.
    pub fn max(&self) -> Duration {
        self.max
    }

    fn check(&self) -> Result<(), String> {
        if self.min.is_zero() {
            Err("the minimum delay must be greater than zero".into())
        } else if self.min > self.max {
            Err(format!(
                "the minimum delay ({:?}) is greater than the maximum delay ({:?})",
                self.min, self.max
            ))
        } else {
            Ok(())
        }
    }

    /// The delay before retry number `attempt` (1 before the second call), with `remaining`
    /// left of the maximum wait and `random` uniform in `[0, 1)`: the Smithy waiter algorithm,
    /// in milliseconds rather than whole seconds.
    ///
    /// ```text
    /// attemptCeiling = log(maxDelay / minDelay) / log(2) + 1
    /// delay = attempt > attemptCeiling ? maxDelay : minDelay * 2^(attempt - 1)
    /// delay = random integer in [minDelay, delay]
    /// if remaining - delay <= minDelay: delay = remaining   (one last attempt at the deadline)
    /// ```
    pub fn delay(&self, attempt: u32, remaining: Duration, random: f64) -> Duration {
        let min = self.min.as_millis() as f64;
        let max = self.max.as_millis() as f64;
        let ceiling = (max / min).ln() / 2f64.ln() + 1.0;
        let upper = if f64::from(attempt) > ceiling {
            max
        } else {
            // attempt <= ceiling, so this is at most `max`.
            min * 2f64.powi(attempt.saturating_sub(1) as i32)
        };
        let span = (upper - min).max(0.0);
        let millis = min + (random.clamp(0.0, 1.0) * (span + 1.0)).floor().min(span);
        let delay = Duration::from_millis(millis as u64);
        if remaining.saturating_sub(delay) <= self.min {
            remaining
        } else {
            delay
        }
    }
}

/// The result of a waiter's last call: the operation's output, or the error an acceptor
/// expected (a waiter such as `TableNotExists` succeeds on `ResourceNotFoundException`).
#[derive(Debug)]
pub struct FinalPoll<O, E> {
    result: Result<O, SdkError<E>>,
    attempts: u32,
}

impl<O, E> FinalPoll<O, E> {
    /// The result of call number `attempts`.
    pub fn new(result: Result<O, SdkError<E>>, attempts: u32) -> Self {
        FinalPoll { result, attempts }
    }

    /// Calls made, this one included.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The output, when the call succeeded.
    pub fn output(&self) -> Option<&O> {
        self.result.as_ref().ok()
    }

    /// The error, when the call failed.
    pub fn error(&self) -> Option<&SdkError<E>> {
        self.result.as_ref().err()
    }

    /// The result by reference.
    pub fn as_result(&self) -> Result<&O, &SdkError<E>> {
        self.result.as_ref()
    }

    /// The result.
    pub fn into_result(self) -> Result<O, SdkError<E>> {
        self.result
    }

    /// The output of a waiter whose success acceptors match only successful calls; an error
    /// (which such a waiter never succeeds with) is returned as
    /// [`WaiterError::OperationFailed`].
    pub fn output_or_failed(self, waiter: &'static str) -> Result<O, WaiterError<O, E>> {
        let attempts = self.attempts;
        self.result.map_err(|error| WaiterError::OperationFailed {
            waiter,
            attempts,
            error,
        })
    }
}

/// Why a waiter stopped without reaching the desired state. Each variant names the waiter and
/// carries what the last call gave.
#[non_exhaustive]
#[derive(Debug)]
pub enum WaiterError<O, E> {
    /// Nothing was sent: the input could not be built (a required member is missing), or the
    /// delays are invalid (a zero minimum, a minimum above the maximum).
    Construction {
        /// The waiter.
        waiter: &'static str,
        /// What is wrong.
        error: BuildError,
    },
    /// An acceptor with the state `failure` matched: the resource will not reach the desired
    /// state without someone acting on it.
    FailureState {
        /// The waiter.
        waiter: &'static str,
        /// Calls made.
        attempts: u32,
        /// The call the acceptor matched.
        last: FinalPoll<O, E>,
    },
    /// The maximum wait passed before an acceptor said `success` or `failure`.
    MaxWaitExceeded {
        /// The waiter.
        waiter: &'static str,
        /// The maximum wait the caller gave.
        max_wait: Duration,
        /// Calls made.
        attempts: u32,
        /// The last call (one the acceptors said to retry, or matched none of).
        last: FinalPoll<O, E>,
    },
    /// The operation failed with an error no acceptor expects.
    OperationFailed {
        /// The waiter.
        waiter: &'static str,
        /// Calls made.
        attempts: u32,
        /// The error.
        error: SdkError<E>,
    },
}

impl<O, E> WaiterError<O, E> {
    /// The waiter's name in the model (`TableExists`).
    pub fn waiter(&self) -> &'static str {
        match self {
            WaiterError::Construction { waiter, .. }
            | WaiterError::FailureState { waiter, .. }
            | WaiterError::MaxWaitExceeded { waiter, .. }
            | WaiterError::OperationFailed { waiter, .. } => waiter,
        }
    }

    /// Calls made (0 when nothing was sent).
    pub fn attempts(&self) -> u32 {
        match self {
            WaiterError::Construction { .. } => 0,
            WaiterError::FailureState { attempts, .. }
            | WaiterError::MaxWaitExceeded { attempts, .. }
            | WaiterError::OperationFailed { attempts, .. } => *attempts,
        }
    }

    /// The output of the last call, when it succeeded.
    pub fn last_output(&self) -> Option<&O> {
        match self {
            WaiterError::FailureState { last, .. } | WaiterError::MaxWaitExceeded { last, .. } => {
                last.output()
            }
            _ => None,
        }
    }

    /// The error of the last call, when it failed.
    pub fn last_error(&self) -> Option<&SdkError<E>> {
        match self {
            WaiterError::FailureState { last, .. } | WaiterError::MaxWaitExceeded { last, .. } => {
                last.error()
            }
            WaiterError::OperationFailed { error, .. } => Some(error),
            WaiterError::Construction { .. } => None,
        }
    }

    /// Whether a failure acceptor matched.
    pub fn is_failure_state(&self) -> bool {
        matches!(self, WaiterError::FailureState { .. })
    }

    /// Whether the maximum wait passed.
    pub fn is_max_wait_exceeded(&self) -> bool {
        matches!(self, WaiterError::MaxWaitExceeded { .. })
    }

    /// Whether the operation failed with an error no acceptor expects.
    pub fn is_operation_failed(&self) -> bool {
        matches!(self, WaiterError::OperationFailed { .. })
    }
}

impl<O, E> fmt::Display for WaiterError<O, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = |n: &u32| if *n == 1 { "" } else { "s" };
        match self {
            WaiterError::Construction { waiter, error } => {
                write!(f, "waiter {waiter} could not start: {error}")
            }
            WaiterError::FailureState {
                waiter,
                attempts,
                last,
            } => {
                write!(
                    f,
                    "waiter {waiter}: the resource reached a failure state (attempt {attempts})"
                )?;
                match last.error() {
                    Some(e) => write!(f, ": {e}"),
                    None => Ok(()),
                }
            }
            WaiterError::MaxWaitExceeded {
                waiter,
                max_wait,
                attempts,
                ..
            } => write!(
                f,
                "waiter {waiter}: not in the desired state after the maximum wait of {max_wait:?} ({attempts} attempt{})",
                s(attempts)
            ),
            WaiterError::OperationFailed {
                waiter,
                attempts,
                error,
            } => write!(
                f,
                "waiter {waiter}: the operation failed with an error no acceptor expects (attempt {attempts}): {error}"
            ),
        }
    }
}

impl<O: fmt::Debug, E: std::error::Error + 'static> std::error::Error for WaiterError<O, E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WaiterError::Construction { error, .. } => Some(error),
            WaiterError::OperationFailed { error, .. } => Some(error),
            WaiterError::FailureState { last, .. } | WaiterError::MaxWaitExceeded { last, .. } => {
                last.error().map(|e| e as _)
            }
        }
    }
}

/// A construction error of a waiter (the input could not be built).
pub fn construction<O, E>(waiter: &'static str, error: SdkError<E>) -> WaiterError<O, E> {
    match error {
        SdkError::Construction(error) => WaiterError::Construction { waiter, error },
        error => WaiterError::OperationFailed {
            waiter,
            attempts: 0,
            error,
        },
    }
}

/// Runs a waiter: calls `poll` (one call of the operation with the waiter's input), gives each
/// result to `accept` (the acceptors in model order; `None` when none matches), and sleeps
/// [`Delays::delay`] between calls, until an acceptor says `success` (the last result is
/// returned) or `failure`, a call fails with an error no acceptor matches, or `max_wait` has
/// passed since the start (after the last call, which happens at the deadline). A call in
/// flight at the deadline finishes (the operation's own timeouts bound it).
pub async fn wait<O, E, P, F, A>(
    waiter: &'static str,
    delays: Delays,
    max_wait: Duration,
    mut poll: P,
    mut accept: A,
) -> Result<FinalPoll<O, E>, WaiterError<O, E>>
where
    P: FnMut() -> F,
    F: Future<Output = Result<O, SdkError<E>>>,
    A: FnMut(&Result<O, SdkError<E>>) -> Option<AcceptorState>,
{
    if let Err(why) = delays.check() {
        return Err(WaiterError::Construction {
            waiter,
            error: BuildError::new(BuildErrorKind::Other, why),
        });
    }
    let start = tokio::time::Instant::now();
    let mut jitter = Jitter::from_system();
    let mut attempts = 0u32;
    loop {
        attempts += 1;
        let result = poll().await;
        let state = accept(&result);
        tracing::debug!(waiter, attempt = attempts, state = ?state, "waiter poll");
        let result = match (state, result) {
            (Some(AcceptorState::Success), result) => return Ok(FinalPoll::new(result, attempts)),
            (Some(AcceptorState::Failure), result) => {
                return Err(WaiterError::FailureState {
                    waiter,
                    attempts,
                    last: FinalPoll::new(result, attempts),
                })
            }
            (None, Err(error)) => {
                return Err(WaiterError::OperationFailed {
                    waiter,
                    attempts,
                    error,
                })
            }
            // Retry: an acceptor said so, or a successful call matched none.
            (_, result) => result,
        };
        let elapsed = start.elapsed();
        if elapsed >= max_wait {
            return Err(WaiterError::MaxWaitExceeded {
                waiter,
                max_wait,
                attempts,
                last: FinalPoll::new(result, attempts),
            });
        }
        let delay = delays.delay(attempts, max_wait - elapsed, jitter.next_f64());
        tokio::time::sleep(delay).await;
    }
}

/// A JMESPath function was given an argument of the wrong type (the specification's
/// `invalid-type` error; the compiled paths only meet it as a null argument): the acceptor
/// whose path it is does not match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PathError {
    function: &'static str,
}

impl PathError {
    /// `function()` was called with null.
    pub fn null_argument(function: &'static str) -> PathError {
        PathError { function }
    }

    /// The function.
    pub fn function(&self) -> &'static str {
        self.function
    }
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid-type: {}() of null", self.function)
    }
}

impl std::error::Error for PathError {}

/// Each path of a waiter with its value: (matcher kind, path, value or error). What the
/// generated `evaluate_paths` test hooks return.
pub type PathValues = Vec<(&'static str, &'static str, Result<PathValue, PathError>)>;

/// The value of a waiter's path expression in JMESPath terms, for tests that compare the
/// compiled paths with another JMESPath implementation.
#[derive(Clone, Debug, PartialEq)]
pub enum PathValue {
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// A number.
    Number(f64),
    /// A string.
    String(String),
    /// A list.
    List(Vec<PathValue>),
    /// An object with these entries (a map).
    Object(Vec<(String, PathValue)>),
    /// A structure or union of this name (its members are not listed).
    Structure(&'static str),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn backoff_doubles_up_to_the_ceiling_then_stays_at_max() {
        let d = Delays::new(secs(2), secs(120));
        let far = secs(100_000);
        // `random` just below 1: the top of each range.
        let top = 0.999_999_9;
        let tops: Vec<u64> = (1..=9).map(|a| d.delay(a, far, top).as_secs()).collect();
        // attemptCeiling = log2(60) + 1 = 6.9: attempts 1..=6 double, then max.
        assert_eq!(tops, [2, 4, 8, 16, 32, 64, 120, 120, 120]);
        for a in 1..=9 {
            assert_eq!(
                d.delay(a, far, 0.0),
                secs(2),
                "the bottom of every range is minDelay"
            );
        }
        // Huge attempt numbers do not overflow.
        assert_eq!(d.delay(u32::MAX, far, top), secs(120));
    }

    #[test]
    fn jitter_is_uniform_over_whole_milliseconds() {
        let d = Delays::new(Duration::from_millis(10), Duration::from_millis(100));
        let far = secs(1000);
        let mut seen = std::collections::BTreeSet::new();
        let mut j = Jitter::with_seed(7);
        for _ in 0..5000 {
            let v = d.delay(3, far, j.next_f64());
            assert!(
                v >= Duration::from_millis(10) && v <= Duration::from_millis(40),
                "{v:?}"
            );
            seen.insert(v.as_millis());
        }
        // Every integer in [10, 40] shows up, the ends included.
        assert_eq!(seen.len(), 31, "{seen:?}");
    }

    #[test]
    fn never_sleeps_past_the_maximum_wait_and_ends_with_one_last_attempt() {
        let d = Delays::new(secs(2), secs(120));
        // remaining - delay <= minDelay: wait out the remaining time instead.
        assert_eq!(d.delay(5, secs(10), 0.999), secs(10));
        assert_eq!(d.delay(1, secs(3), 0.0), secs(3));
        assert_eq!(d.delay(1, secs(4), 0.0), secs(4));
        assert_eq!(d.delay(1, secs(5), 0.0), secs(2));
        // Simulate the specification's example (maxWaitTime 300, calls taking no time): the
        // delays add up to exactly 300, the last one ending at the deadline.
        let mut j = Jitter::with_seed(42);
        let (mut elapsed, mut attempt) = (Duration::ZERO, 0);
        let max_wait = secs(300);
        while elapsed < max_wait {
            attempt += 1;
            let delay = d.delay(attempt, max_wait - elapsed, j.next_f64());
            assert!(delay <= max_wait - elapsed);
            assert!(delay <= secs(120) || delay == max_wait - elapsed);
            elapsed += delay;
        }
        assert_eq!(elapsed, max_wait);
        assert!((5..=60).contains(&attempt), "{attempt}");
    }

    #[test]
    fn invalid_delays_are_construction_errors() {
        assert!(Delays::new(Duration::ZERO, secs(1)).check().is_err());
        assert!(Delays::new(secs(3), secs(2)).check().is_err());
        assert!(Delays::new(secs(2), secs(2)).check().is_ok());
        // Equal delays: linear backoff.
        let d = Delays::new(secs(5), secs(5));
        assert_eq!(d.delay(1, secs(1000), 0.5), secs(5));
        assert_eq!(d.delay(40, secs(1000), 0.9), secs(5));
    }

    type Poll = Result<&'static str, SdkError<crate::error::Never>>;

    fn script(results: Vec<Poll>) -> impl FnMut() -> std::future::Ready<Poll> {
        let mut it = results.into_iter();
        move || std::future::ready(it.next().expect("no more scripted results"))
    }

    fn by_output(r: &Poll) -> Option<AcceptorState> {
        match r {
            Ok("done") => Some(AcceptorState::Success),
            Ok("broken") => Some(AcceptorState::Failure),
            Ok(_) => None,
            Err(_) => None,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn retries_until_success_sleeping_the_backoff() {
        let start = tokio::time::Instant::now();
        let d = Delays::new(secs(2), secs(120));
        let out = wait(
            "Thing",
            d,
            secs(600),
            script(vec![Ok("busy"), Ok("busy"), Ok("done")]),
            by_output,
        )
        .await
        .unwrap();
        assert_eq!(out.output(), Some(&"done"));
        // Two sleeps: [2, 2] then [2, 4] seconds.
        let slept = start.elapsed();
        assert!(slept >= secs(4) && slept <= secs(6), "{slept:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn failure_state_and_max_wait_carry_the_last_call() {
        let d = Delays::new(secs(2), secs(120));
        let e = wait(
            "Thing",
            d,
            secs(600),
            script(vec![Ok("busy"), Ok("broken")]),
            by_output,
        )
        .await
        .unwrap_err();
        assert!(e.is_failure_state());
        assert_eq!((e.attempts(), e.last_output()), (2, Some(&"broken")));
        assert_eq!(
            e.to_string(),
            "waiter Thing: the resource reached a failure state (attempt 2)"
        );

        let start = tokio::time::Instant::now();
        let busy = || std::future::ready(Poll::Ok("busy"));
        let e = wait("Thing", d, secs(30), busy, by_output)
            .await
            .unwrap_err();
        assert!(e.is_max_wait_exceeded(), "{e}");
        assert_eq!(
            start.elapsed(),
            secs(30),
            "the last call happens at the deadline, not after"
        );
        assert!(e.attempts() >= 3, "{}", e.attempts());
        assert_eq!(e.last_output(), Some(&"busy"));
        assert!(e.to_string().contains("maximum wait of 30s"), "{e}");
    }

    #[tokio::test(start_paused = true)]
    async fn an_error_no_acceptor_expects_stops_at_once() {
        let d = Delays::new(secs(2), secs(120));
        let err = SdkError::Construction(BuildError::new(BuildErrorKind::Other, "boom"));
        let e = wait(
            "Thing",
            d,
            secs(600),
            script(vec![Ok("busy"), Err(err)]),
            by_output,
        )
        .await
        .unwrap_err();
        assert!(e.is_operation_failed());
        assert_eq!(e.attempts(), 2);
        assert!(e.last_error().is_some());

        let e = wait(
            "Thing",
            Delays::new(secs(3), secs(2)),
            secs(600),
            script(vec![]),
            by_output,
        )
        .await
        .unwrap_err();
        assert!(matches!(e, WaiterError::Construction { .. }), "{e}");
        assert_eq!(e.attempts(), 0);
    }
}
