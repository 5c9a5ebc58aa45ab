//! [`PageStream`]: the page-by-page iterator behind generated paginators.
//!
//! A generated paginator supplies a closure that sends the operation with a given pagination
//! token and returns the page together with the next token. The stream stops when the next token
//! is absent or empty. If the service returns the token it was just sent, the page is still
//! yielded, then the stream yields one [`SdkError::Construction`] error of kind
//! [`BuildErrorKind::PaginationLoop`] and ends (this prevents an endless loop).

use std::fmt;

use crate::error::{BuildError, BuildErrorKind, SdkError};
use crate::http::BoxFuture;

/// Fetches one page given the token (`None` for the first page): returns the page and the next
/// token.
pub type FetchPage<T, E> = Box<
    dyn FnMut(Option<String>) -> BoxFuture<'static, Result<(T, Option<String>), SdkError<E>>>
        + Send,
>;

enum State {
    /// The next request carries this token (`None`: first page).
    Next(Option<String>),
    /// The service repeated this token; report it next.
    Loop(String),
    Done,
}

/// A stream of pages. Call [`PageStream::next`] until it returns `None`.
pub struct PageStream<T, E> {
    fetch: FetchPage<T, E>,
    state: State,
}

impl<T, E> fmt::Debug for PageStream<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            State::Next(None) => "first page",
            State::Next(Some(_)) => "more pages",
            State::Loop(_) => "token repeated",
            State::Done => "done",
        };
        f.debug_struct("PageStream").field("state", &state).finish()
    }
}

impl<T, E> PageStream<T, E> {
    /// A stream starting without a token.
    pub fn new<F>(fetch: F) -> Self
    where
        F: FnMut(Option<String>) -> BoxFuture<'static, Result<(T, Option<String>), SdkError<E>>>
            + Send
            + 'static,
    {
        PageStream::starting_at(None, fetch)
    }

    /// A stream whose first request carries `token` (the input's own starting token).
    pub fn starting_at<F>(token: Option<String>, fetch: F) -> Self
    where
        F: FnMut(Option<String>) -> BoxFuture<'static, Result<(T, Option<String>), SdkError<E>>>
            + Send
            + 'static,
    {
        PageStream {
            fetch: Box::new(fetch),
            state: State::Next(token.filter(|t| !t.is_empty())),
        }
    }

    /// The next page, an error, or `None` when there are no more pages. After an error the
    /// stream ends.
    pub async fn next(&mut self) -> Option<Result<T, SdkError<E>>> {
        let sent = match std::mem::replace(&mut self.state, State::Done) {
            State::Done => return None,
            State::Loop(token) => {
                return Some(Err(SdkError::Construction(BuildError::new(
                    BuildErrorKind::PaginationLoop,
                    format!(
                        "the service returned the same pagination token twice in a row ({token:?})"
                    ),
                ))))
            }
            State::Next(token) => token,
        };
        match (self.fetch)(sent.clone()).await {
            Err(e) => Some(Err(e)),
            Ok((page, next)) => {
                self.state = match next.filter(|t| !t.is_empty()) {
                    None => State::Done,
                    Some(t) if sent.as_deref() == Some(t.as_str()) => State::Loop(t),
                    Some(t) => State::Next(Some(t)),
                };
                Some(Ok(page))
            }
        }
    }

    /// Collects every page, stopping at the first error.
    pub async fn collect(mut self) -> Result<Vec<T>, SdkError<E>> {
        let mut pages = Vec::new();
        while let Some(page) = self.next().await {
            pages.push(page?);
        }
        Ok(pages)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Never;
    use std::sync::{Arc, Mutex};

    type Seen = Arc<Mutex<Vec<Option<String>>>>;

    /// A fake service: page i returns `tokens[i]` as next token; records the tokens it was sent.
    fn fake(tokens: Vec<Option<&'static str>>) -> (PageStream<usize, Never>, Seen) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let seen2 = Arc::clone(&seen);
        let mut i = 0usize;
        let stream = PageStream::new(move |token: Option<String>| {
            seen2.lock().unwrap().push(token);
            let page = i;
            let next = tokens.get(i).copied().flatten().map(String::from);
            i += 1;
            Box::pin(async move { Ok((page, next)) }) as BoxFuture<'static, _>
        });
        (stream, seen)
    }

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn follows_tokens_until_absent() {
        let (s, seen) = fake(vec![Some("a"), Some("b"), None]);
        let pages = block_on(s.collect()).unwrap();
        assert_eq!(pages, vec![0, 1, 2]);
        assert_eq!(
            *seen.lock().unwrap(),
            vec![None, Some("a".to_string()), Some("b".to_string())]
        );
    }

    #[test]
    fn empty_token_ends() {
        let (s, _) = fake(vec![Some("a"), Some("")]);
        assert_eq!(block_on(s.collect()).unwrap(), vec![0, 1]);
    }

    #[test]
    fn repeated_token_is_an_error_after_the_page() {
        let (mut s, seen) = fake(vec![Some("a"), Some("a"), Some("a")]);
        block_on(async {
            assert_eq!(s.next().await.unwrap().unwrap(), 0);
            assert_eq!(s.next().await.unwrap().unwrap(), 1);
            let err = s.next().await.unwrap().unwrap_err();
            match &err {
                SdkError::Construction(b) => assert_eq!(b.kind(), BuildErrorKind::PaginationLoop),
                other => panic!("unexpected {other:?}"),
            }
            assert!(err.to_string().contains("same pagination token"));
            assert!(s.next().await.is_none());
        });
        assert_eq!(seen.lock().unwrap().len(), 2);
    }

    #[test]
    fn errors_end_the_stream() {
        let calls = Arc::new(Mutex::new(0));
        let calls2 = Arc::clone(&calls);
        let mut s: PageStream<u8, Never> =
            PageStream::starting_at(Some("start".into()), move |t| {
                *calls2.lock().unwrap() += 1;
                assert_eq!(t.as_deref(), Some("start"));
                Box::pin(async {
                    Err(SdkError::Construction(BuildError::new(
                        BuildErrorKind::Other,
                        "boom",
                    )))
                })
            });
        block_on(async {
            assert!(s.next().await.unwrap().is_err());
            assert!(s.next().await.is_none());
        });
        assert_eq!(*calls.lock().unwrap(), 1);
    }
}
