//! The pieces of the SigV4 canonical request: URI path, query string and headers.

use http::{HeaderMap, HeaderName, HeaderValue};

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

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

/// Whether header `name` (lowercase) is signed: not in `skip`, not one of the headers set or
/// rewritten by proxies and transports after signing, and not one of the SDK's own bookkeeping
/// headers (`amz-sdk-invocation-id`, `amz-sdk-request`: retry accounting that services read but
/// do not authenticate). SigV4 requires only `host` and the `x-amz-*` headers to be signed;
/// leaving the two out shortens every canonical request by about 130 bytes, two SHA-256 blocks.
fn is_signed(name: &str, skip: &[&str]) -> bool {
    !matches!(
        name,
        "amz-sdk-invocation-id"
            | "amz-sdk-request"
            | "authorization"
            | "connection"
            | "expect"
            | "transfer-encoding"
            | "user-agent"
            | "x-amzn-trace-id"
    ) && !skip.contains(&name)
}

/// The headers to sign, one entry per value, sorted by name (names in an `http::HeaderMap` are
/// lowercase); the values of one name keep their order in the map.
pub(crate) fn signed_headers<'h>(
    headers: &'h HeaderMap,
    skip: &[&str],
) -> Vec<(&'h HeaderName, &'h HeaderValue)> {
    let mut signed: Vec<(&HeaderName, &HeaderValue)> = Vec::with_capacity(headers.len());
    // `HeaderMap::iter` yields the values of one name one after another, in order; the stable
    // sort keeps them so.
    signed.extend(
        headers
            .iter()
            .filter(|(name, _)| is_signed(name.as_str(), skip)),
    );
    signed.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
    signed
}

/// Appends `name:value[,value...]\n` for each header name of `signed` (from
/// [`signed_headers`]), values trimmed with inner runs of whitespace collapsed to one space.
pub(crate) fn push_headers(out: &mut Vec<u8>, signed: &[(&HeaderName, &HeaderValue)]) {
    let mut previous: Option<&HeaderName> = None;
    for &(name, value) in signed {
        if previous == Some(name) {
            out.push(b',');
        } else {
            if previous.is_some() {
                out.push(b'\n');
            }
            out.extend_from_slice(name.as_str().as_bytes());
            out.push(b':');
        }
        push_trimmed(out, value.as_bytes());
        previous = Some(name);
    }
    if previous.is_some() {
        out.push(b'\n');
    }
}

/// Whether `value` is already in canonical form: no leading, trailing or repeated spaces and no
/// other whitespace.
fn is_trimmed(value: &[u8]) -> bool {
    // Most values have no byte at or below a space: one branch-free (vectorizable) pass.
    if value.iter().fold(false, |seen, &b| seen | (b <= b' ')) {
        return is_trimmed_with_spaces(value);
    }
    true
}

fn is_trimmed_with_spaces(value: &[u8]) -> bool {
    let last = value.len().wrapping_sub(1);
    value.iter().enumerate().all(|(i, &b)| {
        b > b' ' || (b == b' ' && i != 0 && i != last && value.get(i + 1) != Some(&b' '))
    })
}

fn push_trimmed(out: &mut Vec<u8>, value: &[u8]) {
    if is_trimmed(value) {
        out.extend_from_slice(value);
        return;
    }
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

/// Appends `a;b;c`, the signed-headers list, for `signed` (from [`signed_headers`]).
pub(crate) fn push_signed_header_list(out: &mut Vec<u8>, signed: &[(&HeaderName, &HeaderValue)]) {
    let mut previous: Option<&HeaderName> = None;
    for &(name, _) in signed {
        if previous == Some(name) {
            continue;
        }
        if previous.is_some() {
            out.push(b';');
        }
        out.extend_from_slice(name.as_str().as_bytes());
        previous = Some(name);
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
        for (input, want) in [
            (&b""[..], &b""[..]),
            (b"a", b"a"),
            (b"a b", b"a b"),
            (b" a", b"a"),
            (b"a ", b"a"),
            (b"a  b", b"a b"),
            (b"a\tb", b"a b"),
            (b"a\r\nb", b"a b"),
            (b" ", b""),
        ] {
            out.clear();
            push_trimmed(&mut out, input);
            assert_eq!(out, want, "{:?}", String::from_utf8_lossy(input));
            assert_eq!(is_trimmed(input), input == want);
        }
    }

    #[test]
    fn repeated_headers_joined_in_order_and_unsigned_ones_skipped() {
        let mut headers = HeaderMap::new();
        headers.append("x-b", HeaderValue::from_static("2"));
        headers.append("x-a", HeaderValue::from_static(" one "));
        headers.append("user-agent", HeaderValue::from_static("ua"));
        headers.append("x-b", HeaderValue::from_static("1"));
        headers.append("x-a", HeaderValue::from_static("two"));
        headers.append("x-amzn-trace-id", HeaderValue::from_static("t"));
        headers.append("x-skip", HeaderValue::from_static("s"));
        headers.append("amz-sdk-invocation-id", HeaderValue::from_static("i"));
        headers.append(
            "amz-sdk-request",
            HeaderValue::from_static("attempt=1; max=3"),
        );
        let signed = signed_headers(&headers, &["x-skip"]);
        let mut out = Vec::new();
        push_headers(&mut out, &signed);
        assert_eq!(String::from_utf8(out).unwrap(), "x-a:one,two\nx-b:2,1\n");
        let mut list = Vec::new();
        push_signed_header_list(&mut list, &signed);
        assert_eq!(list, b"x-a;x-b");
        let mut empty = Vec::new();
        push_headers(&mut empty, &[]);
        assert!(empty.is_empty());
    }
}
