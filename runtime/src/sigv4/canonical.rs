//! The pieces of the SigV4 canonical request: URI path, query string and headers.

use http::{HeaderMap, HeaderName};

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Headers never signed: set or rewritten by proxies and transports after signing.
const UNSIGNED_HEADERS: &[&str] = &[
    "authorization",
    "connection",
    "expect",
    "transfer-encoding",
    "user-agent",
    "x-amzn-trace-id",
];

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Appends `input` percent-encoded (RFC 3986 unreserved characters kept). `keep_slash` keeps
/// `/`; `keep_escapes` keeps existing `%XX` sequences as they are (single encoding of an
/// already-encoded path).
pub(crate) fn push_encoded(out: &mut Vec<u8>, input: &[u8], keep_slash: bool, keep_escapes: bool) {
    let mut i = 0;
    while i < input.len() {
        let b = input[i];
        let is_escape = b == b'%'
            && keep_escapes
            && input.get(i + 1).and_then(|c| hex_value(*c)).is_some()
            && input.get(i + 2).and_then(|c| hex_value(*c)).is_some();
        if is_unreserved(b) || (keep_slash && b == b'/') || is_escape {
            out.push(b);
        } else {
            out.extend_from_slice(&[
                b'%',
                HEX_UPPER[usize::from(b >> 4)],
                HEX_UPPER[usize::from(b & 15)],
            ]);
        }
        i += 1;
    }
}

/// Percent-decodes `input`; a `%` not followed by two hex digits stays literal.
pub(crate) fn percent_decode(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        if input[i] == b'%' {
            if let (Some(h), Some(l)) = (
                input.get(i + 1).and_then(|c| hex_value(*c)),
                input.get(i + 2).and_then(|c| hex_value(*c)),
            ) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(input[i]);
        i += 1;
    }
    out
}

/// Appends the canonical URI path. `normalize` removes `.`/`..` segments and empty segments
/// (RFC 3986 dot-segment removal plus collapsing `//`); `double_encode` percent-encodes the path
/// as given (a `%` becomes `%25`), otherwise existing escapes are kept.
pub(crate) fn push_path(out: &mut Vec<u8>, path: &str, normalize: bool, double_encode: bool) {
    let keep_escapes = !double_encode;
    if path.is_empty() {
        out.push(b'/');
        return;
    }
    if !normalize {
        push_encoded(out, path.as_bytes(), true, keep_escapes);
        return;
    }
    let mut segments: Vec<&str> = Vec::new();
    let mut trailing_slash = path.ends_with('/');
    for segment in path.split('/') {
        match segment {
            "" => {}
            "." => trailing_slash = true,
            ".." => {
                segments.pop();
                trailing_slash = true;
            }
            s => {
                segments.push(s);
                trailing_slash = path.ends_with('/');
            }
        }
    }
    out.push(b'/');
    for (i, segment) in segments.iter().enumerate() {
        if i > 0 {
            out.push(b'/');
        }
        push_encoded(out, segment.as_bytes(), false, keep_escapes);
    }
    if trailing_slash && !segments.is_empty() {
        out.push(b'/');
    }
}

/// Appends the canonical query string of `query` (without `?`) plus `extra` raw parameters:
/// each name and value decoded then encoded, sorted by name then value.
pub(crate) fn push_query(out: &mut Vec<u8>, query: &str, extra: &[(&str, &str)]) {
    if query.is_empty() && extra.is_empty() {
        return;
    }
    let mut params: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let mut n = Vec::with_capacity(name.len());
        push_encoded(&mut n, &percent_decode(name.as_bytes()), false, false);
        let mut v = Vec::with_capacity(value.len());
        push_encoded(&mut v, &percent_decode(value.as_bytes()), false, false);
        params.push((n, v));
    }
    for (name, value) in extra {
        let mut n = Vec::with_capacity(name.len());
        push_encoded(&mut n, name.as_bytes(), false, false);
        let mut v = Vec::with_capacity(value.len());
        push_encoded(&mut v, value.as_bytes(), false, false);
        params.push((n, v));
    }
    params.sort_unstable();
    for (i, (name, value)) in params.iter().enumerate() {
        if i > 0 {
            out.push(b'&');
        }
        out.extend_from_slice(name);
        out.push(b'=');
        out.extend_from_slice(value);
    }
}

/// The names of the headers to sign, sorted (names in an `http::HeaderMap` are lowercase).
pub(crate) fn signed_header_names<'h>(
    headers: &'h HeaderMap,
    skip: &[&str],
) -> Vec<&'h HeaderName> {
    let mut names: Vec<&HeaderName> = headers
        .keys()
        .filter(|n| !UNSIGNED_HEADERS.contains(&n.as_str()) && !skip.contains(&n.as_str()))
        .collect();
    names.sort_unstable_by(|a, b| a.as_str().cmp(b.as_str()));
    names
}

/// Appends `name:value[,value...]\n` for each header, values trimmed with inner runs of
/// whitespace collapsed to one space.
pub(crate) fn push_headers(out: &mut Vec<u8>, headers: &HeaderMap, names: &[&HeaderName]) {
    for name in names {
        out.extend_from_slice(name.as_str().as_bytes());
        out.push(b':');
        for (i, value) in headers.get_all(*name).iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            push_trimmed(out, value.as_bytes());
        }
        out.push(b'\n');
    }
}

fn push_trimmed(out: &mut Vec<u8>, value: &[u8]) {
    let is_space = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let mut pending_space = false;
    let mut started = false;
    for b in value {
        if is_space(b) {
            pending_space = started;
            continue;
        }
        if pending_space {
            out.push(b' ');
            pending_space = false;
        }
        started = true;
        out.push(*b);
    }
}

/// Appends `a;b;c`, the signed-headers list.
pub(crate) fn push_signed_header_list(out: &mut Vec<u8>, names: &[&HeaderName]) {
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            out.push(b';');
        }
        out.extend_from_slice(name.as_str().as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &str, normalize: bool, double: bool) -> String {
        let mut out = Vec::new();
        push_path(&mut out, p, normalize, double);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn path_normalization() {
        let cases = [
            ("", "/"),
            ("/", "/"),
            ("//", "/"),
            ("/./", "/"),
            ("/example/..", "/"),
            ("/a/b/..", "/a/"),
            ("/a/b/.", "/a/b/"),
            ("//example//", "/example/"),
            ("/./example", "/example"),
            ("/../a", "/a"),
            ("/a b/c$d", "/a%20b/c%24d"),
        ];
        for (input, want) in cases {
            assert_eq!(path(input, true, true), want, "{input:?}");
        }
        assert_eq!(path("//example//", false, true), "//example//");
        assert_eq!(path("/a%3Ab", false, true), "/a%253Ab");
        assert_eq!(path("/a%3Ab", false, false), "/a%3Ab");
        assert_eq!(path("/a%zzb", false, false), "/a%25zzb");
    }

    #[test]
    fn query_sorted_and_encoded() {
        let mut out = Vec::new();
        push_query(
            &mut out,
            "b=2&a=z&a=y&c&%E1%88%B4=x+y&&d=%2f",
            &[("X-Amz-Date", "1/2")],
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "%E1%88%B4=x%2By&X-Amz-Date=1%2F2&a=y&a=z&b=2&c=&d=%2F"
        );
    }

    #[test]
    fn header_values_trimmed() {
        let mut out = Vec::new();
        push_trimmed(&mut out, b"  a   b \t c  ");
        assert_eq!(out, b"a b c");
    }
}
