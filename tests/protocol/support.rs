//! Support library of the generated protocol-test crate (written to
//! `target/protocol-tests/<file>/cases/src/lib.rs`, and compiled into the harness so its own
//! tests run there too): a recording transport, client configuration, request checks, JSON
//! comparison and a wire check through the real HTTP transport.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use awsrt::config::Config;
use awsrt::http::{
    AttemptTimeouts, BoxFuture, HttpRequest, HttpResponse, HyperTransport, Transport,
    TransportError,
};
use awsrt::retry::RetryConfig;
use awsrt::types::{Document, Number};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A transport that records every request and answers each with the same canned response.
#[derive(Debug)]
pub struct Mock {
    response: HttpResponse,
    requests: Mutex<Vec<HttpRequest>>,
}

impl Mock {
    /// A mock answering `status`, `headers`, `body`.
    pub fn new(status: u16, headers: &[(&str, &str)], body: &str) -> Arc<Mock> {
        let mut response = HttpResponse::new(status, body.as_bytes().to_vec());
        for (k, v) in headers {
            response = response.with_header(k, v);
        }
        Arc::new(Mock {
            response,
            requests: Mutex::new(Vec::new()),
        })
    }

    /// A mock answering `status`, `headers` and the body whose base64 is `body` (a CBOR body).
    pub fn from_base64(status: u16, headers: &[(&str, &str)], body: &str) -> Arc<Mock> {
        let mock = Mock::new(status, headers, "");
        let bytes = awsrt::types::base64_decode(body).expect("the case's body is base64");
        let mut response = mock.response.clone();
        response.body = bytes.into();
        Arc::new(Mock {
            response,
            requests: Mutex::new(Vec::new()),
        })
    }

    /// A mock answering `status` and `headers` with `body` followed by the event-stream
    /// messages whose base64 are `events` (an event-stream case's initial response and events).
    pub fn with_events(
        status: u16,
        headers: &[(&str, &str)],
        body: &str,
        events: &[&str],
    ) -> Arc<Mock> {
        let mock = Mock::new(status, headers, body);
        let mut response = mock.response.clone();
        let mut all = body.as_bytes().to_vec();
        for e in events {
            all.extend(awsrt::types::base64_decode(e).expect("the event's bytes are base64"));
        }
        response.body = all.into();
        Arc::new(Mock {
            response,
            requests: Mutex::new(Vec::new()),
        })
    }

    /// The requests sent so far.
    pub fn requests(&self) -> Vec<HttpRequest> {
        self.requests
            .lock()
            .map(|r| r.clone())
            .unwrap_or_else(|e| e.into_inner().clone())
    }

    /// The one request sent (panics unless exactly one was).
    pub fn single_request(&self) -> HttpRequest {
        let mut all = self.requests();
        assert_eq!(
            all.len(),
            1,
            "expected exactly one request, got {}",
            all.len()
        );
        all.remove(0)
    }
}

impl Transport for Mock {
    fn send(
        &self,
        req: HttpRequest,
        _timeouts: &AttemptTimeouts,
    ) -> BoxFuture<'static, Result<HttpResponse, TransportError>> {
        match self.requests.lock() {
            Ok(mut r) => r.push(req),
            Err(e) => e.into_inner().push(req),
        }
        let resp = self.response.clone();
        Box::pin(async move { Ok(resp) })
    }
}

/// Static credentials, `us-east-1`, the given endpoint, no retries, the mock as transport.
pub fn config(endpoint: &str, mock: &Arc<Mock>) -> Config {
    let transport: Arc<dyn Transport> = mock.clone();
    Config::builder()
        .region("us-east-1")
        .credentials(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            None,
        )
        .endpoint_url(endpoint)
        .retry_config(RetryConfig::disabled())
        .transport(transport)
        .build()
}

/// `(authority, path-and-query)` of an absolute URI.
pub fn split_uri(uri: &str) -> (&str, &str) {
    let rest = uri.split_once("://").map_or(uri, |(_, r)| r);
    match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    }
}

/// JSON equality with numbers compared by value (`1` equals `1.0`) and objects unordered.
pub fn json_eq(a: &Document, b: &Document) -> bool {
    match (a, b) {
        (Document::Number(x), Document::Number(y)) => number_eq(*x, *y),
        (Document::Array(x), Document::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| json_eq(x, y))
        }
        (Document::Object(x), Document::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

fn number_eq(x: Number, y: Number) -> bool {
    match (x.to_i64(), y.to_i64()) {
        (Some(a), Some(b)) => a == b,
        _ => match (x.to_u64(), y.to_u64()) {
            (Some(a), Some(b)) => a == b,
            _ => x.as_f64() == y.as_f64(),
        },
    }
}

/// What a request case expects (botocore's `serialized`, or a Smithy `httpRequestTests` case).
#[derive(Debug, Default)]
pub struct ExpectedRequest<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// The path, or path and query when it has a `?` (then compared whole).
    pub uri: &'a str,
    /// `host` (may include a base path, as botocore writes it for endpoints with a path).
    pub host: Option<&'a str>,
    /// Headers that must have exactly these values.
    pub headers: &'a [(&'a str, &'a str)],
    /// Headers that must be present (checked on the wire, see [`wire_request`]).
    pub require_headers: &'a [&'a str],
    /// Headers that must be absent.
    pub forbid_headers: &'a [&'a str],
    /// `key=value` query parameters (as encoded on the wire) that must be present.
    pub query_params: &'a [&'a str],
    /// Query parameter names that must be absent.
    pub forbid_query_params: &'a [&'a str],
    /// Query parameter names that must be present.
    pub require_query_params: &'a [&'a str],
    /// When set, the query must hold exactly these `key=value` parameters, in any order.
    pub query_exact: Option<&'a [&'a str]>,
    /// What the body must be.
    pub body: Body<'a>,
}

/// How a request body is compared.
#[derive(Debug, Default, Clone, Copy)]
pub enum Body<'a> {
    /// No assertion (a Smithy case without `body`).
    #[default]
    Any,
    /// Empty or `{}` (a botocore case without `body`).
    EmptyOrEmptyObject,
    /// Equal as JSON documents (numbers by value, object members in any order).
    Json(&'a str),
    /// Equal as `application/x-www-form-urlencoded` parameter lists: the same `&`-separated
    /// parameters in any order, whitespace around each ignored.
    Form(&'a str),
    /// Equal byte for byte (Smithy: a body without a JSON/XML/form media type).
    Exact(&'a str),
    /// Equal as XML documents ([`xml_canonical`]).
    Xml(&'a str),
    /// Base64 of a CBOR item; equal in CBOR's data model (map entries in any order, definite
    /// and indefinite lengths alike, floats by value whatever their width).
    Cbor(&'a str),
}

/// A canonical text of an XML document for comparing two: names with their prefixes,
/// attributes (namespace declarations included) sorted, whitespace-only text between elements
/// dropped, child elements grouped by name (structure members may come in any order; the order
/// of elements of one name, list items, is kept). Map entries may come in any order (the
/// generated maps are hash maps): among elements of one name that each hold exactly two
/// elements and no text, the order is ignored.
pub fn xml_canonical(body: &[u8]) -> Result<String, String> {
    fn canon(n: awsrt::xml::Node<'_, '_>) -> String {
        let mut attrs: Vec<String> = n
            .attributes()
            .map(|(p, l, v)| {
                if p.is_empty() {
                    format!("{l}={v:?}")
                } else {
                    format!("{p}:{l}={v:?}")
                }
            })
            .collect();
        attrs.sort();
        let name = if n.prefix().is_empty() {
            n.name().to_string()
        } else {
            format!("{}:{}", n.prefix(), n.name())
        };
        let mut kids: Vec<awsrt::xml::Node<'_, '_>> = n.children().collect();
        let text = if kids.is_empty() {
            n.text().to_string()
        } else {
            n.text().trim().to_string()
        };
        kids.sort_by_key(|c| c.name());
        let entry_like =
            |c: &awsrt::xml::Node<'_, '_>| c.children().count() == 2 && c.text().trim().is_empty();
        let mut parts: Vec<String> = Vec::new();
        let mut i = 0;
        while i < kids.len() {
            let mut j = i + 1;
            while j < kids.len() && kids[j].name() == kids[i].name() {
                j += 1;
            }
            let mut run: Vec<String> = kids[i..j].iter().map(|c| canon(*c)).collect();
            if kids[i..j].iter().all(entry_like) {
                run.sort();
            }
            parts.extend(run);
            i = j;
        }
        format!(
            "<{name} {}>{text:?}{}</{name}>",
            attrs.join(" "),
            parts.concat()
        )
    }
    let doc = awsrt::xml::XmlDoc::parse(body).map_err(|e| e.to_string())?;
    Ok(canon(doc.root()))
}

/// The query parameters of a path-and-query, split on `&` (empty when there is no query).
pub fn query_pairs(path_and_query: &str) -> Vec<&str> {
    match path_and_query.split_once('?') {
        Some((_, q)) => q.split('&').filter(|p| !p.is_empty()).collect(),
        None => Vec::new(),
    }
}

/// The name of a `key=value` query parameter.
fn query_name(pair: &str) -> &str {
    pair.split_once('=').map_or(pair, |(k, _)| k)
}

/// Form bodies as sorted parameter lists.
fn form_params(body: &str) -> Vec<&str> {
    let mut v: Vec<&str> = body
        .split('&')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    v.sort_unstable();
    v
}

/// Every way `body` differs from `want`.
fn body_mismatch(body: &[u8], want: Body<'_>) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    match want {
        Body::Any => None,
        Body::EmptyOrEmptyObject => {
            let ok = body.is_empty()
                || Document::parse(body).is_ok_and(|d| d.as_object().is_some_and(|o| o.is_empty()));
            (!ok).then(|| format!("body: expected none or {{}}, got {text:?}"))
        }
        Body::Json(want) => match (Document::parse(want.as_bytes()), Document::parse(body)) {
            (Ok(w), Ok(g)) if json_eq(&w, &g) => None,
            (Ok(w), Ok(g)) => Some(format!(
                "body: expected {}, got {}",
                w.to_json(),
                g.to_json()
            )),
            (Err(e), _) => Some(format!("expected body is not JSON ({e}): {want}")),
            (_, Err(e)) => Some(format!("body is not JSON ({e}): {text:?}")),
        },
        Body::Form(want) => (form_params(want) != form_params(&text))
            .then(|| format!("form body: expected {want:?}, got {text:?}")),
        Body::Exact(want) => {
            (want.as_bytes() != body).then(|| format!("body: expected {want:?}, got {text:?}"))
        }
        Body::Xml(want) => match (xml_canonical(want.as_bytes()), xml_canonical(body)) {
            (Ok(w), Ok(g)) if w == g => None,
            (Ok(w), Ok(g)) => Some(format!("XML body: expected {w}, got {g}")),
            (Err(e), _) if want.trim().is_empty() && body.is_empty() => {
                let _ = e;
                None
            }
            (Err(e), _) => Some(format!("expected body is not XML ({e}): {want}")),
            (_, Err(e)) => Some(format!("body is not XML ({e}): {text:?}")),
        },
        Body::Cbor(want) => {
            let want = awsrt::types::base64_decode(want).expect("the case's body is base64");
            match (cbor::parse(&want), cbor::parse(body)) {
                (_, _) if want.is_empty() && body.is_empty() => None,
                (Ok(w), Ok(g)) if w == g => None,
                (Ok(w), Ok(g)) => Some(format!("CBOR body: expected {w:?}, got {g:?}")),
                (Err(e), _) => Some(format!("expected body is not CBOR: {e}")),
                (_, Err(e)) => Some(format!("body is not CBOR ({e}): {body:02x?}")),
            }
        }
    }
}

/// A CBOR decoder of its own for the body checks (independent of `awsrt::cbor`, whose output
/// it checks): one item into a tree compared by value.
pub mod cbor {
    /// A decoded CBOR item. Maps compare as sets of entries; floats by value (NaN equals NaN),
    /// an integer and a float of the same value as equal.
    #[derive(Debug, Clone)]
    pub enum Value {
        /// Major types 0 and 1.
        Int(i128),
        /// Major type 2 (chunks joined).
        Bytes(Vec<u8>),
        /// Major type 3 (chunks joined).
        Text(String),
        /// Major type 4.
        Array(Vec<Value>),
        /// Major type 5, entries sorted by key.
        Map(Vec<(Value, Value)>),
        /// Major type 6.
        Tag(u64, Box<Value>),
        /// A half, single or double float, widened.
        Float(f64),
        /// Other simple values (false 20, true 21, null 22, undefined 23, ...).
        Simple(u64),
    }

    impl PartialEq for Value {
        fn eq(&self, other: &Value) -> bool {
            use Value::*;
            match (self, other) {
                (Int(a), Int(b)) => a == b,
                (Bytes(a), Bytes(b)) => a == b,
                (Text(a), Text(b)) => a == b,
                (Array(a), Array(b)) => a == b,
                (Map(a), Map(b)) => a == b,
                (Tag(t, a), Tag(u, b)) => t == u && a == b,
                (Float(a), Float(b)) => a == b || (a.is_nan() && b.is_nan()),
                // The suites write an integral timestamp either way (tag 1 over `0` in the
                // defaults cases, over a double in the lists case): equal by value.
                (Int(i), Float(f)) | (Float(f), Int(i)) => *i as f64 == *f,
                (Simple(a), Simple(b)) => a == b,
                _ => false,
            }
        }
    }

    struct P<'a> {
        b: &'a [u8],
        i: usize,
    }

    impl P<'_> {
        fn byte(&mut self) -> Result<u8, String> {
            let v = *self.b.get(self.i).ok_or("unexpected end")?;
            self.i += 1;
            Ok(v)
        }

        fn uint(&mut self, info: u8) -> Result<Option<u64>, String> {
            Ok(Some(match info {
                0..=23 => u64::from(info),
                24..=27 => {
                    let mut v = 0u64;
                    for _ in 0..(1 << (info - 24)) {
                        v = (v << 8) | u64::from(self.byte()?);
                    }
                    v
                }
                31 => return Ok(None),
                _ => return Err(format!("bad additional info {info}")),
            }))
        }

        fn bytes(&mut self, major: u8, len: Option<u64>) -> Result<Vec<u8>, String> {
            match len {
                Some(n) => {
                    let n = usize::try_from(n).map_err(|e| e.to_string())?;
                    let end = self.i.checked_add(n).filter(|&e| e <= self.b.len());
                    let end = end.ok_or("string past the end")?;
                    let v = self.b[self.i..end].to_vec();
                    self.i = end;
                    Ok(v)
                }
                None => {
                    let mut out = Vec::new();
                    loop {
                        let h = self.byte()?;
                        if h == 0xff {
                            return Ok(out);
                        }
                        if h >> 5 != major {
                            return Err("bad chunk".into());
                        }
                        let len = self.uint(h & 0x1f)?.ok_or("nested indefinite chunk")?;
                        out.extend(self.bytes(major, Some(len))?);
                    }
                }
            }
        }

        fn item(&mut self, depth: usize) -> Result<Value, String> {
            if depth > 64 {
                return Err("too deep".into());
            }
            let h = self.byte()?;
            let (major, info) = (h >> 5, h & 0x1f);
            if major == 7 {
                let arg = self.uint(info)?.ok_or("unexpected break")?;
                return Ok(match info {
                    25 => Value::Float(half(arg as u16)),
                    26 => Value::Float(f64::from(f32::from_bits(arg as u32))),
                    27 => Value::Float(f64::from_bits(arg)),
                    _ => Value::Simple(arg),
                });
            }
            let arg = self.uint(info)?;
            let count = |n: Option<u64>| n.map(|n| n.min(1 << 20) as usize);
            Ok(match major {
                0 => Value::Int(i128::from(arg.ok_or("indefinite int")?)),
                1 => Value::Int(-1 - i128::from(arg.ok_or("indefinite int")?)),
                2 => Value::Bytes(self.bytes(2, arg)?),
                3 => {
                    Value::Text(String::from_utf8(self.bytes(3, arg)?).map_err(|e| e.to_string())?)
                }
                4 => {
                    let mut v = Vec::new();
                    match count(arg) {
                        Some(n) => {
                            for _ in 0..n {
                                v.push(self.item(depth + 1)?);
                            }
                        }
                        None => {
                            while self.b.get(self.i) != Some(&0xff) {
                                v.push(self.item(depth + 1)?);
                            }
                            self.i += 1;
                        }
                    }
                    Value::Array(v)
                }
                5 => {
                    let mut v = Vec::new();
                    match count(arg) {
                        Some(n) => {
                            for _ in 0..n {
                                v.push((self.item(depth + 1)?, self.item(depth + 1)?));
                            }
                        }
                        None => {
                            while self.b.get(self.i) != Some(&0xff) {
                                v.push((self.item(depth + 1)?, self.item(depth + 1)?));
                            }
                            self.i += 1;
                        }
                    }
                    v.sort_by_key(|(k, _)| format!("{k:?}"));
                    Value::Map(v)
                }
                _ => Value::Tag(
                    arg.ok_or("indefinite tag")?,
                    Box::new(self.item(depth + 1)?),
                ),
            })
        }
    }

    fn half(h: u16) -> f64 {
        let sign = if h >> 15 == 1 { -1.0 } else { 1.0 };
        let exp = i32::from((h >> 10) & 0x1f);
        let frac = f64::from(h & 0x3ff);
        sign * match exp {
            0 => frac * 2f64.powi(-24),
            31 if frac == 0.0 => f64::INFINITY,
            31 => f64::NAN,
            _ => (1.0 + frac / 1024.0) * 2f64.powi(exp - 15),
        }
    }

    /// Parses one complete CBOR item.
    pub fn parse(b: &[u8]) -> Result<Value, String> {
        let mut p = P { b, i: 0 };
        let v = p.item(0)?;
        if p.i != b.len() {
            return Err(format!("{} trailing bytes", b.len() - p.i));
        }
        Ok(v)
    }
}

/// Every way `req` differs from `exp` (empty when it matches). The wire check for
/// `require_headers` is separate ([`check_required_headers`]).
pub fn request_mismatches(req: &HttpRequest, exp: &ExpectedRequest<'_>) -> Vec<String> {
    let mut out = Vec::new();
    if req.method.as_str() != exp.method {
        out.push(format!(
            "method: expected {}, got {}",
            exp.method, req.method
        ));
    }
    let (authority, path) = split_uri(&req.uri);
    let compared = if exp.uri.contains('?') {
        path
    } else {
        path.split('?').next().unwrap_or(path)
    };
    if compared != exp.uri {
        out.push(format!("uri: expected {:?}, got {path:?}", exp.uri));
    }
    if let Some(host) = exp.host {
        let joined = format!("{authority}{path}");
        if joined != host && !joined.starts_with(&format!("{host}/")) {
            out.push(format!(
                "host: expected {host:?}, got {authority:?} (URI {})",
                req.uri
            ));
        }
    }
    for (name, value) in exp.headers {
        match req.header(name) {
            Some(v) if v == *value => {}
            got => out.push(format!("header {name}: expected {value:?}, got {got:?}")),
        }
    }
    for name in exp.forbid_headers {
        if let Some(v) = req.header(name) {
            out.push(format!("header {name} must be absent, got {v:?}"));
        }
    }
    let query = query_pairs(path);
    for want in exp.query_params {
        if !query.contains(want) {
            out.push(format!("query parameter {want:?} missing from {path:?}"));
        }
    }
    for name in exp.forbid_query_params {
        if query.iter().any(|p| query_name(p) == *name) {
            out.push(format!("query parameter {name:?} must be absent: {path:?}"));
        }
    }
    for name in exp.require_query_params {
        if !query.iter().any(|p| query_name(p) == *name) {
            out.push(format!("query parameter {name:?} missing from {path:?}"));
        }
    }
    if let Some(want) = exp.query_exact {
        let mut got: Vec<&str> = query.clone();
        let mut want: Vec<&str> = want.to_vec();
        got.sort_unstable();
        want.sort_unstable();
        if got != want {
            out.push(format!("query: expected {want:?} (any order), got {got:?}"));
        }
    }
    out.extend(body_mismatch(&req.body, exp.body));
    out
}

/// Panics with every mismatch between `req` and `exp`.
pub fn assert_request(req: &HttpRequest, exp: &ExpectedRequest<'_>) {
    let problems = request_mismatches(req, exp);
    assert!(
        problems.is_empty(),
        "request does not match:\n  {}\nrequest: {} {}\nheaders: {:?}\nbody: {}",
        problems.join("\n  "),
        req.method,
        req.uri,
        req.headers,
        String::from_utf8_lossy(&req.body)
    );
}

/// Sends `req` through the real HTTP transport to a local server and returns the raw request
/// head as received (status line and headers), so headers the transport adds are visible.
pub async fn wire_request(req: &HttpRequest) -> Result<String, String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("bind: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let server = tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await?;
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        let head_len = loop {
            let n = sock.read(&mut chunk).await?;
            if n == 0 {
                break buf.len();
            }
            buf.extend_from_slice(&chunk[..n]);
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_len]).into_owned();
        let length = header_in_head(&head, "content-length")
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(0);
        while buf.len() < head_len + length {
            let n = sock.read(&mut chunk).await?;
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        sock.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}")
            .await?;
        Ok::<String, std::io::Error>(head)
    });
    let mut wire = req.clone();
    wire.uri = format!("http://{addr}{}", split_uri(&req.uri).1);
    let timeouts = AttemptTimeouts {
        connect: Some(Duration::from_secs(5)),
        read: Some(Duration::from_secs(5)),
    };
    let sent = tokio::time::timeout(
        Duration::from_secs(10),
        HyperTransport::new().send(wire, &timeouts),
    )
    .await;
    match sent {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => return Err(format!("the HTTP transport failed: {e}")),
        Err(_) => return Err("the HTTP transport did not finish within 10 s".into()),
    }
    match tokio::time::timeout(Duration::from_secs(10), server).await {
        Ok(Ok(Ok(head))) => Ok(head),
        Ok(Ok(Err(e))) => Err(format!("local server: {e}")),
        Ok(Err(e)) => Err(format!("local server task: {e}")),
        Err(_) => Err("local server did not finish within 10 s".into()),
    }
}

/// The value of header `name` (case-insensitive) in a raw request head.
pub fn header_in_head<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.split("\r\n").skip(1).find_map(|line| {
        let (k, v) = line.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// Checks that each of `names` is present when `req` goes over the wire; `Content-Length` must
/// also equal the body length.
pub async fn check_required_headers(req: &HttpRequest, names: &[&str]) {
    if names.is_empty() {
        return;
    }
    let head = match wire_request(req).await {
        Ok(h) => h,
        Err(e) => panic!("wire check failed: {e}"),
    };
    for name in names {
        let value = header_in_head(&head, name);
        assert!(
            value.is_some(),
            "header {name} missing on the wire:\n{head}"
        );
        if name.eq_ignore_ascii_case("content-length") {
            assert_eq!(
                value,
                Some(req.body.len().to_string().as_str()),
                "content-length on the wire"
            );
        }
    }
}

/// `actual` equals `expected`, where NaN equals NaN.
pub fn same_f64(actual: Option<f64>, expected: f64) -> bool {
    actual.is_some_and(|a| a == expected || (a.is_nan() && expected.is_nan()))
}

/// `actual` equals `expected`, where NaN equals NaN.
pub fn same_f32(actual: Option<f32>, expected: f32) -> bool {
    actual.is_some_and(|a| a == expected || (a.is_nan() && expected.is_nan()))
}

/// A document from JSON text (panics on bad JSON: test literals only).
pub fn doc(json: &str) -> Document {
    match Document::parse(json.as_bytes()) {
        Ok(d) => d,
        Err(e) => panic!("bad JSON literal {json:?}: {e}"),
    }
}

/// The bytes of base64 text.
pub fn base64(text: &str) -> Vec<u8> {
    awsrt::types::base64_decode(text).expect("valid base64")
}

/// The event-stream messages of a request body: a signed envelope (with a `:chunk-signature`
/// header) stands for the message in its payload, and the closing empty envelope is left out.
pub fn event_messages(body: &[u8]) -> Vec<awsrt::event_stream::Message> {
    let mut out = Vec::new();
    for m in decode_messages(body) {
        if m.header(":chunk-signature").is_some() {
            if !m.payload.is_empty() {
                let inner = decode_messages(&m.payload);
                assert_eq!(inner.len(), 1, "an envelope holds one message");
                out.extend(inner);
            }
        } else {
            out.push(m);
        }
    }
    out
}

fn decode_messages(bytes: &[u8]) -> Vec<awsrt::event_stream::Message> {
    let mut decoder = awsrt::event_stream::MessageDecoder::new();
    decoder.push(bytes);
    let mut out = Vec::new();
    while let Some(m) = decoder
        .next_message()
        .expect("the request body is event-stream messages")
    {
        out.push(m);
    }
    decoder
        .finish()
        .expect("no partial message at the end of the body");
    out
}

/// Asserts that the messages sent are the expected ones (base64 of each encoded message):
/// the same headers (in any order: the cases list them in no particular one) and the same
/// payload, compared as JSON when the message says it is JSON.
pub fn assert_messages(sent: &[awsrt::event_stream::Message], expected: &[&str]) {
    let want: Vec<awsrt::event_stream::Message> = expected
        .iter()
        .flat_map(|b| decode_messages(&base64(b)))
        .collect();
    assert_eq!(sent.len(), want.len(), "messages sent: {sent:?}");
    for (i, (s, w)) in sent.iter().zip(&want).enumerate() {
        let mut sh: Vec<_> = s
            .headers
            .iter()
            .map(|h| (h.name.clone(), h.value.clone()))
            .collect();
        let mut wh: Vec<_> = w
            .headers
            .iter()
            .map(|h| (h.name.clone(), h.value.clone()))
            .collect();
        sh.sort_by(|a, b| a.0.cmp(&b.0));
        wh.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(sh, wh, "the headers of message {i}");
        let json = w.string_header(":content-type") == Some("application/json");
        if json {
            let (a, b) = (
                Document::parse(&s.payload).expect("a JSON payload"),
                Document::parse(&w.payload).expect("a JSON payload"),
            );
            assert!(
                json_eq(&a, &b),
                "the payload of message {i}: {a:?} != {b:?}"
            );
        } else {
            assert_eq!(s.payload, w.payload, "the payload of message {i}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(uri: &str, body: &str) -> HttpRequest {
        let method = "POST".parse().expect("method");
        let mut r = HttpRequest::new(method, uri, body.as_bytes().to_vec());
        r.headers.insert(
            "content-type",
            "application/x-amz-json-1.1".parse().expect("header value"),
        );
        r
    }

    #[test]
    fn uri_split() {
        assert_eq!(split_uri("https://a.b/c/?x=1"), ("a.b", "/c/?x=1"));
        assert_eq!(split_uri("https://a.b"), ("a.b", ""));
        assert_eq!(split_uri("http://h:9?q"), ("h:9", "?q"));
    }

    #[test]
    fn json_comparison() {
        assert!(json_eq(
            &doc(r#"{"a":1,"b":[1.0,"x"]}"#),
            &doc(r#"{"b":[1,"x"],"a":1.0}"#)
        ));
        assert!(!json_eq(&doc(r#"{"a":1}"#), &doc(r#"{"a":1,"b":null}"#)));
        assert!(!json_eq(&doc("[1,2]"), &doc("[2,1]")));
        assert!(json_eq(
            &doc("1234567890123456789"),
            &doc("1234567890123456789")
        ));
        assert!(!json_eq(
            &doc("1234567890123456789"),
            &doc("1234567890123456788")
        ));
    }

    #[test]
    fn request_checks_report_each_difference() {
        let r = req("https://example.com/", r#"{"a":1}"#);
        let exp = ExpectedRequest {
            method: "POST",
            uri: "/",
            host: Some("example.com"),
            headers: &[("Content-Type", "application/x-amz-json-1.1")],
            body: Body::Json(r#"{ "a": 1.0 }"#),
            ..Default::default()
        };
        assert_eq!(request_mismatches(&r, &exp), Vec::<String>::new());
        let bad = ExpectedRequest {
            method: "GET",
            uri: "/x",
            host: Some("foo.example.com"),
            headers: &[("X-Amz-Target", "P.Op")],
            forbid_headers: &["content-type"],
            body: Body::Json("{}"),
            ..Default::default()
        };
        assert_eq!(request_mismatches(&r, &bad).len(), 6);
        let with_path = req("https://example.com/custom/", "{}");
        let exp = ExpectedRequest {
            method: "POST",
            uri: "/custom/",
            host: Some("example.com/custom"),
            body: Body::EmptyOrEmptyObject,
            ..Default::default()
        };
        assert_eq!(request_mismatches(&with_path, &exp), Vec::<String>::new());
        assert_eq!(request_mismatches(&req("https://e/", ""), &exp).len(), 2);
    }

    #[test]
    fn query_and_body_kinds() {
        let r = req("https://example.com/p?a=1&b=x%20y&c", "A=1&B=2");
        let exp = ExpectedRequest {
            method: "POST",
            uri: "/p",
            query_params: &["a=1", "b=x%20y"],
            require_query_params: &["c"],
            forbid_query_params: &["d"],
            body: Body::Form("B=2\n&A=1"),
            ..Default::default()
        };
        assert_eq!(request_mismatches(&r, &exp), Vec::<String>::new());
        let bad = ExpectedRequest {
            method: "POST",
            uri: "/p?a=1",
            query_params: &["a=2"],
            require_query_params: &["d"],
            forbid_query_params: &["c"],
            body: Body::Exact("A=1"),
            ..Default::default()
        };
        assert_eq!(request_mismatches(&r, &bad).len(), 5);
        let exact = ExpectedRequest {
            method: "POST",
            uri: "/p",
            query_exact: Some(&["c", "b=x%20y", "a=1"]),
            ..Default::default()
        };
        assert_eq!(request_mismatches(&r, &exact), Vec::<String>::new());
        let short = ExpectedRequest {
            query_exact: Some(&["a=1"]),
            ..exact
        };
        assert_eq!(request_mismatches(&r, &short).len(), 1);
        assert_eq!(body_mismatch(b"x", Body::Any), None);
        assert!(body_mismatch(b"A=1", Body::Form("A=2")).is_some());
        assert_eq!(body_mismatch(b"", Body::Exact("")), None);
    }

    #[test]
    fn float_helpers_treat_nan_as_equal() {
        assert!(same_f64(Some(f64::NAN), f64::NAN));
        assert!(same_f32(Some(f32::INFINITY), f32::INFINITY));
        assert!(!same_f32(None, 1.0));
        assert!(!same_f64(Some(1.0), f64::NAN));
    }

    #[test]
    fn head_header_lookup() {
        let head = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\n\r\n";
        assert_eq!(header_in_head(head, "content-length"), Some("12"));
        assert_eq!(header_in_head(head, "x-missing"), None);
    }

    #[tokio::test]
    async fn the_wire_check_sees_content_length() {
        let r = req("https://example.com/", r#"{"a":1}"#);
        let head = wire_request(&r).await.unwrap();
        assert_eq!(header_in_head(&head, "content-length"), Some("7"));
        check_required_headers(&r, &["Content-Length"]).await;
    }
}
