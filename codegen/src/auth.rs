//! How a service and each of its operations authenticate, decided once from the model so that
//! emitters only read the decision.
//!
//! Smithy's effective auth schemes: a service's are its `smithy.api#auth` list when it has one,
//! else every auth scheme trait applied to it, in shape id order; an operation's are its own
//! `smithy.api#auth` list, else the service's. The client uses the first scheme of the list it
//! supports — `aws.auth#sigv4`, `smithy.api#httpBearerAuth` (a token from the configuration) or
//! `smithy.api#noAuth` — and sends requests unsigned when the
//! list is empty (a service without auth traits, `@auth([])`). An operation with
//! `smithy.api#optionalAuth` is signed only when credentials are available.

use crate::error::{CodegenError, Result};
use crate::model::{ids, Model, Shape};

/// How the requests of a service or operation are authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// SigV4 (`aws.auth#sigv4`): the call needs credentials and a region.
    SigV4,
    /// SigV4 when credentials are available, unsigned otherwise (`@optionalAuth`).
    OptionalSigV4,
    /// Unsigned: no credentials are needed.
    None,
    /// `Authorization: Bearer <token>` (`smithy.api#httpBearerAuth`), the token from the
    /// configuration.
    Bearer,
}

impl Auth {
    /// Whether requests may be signed with SigV4.
    pub fn signs(self) -> bool {
        matches!(self, Auth::SigV4 | Auth::OptionalSigV4)
    }
}

/// Auth scheme traits recognised even when the model does not carry their definitions (AWS
/// models do not include the `aws.auth` trait shapes).
const KNOWN_SCHEMES: &[&str] = &[
    ids::SIGV4,
    ids::SIGV4A,
    ids::HTTP_BASIC_AUTH,
    ids::HTTP_DIGEST_AUTH,
    ids::HTTP_BEARER_AUTH,
    ids::HTTP_API_KEY_AUTH,
];

/// Whether the trait `id` is an auth scheme: a known one, or a trait shape of the model marked
/// `smithy.api#authDefinition`.
fn is_scheme(model: &Model, id: &str) -> bool {
    KNOWN_SCHEMES.contains(&id)
        || model
            .shapes
            .get(id)
            .is_some_and(|s| s.traits.has(ids::AUTH_DEFINITION))
}

/// The auth scheme traits applied to the service, in shape id order.
fn applied(model: &Model, service: &Shape) -> Vec<String> {
    service
        .traits
        .0
        .keys()
        .filter(|k| is_scheme(model, k))
        .cloned()
        .collect()
}

/// A `smithy.api#auth` list of `owner`, each entry checked against the schemes the service
/// applies (`smithy.api#noAuth` is always allowed).
fn auth_list(owner: &Shape, applied: &[String]) -> Result<Option<Vec<String>>> {
    let Some(list) = owner.traits.auth(&owner.id)? else {
        return Ok(None);
    };
    for s in &list {
        if *s != ids::NO_AUTH && !applied.iter().any(|a| a == s) {
            return Err(CodegenError::shape(
                &owner.id,
                format!(
                    "trait smithy.api#auth lists `{s}`, which is not an auth scheme trait applied to the service"
                ),
            ));
        }
    }
    Ok(Some(list.into_iter().map(str::to_string).collect()))
}

/// The service's effective auth schemes, in priority order.
pub fn service_schemes(model: &Model, service: &Shape) -> Result<Vec<String>> {
    let applied = applied(model, service);
    Ok(auth_list(service, &applied)?.unwrap_or(applied))
}

/// The effective auth schemes of `operation`, bound to `service` whose effective schemes are
/// `service_schemes`.
pub fn operation_schemes(
    model: &Model,
    service: &Shape,
    service_schemes: &[String],
    operation: &Shape,
) -> Result<Vec<String>> {
    let applied = applied(model, service);
    Ok(auth_list(operation, &applied)?.unwrap_or_else(|| service_schemes.to_vec()))
}

/// The auth the client uses for `schemes` (the effective schemes of `owner`): the first one it
/// supports. `optional` is `smithy.api#optionalAuth`: signing becomes optional, and a list with
/// no supported scheme falls back to unsigned requests instead of failing.
pub fn choose(owner: &str, schemes: &[String], optional: bool) -> Result<Auth> {
    for s in schemes {
        if s == ids::SIGV4 {
            return Ok(if optional {
                Auth::OptionalSigV4
            } else {
                Auth::SigV4
            });
        }
        if s == ids::NO_AUTH {
            return Ok(Auth::None);
        }
        if s == ids::HTTP_BEARER_AUTH {
            return Ok(Auth::Bearer);
        }
    }
    if schemes.is_empty() || optional {
        return Ok(Auth::None);
    }
    Err(CodegenError::shape(
        owner,
        format!(
            "no supported auth scheme: the generator signs with aws.auth#sigv4, sends a bearer \
             token (smithy.api#httpBearerAuth) or sends unsigned requests, the model asks for {}",
            schemes.join(", ")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(service_traits: &str, op_traits: &str) -> Model {
        let json = format!(
            r#"{{"smithy":"2.0","shapes":{{
                "a#Svc":{{"type":"service","version":"1","operations":[{{"target":"a#Op"}}],"traits":{service_traits}}},
                "a#Op":{{"type":"operation","traits":{op_traits}}},
                "a#customAuth":{{"type":"structure","traits":{{"smithy.api#trait":{{}},"smithy.api#authDefinition":{{}}}}}}
            }}}}"#
        );
        Model::from_json(&json, "auth.json").unwrap()
    }

    /// `(service auth, operation auth)` for the given traits, or the error text.
    fn decide(service_traits: &str, op_traits: &str) -> Result<(Auth, Auth), String> {
        let m = model(service_traits, op_traits);
        let svc = &m.shapes["a#Svc"];
        let op = &m.shapes["a#Op"];
        let run = || -> Result<(Auth, Auth)> {
            let s = service_schemes(&m, svc)?;
            let o = operation_schemes(&m, svc, &s, op)?;
            Ok((
                choose(&svc.id, &s, false)?,
                choose(&op.id, &o, op.traits.has(ids::OPTIONAL_AUTH))?,
            ))
        };
        run().map_err(|e| e.to_string())
    }

    const SIGV4: &str = r#""aws.auth#sigv4":{"name":"svc"}"#;

    #[test]
    fn no_auth_trait_means_unsigned() {
        assert_eq!(decide("{}", "{}"), Ok((Auth::None, Auth::None)));
    }

    #[test]
    fn sigv4_when_the_service_applies_it() {
        assert_eq!(
            decide(&format!("{{{SIGV4}}}"), "{}"),
            Ok((Auth::SigV4, Auth::SigV4))
        );
    }

    #[test]
    fn the_auth_list_orders_the_schemes() {
        // Basic first (unsupported), then SigV4: the first supported one wins.
        let t = format!(
            r#"{{{SIGV4},"smithy.api#httpBasicAuth":{{}},"smithy.api#auth":["smithy.api#httpBasicAuth","aws.auth#sigv4"]}}"#
        );
        assert_eq!(decide(&t, "{}"), Ok((Auth::SigV4, Auth::SigV4)));
        // Bearer first, then SigV4: a bearer token.
        let t = format!(
            r#"{{{SIGV4},"smithy.api#httpBearerAuth":{{}},"smithy.api#auth":["smithy.api#httpBearerAuth","aws.auth#sigv4"]}}"#
        );
        assert_eq!(decide(&t, "{}"), Ok((Auth::Bearer, Auth::Bearer)));
        // noAuth before SigV4: unsigned.
        let t = format!(r#"{{{SIGV4},"smithy.api#auth":["smithy.api#noAuth","aws.auth#sigv4"]}}"#);
        assert_eq!(decide(&t, "{}"), Ok((Auth::None, Auth::None)));
        // An empty list on the service turns SigV4 off for every operation.
        let t = format!(r#"{{{SIGV4},"smithy.api#auth":[]}}"#);
        assert_eq!(decide(&t, "{}"), Ok((Auth::None, Auth::None)));
    }

    #[test]
    fn operations_override_the_service() {
        let svc = format!("{{{SIGV4}}}");
        assert_eq!(
            decide(&svc, r#"{"smithy.api#auth":[]}"#),
            Ok((Auth::SigV4, Auth::None))
        );
        assert_eq!(
            decide(&svc, r#"{"smithy.api#optionalAuth":{}}"#),
            Ok((Auth::SigV4, Auth::OptionalSigV4))
        );
        // Cognito's unauthenticated operations carry both.
        assert_eq!(
            decide(
                &svc,
                r#"{"smithy.api#auth":[],"smithy.api#optionalAuth":{}}"#
            ),
            Ok((Auth::SigV4, Auth::None))
        );
        // An unsigned service with a SigV4 operation.
        let t = format!(r#"{{{SIGV4},"smithy.api#auth":[]}}"#);
        assert_eq!(
            decide(&t, r#"{"smithy.api#auth":["aws.auth#sigv4"]}"#),
            Ok((Auth::None, Auth::SigV4))
        );
    }

    #[test]
    fn unsupported_schemes_are_refused_with_the_culprit() {
        let e = decide(r#"{"smithy.api#httpBasicAuth":{}}"#, "{}").unwrap_err();
        assert!(
            e.contains("a#Svc") && e.contains("smithy.api#httpBasicAuth"),
            "{e}"
        );
        // Model-defined auth schemes are recognised as schemes too.
        let e = decide(r#"{"a#customAuth":{}}"#, "{}").unwrap_err();
        assert!(e.contains("a#customAuth"), "{e}");
        // ...unless signing is optional.
        assert_eq!(
            decide(
                r#"{"smithy.api#httpBasicAuth":{},"smithy.api#auth":[]}"#,
                r#"{"smithy.api#auth":["smithy.api#httpBasicAuth"],"smithy.api#optionalAuth":{}}"#
            ),
            Ok((Auth::None, Auth::None))
        );
    }

    #[test]
    fn auth_lists_name_applied_schemes_only() {
        let e = decide(r#"{"smithy.api#auth":["aws.auth#sigv4"]}"#, "{}").unwrap_err();
        assert!(
            e.contains("a#Svc") && e.contains("aws.auth#sigv4") && e.contains("not an auth scheme"),
            "{e}"
        );
        let e = decide("{}", r#"{"smithy.api#auth":["aws.auth#sigv4"]}"#).unwrap_err();
        assert!(e.contains("a#Op"), "{e}");
        let e = decide(r#"{"smithy.api#auth":"aws.auth#sigv4"}"#, "{}").unwrap_err();
        assert!(e.contains("smithy.api#auth") && e.contains("array"), "{e}");
    }
}
