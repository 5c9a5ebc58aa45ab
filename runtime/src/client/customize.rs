//! Per-call overrides: what a fluent builder's `customize()` returns.

use std::fmt;
use std::sync::Arc;

use super::ClientHandle;
use crate::config::TimeoutConfig;
use crate::http::BoxFuture;
use crate::interceptor::{Interceptor, SharedInterceptor};
use crate::retry::RetryConfig;

/// Settings that replace the configuration's for the calls of one [`ClientHandle`].
#[derive(Clone, Debug, Default)]
pub(crate) struct CallOverrides {
    pub(crate) retry: Option<RetryConfig>,
    pub(crate) timeouts: Option<TimeoutConfig>,
    /// Run after the configuration's interceptors.
    pub(crate) interceptors: Vec<SharedInterceptor>,
}

impl CallOverrides {
    /// `self` with `later` applied on top: later settings win, interceptors add up.
    pub(crate) fn merge(&self, later: CallOverrides) -> CallOverrides {
        let mut interceptors = self.interceptors.clone();
        interceptors.extend(later.interceptors);
        CallOverrides {
            retry: later.retry.or_else(|| self.retry.clone()),
            timeouts: later.timeouts.or(self.timeouts),
            interceptors,
        }
    }
}

/// One call with settings of its own: the retry and timeout configuration and extra
/// interceptors. Returned by every fluent builder's `customize()`; finish with
/// [`send`](Self::send). The client and its configuration are not changed: the next call
/// uses the configuration again.
///
/// What is not overridden keeps the configuration's value; a [`TimeoutConfig`] replaces the
/// configuration's timeouts as a whole (start from `config.timeout_config()` to change one).
/// The call shares the client's retry quota and clock-skew correction.
///
/// With a generated client (this example is compiled in every generated crate's quick start;
/// `awsrt` cannot depend on one):
///
/// ```ignore
/// use std::time::Duration;
/// use secretsmanager::config::{RetryConfig, TimeoutConfig};
///
/// let out = client
///     .get_secret_value()
///     .secret_id("prod/db")
///     .customize()
///     .retry_config(RetryConfig::disabled())
///     .timeout_config(TimeoutConfig::default().with_operation(Duration::from_secs(2)))
///     .interceptor(MyAuditLog::default())
///     .send()
///     .await?;
/// ```
pub struct Customize<B, T> {
    builder: B,
    handle: fn(&mut B) -> &mut ClientHandle,
    send: fn(B) -> BoxFuture<'static, T>,
    overrides: CallOverrides,
}

impl<B, T> Customize<B, T> {
    /// Called by generated code: `builder`, where its client handle is, and how it is sent.
    pub fn new(
        builder: B,
        handle: fn(&mut B) -> &mut ClientHandle,
        send: fn(B) -> BoxFuture<'static, T>,
    ) -> Customize<B, T> {
        Customize {
            builder,
            handle,
            send,
            overrides: CallOverrides::default(),
        }
    }

    /// Retries of this call: e.g. [`RetryConfig::disabled`] for a single attempt, or more
    /// attempts than the configuration allows.
    pub fn retry_config(mut self, retry: RetryConfig) -> Self {
        self.overrides.retry = Some(retry);
        self
    }

    /// Timeouts of this call (connect, read, attempt, operation), replacing the
    /// configuration's.
    pub fn timeout_config(mut self, timeouts: TimeoutConfig) -> Self {
        self.overrides.timeouts = Some(timeouts);
        self
    }

    /// Adds an interceptor for this call, run after the configuration's.
    pub fn interceptor(mut self, interceptor: impl Interceptor + 'static) -> Self {
        self.overrides.interceptors.push(Arc::new(interceptor));
        self
    }

    /// The builder being customized, to read what was set.
    pub fn builder(&self) -> &B {
        &self.builder
    }

    /// Sends the call with these settings; the result is that of the builder's `send()`.
    pub async fn send(self) -> T {
        let Customize {
            mut builder,
            handle,
            send,
            overrides,
        } = self;
        let h = handle(&mut builder);
        *h = h.with_overrides(overrides);
        send(builder).await
    }
}

impl<B: fmt::Debug, T> fmt::Debug for Customize<B, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Customize")
            .field("builder", &self.builder)
            .field("overrides", &self.overrides)
            .finish_non_exhaustive()
    }
}

impl ClientHandle {
    /// This handle with `overrides` applied on top of any it already has (same connection
    /// pool, retry quota and configuration).
    pub(crate) fn with_overrides(&self, overrides: CallOverrides) -> ClientHandle {
        let merged = match &self.overrides {
            Some(old) => old.merge(overrides),
            None => overrides,
        };
        ClientHandle {
            inner: Arc::clone(&self.inner),
            overrides: Some(Arc::new(merged)),
            discovery: self.discovery.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Nothing;
    impl Interceptor for Nothing {}

    #[test]
    fn later_overrides_win_and_interceptors_add_up() {
        let a = CallOverrides {
            retry: Some(RetryConfig::disabled()),
            timeouts: Some(TimeoutConfig::disabled()),
            interceptors: vec![Arc::new(Nothing)],
        };
        let b = CallOverrides {
            retry: Some(RetryConfig::standard().with_max_attempts(7)),
            timeouts: None,
            interceptors: vec![Arc::new(Nothing)],
        };
        let m = a.merge(b);
        assert_eq!(m.retry.unwrap().max_attempts, 7);
        assert_eq!(m.timeouts, Some(TimeoutConfig::disabled()));
        assert_eq!(m.interceptors.len(), 2);
    }
}
