//! The official Smithy protocol tests of one protocol: its model files, assembled by the IDL
//! loader into one JSON AST document, the services that speak the protocol, and the
//! `smithy.test#httpRequestTests` / `httpResponseTests` cases written for it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use awsrt::types::Document;
use serde_json::Value;

/// One protocol's suite in `$SMITHY_TESTDATA_DIR/smithy/protocol-tests/aws/`.
#[derive(Debug, Clone, Copy)]
pub struct ProtocolSuite {
    /// The name in the summary line and the folder of its models (`awsJson1_1`).
    pub name: &'static str,
    /// The protocol trait its services carry and its cases name (`aws.protocols#awsJson1_1`).
    pub trait_id: &'static str,
}

/// The protocols whose client cases run.
pub const PROTOCOLS: &[ProtocolSuite] = &[
    ProtocolSuite {
        name: "awsJson1_0",
        trait_id: "aws.protocols#awsJson1_0",
    },
    ProtocolSuite {
        name: "awsJson1_1",
        trait_id: "aws.protocols#awsJson1_1",
    },
    ProtocolSuite {
        name: "restJson1",
        trait_id: "aws.protocols#restJson1",
    },
    ProtocolSuite {
        name: "awsQuery",
        trait_id: "aws.protocols#awsQuery",
    },
    ProtocolSuite {
        name: "ec2Query",
        trait_id: "aws.protocols#ec2Query",
    },
    ProtocolSuite {
        name: "restXml",
        trait_id: "aws.protocols#restXml",
    },
    ProtocolSuite {
        name: "restXmlWithNamespace",
        trait_id: "aws.protocols#restXml",
    },
    ProtocolSuite {
        name: "rpcv2Cbor",
        trait_id: "smithy.protocols#rpcv2Cbor",
    },
    ProtocolSuite {
        name: "rpcv2Json",
        trait_id: "smithy.protocols#rpcv2Json",
    },
];

/// The protocol named `name`.
pub fn protocol(name: &str) -> Option<ProtocolSuite> {
    PROTOCOLS.iter().copied().find(|p| p.name == name)
}

/// Request or response case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `smithy.test#httpRequestTests`: params → the request the client sends.
    Request,
    /// `smithy.test#httpResponseTests`: a response → the output or error the client returns.
    Response,
    /// `smithy.test#eventStreamTests`: the messages of an input or output event stream.
    Event,
}

impl Kind {
    /// `request` / `response`.
    pub fn word(self) -> &'static str {
        match self {
            Kind::Request => "request",
            Kind::Response => "response",
            Kind::Event => "event",
        }
    }

    fn trait_id(self) -> &'static str {
        match self {
            Kind::Request => "smithy.test#httpRequestTests",
            Kind::Response => "smithy.test#httpResponseTests",
            Kind::Event => "smithy.test#eventStreamTests",
        }
    }
}

/// One test case.
#[derive(Debug, Clone)]
pub struct Case {
    /// `id` (a request and a response case may share one).
    pub id: String,
    /// Which trait it comes from.
    pub kind: Kind,
    /// The shape carrying the trait: an operation, or (responses only) an error structure.
    pub shape: String,
    /// The whole case.
    pub raw: Document,
}

impl Case {
    /// `request <id>` / `response <id>`: unique within a protocol.
    pub fn label(&self) -> String {
        format!("{} {}", self.kind.word(), self.id)
    }

    /// `appliesTo: "server"`: not a client case.
    pub fn server_only(&self) -> bool {
        self.raw.get("appliesTo").and_then(Document::as_str) == Some("server")
    }

    /// A string member of the case.
    pub fn str(&self, key: &str) -> Option<&str> {
        self.raw.get(key).and_then(Document::as_str)
    }
}

/// A protocol's assembled model and its cases.
#[derive(Debug)]
pub struct Loaded {
    /// The JSON AST of every model file of the protocol (plus the shared ones).
    pub doc: Value,
    /// The files it was loaded from.
    pub paths: Vec<PathBuf>,
    /// Shape ids of the services with the protocol trait, sorted.
    pub services: Vec<String>,
    /// The protocol's cases (server-only ones included), by shape id then trait order.
    pub cases: Vec<Case>,
}

/// `$SMITHY_TESTDATA_DIR/smithy/protocol-tests/aws`; fails naming the variable when missing.
pub fn aws_dir() -> Result<PathBuf, String> {
    let dir = integration_tests::data_dir("SMITHY_TESTDATA_DIR", "testdata")
        .join("smithy")
        .join("protocol-tests")
        .join("aws");
    if dir.join("shared-types.smithy").is_file() {
        Ok(dir)
    } else {
        Err(format!(
            "the Smithy protocol tests are not under {}: set SMITHY_TESTDATA_DIR to the shared \
             testdata folder (the one holding smithy/protocol-tests/aws)",
            dir.display()
        ))
    }
}

/// The model files of a protocol: its folder (with its `services/` subfolder, whose services
/// speak the protocol too), the shared shapes, the vendor-params shapes of `aws-config`, and
/// the Smithy validation model (`smithy.framework#ValidationException`, which restJson1's
/// server-side validation operations use; the suites' own build depends on it).
pub fn model_paths(protocol: &ProtocolSuite) -> Result<Vec<PathBuf>, String> {
    let aws = aws_dir()?;
    let validation =
        aws.join("../../traits/smithy-validation-model--smithy.framework.validation.smithy");
    // The protocols of the `smithy` namespace (rpcv2Cbor, rpcv2Json) have their own folder and
    // shared shapes beside `aws/`.
    let smithy = aws.join("../smithy");
    if smithy.join(protocol.name).is_dir() {
        return Ok(vec![
            smithy.join(protocol.name),
            smithy.join("shared-types.smithy"),
            validation,
        ]);
    }
    let folder = aws.join(protocol.name);
    if !folder.is_dir() {
        return Err(format!("{} does not exist", folder.display()));
    }
    Ok(vec![
        folder,
        aws.join("shared-types.smithy"),
        aws.join("aws-config.smithy"),
        validation,
    ])
}

/// Loads a protocol's models and reads its cases.
pub fn load(protocol: &ProtocolSuite) -> Result<Loaded, String> {
    let paths = model_paths(protocol)?;
    let doc = codegen::idl::load_paths(&paths)
        .map_err(|e| format!("loading the {} models: {e}", protocol.name))?;
    let services = services_of(&doc, protocol.trait_id);
    let cases = cases_of(&doc, protocol.trait_id)?;
    Ok(Loaded {
        doc,
        paths,
        services,
        cases,
    })
}

fn shapes(doc: &Value) -> impl Iterator<Item = (&String, &Value)> {
    let mut v: Vec<_> = doc
        .get("shapes")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .collect();
    v.sort_by(|a, b| a.0.cmp(b.0));
    v.into_iter()
}

fn traits<'d>(shape: &'d Value, id: &str) -> Option<&'d Value> {
    shape.get("traits").and_then(|t| t.get(id))
}

/// Services with the protocol trait.
pub fn services_of(doc: &Value, trait_id: &str) -> Vec<String> {
    shapes(doc)
        .filter(|(_, s)| {
            s.get("type").and_then(Value::as_str) == Some("service")
                && traits(s, trait_id).is_some()
        })
        .map(|(id, _)| id.clone())
        .collect()
}

/// A case as a [`Document`], every number's digits kept: a number a [`awsrt::types::Number`]
/// cannot hold exactly (an integer beyond 64 bits, a decimal with more than 17 significant
/// digits, as the big-number cases write) becomes the string of its digits, which the value
/// renderer reads for big integers, big decimals and floats alike.
pub fn to_document(v: &Value) -> Document {
    match v {
        Value::Null => Document::Null,
        Value::Bool(b) => Document::Bool(*b),
        Value::String(s) => Document::String(s.clone()),
        Value::Array(a) => Document::Array(a.iter().map(to_document).collect()),
        Value::Object(o) => {
            Document::Object(o.iter().map(|(k, v)| (k.clone(), to_document(v))).collect())
        }
        Value::Number(n) => {
            let text = n.to_string();
            let integer = !text.contains(['.', 'e', 'E']);
            let significant = text
                .split(['e', 'E'])
                .next()
                .unwrap_or("")
                .bytes()
                .filter(u8::is_ascii_digit)
                .skip_while(|&b| b == b'0')
                .count();
            match Document::parse(text.as_bytes()) {
                Ok(Document::Number(
                    x @ (awsrt::types::Number::PosInt(_) | awsrt::types::Number::NegInt(_)),
                )) if integer => Document::Number(x),
                Ok(Document::Number(x)) if !integer && significant <= 17 => Document::Number(x),
                _ => Document::String(text),
            }
        }
    }
}

/// The cases written for the protocol (`protocol` equal to `trait_id`).
pub fn cases_of(doc: &Value, trait_id: &str) -> Result<Vec<Case>, String> {
    let mut out = Vec::new();
    for (id, shape) in shapes(doc) {
        for kind in [Kind::Request, Kind::Response, Kind::Event] {
            let Some(list) = traits(shape, kind.trait_id()) else {
                continue;
            };
            let list = list
                .as_array()
                .ok_or_else(|| format!("{id}: {} is not a list", kind.trait_id()))?;
            for c in list {
                let raw = to_document(c);
                let case_id = raw
                    .get("id")
                    .and_then(Document::as_str)
                    .ok_or_else(|| format!("{id}: a {} case without `id`", kind.word()))?
                    .to_owned();
                if raw.get("protocol").and_then(Document::as_str) != Some(trait_id) {
                    continue;
                }
                out.push(Case {
                    id: case_id,
                    kind,
                    shape: id.clone(),
                    raw,
                });
            }
        }
    }
    Ok(out)
}

fn targets(shape: &Value, key: &str) -> Vec<String> {
    shape
        .get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|t| t.get("target").and_then(Value::as_str).map(str::to_owned))
        .collect()
}

/// What a service contains: its operations (through resources too) and, per operation, the
/// errors it can return (its own and the service's).
#[derive(Debug, Default)]
pub struct Closure {
    /// Operation shape id → error shape ids.
    pub operations: BTreeMap<String, BTreeSet<String>>,
}

impl Closure {
    /// The first operation (by shape id) that can return `error`.
    pub fn operation_with_error(&self, error: &str) -> Option<&str> {
        self.operations
            .iter()
            .find(|(_, errs)| errs.contains(error))
            .map(|(op, _)| op.as_str())
    }
}

/// The operations and errors of `service`.
pub fn closure(doc: &Value, service: &str) -> Closure {
    let all = doc.get("shapes").and_then(Value::as_object);
    let get = |id: &str| all.and_then(|m| m.get(id));
    let Some(svc) = get(service) else {
        return Closure::default();
    };
    let service_errors = targets(svc, "errors");
    let mut ops = BTreeSet::new();
    let mut resources: Vec<String> = targets(svc, "resources");
    ops.extend(targets(svc, "operations"));
    let mut seen = BTreeSet::new();
    while let Some(r) = resources.pop() {
        if !seen.insert(r.clone()) {
            continue;
        }
        let Some(res) = get(&r) else { continue };
        ops.extend(targets(res, "operations"));
        ops.extend(targets(res, "collectionOperations"));
        for key in ["create", "put", "read", "update", "delete", "list"] {
            if let Some(t) = res
                .get(key)
                .and_then(|t| t.get("target"))
                .and_then(Value::as_str)
            {
                ops.insert(t.to_owned());
            }
        }
        resources.extend(targets(res, "resources"));
    }
    let operations = ops
        .into_iter()
        .map(|op| {
            let mut errs: BTreeSet<String> = service_errors.iter().cloned().collect();
            if let Some(o) = get(&op) {
                errs.extend(targets(o, "errors"));
            }
            (op, errs)
        })
        .collect();
    Closure { operations }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Value {
        serde_json::json!({
            "smithy": "2.0",
            "shapes": {
                "a#S": {"type": "service", "version": "1",
                        "operations": [{"target": "a#Op"}], "resources": [{"target": "a#R"}],
                        "errors": [{"target": "a#SvcErr"}],
                        "traits": {"aws.protocols#awsJson1_1": {}}},
                "a#Other": {"type": "service", "version": "1", "traits": {"aws.protocols#awsJson1_0": {}}},
                "a#R": {"type": "resource", "read": {"target": "a#Get"}, "operations": [{"target": "a#Act"}]},
                "a#Op": {"type": "operation", "errors": [{"target": "a#OpErr"}],
                         "traits": {"smithy.test#httpRequestTests": [
                            {"id": "r1", "protocol": "aws.protocols#awsJson1_1", "method": "POST", "uri": "/"},
                            {"id": "r2", "protocol": "aws.protocols#awsJson1_0", "method": "POST", "uri": "/"}]}},
                "a#Get": {"type": "operation"},
                "a#Act": {"type": "operation"},
                "a#OpErr": {"type": "structure", "members": {},
                            "traits": {"smithy.api#error": "client", "smithy.test#httpResponseTests": [
                               {"id": "e1", "protocol": "aws.protocols#awsJson1_1", "code": 400, "appliesTo": "server"}]}},
                "a#SvcErr": {"type": "structure", "members": {}, "traits": {"smithy.api#error": "server"}}
            }
        })
    }

    #[test]
    fn cases_of_one_protocol() {
        let cases = cases_of(&doc(), "aws.protocols#awsJson1_1").unwrap();
        let labels: Vec<String> = cases.iter().map(Case::label).collect();
        assert_eq!(labels, ["request r1", "response e1"]);
        assert!(!cases[0].server_only() && cases[1].server_only());
        assert_eq!(cases[1].shape, "a#OpErr");
        assert_eq!(services_of(&doc(), "aws.protocols#awsJson1_1"), ["a#S"]);
    }

    #[test]
    fn closure_follows_resources_and_service_errors() {
        let c = closure(&doc(), "a#S");
        let ops: Vec<&String> = c.operations.keys().collect();
        assert_eq!(ops, ["a#Act", "a#Get", "a#Op"]);
        assert_eq!(c.operation_with_error("a#OpErr"), Some("a#Op"));
        assert_eq!(c.operation_with_error("a#SvcErr"), Some("a#Act"));
        assert_eq!(c.operation_with_error("a#Nope"), None);
    }

    /// The counts the shared data's README gives (all cases / client cases; for restJson1 the
    /// README's 274 / 249 plus API Gateway's one case in `services/`), so a loader or filter
    /// that loses cases fails here rather than shrinking the suite unnoticed.
    #[test]
    fn case_counts_match_the_data() {
        for (name, all, client, services) in [
            ("awsJson1_0", 76, 70, 2),
            ("awsJson1_1", 123, 119, 2),
            ("restJson1", 275, 250, 4),
            ("rpcv2Cbor", 88, 72, 1),
            ("rpcv2Json", 82, 73, 1),
        ] {
            let p = protocol(name).unwrap();
            let loaded = load(&p).unwrap_or_else(|e| panic!("{e}"));
            let http: Vec<&Case> = loaded
                .cases
                .iter()
                .filter(|c| c.kind != Kind::Event)
                .collect();
            let n_client = http.iter().filter(|c| !c.server_only()).count();
            assert_eq!((http.len(), n_client), (all, client), "{name}");
            // restJson1's event-stream suite: 100 cases, 84 of them for clients.
            let events: Vec<&Case> = loaded
                .cases
                .iter()
                .filter(|c| c.kind == Kind::Event)
                .collect();
            let n_events = events.iter().filter(|c| !c.server_only()).count();
            let want = if name == "restJson1" {
                (100, 84)
            } else {
                (0, 0)
            };
            assert_eq!((events.len(), n_events), want, "{name} event-stream cases");
            assert_eq!(
                loaded.services.len(),
                services,
                "{name}: {:?}",
                loaded.services
            );
            let mut labels: Vec<String> = loaded.cases.iter().map(Case::label).collect();
            labels.sort();
            labels.dedup();
            assert_eq!(
                labels.len(),
                all + want.0,
                "{name}: case labels are not unique"
            );
        }
    }

    #[test]
    fn every_protocol_has_its_models() {
        for p in PROTOCOLS {
            let paths = model_paths(p).unwrap_or_else(|e| panic!("{e}"));
            assert!(paths.iter().all(|p| p.exists()), "{paths:?}");
        }
        assert!(protocol("awsJson1_1").is_some() && protocol("nope").is_none());
    }
}
