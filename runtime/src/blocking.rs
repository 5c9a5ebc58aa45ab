//! Run async client code from synchronous programs (feature `blocking`).
//!
//! [`block_on`] runs a future to completion on the calling thread and returns its output. It is
//! what a generated crate's `blocking` client calls in every `send()`, so command-line tools and
//! scripts can use the same operations without setting up tokio themselves:
//!
//! ```
//! let answer = awsrt::blocking::block_on(async {
//!     tokio::time::sleep(std::time::Duration::from_millis(1)).await;
//!     42
//! });
//! assert_eq!(answer, 42);
//! ```
//!
//! # How it works
//!
//! All callers share ONE tokio runtime, created on first use: a *current-thread* runtime whose
//! I/O and timer drivers (and the tasks spawned on it, such as the connection tasks of the HTTP
//! transport) run on one background thread named [`DRIVER_THREAD_NAME`]. [`block_on`] polls the
//! future on the caller's own thread, inside that runtime's context, and parks the thread
//! between wake-ups. Hence:
//!
//! * any number of threads may call [`block_on`] at once; each drives its own future, so calls
//!   run in parallel, and only the readiness and timer bookkeeping is shared;
//! * the future needs neither `Send` nor `'static`;
//! * only tokio's `rt` feature is needed (no `rt-multi-thread`): one driver thread is enough
//!   because no future runs on it, only I/O readiness, timers and small spawned tasks.
//!
//! The runtime context is entered when [`block_on`] starts, after the caller has built the
//! future. Async blocks and `async fn`s (such as a fluent builder's `send()`) do nothing until
//! polled, so they are fine; a tokio resource built eagerly in the argument, as in
//! `block_on(tokio::time::sleep(d))`, is not: outside a runtime tokio panics ("there is no
//! reactor running") and inside another runtime it belongs to that one. Write
//! `block_on(async { tokio::time::sleep(d).await })` instead.
//!
//! # Inside an async runtime
//!
//! Calling [`block_on`] from async code (a tokio task, `#[tokio::main]`, `#[tokio::test]`)
//! does not panic: the future runs exactly as above, with tokio's cooperative budget of the
//! surrounding task switched off so it cannot starve. It does block the calling worker thread
//! until the future completes, so in async code prefer the async client and `.await`. In
//! particular the future must not wait for something only the blocked thread can do: with a
//! current-thread runtime, a task spawned on *that* runtime (or a connection it opened) makes
//! no progress while [`block_on`] waits.
//!
//! The one call that cannot work is from a task running on the shared runtime itself (a task
//! spawned inside a [`block_on`] future that calls [`block_on`] again): it would stop the driver
//! it waits for. [`try_block_on`] reports that as [`BlockingError`] and [`block_on`] panics with
//! that message, instead of hanging.

use std::fmt;
use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread, ThreadId};

use tokio::runtime::Handle;

use crate::config::{Config, ConfigError, ConfigLoader};
use crate::error::{BuildError, BuildErrorKind, SdkError};
use crate::paginator::PageStream;

/// Name of the background thread that drives the shared runtime's I/O, timers and tasks.
pub const DRIVER_THREAD_NAME: &str = "awsrt-blocking";

/// The shared runtime, once started.
struct Shared {
    handle: Handle,
    driver: ThreadId,
}

static SHARED: OnceLock<Shared> = OnceLock::new();
/// Serializes start-up so a failed start can be retried by a later call.
static START: Mutex<()> = Mutex::new(());

/// Why [`try_block_on`] could not run a future.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockingError {
    message: String,
}

impl BlockingError {
    /// What went wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for BlockingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for BlockingError {}

/// Runs `future` to completion on the calling thread using the shared runtime (see the
/// [module docs](self)) and returns its output. Safe to call from many threads at once and from
/// inside an async runtime.
///
/// # Panics
///
/// When the shared runtime cannot be started (the operating system refuses a thread or an
/// event queue) or when called from a task running on the shared runtime itself; use
/// [`try_block_on`] to get these as errors. Panics of the future propagate.
#[track_caller]
pub fn block_on<F: Future>(future: F) -> F::Output {
    match try_block_on(future) {
        Ok(output) => output,
        Err(e) => panic!("awsrt::blocking::block_on: {e}"),
    }
}

/// Like [`block_on`], but reports a runtime that cannot be started, or a call from the shared
/// runtime's own thread, as an error (the future is dropped unpolled).
pub fn try_block_on<F: Future>(future: F) -> Result<F::Output, BlockingError> {
    let shared = shared()?;
    if thread::current().id() == shared.driver {
        return Err(BlockingError {
            message: "called from a task running on the blocking runtime's own thread, which \
                      would deadlock; use `.await` there"
                .to_string(),
        });
    }
    // Tokio resources created while polling (sockets, timers, spawned tasks) belong to the
    // shared runtime, whatever runtime the caller may be inside.
    let _context = shared.handle.enter();
    // Inside a tokio task the surrounding task's cooperative budget would run out while we loop
    // here without yielding, and every tokio resource would then return `Pending` forever.
    Ok(run_on_this_thread(tokio::task::unconstrained(future)))
}

/// The calling mode of a generated fluent builder whose `send()` waits for the answer (the
/// builders a generated crate's `blocking::Client` hands out). The async mode is
/// [`Async`](crate::client::Async).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Blocking;

/// Runs a request future (an async `send()`) to completion with [`try_block_on`]. When it cannot
/// run here, the reason comes back as [`SdkError::Construction`]: no request was sent.
pub fn wait<T, E>(future: impl Future<Output = Result<T, SdkError<E>>>) -> Result<T, SdkError<E>> {
    try_block_on(future).unwrap_or_else(|e| Err(not_sent(e)))
}

fn not_sent<E>(e: BlockingError) -> SdkError<E> {
    SdkError::Construction(BuildError::new(BuildErrorKind::Other, e.to_string()))
}

/// The pages of a paginated operation as an [`Iterator`]: each `next()` fetches one page with
/// [`try_block_on`]. Ends after the last page, or after the first error.
pub struct Pages<T, E> {
    inner: Option<PageStream<T, E>>,
}

impl<T, E> Pages<T, E> {
    /// Iterates over the pages of `stream`.
    pub fn new(stream: PageStream<T, E>) -> Self {
        Pages {
            inner: Some(stream),
        }
    }
}

impl<T, E> fmt::Debug for Pages<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pages").field("inner", &self.inner).finish()
    }
}

impl<T, E> Iterator for Pages<T, E> {
    type Item = Result<T, SdkError<E>>;

    fn next(&mut self) -> Option<Self::Item> {
        let stream = self.inner.as_mut()?;
        let item = match try_block_on(stream.next()) {
            Ok(item) => item,
            Err(e) => Some(Err(not_sent(e))),
        };
        if !matches!(item, Some(Ok(_))) {
            self.inner = None;
        }
        item
    }
}

/// [`Config::from_env`] for synchronous code: loads region, credentials, endpoint and the other
/// settings from the process environment and `~/.aws/{config,credentials}`.
pub fn config_from_env() -> Result<Config, ConfigError> {
    load_config(Config::loader())
}

/// Runs [`ConfigLoader::load`] for synchronous code (e.g. with a chosen profile or a fixed
/// region set on the loader).
pub fn load_config(loader: ConfigLoader) -> Result<Config, ConfigError> {
    block_on(loader.load())
}

/// A handle to the shared runtime (starting it if needed), e.g. to spawn background tasks that
/// outlive one [`block_on`] call.
pub fn runtime_handle() -> Result<Handle, BlockingError> {
    shared().map(|s| s.handle.clone())
}

fn shared() -> Result<&'static Shared, BlockingError> {
    if let Some(s) = SHARED.get() {
        return Ok(s);
    }
    let _start = START.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(s) = SHARED.get() {
        return Ok(s);
    }
    let shared = start()?;
    Ok(SHARED.get_or_init(|| shared))
}

/// Builds the runtime and moves it onto its driver thread, which never returns.
fn start() -> Result<Shared, BlockingError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .thread_name(DRIVER_THREAD_NAME)
        .build()
        .map_err(|e| BlockingError {
            message: format!("cannot start the shared tokio runtime: {e}"),
        })?;
    let handle = runtime.handle().clone();
    let driver = thread::Builder::new()
        .name(DRIVER_THREAD_NAME.to_string())
        .spawn(move || runtime.block_on(std::future::pending::<()>()))
        .map_err(|e| BlockingError {
            message: format!("cannot start the shared runtime's driver thread: {e}"),
        })?;
    Ok(Shared {
        handle,
        driver: driver.thread().id(),
    })
}

/// Wakes the thread that polls a [`block_on`] future.
struct ThreadWaker {
    thread: Thread,
    notified: AtomicBool,
}

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if !self.notified.swap(true, Ordering::Release) {
            self.thread.unpark();
        }
    }
}

/// Polls `future` on the current thread, parking between wake-ups.
fn run_on_this_thread<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let signal = Arc::new(ThreadWaker {
        thread: thread::current(),
        notified: AtomicBool::new(false),
    });
    let waker = Waker::from(Arc::clone(&signal));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        // `park` may return spuriously; only a wake-up sets the flag.
        while !signal.notified.swap(false, Ordering::Acquire) {
            thread::park();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn runs_timers_and_spawned_tasks() {
        let v = block_on(async {
            tokio::time::sleep(Duration::from_millis(5)).await;
            tokio::spawn(async { 7 }).await.unwrap()
        });
        assert_eq!(v, 7);
    }

    #[test]
    fn waker_flag_survives_early_wake() {
        // A future that wakes itself before returning Pending must be polled again.
        let mut polls = 0;
        let out = block_on(std::future::poll_fn(|cx| {
            polls += 1;
            if polls < 3 {
                cx.waker().wake_by_ref();
                Poll::Pending
            } else {
                Poll::Ready(polls)
            }
        }));
        assert_eq!(out, 3);
    }

    #[test]
    fn loads_config_synchronously() {
        use crate::profile::Env;
        let loader = Config::loader().env(Env::from_pairs([
            ("AWS_REGION", "eu-west-3"),
            ("AWS_MAX_ATTEMPTS", "7"),
            ("AWS_ACCESS_KEY_ID", "AKIDENV"),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
        ]));
        let config = load_config(loader).unwrap();
        assert_eq!(config.region(), Some("eu-west-3"));
        assert_eq!(config.retry_config().max_attempts, 7);
        let bad = Config::loader().env(Env::from_pairs([("AWS_MAX_ATTEMPTS", "many")]));
        assert!(load_config(bad).is_err());
    }

    #[test]
    fn refuses_the_driver_thread() {
        let err = block_on(async {
            tokio::spawn(async { try_block_on(async { 1 }) })
                .await
                .unwrap()
        })
        .unwrap_err();
        assert!(err.message().contains("deadlock"), "{err}");
    }

    #[test]
    fn pages_iterate_until_the_last_page_or_an_error() {
        use crate::error::{Never, ResponseError};
        // Pages 0 and 1, then no token: two items, then the end.
        let stream = PageStream::<usize, Never>::starting_at(None, |token| {
            Box::pin(async move {
                Ok(match token.as_deref() {
                    None => (0, Some("t1".to_string())),
                    _ => (1, None),
                })
            })
        });
        let pages: Vec<usize> = Pages::new(stream).map(Result::unwrap).collect();
        assert_eq!(pages, [0, 1]);

        // An error ends the iteration.
        let failing = PageStream::<usize, Never>::starting_at(None, |_| {
            Box::pin(async {
                Err(SdkError::Response(ResponseError::new(
                    500,
                    None,
                    "boom".to_string(),
                )))
            })
        });
        let mut pages = Pages::new(failing);
        assert!(pages.next().is_some_and(|p| p.is_err()));
        assert!(pages.next().is_none());
        assert!(format!("{pages:?}").starts_with("Pages"));
    }

    #[test]
    fn wait_reports_the_driver_thread_as_not_sent() {
        let result: Result<u8, SdkError<crate::error::Never>> =
            block_on(async { tokio::spawn(async { wait(async { Ok(1) }) }).await.unwrap() });
        assert!(
            matches!(&result, Err(SdkError::Construction(e)) if e.to_string().contains("deadlock")),
            "{result:?}"
        );
    }
}
