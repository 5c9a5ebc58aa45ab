//! Shared checks of endpoint test cases (`smithy.rules#endpointTests` and the standard
//! rules-engine suite): parameters from a case, and comparison with its `expect`.

use std::collections::BTreeMap;

use awsrt::endpoint::{Endpoint, EndpointError, Params, Value};
use awsrt::types::Document;

/// Test-case `params` → [`Params`].
pub fn params_of(doc: Option<&Document>) -> Result<Params, String> {
    let mut params = Params::new();
    let Some(doc) = doc else { return Ok(params) };
    let members = doc.as_object().ok_or("`params` is not an object")?;
    for (name, v) in members {
        let value = match v {
            Document::String(s) => Value::String(s.clone()),
            Document::Bool(b) => Value::Bool(*b),
            Document::Array(items) => Value::StringArray(
                items
                    .iter()
                    .map(|i| i.as_str().map(str::to_owned))
                    .collect::<Option<_>>()
                    .ok_or_else(|| format!("param {name}: array of non-strings"))?,
            ),
            other => return Err(format!("param {name}: unsupported value {other:?}")),
        };
        params.set(name, value);
    }
    Ok(params)
}

/// Checks one resolution result against a test case's `expect`.
pub fn check(expect: &Document, got: Result<Endpoint, EndpointError>) -> Result<(), String> {
    match (
        expect.get("endpoint"),
        expect.get("error").and_then(Document::as_str),
        got,
    ) {
        (Some(want), _, Ok(ep)) => {
            let url = want
                .get("url")
                .and_then(Document::as_str)
                .unwrap_or_default();
            if ep.url != url {
                return Err(format!("url: expected {url:?}, got {:?}", ep.url));
            }
            let headers: BTreeMap<String, Vec<String>> = want
                .get("headers")
                .and_then(Document::as_object)
                .map(|h| {
                    h.iter()
                        .map(|(k, v)| {
                            let vals = v
                                .as_array()
                                .unwrap_or_default()
                                .iter()
                                .filter_map(|s| s.as_str().map(str::to_owned));
                            (k.clone(), vals.collect())
                        })
                        .collect()
                })
                .unwrap_or_default();
            if ep.headers != headers {
                return Err(format!(
                    "headers: expected {headers:?}, got {:?}",
                    ep.headers
                ));
            }
            let properties = want
                .get("properties")
                .and_then(Document::as_object)
                .cloned()
                .unwrap_or_default();
            if ep.properties != properties {
                return Err(format!(
                    "properties: expected {properties:?}, got {:?}",
                    ep.properties
                ));
            }
            Ok(())
        }
        (None, Some(msg), Err(e)) if e.to_string() == msg => Ok(()),
        (None, Some(msg), Err(e)) => {
            Err(format!("error: expected {msg:?}, got {:?}", e.to_string()))
        }
        (None, Some(msg), Ok(ep)) => {
            Err(format!("expected error {msg:?}, got endpoint {}", ep.url))
        }
        (Some(_), _, Err(e)) => Err(format!(
            "expected an endpoint, got error {:?}",
            e.to_string()
        )),
        (None, None, _) => Err("test case has neither `endpoint` nor `error`".into()),
    }
}
