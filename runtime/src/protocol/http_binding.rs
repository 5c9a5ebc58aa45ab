//! HTTP bindings shared by the protocols that put members in the path, query and headers
//! (restJson1; restXml would use the same): percent-encoding of labels and query parameters,
//! text forms of scalars, header lists, and reading bound members back from a response.
//!
//! Everything here is total: a value that cannot be sent is a [`BuildError`] naming the member,
//! a response value that cannot be read is a [`JsonError`] naming the header; nothing panics.

use std::borrow::Cow;

use crate::error::BuildError;
use crate::http::HttpResponse;
use crate::json::JsonError;
use crate::types::{base64_decode, base64_encode, DateTime, TimestampFormat};

const HEX: &[u8; 16] = b"0123456789ABCDEF";

fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Appends `value` percent-encoded: every byte but RFC 3986's unreserved characters (and `/`
/// when `keep_slash`) becomes `%XX`.
pub fn push_encoded(out: &mut String, value: &str, keep_slash: bool) {
    for &b in value.as_bytes() {
        if unreserved(b) || (keep_slash && b == b'/') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
}

/// Appends the path label `member` with `value`: percent-encoded, `/` kept in a greedy label.
/// An empty value cannot make a path segment: it is a construction error naming the member.
pub fn push_label(
    path: &mut String,
    member: &str,
    value: &str,
    greedy: bool,
) -> Result<(), BuildError> {
    if value.is_empty() {
        return Err(BuildError::invalid_field(
            member,
            format!("`{member}` is part of the request path and must not be empty"),
        ));
    }
    push_encoded(path, value, greedy);
    Ok(())
}

/// A label (or query or header) member that is not set.
pub fn missing(member: &str) -> BuildError {
    BuildError::missing_field(
        member,
        format!("`{member}` is part of the request path and is required"),
    )
}

/// Appends a query parameter `name` (`name=value`, or `name` alone for `None`) to a path and
/// query, with `?` before the first parameter and `&` before the others. Both are
/// percent-encoded.
pub fn push_query(uri: &mut String, name: &str, value: Option<&str>) {
    uri.push(if uri.contains('?') { '&' } else { '?' });
    push_encoded(uri, name, false);
    if let Some(v) = value {
        uri.push('=');
        push_encoded(uri, v, false);
    }
}

/// Appends a literal query parameter of the URI template (written in the model already
/// encoded).
pub fn push_literal_query(uri: &mut String, text: &str) {
    uri.push(if uri.contains('?') { '&' } else { '?' });
    uri.push_str(text);
}

/// The text of a float in a label, query or header: shortest round-trip form, `NaN`,
/// `Infinity`, `-Infinity`.
pub fn f64_text(v: f64) -> String {
    if v.is_nan() {
        "NaN".to_string()
    } else if v.is_infinite() {
        if v > 0.0 { "Infinity" } else { "-Infinity" }.to_string()
    } else {
        v.to_string()
    }
}

/// [`f64_text`] for an `f32` (its own shortest form: `1.1`, not `1.100000023841858`).
pub fn f32_text(v: f32) -> String {
    if v.is_nan() {
        "NaN".to_string()
    } else if v.is_infinite() {
        if v > 0.0 { "Infinity" } else { "-Infinity" }.to_string()
    } else {
        v.to_string()
    }
}

/// A timestamp in `format` (labels and query default to date-time, headers to http-date).
pub fn timestamp_text(v: &DateTime, format: TimestampFormat) -> String {
    v.fmt(format)
}

/// A string header carrying a `@mediaType` value: base64 of its bytes.
pub fn media_type_text(v: &str) -> String {
    base64_encode(v.as_bytes())
}

/// One item of a header list: quoted (with `"` and `\` escaped) when it contains a comma or a
/// double quote, as is otherwise.
pub fn header_list_item(item: &str) -> Cow<'_, str> {
    if item.contains([',', '"']) {
        let mut q = String::with_capacity(item.len() + 2);
        q.push('"');
        for c in item.chars() {
            if c == '"' || c == '\\' {
                q.push('\\');
            }
            q.push(c);
        }
        q.push('"');
        Cow::Owned(q)
    } else {
        Cow::Borrowed(item)
    }
}

/// A header list: items joined with `, ` (an empty list gives an empty value).
pub fn join_header_list<'a>(items: impl IntoIterator<Item = Cow<'a, str>>) -> String {
    let mut out = String::new();
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&item);
    }
    out
}

// Reading responses.

fn header_error(name: &str, why: impl std::fmt::Display) -> JsonError {
    JsonError::new(0, format!("header {name}: {why}"))
}

/// The value of header `name`: its lines joined with `,` (HTTP's rule for repeated headers);
/// `None` when absent. A value that is not UTF-8 is an error.
pub fn header_text<'r>(
    resp: &'r HttpResponse,
    name: &str,
) -> Result<Option<Cow<'r, str>>, JsonError> {
    // The stored names are lower-case: compare them byte by byte (most lookups of a
    // deserializer miss, on the length alone) rather than build a `HeaderName` from `name` for
    // a map lookup, which costs more than scanning the few names of a response.
    let Some(key) = resp
        .headers
        .keys()
        .find(|n| n.as_str().eq_ignore_ascii_case(name))
    else {
        return Ok(None);
    };
    let mut values = resp.headers.get_all(key).iter();
    let Some(first) = values.next() else {
        return Ok(None);
    };
    let first = first
        .to_str()
        .map_err(|_| header_error(name, "not valid text"))?;
    let mut joined: Option<String> = None;
    for v in values {
        let v = v
            .to_str()
            .map_err(|_| header_error(name, "not valid text"))?;
        let s = joined.get_or_insert_with(|| first.to_string());
        s.push(',');
        s.push_str(v);
    }
    Ok(Some(match joined {
        Some(s) => Cow::Owned(s),
        None => Cow::Borrowed(first),
    }))
}

/// A scalar read from a header's text.
pub trait FromHeader: Sized {
    /// Parses one (trimmed) header value or list item.
    fn from_header(text: &str) -> Result<Self, String>;
}

impl FromHeader for String {
    fn from_header(text: &str) -> Result<Self, String> {
        Ok(text.to_string())
    }
}

impl FromHeader for bool {
    fn from_header(text: &str) -> Result<Self, String> {
        match text {
            "true" => Ok(true),
            "false" => Ok(false),
            other => Err(format!("{other:?} is not a boolean")),
        }
    }
}

macro_rules! int_from_header {
    ($($t:ty),*) => {$(
        impl FromHeader for $t {
            fn from_header(text: &str) -> Result<Self, String> {
                text.parse().map_err(|_| format!("{text:?} is not a valid {}", stringify!($t)))
            }
        }
    )*};
}
int_from_header!(i8, i16, i32, i64);

macro_rules! float_from_header {
    ($($t:ty),*) => {$(
        impl FromHeader for $t {
            fn from_header(text: &str) -> Result<Self, String> {
                match text {
                    "NaN" => Ok(<$t>::NAN),
                    "Infinity" => Ok(<$t>::INFINITY),
                    "-Infinity" => Ok(<$t>::NEG_INFINITY),
                    t => t.parse().map_err(|_| format!("{t:?} is not a number")),
                }
            }
        }
    )*};
}
float_from_header!(f32, f64);

macro_rules! big_from_header {
    ($($t:ty),*) => {$(
        impl FromHeader for $t {
            fn from_header(text: &str) -> Result<Self, String> {
                text.parse().map_err(|e: crate::types::BigNumberError| e.to_string())
            }
        }
    )*};
}
big_from_header!(crate::types::BigInteger, crate::types::BigDecimal);

/// Header `name` as a `T`; `None` when absent.
pub fn header<T: FromHeader>(resp: &HttpResponse, name: &str) -> Result<Option<T>, JsonError> {
    match header_text(resp, name)? {
        None => Ok(None),
        Some(t) => T::from_header(t.trim())
            .map(Some)
            .map_err(|e| header_error(name, e)),
    }
}

/// Header `name` as a timestamp in `format`; `None` when absent.
pub fn header_timestamp(
    resp: &HttpResponse,
    name: &str,
    format: TimestampFormat,
) -> Result<Option<DateTime>, JsonError> {
    match header_text(resp, name)? {
        None => Ok(None),
        Some(t) => DateTime::parse(t.trim(), format)
            .map(Some)
            .map_err(|e| header_error(name, e)),
    }
}

/// Header `name` carrying a `@mediaType` string: base64-decoded; `None` when absent.
pub fn header_media_type(resp: &HttpResponse, name: &str) -> Result<Option<String>, JsonError> {
    match header_text(resp, name)? {
        None => Ok(None),
        Some(t) => {
            let bytes = base64_decode(t.trim()).map_err(|e| header_error(name, e))?;
            String::from_utf8(bytes)
                .map(Some)
                .map_err(|_| header_error(name, "the decoded value is not UTF-8"))
        }
    }
}

/// Splits a header list at commas outside double quotes; quoted items lose their quotes and
/// escapes, every item is trimmed.
pub fn split_header_list(text: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ' ' || *c == '\t') {
            chars.next();
        }
        let mut item = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    None => return Err("unterminated quoted list item".to_string()),
                    Some('"') => break,
                    Some('\\') => match chars.next() {
                        Some(c) => item.push(c),
                        None => return Err("unterminated quoted list item".to_string()),
                    },
                    Some(c) => item.push(c),
                }
            }
            while chars.peek().is_some_and(|c| *c == ' ' || *c == '\t') {
                chars.next();
            }
            match chars.next() {
                None => {
                    out.push(item);
                    return Ok(out);
                }
                Some(',') => out.push(item),
                Some(c) => return Err(format!("unexpected {c:?} after a quoted list item")),
            }
        } else {
            let mut end = true;
            for c in chars.by_ref() {
                if c == ',' {
                    end = false;
                    break;
                }
                item.push(c);
            }
            out.push(item.trim().to_string());
            if end {
                return Ok(out);
            }
        }
    }
}

/// Header `name` as a list of `T`; `None` when absent.
pub fn header_list<T: FromHeader>(
    resp: &HttpResponse,
    name: &str,
) -> Result<Option<Vec<T>>, JsonError> {
    let Some(t) = header_text(resp, name)? else {
        return Ok(None);
    };
    if t.trim().is_empty() {
        return Ok(Some(Vec::new()));
    }
    let items = split_header_list(&t).map_err(|e| header_error(name, e))?;
    items
        .iter()
        .map(|i| T::from_header(i).map_err(|e| header_error(name, e)))
        .collect::<Result<Vec<T>, JsonError>>()
        .map(Some)
}

/// Header `name` as a list of timestamps in `format`; `None` when absent. http-date values
/// contain a comma themselves, so such a list is split at every other comma.
pub fn header_timestamp_list(
    resp: &HttpResponse,
    name: &str,
    format: TimestampFormat,
) -> Result<Option<Vec<DateTime>>, JsonError> {
    let Some(t) = header_text(resp, name)? else {
        return Ok(None);
    };
    if t.trim().is_empty() {
        return Ok(Some(Vec::new()));
    }
    let items: Vec<String> = if format == TimestampFormat::HttpDate {
        let parts: Vec<&str> = t.split(',').collect();
        if parts.len() & 1 == 1 {
            return Err(header_error(name, "not a list of http-date timestamps"));
        }
        parts
            .chunks(2)
            .map(|p| format!("{},{}", p[0], p[1]))
            .collect()
    } else {
        split_header_list(&t).map_err(|e| header_error(name, e))?
    };
    items
        .iter()
        .map(|i| DateTime::parse(i.trim(), format).map_err(|e| header_error(name, e)))
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// Every header whose (lower-case) name starts with `prefix` (matched without regard to
/// case), keyed by the rest of its name; an empty map when there is none (as the official
/// SDKs read it: S3's `metadata()` of an object without user metadata is empty, not absent).
pub fn prefix_headers(
    resp: &HttpResponse,
    prefix: &str,
) -> Result<Option<std::collections::HashMap<String, String>>, JsonError> {
    let prefix = prefix.to_ascii_lowercase();
    let mut out = std::collections::HashMap::new();
    for name in resp.headers.keys() {
        let n = name.as_str();
        if let Some(rest) = n.strip_prefix(prefix.as_str()) {
            if let Some(v) = header_text(resp, n)? {
                out.insert(rest.to_string(), v.into_owned());
            }
        }
    }
    Ok(Some(out))
}

/// A body that is not UTF-8 text, as a read error.
pub fn body_text(resp: &HttpResponse) -> Result<String, JsonError> {
    String::from_utf8(resp.body.to_vec())
        .map_err(|e| JsonError::new(e.utf8_error().valid_up_to(), "the body is not UTF-8 text"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_query_values_are_percent_encoded() {
        let mut p = String::from("/x/");
        push_label(&mut p, "L", " %:/?#[]@!$&'()*+,;=😹", false).unwrap();
        assert_eq!(
            p,
            "/x/%20%25%3A%2F%3F%23%5B%5D%40%21%24%26%27%28%29%2A%2B%2C%3B%3D%F0%9F%98%B9"
        );
        let mut p = String::new();
        push_label(&mut p, "G", "hello/escape", true).unwrap();
        assert_eq!(p, "hello/escape");
        assert!(push_label(&mut p, "E", "", false).is_err());
        let mut u = String::from("/q");
        push_query(&mut u, "a b", Some("c&d"));
        push_query(&mut u, "flag", None);
        push_query(&mut u, "Empty", Some(""));
        assert_eq!(u, "/q?a%20b=c%26d&flag&Empty=");
        let mut u = String::from("/c?foo=bar");
        push_literal_query(&mut u, "hello");
        assert_eq!(u, "/c?foo=bar&hello");
    }

    #[test]
    fn scalar_texts() {
        assert_eq!(f32_text(1.1), "1.1");
        assert_eq!(f64_text(1.1), "1.1");
        assert_eq!(f64_text(f64::NAN), "NaN");
        assert_eq!(f32_text(f32::NEG_INFINITY), "-Infinity");
        assert_eq!(f64_text(f64::INFINITY), "Infinity");
        assert_eq!(media_type_text("true"), "dHJ1ZQ==");
        let t = DateTime::from_secs(1_576_540_098);
        assert_eq!(
            timestamp_text(&t, TimestampFormat::HttpDate),
            "Mon, 16 Dec 2019 23:48:18 GMT"
        );
    }

    #[test]
    fn header_lists_quote_and_split() {
        let items = ["b,c", "\"def\"", "a"];
        let joined = join_header_list(items.iter().map(|s| header_list_item(s)));
        assert_eq!(joined, r#""b,c", "\"def\"", a"#);
        assert_eq!(split_header_list(&joined).unwrap(), items);
        assert_eq!(split_header_list("a, b,c").unwrap(), ["a", "b", "c"]);
        assert!(split_header_list(r#""open"#).is_err());
        assert!(split_header_list(r#""a" b"#).is_err());
        assert_eq!(join_header_list(Vec::<Cow<str>>::new()), "");
    }

    fn resp(headers: &[(&str, &str)]) -> HttpResponse {
        let mut r = HttpResponse::new(200, "");
        for (k, v) in headers {
            r = r.with_header(k, v);
        }
        r
    }

    #[test]
    fn headers_are_read_typed() {
        let r = resp(&[
            ("X-Int", " 123 "),
            ("X-Bad", "12x"),
            ("X-F", "NaN"),
            ("X-L", "1, 2, 3"),
            ("X-L", "4"),
            (
                "X-T",
                "Mon, 16 Dec 2019 23:48:18 GMT, Mon, 16 Dec 2019 23:48:18 GMT",
            ),
            ("X-Json", "dHJ1ZQ=="),
            ("X-Foo-Abc", "v"),
            ("X-Empty", ""),
        ]);
        assert_eq!(header::<i32>(&r, "x-int").unwrap(), Some(123));
        assert_eq!(header::<i32>(&r, "x-none").unwrap(), None);
        assert!(header::<i32>(&r, "x-bad")
            .unwrap_err()
            .to_string()
            .contains("x-bad"));
        assert!(header::<f64>(&r, "x-f").unwrap().unwrap().is_nan());
        assert_eq!(
            header_list::<i64>(&r, "x-l").unwrap(),
            Some(vec![1, 2, 3, 4])
        );
        assert_eq!(header_list::<String>(&r, "x-empty").unwrap(), Some(vec![]));
        let ts = header_timestamp_list(&r, "x-t", TimestampFormat::HttpDate)
            .unwrap()
            .unwrap();
        assert_eq!(ts, vec![DateTime::from_secs(1_576_540_098); 2]);
        assert_eq!(
            header_media_type(&r, "x-json").unwrap().as_deref(),
            Some("true")
        );
        let p = prefix_headers(&r, "X-Foo-").unwrap().unwrap();
        assert_eq!(p.get("abc").map(String::as_str), Some("v"));
        assert_eq!(
            prefix_headers(&r, "x-nope-").unwrap(),
            Some(Default::default())
        );
        assert!(header_timestamp(&r, "x-int", TimestampFormat::HttpDate).is_err());
    }

    #[test]
    fn header_names_match_without_regard_to_case_and_repeats_join_in_order() {
        let r = resp(&[
            ("ETag", "\"abc\""),
            ("x-amz-meta-a", "1"),
            ("X-Rep", "a"),
            ("Content-Length", "5"),
            ("x-rep", "b"),
            ("X-REP", "c"),
        ]);
        for name in ["ETag", "etag", "ETAG"] {
            assert_eq!(
                header::<String>(&r, name).unwrap().as_deref(),
                Some("\"abc\"")
            );
        }
        assert_eq!(header::<i64>(&r, "Content-Length").unwrap(), Some(5));
        assert_eq!(header_text(&r, "X-Rep").unwrap().as_deref(), Some("a,b,c"));
        // A name that is a prefix or an extension of a stored one does not match.
        assert_eq!(header::<String>(&r, "x-re").unwrap(), None);
        assert_eq!(header::<String>(&r, "x-reps").unwrap(), None);
        assert_eq!(header::<String>(&r, "").unwrap(), None);
    }
}
