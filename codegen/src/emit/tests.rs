//! Tests generated from the model: `smithy.rules#endpointTests`, `smithy.api#examples` and
//! `smithy.test#smokeTests`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use super::common::*;
use super::literal::setter_calls;
use super::operation::op_names;
use crate::ir::{Operation, Service};
use crate::names;

fn test_name(i: usize, text: &str) -> proc_macro2::Ident {
    format_ident!("{}", names::test_fn_name(i, text))
}

/// Whether the crate gets `src/endpoint_tests.rs`.
pub fn has_endpoint_tests(svc: &Service) -> bool {
    !svc.endpoint_tests.is_empty() && !svc.endpoint_rules.is_empty()
}

/// `src/endpoint_tests.rs`: one `#[test]` per endpoint test case of the model.
pub fn endpoint_tests(svc: &Service) -> Option<TokenStream> {
    if !has_endpoint_tests(svc) {
        return None;
    }
    let mut tests = Vec::new();
    for (i, case) in svc.endpoint_tests.iter().enumerate() {
        let docs = case
            .get("documentation")
            .and_then(Value::as_str)
            .unwrap_or("endpoint test");
        let name = test_name(i, docs);
        let mut params = Vec::new();
        if let Some(Value::Object(p)) = case.get("params") {
            for (k, v) in p {
                let val = match v {
                    Value::String(s) => {
                        quote!(::awsrt::endpoint::Value::String(String::from(#s)))
                    }
                    Value::Bool(b) => quote!(::awsrt::endpoint::Value::Bool(#b)),
                    Value::Array(a) => {
                        let items = a.iter().filter_map(Value::as_str);
                        quote!(::awsrt::endpoint::Value::StringArray(
                            vec![#(String::from(#items)),*]
                        ))
                    }
                    _ => continue,
                };
                params.push(quote!(params.set(#k, #val);));
            }
        }
        let expect = case.get("expect");
        let check = if let Some(err) = expect.and_then(|e| e.get("error")).and_then(Value::as_str) {
            quote! {
                let err = result.expect_err("the rules must refuse these parameters");
                assert_eq!(err.to_string(), #err);
            }
        } else if let Some(ep) = expect.and_then(|e| e.get("endpoint")) {
            let url = ep.get("url").and_then(Value::as_str).unwrap_or_default();
            let headers = match ep.get("headers") {
                Some(Value::Object(h)) => {
                    let entries = h.iter().map(|(k, v)| {
                        let vals = v
                            .as_array()
                            .map(|a| a.iter().filter_map(Value::as_str).collect::<Vec<_>>())
                            .unwrap_or_default();
                        quote!((String::from(#k), vec![#(String::from(#vals)),*]))
                    });
                    quote!(assert_eq!(endpoint.headers, ::std::collections::BTreeMap::from([#(#entries),*]));)
                }
                _ => {
                    quote!(assert!(endpoint.headers.is_empty(), "unexpected headers {:?}", endpoint.headers);)
                }
            };
            let props = match ep.get("properties") {
                Some(p @ Value::Object(_)) => {
                    let json = p.to_string();
                    quote! {
                        let expected = ::awsrt::types::Document::parse(#json.as_bytes()).expect("expected properties parse");
                        assert_eq!(::awsrt::types::Document::Object(endpoint.properties.clone()), expected);
                    }
                }
                _ => {
                    quote!(assert!(endpoint.properties.is_empty(), "unexpected properties {:?}", endpoint.properties);)
                }
            };
            quote! {
                let endpoint = result.expect("the rules must resolve an endpoint");
                assert_eq!(endpoint.url, #url);
                #headers
                #props
            }
        } else {
            continue;
        };
        let d = doc(docs);
        tests.push(quote! {
            #d
            #[test]
            fn #name() {
                #[allow(unused_mut)]
                let mut params = ::awsrt::endpoint::Params::new();
                #(#params)*
                let result = rules().resolve(&params, &partitions());
                #check
            }
        });
    }
    Some(quote! {
        //! The model's endpoint test cases (`smithy.rules#endpointTests`), resolved with the embedded rule set.

        fn rules() -> ::awsrt::endpoint::RuleSet {
            ::awsrt::endpoint::RuleSet::parse(crate::config::SERVICE.endpoint_rules).expect("the embedded rule set parses")
        }

        /// The partition data the model's test cases were written against: today's built-in data,
        /// except that the ISO partitions (`aws-iso*`) had no dual-stack endpoints yet.
        fn partitions() -> ::awsrt::endpoint::Partitions {
            ::awsrt::endpoint::Partitions::builtin().map_outputs(|p| {
                if p.name.starts_with("aws-iso") {
                    p.supports_dual_stack = false;
                    p.dual_stack_dns_suffix = p.dns_suffix.clone();
                }
            })
        }

        #(#tests)*
    })
}

/// Rustdoc examples for an operation, one per typed `smithy.api#examples` entry, written with
/// the fluent builder (entries that could not be typed are in the service's notes).
pub fn example_docs(svc: &Service, op: &Operation) -> String {
    let mut out = String::new();
    let crate_ident = names::crate_ident(&svc.crate_name);
    for ex in &op.examples {
        let calls = setter_calls(&svc.types, &op.input.fields, &ex.input);
        let f = ident(&op.fn_name);
        // Paths name the crate, not `crate` (a doc test is a crate of its own); done on tokens,
        // because inside macros (`vec![..]`) the printer spaces and breaks `crate ::types`.
        let calls = rename_crate(calls, &crate_ident);
        let body = quote!(let output = client.#f() #calls .send().await?;);
        let Ok(file) = syn::parse2::<syn::File>(quote!(async fn example() { #body })) else {
            continue;
        };
        let pretty = prettyplease::unparse(&file);
        let inner: Vec<&str> = pretty.lines().skip(1).collect();
        let inner = &inner[..inner.len().saturating_sub(1)];
        out.push_str(&format!(
            "\n\n## Example: {}\n\n",
            crate::docs::escape_plain(&ex.title)
        ));
        if !ex.docs.is_empty() {
            out.push_str(&ex.docs);
            out.push_str("\n\n");
        }
        out.push_str("```no_run\n");
        out.push_str(&format!("# async fn example(client: &{crate_ident}::Client) -> Result<(), {crate_ident}::Error> {{\n"));
        for l in inner {
            let l = l
                .strip_prefix("    ")
                .unwrap_or(l)
                .replace("crate::", &format!("{crate_ident}::"));
            out.push_str(&l);
            out.push('\n');
        }
        out.push_str("println!(\"{output:?}\");\n# Ok(())\n# }\n```");
    }
    out
}

/// `tokens` with every `crate` path root replaced by `name`.
fn rename_crate(tokens: TokenStream, name: &str) -> TokenStream {
    use proc_macro2::{Group, TokenTree};
    tokens
        .into_iter()
        .map(|t| match t {
            TokenTree::Ident(i) if i == "crate" => {
                TokenTree::Ident(proc_macro2::Ident::new(name, i.span()))
            }
            TokenTree::Group(g) => {
                let mut ng = Group::new(g.delimiter(), rename_crate(g.stream(), name));
                ng.set_span(g.span());
                TokenTree::Group(ng)
            }
            other => other,
        })
        .collect()
}

/// A `#[cfg(test)]` module checking every example of the operation against the generated
/// request builder and response reader (the checks are the protocol's).
pub fn example_tests(svc: &Service, op: &Operation) -> TokenStream {
    let n = op_names(op);
    let input_t = &n.input;
    let mut tests = Vec::new();
    for (i, ex) in op.examples.iter().enumerate() {
        let name = test_name(i, &ex.title);
        let in_calls = setter_calls(&svc.types, &op.input.fields, &ex.input);
        let in_build = if op.input.fallible_build() {
            quote!(.build()?)
        } else {
            quote!(.build())
        };
        let checks = svc.protocol.generator().example_checks(svc, op, ex);
        tests.push(quote! {
            #[test]
            fn #name() -> Result<(), Box<dyn ::std::error::Error>> {
                let input = #input_t::builder() #in_calls #in_build;
                let request = super::ser_request(&input)?;
                #checks
                Ok(())
            }
        });
    }
    if tests.is_empty() {
        return TokenStream::new();
    }
    quote! {
        #[cfg(test)]
        mod examples {
            use super::*;
            #(#tests)*
        }
    }
}

/// Whether the crate gets `src/smoke_tests.rs`.
pub fn has_smoke_tests(svc: &Service) -> bool {
    !svc.smoke_tests.is_empty()
}

/// `src/smoke_tests.rs` (feature `test-util`): the model's smoke tests as async functions a test
/// harness runs against a server, each returning `Err` with the reason when the expectation fails.
pub fn smoke_tests(svc: &Service) -> Option<TokenStream> {
    if !has_smoke_tests(svc) {
        return None;
    }
    let mut fns = Vec::new();
    let mut entries = Vec::new();
    for case in &svc.smoke_tests {
        let Some(op) = svc.operations.iter().find(|o| o.fn_name == case.fn_name) else {
            continue;
        };
        let id = &case.id;
        let f = format_ident!("{}", bare(&names::snake_case(id)));
        let calls = setter_calls(&svc.types, &op.input.fields, &case.params);
        let op_f = ident(&op.fn_name);
        let check = if case.expect_success {
            quote!(result
                .map(|_| ())
                .map_err(|e| format!("{} expected success, got: {e}", #id)))
        } else {
            quote! {
                match result {
                    Err(::awsrt::error::SdkError::Service(_)) => Ok(()),
                    other => Err(format!("{} expected a service error, got: {other:?}", #id)),
                }
            }
        };
        let region = &case.region;
        let d = format!("Smoke test `{id}` (region {region} in the model).");
        let d = doc(&d);
        fns.push(quote! {
            #d
            pub async fn #f(client: &crate::Client) -> Result<(), String> {
                let result = client.#op_f() #calls .send().await;
                #check
            }
        });
        entries.push(quote!((#id, #region)));
    }
    Some(quote! {
        //! The model's smoke tests (`smithy.test#smokeTests`), for a test harness to run against a server.

        /// `(id, region)` of every smoke test, in model order.
        pub const CASES: &[(&str, &str)] = &[#(#entries),*];

        #(#fns)*
    })
}
