//! The rules-engine standard library and AWS functions that work on plain strings:
//! `substring`, `isValidHostLabel`, `uriEncode`, `parseURL`, `split`, `aws.parseArn`,
//! `aws.isVirtualHostableS3Bucket`. (`aws.partition` lives in [`super::partitions`].)

/// `substring(input, start, stop, reverse)`: the ASCII characters `start..stop` (counted from
/// the end when `reverse`), or `None` when the range is empty or out of bounds or the input
/// is not all ASCII.
pub(crate) fn substring(input: &str, start: i64, stop: i64, reverse: bool) -> Option<&str> {
    let (start, stop) = (usize::try_from(start).ok()?, usize::try_from(stop).ok()?);
    if start >= stop || stop > input.len() || !input.is_ascii() {
        return None;
    }
    if reverse {
        let len = input.len();
        Some(&input[len - stop..len - start])
    } else {
        Some(&input[start..stop])
    }
}

/// `isValidHostLabel(value, allowSubDomains)`: one RFC 1123 label (1-63 ASCII letters, digits
/// and `-`, starting with a letter or digit), or with `allow_subdomains` several joined by `.`.
pub(crate) fn is_valid_host_label(value: &str, allow_subdomains: bool) -> bool {
    if allow_subdomains {
        value
            .split('.')
            .all(|label| is_valid_host_label(label, false))
    } else {
        let bytes = value.as_bytes();
        !bytes.is_empty()
            && bytes.len() <= 63
            && bytes[0].is_ascii_alphanumeric()
            && bytes
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
    }
}

/// `uriEncode(value)`: percent-encodes every byte except the RFC 3986 unreserved characters,
/// with upper-case hex digits.
pub(crate) fn uri_encode(value: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(value.len());
    for &b in value.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    out
}

/// The result of `parseURL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Url {
    pub(crate) scheme: String,
    /// Host and port as written, e.g. `example.com:8443` or `[::1]:443`.
    pub(crate) authority: String,
    /// The path as written (`""` when there is none).
    pub(crate) path: String,
    /// The path with a trailing `/` (`"/"` when there is no path).
    pub(crate) normalized_path: String,
    /// Whether the host is an IPv4 or (bracketed) IPv6 address.
    pub(crate) is_ip: bool,
}

/// `parseURL(value)`: an `http`/`https` URL without query or fragment, or `None`.
pub(crate) fn parse_url(value: &str) -> Option<Url> {
    let (scheme, rest) = value.split_once("://")?;
    if scheme != "http" && scheme != "https" {
        return None;
    }
    if rest.contains(['?', '#']) {
        return None;
    }
    let (authority, path) = match rest.find('/') {
        Some(p) => rest.split_at(p),
        None => (rest, ""),
    };
    let is_ip = check_authority(authority)?;
    let normalized_path = if path.ends_with('/') {
        path.to_owned()
    } else {
        format!("{path}/")
    };
    if !path.bytes().all(|b| b.is_ascii_graphic()) {
        return None;
    }
    Some(Url {
        scheme: scheme.to_owned(),
        authority: authority.to_owned(),
        path: path.to_owned(),
        normalized_path,
        is_ip,
    })
}

/// Checks `host[:port]`; returns whether the host is an IP address.
fn check_authority(authority: &str) -> Option<bool> {
    let (port, is_ip) = if let Some(v6) = authority.strip_prefix('[') {
        let (addr, after) = v6.split_once(']')?;
        let ok = addr.contains(':')
            && addr
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || matches!(b, b':' | b'.' | b'%'));
        if !ok {
            return None;
        }
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':')?),
        };
        (port, true)
    } else {
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        };
        let host_ok = !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=%".contains(&b));
        if !host_ok {
            return None;
        }
        (port, is_ipv4(host))
    };
    if let Some(port) = port {
        if port.is_empty() || port.len() > 5 || !port.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        port.parse::<u16>().ok()?;
    }
    Some(is_ip)
}

/// A dotted-quad IPv4 address (each part 0-255, no empty parts).
fn is_ipv4(host: &str) -> bool {
    let mut count = 0;
    for part in host.split('.') {
        count += 1;
        if part.is_empty() || part.len() > 3 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
        if part.parse::<u16>().map_or(true, |v| v > 255) {
            return false;
        }
    }
    count == 4
}

/// The result of `aws.parseArn`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Arn {
    pub(crate) partition: String,
    pub(crate) service: String,
    pub(crate) region: String,
    pub(crate) account_id: String,
    /// The resource, split on `:` and `/`.
    pub(crate) resource_id: Vec<String>,
}

/// `aws.parseArn(value)`: `arn:partition:service:region:account:resource`, where partition,
/// service and resource are non-empty.
pub(crate) fn parse_arn(value: &str) -> Option<Arn> {
    let mut parts = value.splitn(6, ':');
    if parts.next()? != "arn" {
        return None;
    }
    let (partition, service, region, account_id, resource) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if partition.is_empty() || service.is_empty() || resource.is_empty() {
        return None;
    }
    Some(Arn {
        partition: partition.to_owned(),
        service: service.to_owned(),
        region: region.to_owned(),
        account_id: account_id.to_owned(),
        resource_id: resource.split([':', '/']).map(str::to_owned).collect(),
    })
}

/// `aws.isVirtualHostableS3Bucket(value, allowSubDomains)`: 3-63 lower-case letters, digits and
/// `-` (and `.` between labels when `allow_subdomains`), starting and ending with a letter or
/// digit, with no label starting or ending with `-`, and not an IPv4 address.
pub(crate) fn is_virtual_hostable_s3_bucket(value: &str, allow_subdomains: bool) -> bool {
    let bytes = value.as_bytes();
    if bytes.len() < 3 || bytes.len() > 63 {
        return false;
    }
    let allowed = |b: u8| {
        b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || (allow_subdomains && b == b'.')
    };
    if !bytes.iter().all(|&b| allowed(b)) {
        return false;
    }
    let labels_ok = value.split('.').all(|label| {
        let l = label.as_bytes();
        match (l.first(), l.last()) {
            (Some(first), Some(last)) => {
                first.is_ascii_alphanumeric() && last.is_ascii_alphanumeric()
            }
            _ => false,
        }
    });
    labels_ok && !is_ipv4(value)
}

/// `split(value, delimiter, limit)`: the pieces of `value` around `delimiter`; `limit` 0 means
/// no limit, otherwise at most `limit` pieces (the last holding the rest). `None` for an
/// empty delimiter or a negative limit.
pub(crate) fn split(value: &str, delimiter: &str, limit: i64) -> Option<Vec<String>> {
    if delimiter.is_empty() {
        return None;
    }
    let limit = usize::try_from(limit).ok()?;
    Some(if limit == 0 {
        value.split(delimiter).map(str::to_owned).collect()
    } else {
        value.splitn(limit, delimiter).map(str::to_owned).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substring_cases() {
        assert_eq!(substring("abcdefg", 0, 4, false), Some("abcd"));
        assert_eq!(substring("abcdefg", 0, 4, true), Some("defg"));
        assert_eq!(substring("defg", 1, 3, false), Some("ef"));
        assert_eq!(substring("abc", 0, 4, false), None);
        assert_eq!(substring("abcdef\u{80}", 0, 4, false), None);
        assert_eq!(substring("abc", 2, 2, false), None);
        assert_eq!(substring("abc", -1, 2, false), None);
    }

    #[test]
    fn host_labels() {
        assert!(is_valid_host_label("us-east-1", false));
        assert!(is_valid_host_label("3aws4", false));
        assert!(!is_valid_host_label("part1.part2", false));
        assert!(is_valid_host_label("part1.part2", true));
        assert!(!is_valid_host_label("a..b", true));
        assert!(!is_valid_host_label("", false));
        assert!(!is_valid_host_label("-a", false));
        assert!(!is_valid_host_label(&"a".repeat(64), false));
        assert!(is_valid_host_label(&"a".repeat(63), false));
    }

    #[test]
    fn urls() {
        let u = parse_url("https://example.com:8443/a/b").unwrap();
        assert_eq!(
            (
                u.scheme.as_str(),
                u.authority.as_str(),
                u.path.as_str(),
                u.normalized_path.as_str(),
                u.is_ip
            ),
            ("https", "example.com:8443", "/a/b", "/a/b/", false)
        );
        let u = parse_url("http://[::1]").unwrap();
        assert_eq!(
            (
                u.authority.as_str(),
                u.path.as_str(),
                u.normalized_path.as_str(),
                u.is_ip
            ),
            ("[::1]", "", "/", true)
        );
        assert!(parse_url("http://10.0.0.255/").unwrap().is_ip);
        assert!(!parse_url("http://10.0.0.256/").unwrap().is_ip);
        for bad in [
            "ftp://x.com",
            "https://x.com?q=1",
            "https://x.com#f",
            "https://x.com:a/",
            "https://",
            "x.com",
            "https://a b.com",
        ] {
            assert!(parse_url(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn arns() {
        let a = parse_arn("arn:aws:s3:us-east-2:012345678:outpost:op-1234/x").unwrap();
        assert_eq!(
            (a.partition.as_str(), a.service.as_str(), a.region.as_str()),
            ("aws", "s3", "us-east-2")
        );
        assert_eq!(a.account_id, "012345678");
        assert_eq!(a.resource_id, ["outpost", "op-1234", "x"]);
        assert_eq!(parse_arn("arn:aws:s3:::").map(|a| a.resource_id), None);
        assert!(parse_arn("arn:aws:s3:r:a").is_none());
        assert!(parse_arn("arx:aws:s3:r:a:b").is_none());
        assert_eq!(
            parse_arn("arn:aws:s3:::b::").unwrap().resource_id,
            ["b", "", ""]
        );
    }

    #[test]
    fn encode_and_split() {
        assert_eq!(uri_encode("a b/é~"), "a%20b%2F%C3%A9~");
        assert_eq!(split("a--b--c", "--", 0).unwrap(), ["a", "b", "c"]);
        assert_eq!(split("a--b--c", "--", 2).unwrap(), ["a", "b--c"]);
        assert_eq!(split("", "-", 0).unwrap(), [""]);
        assert!(split("a", "", 0).is_none());
    }

    #[test]
    fn s3_buckets() {
        assert!(is_virtual_hostable_s3_bucket("bucket-name", false));
        assert!(!is_virtual_hostable_s3_bucket("bucket.name", false));
        assert!(is_virtual_hostable_s3_bucket("bucket.name", true));
        for bad in [
            "aa",
            "Bucket",
            "bucket_",
            "-bb",
            "bb-",
            "b..b",
            "bucket-.name",
            "bucket.-name",
            "192.168.5.4",
        ] {
            assert!(!is_virtual_hostable_s3_bucket(bad, true), "{bad}");
        }
    }
}
