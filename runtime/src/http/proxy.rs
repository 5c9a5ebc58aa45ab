//! HTTP proxies for the default transport: which requests go through which proxy
//! ([`ProxyConfig`], set in code or read from `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and
//! `NO_PROXY`), and the two ways through one: a `CONNECT` tunnel for `https` targets (TLS then
//! runs end to end inside it) and absolute-form forwarding for `http` targets.
//!
//! Proxy credentials (`http://user:pass@host:port`, or [`ProxyConfig::basic_auth`]) are kept as
//! the finished `Proxy-Authorization` value in a [`SensitiveString`]: `Debug` shows the proxy as
//! `http://host:port` with a redaction marker, and no error message carries them.

use std::fmt;
use std::net::IpAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::{Target, TransportError, TransportErrorKind};
use crate::profile::Env;
use crate::types::SensitiveString;

/// Largest `CONNECT` response head accepted from a proxy.
const MAX_CONNECT_RESPONSE: usize = 16 * 1024;

/// Which proxy, if any, each request goes through.
///
/// Built in code or read from the environment ([`ProxyConfig::from_env`]); given to
/// [`HyperTransportBuilder::proxy`](super::HyperTransportBuilder::proxy) or
/// [`ConfigBuilder::proxy`](crate::config::ConfigBuilder::proxy).
///
/// * `https` targets go through the HTTPS proxy with a `CONNECT host:port` tunnel; the TLS
///   handshake (post-quantum key exchange, certificate checks against the target's name) runs
///   through the tunnel with the target itself, so the proxy sees only the host and port.
/// * `http` targets go through the HTTP proxy, which is sent the request in absolute form
///   (`GET http://host:port/path HTTP/1.1`).
/// * Hosts matching the `NO_PROXY` list are connected to directly.
///
/// Only `http://` proxies are supported (the connection to the proxy is plain TCP); a proxy URL
/// without a scheme is taken as `http://`, and one without a port uses port 80.
///
/// ```
/// use awsrt::http::ProxyConfig;
/// let proxy = ProxyConfig::all("http://proxy.corp.example:3128")?
///     .no_proxy("localhost,127.0.0.1,.internal.example,10.0.0.0/8")
///     .basic_auth("me", "s3cret");
/// assert_eq!(
///     proxy.proxy_for("https://secretsmanager.us-east-1.amazonaws.com/").as_deref(),
///     Some("http://proxy.corp.example:3128")
/// );
/// assert_eq!(proxy.proxy_for("http://db.internal.example/"), None);
/// assert!(!format!("{proxy:?}").contains("s3cret"));
/// # Ok::<(), awsrt::http::ProxyError>(())
/// ```
#[derive(Clone, Default)]
pub struct ProxyConfig {
    http: Option<Proxy>,
    https: Option<Proxy>,
    no_proxy: NoProxy,
    auth: Option<SensitiveString>,
}

impl fmt::Debug for ProxyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyConfig")
            .field("http", &self.http)
            .field("https", &self.https)
            .field("no_proxy", &self.no_proxy)
            .field("basic_auth", &self.auth.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// A proxy URL or setting could not be used. The message names the setting (for example the
/// environment variable) and never contains the credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyError {
    message: String,
}

impl ProxyError {
    fn new(message: impl Into<String>) -> ProxyError {
        ProxyError {
            message: message.into(),
        }
    }

    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ProxyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid proxy setting: {}", self.message)
    }
}

impl std::error::Error for ProxyError {}

impl ProxyConfig {
    /// No proxy: every request connects directly (the default).
    pub fn disabled() -> ProxyConfig {
        ProxyConfig::default()
    }

    /// One proxy for `http` and `https` targets alike (what `ALL_PROXY` sets).
    pub fn all(url: &str) -> Result<ProxyConfig, ProxyError> {
        let proxy = Proxy::parse(url).map_err(ProxyError::new)?;
        Ok(ProxyConfig {
            http: Some(proxy.clone()),
            https: Some(proxy),
            ..ProxyConfig::default()
        })
    }

    /// Sends `https` targets through the proxy at `url` (what `HTTPS_PROXY` sets).
    pub fn https_proxy(mut self, url: &str) -> Result<ProxyConfig, ProxyError> {
        self.https = Some(Proxy::parse(url).map_err(ProxyError::new)?);
        Ok(self)
    }

    /// Sends `http` targets through the proxy at `url` (what `HTTP_PROXY` sets).
    pub fn http_proxy(mut self, url: &str) -> Result<ProxyConfig, ProxyError> {
        self.http = Some(Proxy::parse(url).map_err(ProxyError::new)?);
        Ok(self)
    }

    /// Hosts reached directly, in the `NO_PROXY` syntax: entries separated by commas (or
    /// spaces), each `*` (no proxy at all), an IP address, a CIDR block (`10.0.0.0/8`,
    /// `fd00::/8`), or a host name, which matches itself and its subdomains (`example.com`
    /// and `.example.com` both match `example.com` and `api.example.com`; a leading `*.` is
    /// the same as a leading dot). An entry may end in `:port` to match that port only.
    /// Names are compared without case; they are never resolved, so `localhost` does not
    /// match `127.0.0.1`. Entries that are not valid (a CIDR with a bad prefix) match nothing.
    /// Replaces the list set before.
    pub fn no_proxy(mut self, list: &str) -> ProxyConfig {
        self.no_proxy = NoProxy::parse(list);
        self
    }

    /// Sends `Proxy-Authorization: Basic ...` with this user and password to every proxy,
    /// instead of credentials in the proxy URLs.
    pub fn basic_auth(mut self, user: &str, password: &str) -> ProxyConfig {
        self.auth = Some(basic_auth_value(user, password));
        self
    }

    /// The proxy settings of the environment `env`:
    ///
    /// * `https` targets: `https_proxy`, else `HTTPS_PROXY`, else `all_proxy`, else `ALL_PROXY`;
    /// * `http` targets: `http_proxy`, else `HTTP_PROXY`, else `all_proxy`, else `ALL_PROXY`;
    /// * hosts reached directly: `no_proxy`, else `NO_PROXY` (syntax of [`no_proxy`](Self::no_proxy)).
    ///
    /// The lowercase spelling wins when both are set, as with curl and the AWS CLI. Empty
    /// variables count as unset. An unusable URL (an unsupported scheme such as `socks5://`,
    /// a bad port) is an error naming the variable.
    pub fn from_env(env: &Env) -> Result<ProxyConfig, ProxyError> {
        fn first(env: &Env, names: &[&'static str]) -> Option<(&'static str, String)> {
            names
                .iter()
                .find_map(|n| env.get(n).map(|v| (*n, v.trim().to_string())))
                .filter(|(_, v)| !v.is_empty())
        }
        let parse = |names: &[&'static str]| -> Result<Option<Proxy>, ProxyError> {
            match first(env, names) {
                Some((name, url)) => Proxy::parse(&url)
                    .map(Some)
                    .map_err(|e| ProxyError::new(format!("{name}: {e}"))),
                None => Ok(None),
            }
        };
        let all = ["all_proxy", "ALL_PROXY"];
        let https = match parse(&["https_proxy", "HTTPS_PROXY"])? {
            Some(p) => Some(p),
            None => parse(&all)?,
        };
        let http = match parse(&["http_proxy", "HTTP_PROXY"])? {
            Some(p) => Some(p),
            None => parse(&all)?,
        };
        let no_proxy = first(env, &["no_proxy", "NO_PROXY"])
            .map(|(_, v)| NoProxy::parse(&v))
            .unwrap_or_default();
        Ok(ProxyConfig {
            http,
            https,
            no_proxy,
            auth: None,
        })
    }

    /// `true` when some requests go through a proxy.
    pub fn is_enabled(&self) -> bool {
        self.http.is_some() || self.https.is_some()
    }

    /// The proxy a request to `url` goes through, as `http://host:port` (never with
    /// credentials); `None` when it connects directly or `url` is not an `http`/`https` URL.
    pub fn proxy_for(&self, url: &str) -> Option<String> {
        let target = Target::parse(url).ok()?;
        self.route(&target).map(|p| p.to_string())
    }

    /// The proxy for `target`, or `None` for a direct connection.
    pub(crate) fn route(&self, target: &Target) -> Option<&Proxy> {
        let proxy = if target.origin.https {
            self.https.as_ref()
        } else {
            self.http.as_ref()
        }?;
        (!self
            .no_proxy
            .matches(&target.origin.host, target.origin.port))
        .then_some(proxy)
    }

    /// The `Proxy-Authorization` value for `proxy`: set in code, else from its URL.
    fn auth_for<'a>(&'a self, proxy: &'a Proxy) -> Option<&'a SensitiveString> {
        self.auth.as_ref().or(proxy.auth.as_ref())
    }

    /// For an `http` target sent through a proxy: the request line gets the absolute URI and
    /// the request a `Proxy-Authorization` header when there are credentials. Nothing changes
    /// for `https` targets (they are tunnelled) or direct connections.
    pub(crate) fn prepare_forward<B>(
        &self,
        target: &Target,
        request: &mut http::Request<B>,
    ) -> Result<(), TransportError> {
        if target.origin.https {
            return Ok(());
        }
        let Some(proxy) = self.route(target) else {
            return Ok(());
        };
        let absolute = format!("{}{}", target.origin.display(), target.path_and_query);
        *request.uri_mut() = absolute
            .parse()
            .map_err(|_| TransportError::new(TransportErrorKind::Other, "invalid request URI"))?;
        if let Some(auth) = self.auth_for(proxy) {
            request
                .headers_mut()
                .insert(http::header::PROXY_AUTHORIZATION, header_value(auth)?);
        }
        Ok(())
    }

    /// A TCP connection for `target`: to the target itself, to the proxy (`http` targets), or
    /// a `CONNECT` tunnel through the proxy that ends at the target (`https` targets).
    pub(crate) async fn open(&self, target: &Target) -> Result<TcpStream, TransportError> {
        let Some(proxy) = self.route(target) else {
            return TcpStream::connect((target.origin.host.as_str(), target.origin.port))
                .await
                .map_err(super::hyper_transport::connect_error);
        };
        let mut tcp = TcpStream::connect((proxy.host.as_str(), proxy.port))
            .await
            .map_err(|e| proxy_connect_error(proxy, e))?;
        let _ = tcp.set_nodelay(true);
        if target.origin.https {
            tunnel(&mut tcp, proxy, self.auth_for(proxy), target).await?;
        }
        Ok(tcp)
    }
}

/// One proxy server: where it is and the `Proxy-Authorization` value from its URL.
#[derive(Clone)]
pub(crate) struct Proxy {
    host: String,
    port: u16,
    auth: Option<SensitiveString>,
}

impl fmt::Display for Proxy {
    /// `http://host:port`, without credentials.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "http://[{}]:{}", self.host, self.port)
        } else {
            write!(f, "http://{}:{}", self.host, self.port)
        }
    }
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.auth {
            Some(_) => write!(f, "{self} (credentials <redacted>)"),
            None => write!(f, "{self}"),
        }
    }
}

impl Proxy {
    /// Parses `[http://][user[:password]@]host[:port][/]`. Error messages never repeat the
    /// URL (it may hold a password).
    fn parse(url: &str) -> Result<Proxy, String> {
        let url = url.trim();
        let rest = match url.split_once("://") {
            Some((scheme, rest)) => {
                if !scheme.eq_ignore_ascii_case("http") {
                    let shown: String = scheme.chars().take(16).collect();
                    return Err(format!(
                        "proxy scheme {shown:?} is not supported; use an http:// proxy URL"
                    ));
                }
                rest
            }
            None => url,
        };
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        if !matches!(tail, "" | "/") {
            return Err("a proxy URL has no path, query or fragment".into());
        }
        let (userinfo, host_port) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        let (host, port) = split_host_port(host_port)
            .ok_or("the proxy URL has no valid host and port (expected http://host:port)")?;
        let port = match port {
            Some(p) => p
                .parse::<u16>()
                .ok()
                .filter(|p| *p != 0)
                .ok_or("the proxy URL has an invalid port")?,
            None => 80,
        };
        let auth = match userinfo {
            Some(info) => {
                let (user, password) = info.split_once(':').unwrap_or((info, ""));
                let bad =
                    "the user name or password in the proxy URL is not valid percent-encoded UTF-8";
                let user = SensitiveString::new(percent_decode(user).ok_or(bad)?);
                let password = SensitiveString::new(percent_decode(password).ok_or(bad)?);
                Some(basic_auth_value(
                    user.expose_secret(),
                    password.expose_secret(),
                ))
            }
            None => None,
        };
        Ok(Proxy {
            host: host.to_ascii_lowercase(),
            port,
            auth,
        })
    }
}

/// Splits `host[:port]` / `[v6][:port]`; `None` when the host is empty or malformed.
fn split_host_port(s: &str) -> Option<(&str, Option<&str>)> {
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        host.parse::<std::net::Ipv6Addr>().ok()?;
        match after {
            "" => (host, None),
            _ => (host, Some(after.strip_prefix(':')?)),
        }
    } else {
        match s.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (s, None),
        }
    };
    let valid = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b':'));
    valid.then_some((host, port))
}

/// Decodes `%XX` escapes; `None` for a malformed escape or bytes that are not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    match String::from_utf8(out) {
        Ok(s) => Some(s),
        Err(e) => {
            zeroize::Zeroize::zeroize(&mut e.into_bytes());
            None
        }
    }
}

/// `Basic base64(user:password)`, built in buffers that are wiped.
fn basic_auth_value(user: &str, password: &str) -> SensitiveString {
    let mut plain = zeroize::Zeroizing::new(Vec::with_capacity(user.len() + password.len() + 1));
    plain.extend_from_slice(user.as_bytes());
    plain.push(b':');
    plain.extend_from_slice(password.as_bytes());
    let mut value = b"Basic ".to_vec();
    crate::types::base64_encode_into(&plain, &mut value);
    // base64 output is ASCII.
    SensitiveString::new(String::from_utf8(value).unwrap_or_default())
}

fn header_value(auth: &SensitiveString) -> Result<http::HeaderValue, TransportError> {
    let mut v = http::HeaderValue::from_str(auth.expose_secret()).map_err(|_| {
        TransportError::new(
            TransportErrorKind::Other,
            "proxy credentials cannot be sent in a header",
        )
    })?;
    v.set_sensitive(true);
    Ok(v)
}

fn proxy_connect_error(proxy: &Proxy, e: std::io::Error) -> TransportError {
    if e.kind() == std::io::ErrorKind::ConnectionRefused {
        return TransportError::new(
            TransportErrorKind::Connect,
            format!("connection to proxy {proxy} refused"),
        );
    }
    TransportError::new(
        TransportErrorKind::Connect,
        format!("connection to proxy {proxy} failed"),
    )
    .with_source(e)
}

/// Asks `proxy` for a tunnel to `target` on `tcp` and reads its answer; on success the stream
/// is a byte pipe to the target.
async fn tunnel(
    tcp: &mut TcpStream,
    proxy: &Proxy,
    auth: Option<&SensitiveString>,
    target: &Target,
) -> Result<(), TransportError> {
    let authority = target.origin.host_and_port();
    let mut head = zeroize::Zeroizing::new(format!(
        "CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n"
    ));
    if let Some(auth) = auth {
        head.push_str("Proxy-Authorization: ");
        head.push_str(auth.expose_secret());
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    let io_error = |what: &str, e: std::io::Error| {
        TransportError::new(
            TransportErrorKind::Io,
            format!("{what} (proxy {proxy}, CONNECT {authority})"),
        )
        .with_source(e)
    };
    tcp.write_all(head.as_bytes())
        .await
        .map_err(|e| io_error("sending CONNECT to the proxy failed", e))?;

    let mut buf = Vec::with_capacity(512);
    let mut chunk = [0u8; 1024];
    let head_len = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > MAX_CONNECT_RESPONSE {
            return Err(TransportError::new(
                TransportErrorKind::Other,
                format!("proxy {proxy} sent an oversized answer to CONNECT {authority}"),
            ));
        }
        let n = tcp
            .read(&mut chunk)
            .await
            .map_err(|e| io_error("reading the proxy's answer to CONNECT failed", e))?;
        if n == 0 {
            return Err(TransportError::new(
                TransportErrorKind::Io,
                format!("proxy {proxy} closed the connection before answering CONNECT {authority}"),
            ));
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let status_line = buf
        .split(|b| *b == b'\n')
        .next()
        .map(|l| String::from_utf8_lossy(l).trim().to_string())
        .unwrap_or_default();
    let mut words = status_line.splitn(3, ' ');
    let version = words.next().unwrap_or_default();
    let status = words.next().and_then(|s| s.parse::<u16>().ok());
    let reason: String = words
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .take(80)
        .collect();
    let reason = if reason.is_empty() {
        reason
    } else {
        format!(" {reason}")
    };
    let Some(status) = status.filter(|_| version.starts_with("HTTP/1.")) else {
        return Err(TransportError::new(
            TransportErrorKind::Other,
            format!("proxy {proxy} sent an invalid answer to CONNECT {authority}"),
        ));
    };
    if !(200..300).contains(&status) {
        let (kind, what) = match status {
            // 407 is the proxy's "authentication required"; some proxies (tinyproxy) answer
            // wrong credentials with 401, which on a CONNECT can only be the proxy's too.
            401 | 407 if auth.is_some() => (
                TransportErrorKind::Other,
                "proxy rejected the credentials for CONNECT",
            ),
            401 | 407 => (
                TransportErrorKind::Other,
                "proxy requires credentials for CONNECT",
            ),
            // The proxy could not reach the target (bad gateway, unavailable, timeout): as
            // retryable as a refused direct connection.
            502..=504 => (
                TransportErrorKind::Connect,
                "proxy could not connect to the target for CONNECT",
            ),
            _ => (TransportErrorKind::Other, "proxy refused CONNECT"),
        };
        return Err(TransportError::new(
            kind,
            format!("{what} {authority}: HTTP {status}{reason} (proxy {proxy})"),
        ));
    }
    if buf.len() > head_len {
        return Err(TransportError::new(
            TransportErrorKind::Other,
            format!("proxy {proxy} sent data before the TLS handshake through CONNECT {authority}"),
        ));
    }
    Ok(())
}

/// The `NO_PROXY` list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct NoProxy {
    rules: Vec<Rule>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Rule {
    /// `*`.
    All,
    /// An IP address, with an optional port.
    Ip(IpAddr, Option<u16>),
    /// A CIDR block.
    Cidr(IpAddr, u8),
    /// A domain (lowercase, no leading or trailing dot): itself and its subdomains.
    Domain(String, Option<u16>),
    /// An entry that is not valid: matches nothing.
    Invalid,
}

impl NoProxy {
    fn parse(list: &str) -> NoProxy {
        let rules = list
            .split(|c: char| c == ',' || c.is_whitespace())
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(Rule::parse)
            .collect();
        NoProxy { rules }
    }

    fn matches(&self, host: &str, port: u16) -> bool {
        if self.rules.is_empty() {
            return false;
        }
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .trim_end_matches('.')
            .to_ascii_lowercase();
        let ip = host.parse::<IpAddr>().ok();
        self.rules.iter().any(|r| r.matches(&host, ip, port))
    }
}

impl Rule {
    fn parse(entry: &str) -> Rule {
        if entry == "*" {
            return Rule::All;
        }
        if let Some((addr, bits)) = entry.split_once('/') {
            let addr = addr.trim_start_matches('[').trim_end_matches(']');
            return match (addr.parse::<IpAddr>(), bits.parse::<u8>()) {
                (Ok(ip), Ok(bits)) if bits <= if ip.is_ipv4() { 32 } else { 128 } => {
                    Rule::Cidr(ip, bits)
                }
                _ => Rule::Invalid,
            };
        }
        if let Ok(ip) = entry.parse::<IpAddr>() {
            return Rule::Ip(ip, None);
        }
        let entry = entry.strip_prefix("*.").unwrap_or(entry);
        let Some((host, port)) = split_host_port(entry) else {
            return Rule::Invalid;
        };
        let port = match port.map(str::parse::<u16>) {
            None => None,
            Some(Ok(p)) => Some(p),
            Some(Err(_)) => return Rule::Invalid,
        };
        if let Ok(ip) = host.parse::<IpAddr>() {
            return Rule::Ip(ip, port);
        }
        let domain = host
            .trim_start_matches('.')
            .trim_end_matches('.')
            .to_ascii_lowercase();
        if domain.is_empty() {
            Rule::Invalid
        } else {
            Rule::Domain(domain, port)
        }
    }

    fn matches(&self, host: &str, ip: Option<IpAddr>, port: u16) -> bool {
        let port_ok = |p: &Option<u16>| p.is_none_or(|p| p == port);
        match self {
            Rule::All => true,
            Rule::Ip(want, p) => ip == Some(*want) && port_ok(p),
            Rule::Cidr(net, bits) => ip.is_some_and(|ip| in_cidr(ip, *net, *bits)),
            Rule::Domain(d, p) => {
                ip.is_none()
                    && port_ok(p)
                    && (host == d
                        || (host.len() > d.len()
                            && host.ends_with(d.as_str())
                            && host.as_bytes()[host.len() - d.len() - 1] == b'.'))
            }
            Rule::Invalid => false,
        }
    }
}

fn in_cidr(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(url: &str) -> Target {
        Target::parse(url).unwrap()
    }

    #[test]
    fn parses_proxy_urls() {
        let p = Proxy::parse("http://proxy.example:3128").unwrap();
        assert_eq!(p.to_string(), "http://proxy.example:3128");
        assert!(p.auth.is_none());
        assert_eq!(Proxy::parse("proxy:8080/").unwrap().port, 8080);
        assert_eq!(
            Proxy::parse("HTTP://Proxy").unwrap().to_string(),
            "http://proxy:80"
        );
        assert_eq!(
            Proxy::parse("http://[::1]:3128").unwrap().to_string(),
            "http://[::1]:3128"
        );
        for bad in [
            "socks5://proxy:1080",
            "https://proxy:443",
            "http://",
            "http://proxy:0",
            "http://proxy:99999",
            "http://proxy:3128/path",
            "http://pro xy:1",
        ] {
            assert!(Proxy::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn credentials_are_percent_decoded_and_never_shown() {
        let p = Proxy::parse("http://us%40er:p%3Ass%20w@proxy:3128").unwrap();
        // base64("us@er:p:ss w")
        assert_eq!(
            p.auth.as_ref().unwrap().expose_secret(),
            format!("Basic {}", crate::types::base64_encode(b"us@er:p:ss w"))
        );
        let shown = format!("{p:?} {p}");
        assert!(!shown.contains("us") && !shown.contains("ss"), "{shown}");
        assert!(shown.contains("redacted"));
        let err = Proxy::parse("http://alice:bad%zzsecret@proxy:1").unwrap_err();
        assert!(!err.contains("alice") && !err.contains("zzsecret"), "{err}");
        let err = Proxy::parse("socks5://user:hunter2@proxy:1").unwrap_err();
        assert!(!err.contains("hunter2"), "{err}");
        let config = ProxyConfig::all("http://u:hunter2@proxy:1").unwrap();
        assert!(!format!("{config:?}").contains("hunter2"));
        assert!(!format!("{config:?}").contains(&crate::types::base64_encode(b"u:hunter2")));
    }

    #[test]
    fn environment_lowercase_first_and_all_proxy_fallback() {
        let env = Env::from_pairs([
            ("HTTPS_PROXY", "http://upper:1"),
            ("https_proxy", "http://lower:2"),
            ("ALL_PROXY", "http://all:3"),
        ]);
        let c = ProxyConfig::from_env(&env).unwrap();
        assert_eq!(c.proxy_for("https://x/").as_deref(), Some("http://lower:2"));
        assert_eq!(c.proxy_for("http://x/").as_deref(), Some("http://all:3"));

        let env = Env::from_pairs([("HTTP_PROXY", "http://h:1"), ("no_proxy", "x")]);
        let c = ProxyConfig::from_env(&env).unwrap();
        assert_eq!(c.proxy_for("https://y/"), None);
        assert_eq!(c.proxy_for("http://y/").as_deref(), Some("http://h:1"));
        assert_eq!(c.proxy_for("http://x/"), None);

        let env = Env::from_pairs([("all_proxy", "socks5://user:pw@h:1")]);
        let e = ProxyConfig::from_env(&env).unwrap_err();
        assert!(e.message().starts_with("all_proxy: "), "{e}");
        assert!(!e.to_string().contains("pw"));

        assert!(
            !ProxyConfig::from_env(&Env::from_pairs([("HTTP_PROXY", "")]))
                .unwrap()
                .is_enabled()
        );
    }

    #[test]
    fn no_proxy_rules() {
        let np = NoProxy::parse(
            "localhost, .corp.example,example.com  10.0.0.0/8,192.168.1.7,fd00::/8,[::1],*.wild.test,svc:8443,bad/99",
        );
        let m = |h: &str, p: u16| np.matches(h, p);
        assert!(m("localhost", 80));
        assert!(m("LOCALHOST.", 80));
        assert!(!m("notlocalhost", 80));
        assert!(m("corp.example", 443));
        assert!(m("a.b.corp.example", 443));
        assert!(!m("xcorp.example", 443));
        assert!(m("example.com", 443));
        assert!(m("api.example.com", 443));
        assert!(!m("badexample.com", 443));
        assert!(m("10.1.2.3", 80));
        assert!(!m("11.1.2.3", 80));
        assert!(m("192.168.1.7", 80));
        assert!(!m("192.168.1.8", 80));
        assert!(m("fd12::1", 443));
        assert!(!m("fe80::1", 443));
        assert!(m("::1", 443));
        assert!(m("[::1]", 443));
        assert!(m("a.wild.test", 443));
        assert!(m("wild.test", 443));
        assert!(m("svc", 8443));
        assert!(!m("svc", 443));
        assert!(!m("amazonaws.com", 443));
        assert!(NoProxy::parse("*").matches("anything", 1));
        assert!(!NoProxy::parse("").matches("anything", 1));
        assert!(NoProxy::parse("0.0.0.0/0").matches("8.8.8.8", 1));
        assert!(!NoProxy::parse("0.0.0.0/0").matches("host", 1));
    }

    #[test]
    fn routes_by_scheme() {
        let c = ProxyConfig::disabled()
            .https_proxy("http://tls-proxy:1")
            .unwrap();
        assert!(c.route(&target("https://a/")).is_some());
        assert!(c.route(&target("http://a/")).is_none());
        let c = ProxyConfig::all("http://p:1").unwrap().no_proxy("*");
        assert!(c.route(&target("https://a/")).is_none());
    }

    #[test]
    fn forwarded_requests_use_absolute_form_and_carry_credentials() {
        let c = ProxyConfig::all("http://p:1")
            .unwrap()
            .basic_auth("u", "pw");
        let t = target("http://svc.example:8080/a?b=1");
        let mut req = http::Request::new(());
        *req.uri_mut() = "/a?b=1".parse().unwrap();
        c.prepare_forward(&t, &mut req).unwrap();
        assert_eq!(req.uri().to_string(), "http://svc.example:8080/a?b=1");
        let auth = req.headers().get("proxy-authorization").unwrap();
        assert!(auth.is_sensitive());
        assert_eq!(
            auth.to_str().unwrap(),
            format!("Basic {}", crate::types::base64_encode(b"u:pw"))
        );
        // https targets are tunnelled: the request itself is left alone.
        let t = target("https://svc.example/a");
        let mut req = http::Request::new(());
        *req.uri_mut() = "/a".parse().unwrap();
        c.prepare_forward(&t, &mut req).unwrap();
        assert_eq!(req.uri().to_string(), "/a");
        assert!(req.headers().get("proxy-authorization").is_none());
    }
}
