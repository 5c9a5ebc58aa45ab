//! Where a request goes. The scheme, host and port of an endpoint URL are parsed once, when the
//! endpoint is resolved ([`Origin`], kept with the client's endpoint); each request then only
//! checks that its URI still starts with that endpoint's `scheme://authority` and parses its own
//! path and query ([`Target::of`]). A URI without a parsed origin, or one that no longer starts
//! with it (a custom transport may rewrite it), is parsed whole, with the same result.

use std::fmt::{self, Write as _};
use std::sync::Arc;

use http::uri::PathAndQuery;
use http::HeaderValue;

use super::pool::PoolKey;
use super::{HttpRequest, TransportError, TransportErrorKind};

/// The longest URI `http::Uri` accepts: a longer one is parsed whole, to fail as it always did.
const MAX_URI_LEN: usize = (u16::MAX - 1) as usize;

/// The scheme and authority of an absolute `http`/`https` URL, parsed once and shared by every
/// request to it. `Debug` shows `scheme://host:port` only (never user information the URL may
/// carry).
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Origin {
    /// `scheme://authority` as the URL starts (empty when it cannot be matched textually: then
    /// every request URI is parsed whole).
    written: Box<str>,
    /// `true` for `https`.
    pub(crate) https: bool,
    /// The host, without the brackets of an IPv6 address.
    pub(crate) host: String,
    /// The port, the scheme's default when the URL has none.
    pub(crate) port: u16,
    /// The connection pool's key for this origin.
    pub(crate) key: PoolKey,
    /// `scheme://host:port`, for messages.
    display: Box<str>,
    /// The `Host` header value (`None` when the host cannot be a header value).
    host_header: Option<HeaderValue>,
}

impl Origin {
    /// Parses the scheme and authority of the absolute `http`/`https` URL `url` (its path and
    /// query are checked but not kept).
    pub(crate) fn parse(url: &str) -> Result<Origin, TransportError> {
        parse(url).map(|(origin, _)| origin)
    }

    fn new(https: bool, host: String, port: u16, written: String) -> Origin {
        let mut bracketed = String::with_capacity(host.len() + 2);
        if host.contains(':') {
            bracketed.push('[');
            bracketed.push_str(&host);
            bracketed.push(']');
        } else {
            bracketed.push_str(&host);
        }
        let scheme = if https { "https" } else { "http" };
        let default = if https { 443 } else { 80 };
        let display = format!("{scheme}://{bracketed}:{port}");
        let mut header = bracketed;
        if port != default {
            let _ = write!(header, ":{port}");
        }
        Origin {
            written: written.into_boxed_str(),
            https,
            key: PoolKey::new(https, &host, port),
            host,
            port,
            display: display.into_boxed_str(),
            host_header: HeaderValue::from_str(&header).ok(),
        }
    }

    /// `scheme://host:port` (IPv6 hosts in brackets), used in messages.
    pub(crate) fn display(&self) -> &str {
        &self.display
    }

    /// `host:port` (IPv6 hosts in brackets), as a `CONNECT` request names it.
    pub(crate) fn host_and_port(&self) -> &str {
        let scheme = if self.https { "https://" } else { "http://" };
        &self.display[scheme.len()..]
    }

    /// The `Host` header value: the host (IPv6 in brackets), with the port unless it is the
    /// scheme's default.
    pub(crate) fn host_header(&self) -> Result<HeaderValue, TransportError> {
        self.host_header
            .clone()
            .ok_or_else(|| TransportError::new(TransportErrorKind::Other, "invalid host"))
    }

    /// The `/path?query` of `uri` when it is this origin's URL text followed by a path.
    pub(crate) fn path_of<'u>(&self, uri: &'u str) -> Option<&'u str> {
        if self.written.is_empty() || uri.len() > MAX_URI_LEN {
            return None;
        }
        uri.strip_prefix(&*self.written)
            .filter(|rest| rest.starts_with('/'))
    }
}

impl fmt::Debug for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Origin").field(&self.display).finish()
    }
}

/// The parts of an absolute request URI a transport needs: its origin and its path and query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Target {
    /// Scheme, host and port.
    pub(crate) origin: Arc<Origin>,
    /// `/path?query` (never empty; a fragment is dropped).
    pub(crate) path_and_query: PathAndQuery,
}

impl Target {
    /// Parses the absolute `http`/`https` URI `uri`.
    pub(crate) fn parse(uri: &str) -> Result<Target, TransportError> {
        let (origin, path_and_query) = parse(uri)?;
        Ok(Target {
            origin: Arc::new(origin),
            path_and_query,
        })
    }

    /// The target of `req`: its endpoint's parsed origin and its own path when its URI still
    /// starts with that origin, else its whole URI parsed. An error names the URI.
    pub(crate) fn of(req: &HttpRequest) -> Result<Target, TransportError> {
        if let Some(origin) = &req.origin {
            if let Some(path) = origin.path_of(&req.uri) {
                // Checked as `http::Uri` checks the path of an absolute URI; a path it rejects
                // is parsed whole below, for the same error.
                let parsed = if path == "/" {
                    Ok(PathAndQuery::from_static("/"))
                } else {
                    PathAndQuery::try_from(path)
                };
                if let Ok(path_and_query) = parsed {
                    return Ok(Target {
                        origin: Arc::clone(origin),
                        path_and_query,
                    });
                }
            }
        }
        Target::parse(&req.uri).map_err(|e| e.with_target(req.uri.clone()))
    }

    /// The `Host` header value: the port is left out when it is the scheme's default.
    pub(crate) fn host_header(&self) -> Result<HeaderValue, TransportError> {
        self.origin.host_header()
    }

    /// The request URI for the request line: the path and query.
    pub(crate) fn request_uri(&self) -> http::Uri {
        http::Uri::from(self.path_and_query.clone())
    }
}

/// Parses an absolute `http`/`https` URI into its origin and its path and query (`/` when it
/// has none; `?q` becomes `/?q`).
fn parse(uri: &str) -> Result<(Origin, PathAndQuery), TransportError> {
    let bad = |why: &str| {
        TransportError::new(
            TransportErrorKind::Other,
            format!("invalid request URI {uri:?}: {why}"),
        )
    };
    let parsed: http::Uri = uri.parse().map_err(|_| bad("not a URI"))?;
    let https = match parsed.scheme_str() {
        Some("https") => true,
        Some("http") => false,
        _ => return Err(bad("scheme must be http or https")),
    };
    let host = parsed.host().ok_or_else(|| bad("no host"))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() {
        return Err(bad("empty host"));
    }
    let port = parsed.port_u16().unwrap_or(if https { 443 } else { 80 });
    // The text a request URI to this origin starts with (only when the URL is written that
    // way, e.g. not with an upper-case scheme).
    let written = match (parsed.scheme_str(), parsed.authority()) {
        (Some(scheme), Some(authority)) => {
            let w = format!("{scheme}://{}", authority.as_str());
            if uri.starts_with(&w) {
                w
            } else {
                String::new()
            }
        }
        _ => String::new(),
    };
    let path_and_query = match parsed.path_and_query() {
        Some(p) if p.as_str().starts_with('/') => p.clone(),
        Some(p) if !p.as_str().is_empty() => format!("/{}", p.as_str())
            .parse()
            .map_err(|_| bad("not a URI"))?,
        _ => PathAndQuery::from_static("/"),
    };
    let origin = Origin::new(https, host.to_string(), port, written);
    Ok((origin, path_and_query))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(uri: &str, origin: Option<&str>) -> HttpRequest {
        let mut req = HttpRequest::new(http::Method::GET, uri, "");
        req.origin = origin.map(|o| Arc::new(Origin::parse(o).unwrap()));
        req
    }

    #[test]
    fn target_parses_defaults_and_ports() {
        let t = Target::parse("https://example.com").unwrap();
        assert!(t.origin.https);
        assert_eq!(t.origin.port, 443);
        assert_eq!(t.path_and_query, "/");
        assert_eq!(t.host_header().unwrap(), "example.com");
        let t = Target::parse("http://127.0.0.1:8080/a/b?x=1").unwrap();
        assert!(!t.origin.https);
        assert_eq!(t.origin.port, 8080);
        assert_eq!(t.path_and_query, "/a/b?x=1");
        assert_eq!(t.host_header().unwrap(), "127.0.0.1:8080");
        assert_eq!(t.origin.display(), "http://127.0.0.1:8080");
        let t = Target::parse("http://[::1]:9/").unwrap();
        assert_eq!(t.origin.host, "::1");
        assert_eq!(t.host_header().unwrap(), "[::1]:9");
        let t = Target::parse("https://example.com:443/").unwrap();
        assert_eq!(t.origin.display(), "https://example.com:443");
        assert_eq!(t.host_header().unwrap(), "example.com");
        let t = Target::parse("http://127.0.0.1:0/").unwrap();
        assert_eq!(t.origin.display(), "http://127.0.0.1:0");
        assert_eq!(t.host_header().unwrap(), "127.0.0.1:0");
        let t = Target::parse("https://[::1]/").unwrap();
        assert_eq!(t.origin.display(), "https://[::1]:443");
        assert_eq!(t.host_header().unwrap(), "[::1]");
        assert_eq!(t.origin.host_and_port(), "[::1]:443");
        // A query without a path, and a fragment (dropped).
        let t = Target::parse("http://h?x=1").unwrap();
        assert_eq!(t.path_and_query, "/?x=1");
        let t = Target::parse("http://h/a?b#frag").unwrap();
        assert_eq!(t.path_and_query, "/a?b");
        assert_eq!(t.request_uri(), "/a?b");
    }

    #[test]
    fn target_rejects_bad_uris() {
        for bad in ["ftp://x/", "/relative", "", "http://", "http://h/a b"] {
            let e = Target::parse(bad).unwrap_err();
            assert_eq!(e.kind(), TransportErrorKind::Other, "{bad}");
            assert!(!e.is_retryable());
            assert!(e.message().starts_with("invalid request URI"), "{bad}: {e}");
        }
    }

    /// A request with its endpoint's origin gets the same target as one parsed whole, for
    /// every shape of endpoint and path: the origin is reused, only the path is parsed.
    #[test]
    fn request_with_its_endpoint_origin_matches_a_whole_parse() {
        let cases = [
            ("https://secretsmanager.us-east-1.amazonaws.com/", "/"),
            (
                "https://eks.us-east-1.amazonaws.com/",
                "/clusters/my%20cluster",
            ),
            (
                "http://127.0.0.1:8080/",
                "/bucket/key%2Fwith%2Fslashes?x-id=GetObject",
            ),
            ("http://127.0.0.1:8080/prefix/", "/prefix/a?b=c&d"),
            (
                "https://bucket.s3.us-east-1.amazonaws.com/",
                "/key?versionId=1",
            ),
            ("https://[::1]:8443/", "/a"),
            ("https://example.com:443/", "/"),
            ("http://user@h:80/", "/p"),
            ("http://H.Example.COM/", "/a#fragment"),
        ];
        for (endpoint, path) in cases {
            let base = endpoint.strip_suffix('/').unwrap();
            let uri = format!("{base}{path}");
            let req = request(&uri, Some(endpoint));
            let fast = Target::of(&req).unwrap();
            assert!(
                Arc::ptr_eq(&fast.origin, req.origin.as_ref().unwrap()),
                "{uri}: the endpoint's origin is reused"
            );
            let whole = Target::parse(&uri).unwrap();
            assert_eq!(fast, whole, "{uri}");
            assert_eq!(fast.host_header().unwrap(), whole.host_header().unwrap());
            assert_eq!(fast.origin.display(), whole.origin.display());
            assert_eq!(fast.origin.key, whole.origin.key);
            assert_eq!(fast.request_uri(), whole.request_uri());
        }
    }

    /// A URI that does not continue the origin's text (rewritten by a custom transport, another
    /// port or host that shares a prefix, a path-less URI) is parsed whole.
    #[test]
    fn a_uri_that_left_its_origin_is_parsed_whole() {
        let origin = "http://h/";
        for uri in [
            "http://h:8080/a",
            "http://hx/a",
            "http://h?x=1",
            "http://h",
            "https://h/a",
            "http://other/a",
            "HTTP://h/a",
        ] {
            let req = request(uri, Some(origin));
            let t = Target::of(&req).unwrap();
            assert!(
                !Arc::ptr_eq(&t.origin, req.origin.as_ref().unwrap()),
                "{uri}"
            );
            assert_eq!(t, Target::parse(uri).unwrap(), "{uri}");
        }
        // An upper-case scheme is not matched textually, but still parses.
        let upper = Origin::parse("HTTP://h/").unwrap();
        assert!(upper.written.is_empty());
        let req = request("HTTP://h/a", Some("HTTP://h/"));
        assert_eq!(Target::of(&req).unwrap().path_and_query, "/a");
        // No origin at all: parsed whole.
        let t = Target::of(&request("http://h:1/z?q", None)).unwrap();
        assert_eq!(t.origin.display(), "http://h:1");
        assert_eq!(t.path_and_query, "/z?q");
    }

    /// Errors are those of a whole parse, naming the URI, with or without an origin.
    #[test]
    fn bad_request_uris_fail_the_same_with_an_origin() {
        for uri in [
            "http://h/a b",
            "http://h/\u{7f}",
            "ftp://h/a",
            "http://h/a\nb",
        ] {
            let with = Target::of(&request(uri, Some("http://h/"))).unwrap_err();
            let without = Target::of(&request(uri, None)).unwrap_err();
            assert_eq!(with.to_string(), without.to_string(), "{uri}");
            assert_eq!(with.kind(), TransportErrorKind::Other);
            assert_eq!(with.target(), Some(uri));
        }
        let long = format!("http://h/{}", "a".repeat(MAX_URI_LEN));
        let with = Target::of(&request(&long, Some("http://h/"))).unwrap_err();
        assert!(with.message().contains("not a URI"), "{with}");
    }

    #[test]
    fn debug_shows_no_user_information() {
        let o = Origin::parse("http://user:secret@h:8080/").unwrap();
        assert_eq!(format!("{o:?}"), "Origin(\"http://h:8080\")");
        let t = Target::parse("http://user:secret@h/p").unwrap();
        assert!(!format!("{t:?}").contains("secret"), "{t:?}");
    }

    #[test]
    fn origin_keys_ignore_host_case() {
        let a = Origin::parse("https://Example.COM/").unwrap();
        let b = Origin::parse("https://example.com:443/x").unwrap();
        assert_eq!(a.key, b.key);
        assert_ne!(a.key, Origin::parse("http://example.com:443/").unwrap().key);
        assert_eq!(a.host, "Example.COM");
        assert_eq!(a.host_header().unwrap(), "Example.COM");
    }
}
