//! A minimal plain-HTTP/1.1 client for the link-local credential endpoints (ECS, IMDS): one
//! connection per request, connect and read timeouts, bounded response size.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request};
use tokio::net::TcpStream;
use tokio::time::timeout;

use super::NetworkTimeouts;

/// Larger responses are refused.
const MAX_BODY: usize = 64 * 1024;

/// Status and body of a response.
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) body: Bytes,
}

/// Why a request failed.
#[derive(Debug)]
pub(crate) enum HttpError {
    /// The URL is not `http://host[:port]/path`.
    InvalidUrl(String),
    /// Connecting did not finish within the connect timeout.
    ConnectTimeout(Duration),
    /// The response did not complete within the read timeout.
    ReadTimeout(Duration),
    /// Connecting failed.
    Connect(String),
    /// Sending or receiving failed.
    Io(String),
}

impl HttpError {
    pub(crate) fn is_timeout(&self) -> bool {
        matches!(
            self,
            HttpError::ConnectTimeout(_) | HttpError::ReadTimeout(_)
        )
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpError::InvalidUrl(reason) => write!(f, "invalid URL: {reason}"),
            HttpError::ConnectTimeout(t) => write!(f, "no connection within {t:?}"),
            HttpError::ReadTimeout(t) => write!(f, "no complete response within {t:?}"),
            HttpError::Connect(reason) => write!(f, "connection failed: {reason}"),
            HttpError::Io(reason) => write!(f, "request failed: {reason}"),
        }
    }
}

/// Host (without brackets), port, authority and path-and-query of an `http://` URL.
pub(crate) struct Target {
    pub(crate) host: String,
    pub(crate) port: u16,
    authority: String,
    path_and_query: String,
}

pub(crate) fn parse_url(url: &str) -> Result<Target, HttpError> {
    let uri: http::Uri = url
        .parse()
        .map_err(|e| HttpError::InvalidUrl(format!("{e}")))?;
    if uri.scheme_str() != Some("http") {
        return Err(HttpError::InvalidUrl(
            "only http:// URLs are supported".to_owned(),
        ));
    }
    let authority = uri
        .authority()
        .ok_or_else(|| HttpError::InvalidUrl("no host".to_owned()))?;
    let host = authority
        .host()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    if host.is_empty() {
        return Err(HttpError::InvalidUrl("no host".to_owned()));
    }
    Ok(Target {
        host,
        port: authority.port_u16().unwrap_or(80),
        authority: authority
            .as_str()
            .rsplit('@')
            .next()
            .unwrap_or_default()
            .to_owned(),
        path_and_query: uri
            .path_and_query()
            .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned()),
    })
}

/// Sends one request and reads the whole response.
pub(crate) async fn send(
    method: Method,
    url: &str,
    headers: &[(&str, &str)],
    timeouts: NetworkTimeouts,
) -> Result<Response, HttpError> {
    let target = parse_url(url)?;
    let stream = timeout(
        timeouts.connect,
        TcpStream::connect((target.host.as_str(), target.port)),
    )
    .await
    .map_err(|_| HttpError::ConnectTimeout(timeouts.connect))?
    .map_err(|e| HttpError::Connect(e.to_string()))?;
    let _ = stream.set_nodelay(true);

    let mut builder = Request::builder()
        .method(method)
        .uri(target.path_and_query.as_str())
        .header(http::header::HOST, target.authority.as_str());
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let request = builder
        .body(())
        .map_err(|e| HttpError::InvalidUrl(format!("cannot build request: {e}")))?;
    let head_request = request.method() == Method::HEAD;
    let head = crate::http::h1::encode_head(&request, None);

    let exchange = async {
        let mut conn = crate::http::h1::Conn::unpooled(stream);
        let mut head = conn
            .exchange(head, &Bytes::new(), head_request)
            .await
            .map_err(|e| HttpError::Io(e.to_string()))?;
        let body = conn
            .read_body(&mut head.framing, MAX_BODY, None)
            .await
            .map_err(|e| HttpError::Io(format!("reading body: {e}")))?;
        Ok(Response {
            status: head.status,
            body,
        })
    };
    timeout(timeouts.read, exchange)
        .await
        .map_err(|_| HttpError::ReadTimeout(timeouts.read))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_parsing() {
        let t = parse_url("http://169.254.170.2/v2/credentials?x=1").unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.path_and_query.as_str()),
            ("169.254.170.2", 80, "/v2/credentials?x=1")
        );
        let t = parse_url("http://[fd00:ec2::254]:8080").unwrap();
        assert_eq!(
            (
                t.host.as_str(),
                t.port,
                t.authority.as_str(),
                t.path_and_query.as_str()
            ),
            ("fd00:ec2::254", 8080, "[fd00:ec2::254]:8080", "/")
        );
        assert!(parse_url("https://example.com/").is_err());
        assert!(parse_url("not a url").is_err());
    }
}
