//! What a service asks of its client beyond plain calls — waiters, event streams, endpoint
//! discovery, request compression, bearer auth — counted twice: in the model (what it asks
//! for) and in the IR (what the generated crate does). `cargo xtask sweep` adds them up over
//! every model it generates and prints [`Behaviours::line`].

use std::fmt;

use serde_json::Value as Json;

use crate::auth::Auth;
use crate::ir::discovery::CLIENT_ENDPOINT_DISCOVERY;
use crate::ir::waiters::WAITABLE;
use crate::model::{ids, Model, Shape, ShapeKind};

/// How many of each behaviour there are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Waiters (`smithy.waiters#waitable` entries).
    pub waiters: usize,
    /// Operations whose input or output has an event stream (a member targeting a
    /// `@streaming` union); one operation streaming both ways counts once.
    pub event_stream_operations: usize,
    /// Services with endpoint discovery (`aws.api#clientEndpointDiscovery`).
    pub endpoint_discovery: usize,
    /// Operations with `@requestCompression`.
    pub request_compression: usize,
    /// Services whose operations authenticate with a bearer token
    /// (`smithy.api#httpBearerAuth`).
    pub bearer_auth: usize,
}

impl Counts {
    /// Adds `other` to these counts.
    pub fn add(&mut self, other: &Counts) {
        self.waiters += other.waiters;
        self.event_stream_operations += other.event_stream_operations;
        self.endpoint_discovery += other.endpoint_discovery;
        self.request_compression += other.request_compression;
        self.bearer_auth += other.bearer_auth;
    }
}

/// What the model asks for and what the generated crate handles.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Behaviours {
    /// Counted in the model ([`asked`]).
    pub asked: Counts,
    /// Counted in the IR the crate is generated from ([`handled`]).
    pub handled: Counts,
}

impl Behaviours {
    /// Adds `other` (another service's counts) to these.
    pub fn add(&mut self, other: &Behaviours) {
        self.asked.add(&other.asked);
        self.handled.add(&other.handled);
    }

    /// Whether the crate handles everything the model asks for.
    pub fn complete(&self) -> bool {
        self.asked == self.handled
    }

    /// `behaviours: waiters H/A, event-stream operations H/A, endpoint discovery H/A, request
    /// compression H/A, bearer auth H/A` (handled / asked).
    pub fn line(&self) -> String {
        let (h, a) = (&self.handled, &self.asked);
        format!(
            "behaviours: waiters {}/{}, event-stream operations {}/{}, endpoint discovery {}/{}, request compression {}/{}, bearer auth {}/{}",
            h.waiters,
            a.waiters,
            h.event_stream_operations,
            a.event_stream_operations,
            h.endpoint_discovery,
            a.endpoint_discovery,
            h.request_compression,
            a.request_compression,
            h.bearer_auth,
            a.bearer_auth,
        )
    }
}

impl fmt::Display for Behaviours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.line())
    }
}

/// What the model asks of the client of the service `service_id` (or its only service), read
/// from the traits of the service and of its operations (those bound through resources
/// included; members and traits of mixins count). A model whose service cannot be found asks
/// for nothing: generating it fails with the reason.
pub fn asked(model: &Model, service_id: Option<&str>) -> Counts {
    let mut c = Counts::default();
    let Ok(service) = model.service(service_id) else {
        return c;
    };
    if trait_of(model, service, CLIENT_ENDPOINT_DISCOVERY).is_some() {
        c.endpoint_discovery = 1;
    }
    let ops = crate::transform::operations(model, &service.id).unwrap_or_default();
    let service_schemes = crate::auth::service_schemes(model, service).unwrap_or_default();
    let mut bearer = service_schemes.iter().any(|s| s == ids::HTTP_BEARER_AUTH);
    for id in &ops {
        let Some(op) = model.shapes.get(id) else {
            continue;
        };
        let ShapeKind::Operation(o) = &op.kind else {
            continue;
        };
        if let Some(Json::Object(w)) = trait_of(model, op, WAITABLE) {
            c.waiters += w.len();
        }
        if trait_of(model, op, ids::REQUEST_COMPRESSION).is_some() {
            c.request_compression += 1;
        }
        let streams = [&o.input, &o.output]
            .into_iter()
            .flatten()
            .any(|io| has_event_stream(model, io));
        if streams {
            c.event_stream_operations += 1;
        }
        bearer = bearer
            || crate::auth::operation_schemes(model, service, &service_schemes, op)
                .is_ok_and(|s| s.iter().any(|s| s == ids::HTTP_BEARER_AUTH));
    }
    c.bearer_auth = usize::from(bearer);
    c
}

/// What the generated crate of `svc` handles: its waiters, its callable event-stream
/// operations, its endpoint discovery, its compressing operations, its bearer-token operations.
pub fn handled(svc: &crate::ir::Service) -> Counts {
    let ops = &svc.operations;
    Counts {
        waiters: svc.waiters.len(),
        event_stream_operations: ops
            .iter()
            .filter(|o| {
                (o.input_events().is_some() || o.output_events().is_some())
                    && o.not_callable.is_none()
            })
            .count(),
        endpoint_discovery: usize::from(svc.endpoint_discovery.is_some()),
        request_compression: ops.iter().filter(|o| !o.compression.is_empty()).count(),
        bearer_auth: usize::from(ops.iter().any(|o| o.auth == Auth::Bearer)),
    }
}

/// Whether the structure `id` has a member targeting a `@streaming` union.
fn has_event_stream(model: &Model, id: &str) -> bool {
    let Some(s) = model.shapes.get(id) else {
        return false;
    };
    members(model, s, 0).into_iter().any(|m| {
        model.shapes.get(&m.target).is_some_and(|t| {
            matches!(t.kind, ShapeKind::Union) && trait_of(model, t, ids::STREAMING).is_some()
        })
    })
}

/// How deep mixins are followed (a cycle is the model's error, reported when it is generated).
const MIXIN_DEPTH: usize = 16;

/// The members of `shape`, those of its mixins included.
fn members<'a>(model: &'a Model, shape: &'a Shape, depth: usize) -> Vec<&'a crate::model::Member> {
    let mut out: Vec<&crate::model::Member> = shape.members.iter().collect();
    if depth < MIXIN_DEPTH {
        for m in shape.mixins.iter().filter_map(|m| model.shapes.get(m)) {
            out.extend(members(model, m, depth + 1));
        }
    }
    out
}

/// The value of the trait `id` on `shape`, or on one of its mixins.
fn trait_of<'a>(model: &'a Model, shape: &'a Shape, id: &str) -> Option<&'a Json> {
    fn go<'a>(model: &'a Model, shape: &'a Shape, id: &str, depth: usize) -> Option<&'a Json> {
        if let Some(v) = shape.traits.get(id) {
            return Some(v);
        }
        if depth >= MIXIN_DEPTH {
            return None;
        }
        shape
            .mixins
            .iter()
            .filter_map(|m| model.shapes.get(m))
            .find_map(|m| go(model, m, id, depth + 1))
    }
    go(model, shape, id, 0)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A service with one of each behaviour, two waiters and a plain discovery operation.
    pub(crate) fn doc() -> Json {
        serde_json::json!({
            "smithy": "2.0",
            "shapes": {
                "ex#Svc": {
                    "type": "service",
                    "version": "1",
                    "operations": [{"target": "ex#Watch"}, {"target": "ex#Put"}, {"target": "ex#DescribeEndpoints"}],
                    "resources": [{"target": "ex#Thing"}],
                    "traits": {
                        "aws.protocols#restJson1": {},
                        "smithy.api#httpBearerAuth": {},
                        "aws.api#clientEndpointDiscovery": {
                            "operation": "ex#DescribeEndpoints",
                            "error": "ex#InvalidEndpoint"
                        }
                    }
                },
                "ex#Thing": {"type": "resource", "read": {"target": "ex#GetThing"}},
                "ex#GetThing": {
                    "type": "operation",
                    "input": {"target": "ex#GetThingInput"},
                    "output": {"target": "ex#GetThingOutput"},
                    "traits": {
                        "smithy.api#http": {"method": "GET", "uri": "/thing/{Name}"},
                        "smithy.api#readonly": {},
                        "smithy.waiters#waitable": {
                            "ThingExists": {"acceptors": [{"state": "success", "matcher": {"success": true}}]},
                            "ThingGone": {"acceptors": [{"state": "success", "matcher": {"success": false}}]}
                        }
                    }
                },
                "ex#GetThingInput": {
                    "type": "structure",
                    "members": {"Name": {"target": "smithy.api#String", "traits": {"smithy.api#required": {}, "smithy.api#httpLabel": {}}}}
                },
                "ex#GetThingOutput": {"type": "structure", "members": {}},
                "ex#Watch": {
                    "type": "operation",
                    "input": {"target": "ex#WatchInput"},
                    "output": {"target": "ex#WatchOutput"},
                    "traits": {"smithy.api#http": {"method": "POST", "uri": "/watch"}}
                },
                "ex#WatchInput": {"type": "structure", "mixins": [{"target": "ex#Streams"}], "members": {}},
                "ex#Streams": {
                    "type": "structure",
                    "members": {"In": {"target": "ex#Events", "traits": {"smithy.api#httpPayload": {}}}},
                    "traits": {"smithy.api#mixin": {}}
                },
                "ex#WatchOutput": {
                    "type": "structure",
                    "members": {"Out": {"target": "ex#Events", "traits": {"smithy.api#httpPayload": {}}}}
                },
                "ex#Events": {
                    "type": "union",
                    "members": {"Tick": {"target": "ex#Tick"}},
                    "traits": {"smithy.api#streaming": {}}
                },
                "ex#Tick": {"type": "structure", "members": {"N": {"target": "smithy.api#Integer"}}},
                "ex#Put": {
                    "type": "operation",
                    "input": {"target": "ex#PutInput"},
                    "traits": {
                        "smithy.api#http": {"method": "PUT", "uri": "/put"},
                        "smithy.api#requestCompression": {"encodings": ["gzip"]},
                        "aws.api#clientDiscoveredEndpoint": {"required": true}
                    }
                },
                "ex#PutInput": {"type": "structure", "members": {"Body": {"target": "smithy.api#String"}}},
                "ex#DescribeEndpoints": {
                    "type": "operation",
                    "input": {"target": "ex#DescribeEndpointsInput"},
                    "output": {"target": "ex#DescribeEndpointsOutput"},
                    "traits": {"smithy.api#http": {"method": "GET", "uri": "/endpoints"}}
                },
                "ex#DescribeEndpointsInput": {"type": "structure", "members": {}},
                "ex#DescribeEndpointsOutput": {
                    "type": "structure",
                    "members": {"Endpoints": {"target": "ex#EndpointList", "traits": {"smithy.api#required": {}}}}
                },
                "ex#EndpointList": {"type": "list", "member": {"target": "ex#Endpoint"}},
                "ex#Endpoint": {
                    "type": "structure",
                    "members": {
                        "Address": {"target": "smithy.api#String", "traits": {"smithy.api#required": {}}},
                        "CachePeriodInMinutes": {"target": "smithy.api#Long", "traits": {"smithy.api#required": {}}}
                    }
                },
                "ex#InvalidEndpoint": {
                    "type": "structure",
                    "members": {},
                    "traits": {"smithy.api#error": "client", "smithy.api#httpError": 421}
                }
            }
        })
    }

    pub(crate) fn model() -> Model {
        Model::from_value(&doc(), "test").expect("the test model parses")
    }

    #[test]
    fn the_model_asks_for_one_of_each_and_two_waiters() {
        let asked = asked(&model(), None);
        assert_eq!(
            asked,
            Counts {
                waiters: 2,
                event_stream_operations: 1,
                endpoint_discovery: 1,
                request_compression: 1,
                bearer_auth: 1,
            }
        );
    }

    #[test]
    fn the_generated_crate_handles_what_the_model_asks() {
        let svc = crate::ir::build(model(), None, "ex").expect("the test model builds");
        assert_eq!(handled(&svc), asked(&model(), None));
        // `generate` reports both counts.
        let g = crate::generate(&doc(), "test", None, "ex", &Default::default())
            .expect("the test model generates");
        assert_eq!(g.behaviours.asked, asked(&model(), None));
        assert_eq!(g.behaviours.handled, g.behaviours.asked);
        assert!(g.behaviours.complete());
    }

    #[test]
    fn an_event_stream_operation_that_cannot_be_called_is_not_handled() {
        let mut svc = crate::ir::build(model(), None, "ex").expect("the test model builds");
        let watch = svc
            .operations
            .iter_mut()
            .find(|o| o.name == "Watch")
            .expect("the Watch operation");
        watch.not_callable = Some("test".into());
        let h = handled(&svc);
        assert_eq!(h.event_stream_operations, 0);
        assert_eq!(h.waiters, 2);
    }

    #[test]
    fn a_plain_model_asks_for_nothing() {
        let doc = serde_json::json!({
            "smithy": "2.0",
            "shapes": {
                "ex#Svc": {"type": "service", "version": "1", "traits": {"aws.auth#sigv4": {"name": "ex"}}}
            }
        });
        let m = Model::from_value(&doc, "test").expect("parses");
        assert_eq!(asked(&m, None), Counts::default());
        // No service at all: nothing asked (generating says why).
        assert_eq!(asked(&Model::default(), None), Counts::default());
    }

    #[test]
    fn sums_and_the_line() {
        let one = Behaviours {
            asked: Counts {
                waiters: 3,
                event_stream_operations: 2,
                endpoint_discovery: 1,
                request_compression: 1,
                bearer_auth: 0,
            },
            handled: Counts {
                waiters: 3,
                event_stream_operations: 1,
                endpoint_discovery: 1,
                request_compression: 0,
                bearer_auth: 0,
            },
        };
        let mut total = Behaviours::default();
        total.add(&one);
        total.add(&one);
        assert_eq!(total.asked.waiters, 6);
        assert_eq!(total.handled.event_stream_operations, 2);
        assert!(!total.complete());
        assert_eq!(
            total.line(),
            "behaviours: waiters 6/6, event-stream operations 2/4, endpoint discovery 2/2, request compression 0/2, bearer auth 0/0"
        );
        assert_eq!(total.to_string(), total.line());
        let full = Behaviours {
            asked: one.asked,
            handled: one.asked,
        };
        assert!(full.complete());
    }
}
