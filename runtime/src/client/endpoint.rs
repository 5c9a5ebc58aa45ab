//! Endpoint resolution for a handle: built-in parameters → rule set → URL, headers and signing
//! scope.

use std::sync::Arc;

use http::{HeaderName, HeaderValue};

use super::{AuthScheme, ServiceInfo};
use crate::config::Config;
use crate::endpoint::{RuleSet, Value};
use crate::error::{BuildError, BuildErrorKind};
use crate::http::Origin;

/// The endpoint every call of a handle goes to.
#[derive(Clone, Debug)]
pub(crate) struct ResolvedEndpoint {
    /// Absolute URL with at least `/` as path.
    pub url: String,
    /// The scheme, host and port of `url`, parsed once for all the requests to it (the
    /// transport then parses only each request's path); `None` when `url` does not parse, and
    /// the transport reports it.
    pub origin: Option<Arc<Origin>>,
    /// Headers the endpoint requires.
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// SigV4 signing name (empty for a service without SigV4).
    pub signing_name: String,
    /// SigV4 signing region: from the rules, else the configured region. `None` only for a
    /// service whose requests are unsigned by default and with no region configured.
    pub signing_region: Option<String>,
}

impl ResolvedEndpoint {
    /// This endpoint (headers and signing scope) at `url`, its origin parsed anew.
    pub(crate) fn at_url(self, url: String) -> ResolvedEndpoint {
        ResolvedEndpoint {
            origin: parse_origin(&url),
            url,
            ..self
        }
    }
}

/// The parsed origin of `url`, shared by the requests to it.
pub(crate) fn parse_origin(url: &str) -> Option<Arc<Origin>> {
    Origin::parse(url).ok().map(Arc::new)
}

/// The error for a SigV4 request without a region.
pub(crate) fn no_region() -> BuildError {
    endpoint_error("no region configured (set it in code, AWS_REGION, or the profile's `region`)")
}

fn endpoint_error(msg: impl Into<String>) -> BuildError {
    BuildError::new(BuildErrorKind::Endpoint, msg)
}

/// `url` with the operation path `/` joined onto its path: `https://h` → `https://h/`,
/// `https://h/custom` → `https://h/custom/` (a query, if any, stays after the path).
fn with_root_path(url: &str) -> String {
    let (base, query) = match url.find('?') {
        Some(q) => (&url[..q], &url[q..]),
        None => (url, ""),
    };
    if base.ends_with('/')
        && base
            .find("://")
            .is_some_and(|i| base[i + 3..].contains('/'))
    {
        return url.to_string();
    }
    format!("{base}/{query}")
}

/// `url` with `prefix` put in front of its host (`https://h/` + `foo.` → `https://foo.h/`).
pub(crate) fn with_host_prefix(url: &str, prefix: &str) -> String {
    match url.find("://") {
        Some(i) => format!("{}{prefix}{}", &url[..i + 3], &url[i + 3..]),
        None => url.to_string(),
    }
}

fn check_url(url: &str) -> Result<(), BuildError> {
    let parsed: http::Uri = url
        .parse()
        .map_err(|_| endpoint_error(format!("endpoint URL {url:?} is not a valid URI")))?;
    match (parsed.scheme_str(), parsed.host()) {
        (Some("http" | "https"), Some(h)) if !h.is_empty() => Ok(()),
        _ => Err(endpoint_error(format!(
            "endpoint URL {url:?} must be an absolute http:// or https:// URL"
        ))),
    }
}

/// A service without endpoint rules and no endpoint URL configured: the error names the
/// settings that would give it one (the service-specific variable only when the service has an
/// sdkId).
fn missing_endpoint(service: &ServiceInfo) -> BuildError {
    if service.sdk_id.trim().is_empty() {
        endpoint_error(format!(
            "service {:?} has no endpoint rules; set an endpoint URL (in code with \
             `endpoint_url`, AWS_ENDPOINT_URL, or the profile's `endpoint_url`)",
            service.name()
        ))
    } else {
        endpoint_error(format!(
            "service {:?} has no endpoint rules; set an endpoint URL (in code, \
             AWS_ENDPOINT_URL or AWS_ENDPOINT_URL_{})",
            service.sdk_id,
            crate::config::sdk_id_env_suffix(service.sdk_id)
        ))
    }
}

/// The service's rule set, parsed (`None` for a service without rules).
pub(crate) fn rules(service: &ServiceInfo) -> Result<Option<RuleSet>, BuildError> {
    if service.endpoint_rules.trim().is_empty() {
        return Ok(None);
    }
    RuleSet::parse(service.endpoint_rules)
        .map(Some)
        .map_err(|e| endpoint_error(e.to_string()))
}

/// Resolves the endpoint from the service's rules (or the override when it has none), with the
/// operation's parameters `op_params` (`@contextParam` members, `@staticContextParams`) set
/// after the built-ins.
pub(crate) fn resolve(
    config: &Config,
    service: &ServiceInfo,
    rules: Option<&RuleSet>,
    override_url: Option<&str>,
    op_params: &[(&'static str, Value)],
) -> Result<ResolvedEndpoint, BuildError> {
    let region = config.region();
    let (url, headers, name, signing_region) = if let Some(rules) = rules {
        let mut params = rules.builtin_params(|builtin| match builtin {
            "AWS::Region" => region.map(Value::from),
            "AWS::UseFIPS" => Some(Value::Bool(config.use_fips())),
            "AWS::UseDualStack" => Some(Value::Bool(config.use_dual_stack())),
            "SDK::Endpoint" => override_url.map(Value::from),
            other => config.endpoint_builtin(other).cloned(),
        });
        for (name, value) in op_params {
            params.set(name, value.clone());
        }
        let ep = rules
            .resolve(&params, config.partitions())
            .map_err(|e| endpoint_error(e.to_string()))?;
        let (name, signing_region) = ep.sigv4_signing();
        let mut headers = Vec::new();
        for (k, values) in &ep.headers {
            let hn = HeaderName::from_bytes(k.as_bytes())
                .map_err(|_| endpoint_error(format!("endpoint header name {k:?} is invalid")))?;
            for v in values {
                let hv = HeaderValue::from_str(v).map_err(|_| {
                    endpoint_error(format!("endpoint header {k:?} has an invalid value"))
                })?;
                headers.push((hn.clone(), hv));
            }
        }
        (ep.url, headers, name, signing_region)
    } else {
        let url = override_url.ok_or_else(|| missing_endpoint(service))?;
        (url.to_string(), Vec::new(), None, None)
    };
    check_url(&url)?;
    let signing_region = signing_region.or_else(|| region.map(str::to_string));
    if signing_region.is_none() && service.auth() != AuthScheme::None {
        return Err(no_region());
    }
    let url = with_root_path(&url);
    Ok(ResolvedEndpoint {
        origin: parse_origin(&url),
        url,
        headers,
        signing_name: name.unwrap_or_else(|| service.signing_name.to_string()),
        signing_region,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_path_is_added() {
        assert_eq!(
            with_root_path("https://a.example.com"),
            "https://a.example.com/"
        );
        assert_eq!(with_root_path("http://127.0.0.1:9/"), "http://127.0.0.1:9/");
        // The operation path `/` is joined onto an endpoint path (protocol test HostWithPath).
        assert_eq!(with_root_path("http://h/p/q"), "http://h/p/q/");
        assert_eq!(with_root_path("http://h/p/q/"), "http://h/p/q/");
        assert_eq!(with_root_path("http://h?x=1"), "http://h/?x=1");
        assert_eq!(
            with_host_prefix("https://h:1/p/", "foo."),
            "https://foo.h:1/p/"
        );
    }

    #[test]
    fn urls_are_checked() {
        assert!(check_url("http://localhost:4566").is_ok());
        assert!(check_url("localhost:4566").is_err());
        assert!(check_url("ftp://x").is_err());
    }

    /// The endpoint carries its URL's origin, parsed when it is resolved, and a new URL (host
    /// prefix, discovered endpoint) gets its own.
    #[test]
    fn the_origin_is_parsed_with_the_url() {
        static SERVICE: ServiceInfo = ServiceInfo {
            sdk_id: "Test",
            signing_name: "test",
            shape_name: "Test",
            protocol: &crate::protocol::aws_json::AWS_JSON_1_1,
            crate_name: "test",
            crate_version: "0",
            endpoint_rules: "",
        };
        let config = Config::builder().region("us-east-1").build();
        let e = resolve(
            &config,
            &SERVICE,
            None,
            Some("http://127.0.0.1:8080/prefix"),
            &[],
        )
        .unwrap();
        assert_eq!(e.url, "http://127.0.0.1:8080/prefix/");
        let origin = e.origin.as_deref().expect("a parsed origin");
        assert_eq!(origin, &Origin::parse("http://127.0.0.1:8080").unwrap());
        assert_eq!(origin.display(), "http://127.0.0.1:8080");
        assert_eq!(origin.host_header().unwrap(), "127.0.0.1:8080");

        let prefixed = e.clone().at_url(with_host_prefix(&e.url, "foo."));
        assert_eq!(prefixed.url, "http://foo.127.0.0.1:8080/prefix/");
        let origin = prefixed.origin.as_deref().expect("a parsed origin");
        assert_eq!(origin.host, "foo.127.0.0.1");
        assert_eq!(origin.port, 8080);
        assert_eq!(prefixed.signing_name, e.signing_name);
        assert_eq!(prefixed.signing_region, e.signing_region);

        // A URL the transport cannot parse keeps no origin (the transport reports it).
        assert!(e.at_url("ftp://x/".to_string()).origin.is_none());
    }
}
