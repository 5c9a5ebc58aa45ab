//! What generated code hands the pipeline ([`Request`]) and what it gets back ([`Reply`]).

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method};

use crate::error::{BuildError, BuildErrorKind, ErrorMetadata};
use crate::http::HttpResponse;

/// One operation's request as its protocol's serializer builds it: method, path and query,
/// headers, body and host prefix. The pipeline joins the path onto the endpoint (after the
/// endpoint's own path), puts the host prefix in front of the endpoint host, adds the
/// `User-Agent`, invocation and retry headers and the endpoint's headers, and signs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The HTTP method.
    pub method: Method,
    /// Path (starting with `/`, already percent-encoded) and query (`?a=b&c`, encoded).
    pub path_and_query: String,
    /// The protocol's headers (content type, bound input members, ...).
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
    /// A `smithy.api#endpoint` host prefix, already expanded and checked (`foo.`).
    pub host_prefix: Option<String>,
    /// The operation's endpoint-rule parameters (`@contextParam` input members and
    /// `@staticContextParams`): the endpoint is resolved for this request with them.
    pub endpoint_params: Vec<(&'static str, crate::endpoint::Value)>,
    /// The endpoint URL endpoint discovery found for this call (set by the runtime, never by
    /// generated code): it replaces the resolved endpoint's URL, which keeps its signing scope.
    pub(crate) discovered_endpoint: Option<String>,
}

impl Request {
    /// `{}`, the body of a JSON request with nothing to say.
    pub const EMPTY_JSON_OBJECT: &'static [u8] = b"{}";

    /// A request with no headers, an empty body and no host prefix.
    pub fn new(method: Method, path_and_query: impl Into<String>) -> Request {
        Request {
            method,
            path_and_query: path_and_query.into(),
            headers: HeaderMap::new(),
            body: Bytes::new(),
            host_prefix: None,
            endpoint_params: Vec::new(),
            discovered_endpoint: None,
        }
    }

    /// Sets the body (builder style).
    pub fn with_body(mut self, body: impl Into<Bytes>) -> Request {
        self.body = body.into();
        self
    }

    /// Sets the host prefix (builder style).
    pub fn with_host_prefix(mut self, prefix: impl Into<String>) -> Request {
        self.host_prefix = Some(prefix.into());
        self
    }

    /// Appends header `name: value` (a value from the input). A name or value that cannot be
    /// sent in HTTP/1.1 (a control character, a non-token name) is a construction error naming
    /// the header, never a panic.
    pub fn append_header(&mut self, name: &str, value: &str) -> Result<(), BuildError> {
        let (n, v) = checked_header(name, value)?;
        self.headers.append(n, v);
        Ok(())
    }

    /// Sets header `name` to `value` (replacing any value it had), checked like
    /// [`append_header`](Self::append_header).
    pub fn set_header(&mut self, name: &str, value: &str) -> Result<(), BuildError> {
        let (n, v) = checked_header(name, value)?;
        self.headers.insert(n, v);
        Ok(())
    }

    /// Sets header `name` (a fixed, valid name and value from generated code).
    pub fn set_static_header(&mut self, name: &'static str, value: &'static str) {
        self.headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
}

/// What the pipeline returns for one operation: the final response (2xx, or an error response
/// that is not retryable or ran out of attempts) and, for a non-2xx one, the error metadata the
/// service's protocol read from it (once: the retry decision and the error enum both use it).
/// Derefs to the response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// The response.
    pub response: HttpResponse,
    /// Error code, message, request id and status; `Some` exactly when the status is not 2xx.
    pub error: Option<ErrorMetadata>,
}

impl std::ops::Deref for Reply {
    type Target = HttpResponse;

    fn deref(&self) -> &HttpResponse {
        &self.response
    }
}

/// `url` (an absolute endpoint URL whose path ends with `/`, possibly with a query) with
/// `path_and_query` joined after its path: `https://h/` + `/a?b` → `https://h/a?b`,
/// `https://h/p/` + `/a` → `https://h/p/a`; an endpoint query goes after the request's.
pub(crate) fn join_url(url: &str, path_and_query: &str) -> String {
    // The RPC protocols' `/` onto an endpoint without a query: the endpoint URL itself.
    if path_and_query == "/" && url.ends_with('/') {
        return url.to_string();
    }
    let (base, endpoint_query) = match url.find('?') {
        Some(q) => (&url[..q], &url[q + 1..]),
        None => (url, ""),
    };
    let base = base.strip_suffix('/').unwrap_or(base);
    // One allocation of the exact size: this runs for every request.
    let mut out =
        String::with_capacity(base.len() + 1 + path_and_query.len() + 1 + endpoint_query.len());
    out.push_str(base);
    if !path_and_query.starts_with('/') {
        out.push('/');
    }
    out.push_str(path_and_query);
    if !endpoint_query.is_empty() {
        out.push(if path_and_query.contains('?') {
            '&'
        } else {
            '?'
        });
        out.push_str(endpoint_query);
    }
    out
}

/// A header name and value from the input, or a construction error naming the header when either
/// cannot be sent in HTTP/1.1.
fn checked_header(name: &str, value: &str) -> Result<(HeaderName, HeaderValue), BuildError> {
    let n = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
        BuildError::new(
            BuildErrorKind::InvalidField,
            format!("{name:?} is not a valid HTTP header name"),
        )
    })?;
    let v = HeaderValue::from_str(value).map_err(|_| {
        BuildError::new(
            BuildErrorKind::InvalidField,
            format!("the value of header {name} contains characters HTTP headers cannot carry"),
        )
    })?;
    Ok((n, v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_join_after_the_endpoint_path() {
        assert_eq!(join_url("https://h/", "/"), "https://h/");
        assert_eq!(join_url("https://h/", "/a/b?x=1"), "https://h/a/b?x=1");
        assert_eq!(join_url("https://h/p/q/", "/"), "https://h/p/q/");
        assert_eq!(join_url("https://h/p/q/", "/a"), "https://h/p/q/a");
        assert_eq!(join_url("http://h/?e=1", "/"), "http://h/?e=1");
        assert_eq!(join_url("http://h/?e=1", "/a?b"), "http://h/a?b&e=1");
        assert_eq!(join_url("http://h/", "a"), "http://h/a");
    }

    #[test]
    fn bad_header_values_are_construction_errors() {
        let mut r = Request::new(Method::GET, "/");
        assert!(r.append_header("x-a", "fine").is_ok());
        assert!(r.append_header("x-a", "bad\nvalue").is_err());
        assert!(r.append_header("bad name", "v").is_err());
        assert_eq!(r.headers.get_all("x-a").iter().count(), 1);
    }
}
