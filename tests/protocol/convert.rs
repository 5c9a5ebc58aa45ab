//! botocore service-model shapes (as the protocol-test suites carry them) → a Smithy 2.0 JSON AST
//! model with one service, the operations the suite's cases name, and their shapes.
//!
//! Mapping: `structure` → structure (`union: true` → union, `document: true` → document),
//! `required` → `smithy.api#required`, `exception`/`fault` → `smithy.api#error`
//! (`client`/`server`), `error.httpStatusCode` → `smithy.api#httpError`, `sensitive`,
//! `deprecated`, string `enum` → the `smithy.api#enum` trait, `timestampFormat` (`iso8601`,
//! `rfc822`, `unixTimestamp`) → `smithy.api#timestampFormat`, member `locationName` →
//! `smithy.api#jsonName`, `idempotencyToken`, `hostLabel`; operations: `idempotent`,
//! `endpoint.hostPrefix` → `smithy.api#endpoint`, `requestcompression` →
//! `smithy.api#requestCompression`. A `jsonvalue` member stays a string: in a JSON body botocore
//! sends it as the string it is; in a header it is a `@mediaType("application/json")` string
//! (sent base64-encoded).
//!
//! rest-json suites (`metadata.protocol`) add the HTTP bindings: the operation's `http`
//! (`method`, `requestUri`, `responseCode`) → `smithy.api#http`; member `location` `uri` →
//! `@httpLabel`, `querystring` → `@httpQuery(locationName)` (without a name, a map:
//! `@httpQueryParams`), `header` →
//! `@httpHeader(locationName)`, `headers` → `@httpPrefixHeaders(locationName)`, `statusCode` →
//! `@httpResponseCode`; a structure's `payload` → `@httpPayload` on that member;
//! `httpChecksumRequired` → `smithy.api#httpChecksumRequired`; the service gets
//! `aws.protocols#restJson1`.
//!
//! The XML protocols (`query`, `ec2`, `rest-xml`; rest-xml with the HTTP bindings above) get
//! `aws.protocols#awsQuery`, `ec2Query` or `restXml` on the service (whose `version` is the
//! suite's `apiVersion`, the query protocols' `Version=`), and: member `locationName` →
//! `smithy.api#xmlName` (also on list members and map keys/values), `flattened` →
//! `@xmlFlattened`, `xmlAttribute` → `@xmlAttribute`, `xmlNamespace` (a URI or `{uri, prefix}`)
//! → `@xmlNamespace`, `queryName` → `aws.protocols#ec2QueryName`; a structure's own
//! `locationName` / `xmlNamespace` → `@xmlName` / `@xmlNamespace` on it; the operation's
//! `input.locationName` names the input structure's element unless the structure names itself.
//! botocore lays a member's keys over its target shape's, so a member without a namespace (or
//! `flattened`) of its own takes its target's. An error's `error.code` →
//! `aws.protocols#awsQueryError` (`code`, `httpResponseCode`) in awsQuery suites.

use std::collections::BTreeMap;

use awsrt::types::Document;

use super::data::Suite;

/// Keys that carry no meaning for the client (documentation, constraints) or, in JSON suites,
/// the XML protocols' serialization hints.
const IGNORED_KEYS: &[&str] = &[
    "documentation",
    "box",
    "min",
    "max",
    "pattern",
    "flattened",
    "xmlNamespace",
    "xmlAttribute",
    "queryName",
    "jsonvalue",
    "wrapper",
];

/// The Smithy namespace of a suite's shapes.
pub fn namespace(suite: &Suite) -> &'static str {
    if suite.is_rest_json() {
        "aws.protocoltests.restjson"
    } else if suite.protocol == "rest-xml" {
        "aws.protocoltests.restxml"
    } else if suite.protocol == "query" {
        "aws.protocoltests.query"
    } else if suite.protocol == "ec2" {
        "aws.protocoltests.ec2"
    } else if suite.json_version == "1.0" {
        "aws.protocoltests.json10"
    } else {
        "aws.protocoltests.json"
    }
}

fn obj<const N: usize>(pairs: [(&str, Document); N]) -> Document {
    Document::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

fn s(v: &str) -> Document {
    Document::String(v.to_owned())
}

fn empty() -> Document {
    Document::Object(BTreeMap::new())
}

fn target(ns: &str, shape: &str) -> Document {
    obj([("target", s(&format!("{ns}#{shape}")))])
}

fn check_keys(doc: &Document, known: &[&str], what: &str) -> Result<(), String> {
    for k in doc.as_object().map(|o| o.keys()).into_iter().flatten() {
        if !known.contains(&k.as_str()) && !IGNORED_KEYS.contains(&k.as_str()) {
            return Err(format!("{what}: unsupported botocore key `{k}`"));
        }
    }
    Ok(())
}

fn timestamp_format(v: &str, what: &str) -> Result<Document, String> {
    Ok(s(match v {
        "iso8601" => "date-time",
        "rfc822" => "http-date",
        "unixTimestamp" => "epoch-seconds",
        other => return Err(format!("{what}: unknown timestampFormat {other:?}")),
    }))
}

fn is_true(doc: &Document, key: &str) -> bool {
    doc.get(key).and_then(Document::as_bool) == Some(true)
}

/// What converting a suite needs besides its shapes: the protocol, and the shapes conversion
/// adds (`@mediaType` strings for `jsonvalue` headers).
pub struct Cx {
    /// A suite with HTTP bindings (rest-json, rest-xml).
    pub rest: bool,
    /// A suite of an XML protocol (query, ec2, rest-xml): `locationName` is `@xmlName` and the
    /// XML keys (`flattened`, `xmlNamespace`, `xmlAttribute`, `queryName`) become traits.
    pub xml: bool,
    /// An awsQuery suite: an error's `error.code` is its `@awsQueryError` code.
    pub query: bool,
    /// The `xmlNamespace` of each botocore shape that has one (as a Smithy trait value):
    /// botocore lays a member's own keys over its target's, so a member without a namespace of
    /// its own takes its target's.
    pub namespaces: BTreeMap<String, Document>,
    /// The lists and maps that are `flattened` themselves (every member targeting one is).
    pub flattened: std::collections::BTreeSet<String>,
    /// Shapes added while converting, by shape id.
    pub extra: BTreeMap<String, Document>,
}

impl Cx {
    /// The converting context of `suite`.
    pub fn new(suite: &Suite) -> Result<Cx, String> {
        let xml = suite.is_xml();
        let mut namespaces = BTreeMap::new();
        let mut flattened = std::collections::BTreeSet::new();
        if xml {
            for (name, sh) in suite.shapes.as_object().into_iter().flatten() {
                if is_true(sh, "flattened") {
                    flattened.insert(name.clone());
                }
                if let Some(ns) = sh.get("xmlNamespace") {
                    namespaces.insert(name.clone(), xml_namespace(ns, &format!("shape {name}"))?);
                }
            }
        }
        Ok(Cx {
            rest: suite.is_rest(),
            xml,
            query: suite.protocol == "query",
            namespaces,
            flattened,
            extra: BTreeMap::new(),
        })
    }
}

/// botocore's `xmlNamespace` (a URI, or `{"uri", "prefix"}`) → `smithy.api#xmlNamespace`.
fn xml_namespace(v: &Document, what: &str) -> Result<Document, String> {
    match v {
        Document::String(uri) => Ok(obj([("uri", s(uri))])),
        Document::Object(o) => {
            let uri = o
                .get("uri")
                .and_then(Document::as_str)
                .ok_or_else(|| format!("{what}: xmlNamespace without `uri`"))?;
            let mut out = BTreeMap::from([("uri".to_owned(), s(uri))]);
            if let Some(p) = o.get("prefix").and_then(Document::as_str) {
                out.insert("prefix".to_owned(), s(p));
            }
            Ok(Document::Object(out))
        }
        other => Err(format!("{what}: bad xmlNamespace {}", other.to_json())),
    }
}

/// A member reference (`{"shape": ..., traits...}`) → a Smithy member.
fn member(
    cx: &mut Cx,
    ns: &str,
    m: &Document,
    required: bool,
    what: &str,
) -> Result<Document, String> {
    check_keys(
        m,
        &[
            "shape",
            "locationName",
            "location",
            "idempotencyToken",
            "hostLabel",
            "timestampFormat",
            "deprecated",
            "sensitive",
            "flattened",
            "xmlNamespace",
            "xmlAttribute",
            "queryName",
        ],
        what,
    )?;
    let shape = m
        .get("shape")
        .and_then(Document::as_str)
        .ok_or_else(|| format!("{what}: member without `shape`"))?;
    let mut traits = BTreeMap::new();
    if required {
        traits.insert("smithy.api#required".to_owned(), empty());
    }
    let location = m.get("location").and_then(Document::as_str);
    let location_name = m.get("locationName").and_then(Document::as_str);
    match (cx.rest, location) {
        (_, None) => {
            if let Some(name) = location_name {
                let id = if cx.xml {
                    "smithy.api#xmlName"
                } else {
                    "smithy.api#jsonName"
                };
                traits.insert(id.to_owned(), s(name));
            }
        }
        (false, Some(l)) => return Err(format!("{what}: location {l:?} outside rest-json")),
        (true, Some(l)) => {
            let name = || {
                location_name
                    .map(s)
                    .ok_or_else(|| format!("{what}: location {l} without locationName"))
            };
            let (id, value) = match l {
                "uri" => ("smithy.api#httpLabel", empty()),
                // A map in the query without a name: every entry is a parameter.
                "querystring" if location_name.is_none() => ("smithy.api#httpQueryParams", empty()),
                "querystring" => ("smithy.api#httpQuery", name()?),
                "header" => ("smithy.api#httpHeader", name()?),
                "headers" => ("smithy.api#httpPrefixHeaders", name()?),
                "statusCode" => ("smithy.api#httpResponseCode", empty()),
                other => return Err(format!("{what}: unknown location {other:?}")),
            };
            traits.insert(id.to_owned(), value);
        }
    }
    if cx.xml {
        let flattened = is_true(m, "flattened") || cx.flattened.contains(shape);
        if flattened {
            traits.insert("smithy.api#xmlFlattened".to_owned(), empty());
        }
        if is_true(m, "xmlAttribute") {
            traits.insert("smithy.api#xmlAttribute".to_owned(), empty());
        }
        if let Some(name) = m.get("queryName").and_then(Document::as_str) {
            traits.insert("aws.protocols#ec2QueryName".to_owned(), s(name));
        }
        // A flattened list or map has no element of its own for its namespace (botocore
        // declares it on the wrapper only).
        let ns = match m.get("xmlNamespace") {
            Some(ns) => Some(xml_namespace(ns, what)?),
            None if flattened => None,
            None => cx.namespaces.get(shape).cloned(),
        };
        if let Some(ns) = ns {
            traits.insert("smithy.api#xmlNamespace".to_owned(), ns);
        }
    }
    if is_true(m, "idempotencyToken") {
        traits.insert("smithy.api#idempotencyToken".to_owned(), empty());
    }
    if is_true(m, "hostLabel") {
        traits.insert("smithy.api#hostLabel".to_owned(), empty());
    }
    if is_true(m, "deprecated") {
        traits.insert("smithy.api#deprecated".to_owned(), empty());
    }
    if is_true(m, "sensitive") {
        traits.insert("smithy.api#sensitive".to_owned(), empty());
    }
    if let Some(f) = m.get("timestampFormat").and_then(Document::as_str) {
        traits.insert(
            "smithy.api#timestampFormat".to_owned(),
            timestamp_format(f, what)?,
        );
    }
    let target_shape = if cx.rest && location == Some("header") && is_true(m, "jsonvalue") {
        // A JSON value in a header: a string with a JSON media type, sent base64-encoded.
        let id = format!("{shape}JsonValue");
        cx.extra.insert(
            format!("{ns}#{id}"),
            obj([
                ("type", s("string")),
                (
                    "traits",
                    obj([("smithy.api#mediaType", s("application/json"))]),
                ),
            ]),
        );
        id
    } else {
        shape.to_owned()
    };
    let mut out = target(ns, &target_shape);
    if !traits.is_empty() {
        if let Document::Object(o) = &mut out {
            o.insert("traits".to_owned(), Document::Object(traits));
        }
    }
    Ok(out)
}

/// One botocore shape → one Smithy shape.
pub fn shape(cx: &mut Cx, ns: &str, name: &str, sh: &Document) -> Result<Document, String> {
    let what = format!("shape {name}");
    let ty = sh
        .get("type")
        .and_then(Document::as_str)
        .ok_or_else(|| format!("{what}: no `type`"))?;
    let mut traits = BTreeMap::new();
    if is_true(sh, "sensitive") {
        traits.insert("smithy.api#sensitive".to_owned(), empty());
    }
    if is_true(sh, "deprecated") {
        traits.insert("smithy.api#deprecated".to_owned(), empty());
    }
    let mut out = BTreeMap::new();
    let smithy_type = match ty {
        "structure" => {
            check_keys(
                sh,
                &[
                    "type",
                    "members",
                    "required",
                    "union",
                    "document",
                    "exception",
                    "fault",
                    "error",
                    "sensitive",
                    "deprecated",
                    "payload",
                    "locationName",
                ],
                &what,
            )?;
            if is_true(sh, "document") {
                "document"
            } else {
                let union = is_true(sh, "union");
                let required: Vec<&str> = sh
                    .get("required")
                    .and_then(Document::as_array)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(Document::as_str)
                    .collect();
                let mut members = BTreeMap::new();
                for (mname, m) in sh
                    .get("members")
                    .and_then(Document::as_object)
                    .into_iter()
                    .flatten()
                {
                    let req = !union && required.contains(&mname.as_str());
                    let mut converted = member(cx, ns, m, req, &format!("{what} member {mname}"))?;
                    if sh.get("payload").and_then(Document::as_str) == Some(mname.as_str()) {
                        if let Document::Object(o) = &mut converted {
                            if let Document::Object(t) = o
                                .entry("traits".to_owned())
                                .or_insert_with(|| Document::Object(BTreeMap::new()))
                            {
                                t.insert("smithy.api#httpPayload".to_owned(), empty());
                            }
                        }
                    }
                    members.insert(mname.clone(), converted);
                }
                out.insert("members".to_owned(), Document::Object(members));
                if cx.xml {
                    if let Some(name) = sh.get("locationName").and_then(Document::as_str) {
                        traits.insert("smithy.api#xmlName".to_owned(), s(name));
                    }
                    if let Some(ns) = cx.namespaces.get(name) {
                        traits.insert("smithy.api#xmlNamespace".to_owned(), ns.clone());
                    }
                }
                if let Some(code) = sh
                    .get("error")
                    .and_then(|e| e.get("code"))
                    .and_then(Document::as_str)
                    .filter(|_| cx.query)
                {
                    let mut q = vec![("code", s(code))];
                    if let Some(status) = sh.get("error").and_then(|e| e.get("httpStatusCode")) {
                        q.push(("httpResponseCode", status.clone()));
                    }
                    traits.insert(
                        "aws.protocols#awsQueryError".to_owned(),
                        Document::Object(q.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()),
                    );
                }
                if is_true(sh, "exception") || sh.get("error").is_some() {
                    let fault = if is_true(sh, "fault") {
                        "server"
                    } else {
                        "client"
                    };
                    traits.insert("smithy.api#error".to_owned(), s(fault));
                    if let Some(status) = sh
                        .get("error")
                        .and_then(|e| e.get("httpStatusCode"))
                        .and_then(Document::as_number)
                    {
                        traits.insert("smithy.api#httpError".to_owned(), Document::Number(status));
                    }
                }
                if union {
                    "union"
                } else {
                    "structure"
                }
            }
        }
        "list" => {
            check_keys(sh, &["type", "member", "sensitive", "deprecated"], &what)?;
            let m = sh
                .get("member")
                .ok_or_else(|| format!("{what}: list without `member`"))?;
            out.insert(
                "member".to_owned(),
                member(cx, ns, m, false, &format!("{what} member"))?,
            );
            "list"
        }
        "map" => {
            check_keys(
                sh,
                &["type", "key", "value", "sensitive", "deprecated"],
                &what,
            )?;
            for part in ["key", "value"] {
                let m = sh
                    .get(part)
                    .ok_or_else(|| format!("{what}: map without `{part}`"))?;
                out.insert(
                    part.to_owned(),
                    member(cx, ns, m, false, &format!("{what} {part}"))?,
                );
            }
            "map"
        }
        "string" => {
            check_keys(sh, &["type", "enum", "sensitive", "deprecated"], &what)?;
            if let Some(values) = sh.get("enum").and_then(Document::as_array) {
                let defs = values
                    .iter()
                    .map(|v| {
                        v.as_str()
                            .map(|v| obj([("value", s(v))]))
                            .ok_or_else(|| format!("{what}: non-string enum value"))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                traits.insert("smithy.api#enum".to_owned(), Document::Array(defs));
            }
            "string"
        }
        "timestamp" => {
            check_keys(
                sh,
                &["type", "timestampFormat", "sensitive", "deprecated"],
                &what,
            )?;
            if let Some(f) = sh.get("timestampFormat").and_then(Document::as_str) {
                traits.insert(
                    "smithy.api#timestampFormat".to_owned(),
                    timestamp_format(f, &what)?,
                );
            }
            "timestamp"
        }
        "blob" | "boolean" | "byte" | "short" | "integer" | "long" | "float" | "double" => {
            check_keys(sh, &["type", "sensitive", "deprecated"], &what)?;
            ty
        }
        other => return Err(format!("{what}: unsupported botocore type {other:?}")),
    };
    out.insert("type".to_owned(), s(smithy_type));
    if !traits.is_empty() {
        out.insert("traits".to_owned(), Document::Object(traits));
    }
    Ok(Document::Object(out))
}

/// A case's `given` → a Smithy operation shape.
pub fn operation(cx: &Cx, ns: &str, given: &Document) -> Result<Document, String> {
    let name = given
        .get("name")
        .and_then(Document::as_str)
        .ok_or_else(|| "operation without `name`".to_owned())?;
    let what = format!("operation {name}");
    check_keys(
        given,
        &[
            "name",
            "http",
            "input",
            "output",
            "errors",
            "idempotent",
            "endpoint",
            "requestcompression",
            "deprecated",
            "httpChecksumRequired",
        ],
        &what,
    )?;
    let mut out = BTreeMap::new();
    out.insert("type".to_owned(), s("operation"));
    for part in ["input", "output"] {
        if let Some(shape) = given
            .get(part)
            .and_then(|p| p.get("shape"))
            .and_then(Document::as_str)
        {
            out.insert(part.to_owned(), target(ns, shape));
        }
    }
    let errors = given
        .get("errors")
        .and_then(Document::as_array)
        .unwrap_or_default()
        .iter()
        .map(|e| {
            e.get("shape")
                .and_then(Document::as_str)
                .map(|shape| target(ns, shape))
                .ok_or_else(|| format!("{what}: error without `shape`"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if !errors.is_empty() {
        out.insert("errors".to_owned(), Document::Array(errors));
    }
    let mut traits = BTreeMap::new();
    if is_true(given, "idempotent") {
        traits.insert("smithy.api#idempotent".to_owned(), empty());
    }
    if is_true(given, "deprecated") {
        traits.insert("smithy.api#deprecated".to_owned(), empty());
    }
    if let Some(prefix) = given
        .get("endpoint")
        .and_then(|e| e.get("hostPrefix"))
        .and_then(Document::as_str)
    {
        traits.insert(
            "smithy.api#endpoint".to_owned(),
            obj([("hostPrefix", s(prefix))]),
        );
    }
    if cx.rest {
        let http = given
            .get("http")
            .ok_or_else(|| format!("{what}: a rest-json operation needs `http`"))?;
        let method = http
            .get("method")
            .and_then(Document::as_str)
            .ok_or_else(|| format!("{what}: `http` without `method`"))?;
        let uri = http
            .get("requestUri")
            .and_then(Document::as_str)
            .ok_or_else(|| format!("{what}: `http` without `requestUri`"))?;
        let mut h = vec![("method", s(method)), ("uri", s(uri))];
        if let Some(code) = http.get("responseCode").and_then(Document::as_number) {
            h.push(("code", Document::Number(code)));
        }
        traits.insert(
            "smithy.api#http".to_owned(),
            Document::Object(h.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()),
        );
    }
    if is_true(given, "httpChecksumRequired") {
        traits.insert("smithy.api#httpChecksumRequired".to_owned(), empty());
    }
    if let Some(enc) = given
        .get("requestcompression")
        .and_then(|r| r.get("encodings"))
    {
        traits.insert(
            "smithy.api#requestCompression".to_owned(),
            obj([("encodings", enc.clone())]),
        );
    }
    if !traits.is_empty() {
        out.insert("traits".to_owned(), Document::Object(traits));
    }
    Ok(Document::Object(out))
}

/// The `locationName` and `xmlNamespace` of an operation's `input` reference (the root element
/// of a rest-xml request body) → `@xmlName` / `@xmlNamespace` on the input structure, unless the
/// structure names itself (botocore's shape-level keys win, as the suites expect).
fn input_root(
    shapes: &mut BTreeMap<String, Document>,
    ns: &str,
    given: &Document,
) -> Result<(), String> {
    let Some(input) = given.get("input") else {
        return Ok(());
    };
    let Some(name) = input.get("shape").and_then(Document::as_str) else {
        return Ok(());
    };
    let mut add = Vec::new();
    if let Some(root) = input.get("locationName").and_then(Document::as_str) {
        add.push(("smithy.api#xmlName", s(root)));
    }
    if let Some(v) = input.get("xmlNamespace") {
        add.push(("smithy.api#xmlNamespace", xml_namespace(v, "input")?));
    }
    let Some(Document::Object(sh)) = shapes.get_mut(&format!("{ns}#{name}")) else {
        return Err(format!("input shape {name} is not defined"));
    };
    if let Document::Object(traits) = sh
        .entry("traits".to_owned())
        .or_insert_with(|| Document::Object(BTreeMap::new()))
    {
        for (id, v) in add {
            traits.entry(id.to_owned()).or_insert(v);
        }
    }
    Ok(())
}

/// The whole suite as a Smithy JSON AST document (text). The service shape is named after the
/// suite's `targetPrefix`, so the generator uses it as the `X-Amz-Target` prefix.
pub fn to_smithy(suite: &Suite) -> Result<String, String> {
    let ns = namespace(suite);
    let mut cx = Cx::new(suite)?;
    let mut shapes = BTreeMap::new();
    for (name, sh) in suite.shapes.as_object().into_iter().flatten() {
        shapes.insert(format!("{ns}#{name}"), shape(&mut cx, ns, name, sh)?);
    }
    if cx.xml {
        for case in &suite.cases {
            input_root(&mut shapes, ns, &case.given)
                .map_err(|e| format!("case {}: {e}", case.id))?;
        }
    }
    for (id, sh) in std::mem::take(&mut cx.extra) {
        shapes.entry(id).or_insert(sh);
    }
    let mut ops: BTreeMap<String, Document> = BTreeMap::new();
    for case in &suite.cases {
        let op = operation(&cx, ns, &case.given).map_err(|e| format!("case {}: {e}", case.id))?;
        let id = format!("{ns}#{}", case.operation());
        match ops.get(&id) {
            Some(prev) if *prev != op => {
                return Err(format!(
                    "case {}: operation {} is described differently by another case of the suite",
                    case.id,
                    case.operation()
                ))
            }
            _ => {
                ops.insert(id, op);
            }
        }
    }
    for id in ops.keys() {
        if shapes.contains_key(id) {
            return Err(format!("{id} is both a shape and an operation"));
        }
    }
    let service_id = format!("{ns}#{}", suite.target_prefix);
    let protocol = if suite.is_rest_json() {
        "aws.protocols#restJson1"
    } else if suite.protocol == "rest-xml" {
        "aws.protocols#restXml"
    } else if suite.protocol == "query" {
        "aws.protocols#awsQuery"
    } else if suite.protocol == "ec2" {
        "aws.protocols#ec2Query"
    } else if suite.json_version == "1.0" {
        "aws.protocols#awsJson1_0"
    } else {
        "aws.protocols#awsJson1_1"
    };
    let service = obj([
        ("type", s("service")),
        ("version", s(&suite.api_version)),
        (
            "operations",
            Document::Array(ops.keys().map(|id| obj([("target", s(id))])).collect()),
        ),
        (
            "traits",
            obj([
                (protocol, empty()),
                (
                    "aws.auth#sigv4",
                    obj([("name", s(&suite.target_prefix.to_lowercase()))]),
                ),
                ("aws.api#service", obj([("sdkId", s(&suite.target_prefix))])),
            ]),
        ),
    ]);
    shapes.extend(ops);
    shapes.insert(service_id, service);
    let model = obj([("smithy", s("2.0")), ("shapes", Document::Object(shapes))]);
    Ok(model.to_json())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::data::parse_suites;

    fn suite(shapes: &str, given: &str) -> Suite {
        let text = format!(
            r#"[{{"description": "d", "metadata": {{"targetPrefix": "JsonProtocol", "jsonVersion": "1.1", "apiVersion": "2018-01-01"}},
               "shapes": {shapes}, "cases": [{{"id": "c", "given": {given}, "params": {{}}}}]}}]"#
        );
        parse_suites(text.as_bytes(), "t").unwrap().remove(0)
    }

    fn model(shapes: &str, given: &str) -> Document {
        Document::parse(to_smithy(&suite(shapes, given)).unwrap().as_bytes()).unwrap()
    }

    fn at<'a>(d: &'a Document, path: &[&str]) -> &'a Document {
        path.iter().fold(d, |d, k| {
            d.get(k)
                .unwrap_or_else(|| panic!("no {k} in {}", d.to_json()))
        })
    }

    #[test]
    fn service_carries_protocol_prefix_and_operations() {
        let m = model(
            r#"{"In": {"type": "structure", "members": {}}}"#,
            r#"{"name": "Op", "input": {"shape": "In"}, "idempotent": true}"#,
        );
        let svc = at(&m, &["shapes", "aws.protocoltests.json#JsonProtocol"]);
        assert_eq!(svc.get("type").and_then(Document::as_str), Some("service"));
        assert!(at(svc, &["traits", "aws.protocols#awsJson1_1"])
            .as_object()
            .is_some());
        assert_eq!(
            at(svc, &["traits", "aws.auth#sigv4", "name"]).as_str(),
            Some("jsonprotocol")
        );
        assert_eq!(
            at(svc, &["operations"]).as_array().unwrap()[0]
                .get("target")
                .and_then(Document::as_str),
            Some("aws.protocoltests.json#Op")
        );
        let op = at(&m, &["shapes", "aws.protocoltests.json#Op"]);
        assert_eq!(
            at(op, &["input", "target"]).as_str(),
            Some("aws.protocoltests.json#In")
        );
        assert!(at(op, &["traits", "smithy.api#idempotent"])
            .as_object()
            .is_some());
    }

    #[test]
    fn structures_members_and_traits() {
        let m = model(
            r#"{"S": {"type": "structure", "required": ["a"], "members": {
                    "a": {"shape": "Str", "locationName": "A"},
                    "t": {"shape": "Ts", "idempotencyToken": true}}},
                "Str": {"type": "string", "enum": ["x", "1"]},
                "Ts": {"type": "timestamp", "timestampFormat": "rfc822"},
                "E": {"type": "structure", "members": {}, "exception": true, "fault": true},
                "U": {"type": "structure", "union": true, "members": {"a": {"shape": "Str"}}},
                "D": {"type": "structure", "members": {}, "document": true}}"#,
            r#"{"name": "Op", "input": {"shape": "S"}, "errors": [{"shape": "E"}], "endpoint": {"hostPrefix": "foo."}}"#,
        );
        let sh = at(&m, &["shapes"]);
        let a = at(sh, &["aws.protocoltests.json#S", "members", "a"]);
        assert!(at(a, &["traits", "smithy.api#required"])
            .as_object()
            .is_some());
        assert_eq!(
            at(a, &["traits", "smithy.api#jsonName"]).as_str(),
            Some("A")
        );
        let t = at(sh, &["aws.protocoltests.json#S", "members", "t"]);
        assert!(at(t, &["traits", "smithy.api#idempotencyToken"])
            .as_object()
            .is_some());
        assert_eq!(
            at(
                sh,
                &["aws.protocoltests.json#Str", "traits", "smithy.api#enum"]
            )
            .as_array()
            .map(<[Document]>::len),
            Some(2)
        );
        assert_eq!(
            at(
                sh,
                &[
                    "aws.protocoltests.json#Ts",
                    "traits",
                    "smithy.api#timestampFormat"
                ]
            )
            .as_str(),
            Some("http-date")
        );
        assert_eq!(
            at(
                sh,
                &["aws.protocoltests.json#E", "traits", "smithy.api#error"]
            )
            .as_str(),
            Some("server")
        );
        assert_eq!(
            at(sh, &["aws.protocoltests.json#U", "type"]).as_str(),
            Some("union")
        );
        assert_eq!(
            at(sh, &["aws.protocoltests.json#D", "type"]).as_str(),
            Some("document")
        );
        assert_eq!(
            at(
                sh,
                &[
                    "aws.protocoltests.json#Op",
                    "traits",
                    "smithy.api#endpoint",
                    "hostPrefix"
                ]
            )
            .as_str(),
            Some("foo.")
        );
    }

    fn xml_model(protocol: &str, shapes: &str, given: &str) -> Document {
        let text = format!(
            r#"[{{"description": "d", "metadata": {{"protocol": "{protocol}", "apiVersion": "2020-01-08"}},
               "shapes": {shapes}, "cases": [{{"id": "c", "given": {given}, "params": {{}}}}]}}]"#
        );
        let suite = parse_suites(text.as_bytes(), "t").unwrap().remove(0);
        Document::parse(to_smithy(&suite).unwrap().as_bytes()).unwrap()
    }

    #[test]
    fn xml_suites_map_the_xml_keys() {
        let m = xml_model(
            "rest-xml",
            r#"{"In": {"type": "structure", "members": {
                    "l": {"shape": "L", "locationName": "Items", "flattened": true},
                    "a": {"shape": "S", "xmlAttribute": true, "locationName": "xsi:a"},
                    "n": {"shape": "N"},
                    "h": {"shape": "S", "location": "header", "locationName": "X-H"}}},
                "L": {"type": "list", "member": {"shape": "S", "locationName": "item",
                      "xmlNamespace": {"uri": "http://m", "prefix": "p"}}},
                "N": {"type": "structure", "members": {}, "xmlNamespace": "http://n",
                      "locationName": "Named"},
                "S": {"type": "string"}}"#,
            r#"{"name": "Op", "http": {"method": "POST", "requestUri": "/"},
                "input": {"shape": "In", "locationName": "OpRequest"}}"#,
        );
        let sh = at(&m, &["shapes"]);
        let ns = "aws.protocoltests.restxml";
        assert!(at(
            sh,
            &[&format!("{ns}#RestXml"), "traits", "aws.protocols#restXml"]
        )
        .as_object()
        .is_some());
        let input = at(sh, &[&format!("{ns}#In")]);
        assert_eq!(
            at(input, &["traits", "smithy.api#xmlName"]).as_str(),
            Some("OpRequest")
        );
        let l = at(input, &["members", "l", "traits"]);
        assert_eq!(at(l, &["smithy.api#xmlName"]).as_str(), Some("Items"));
        assert!(at(l, &["smithy.api#xmlFlattened"]).as_object().is_some());
        let a = at(input, &["members", "a", "traits"]);
        assert!(at(a, &["smithy.api#xmlAttribute"]).as_object().is_some());
        // The member takes its target structure's namespace, not its name.
        let n = at(input, &["members", "n", "traits"]);
        assert_eq!(
            at(n, &["smithy.api#xmlNamespace", "uri"]).as_str(),
            Some("http://n")
        );
        assert!(n.get("smithy.api#xmlName").is_none());
        assert_eq!(
            at(input, &["members", "h", "traits", "smithy.api#httpHeader"]).as_str(),
            Some("X-H")
        );
        let item = at(sh, &[&format!("{ns}#L"), "member", "traits"]);
        assert_eq!(at(item, &["smithy.api#xmlName"]).as_str(), Some("item"));
        assert_eq!(
            at(item, &["smithy.api#xmlNamespace", "prefix"]).as_str(),
            Some("p")
        );
        let named = at(sh, &[&format!("{ns}#N"), "traits"]);
        assert_eq!(at(named, &["smithy.api#xmlName"]).as_str(), Some("Named"));
    }

    #[test]
    fn query_suites_get_the_protocol_version_and_error_codes() {
        let m = xml_model(
            "query",
            r#"{"E": {"type": "structure", "members": {}, "exception": true,
                      "error": {"code": "Custom", "httpStatusCode": 402, "senderFault": true}},
                "In": {"type": "structure", "members": {"x": {"shape": "S", "queryName": "Q"}}},
                "S": {"type": "string"}}"#,
            r#"{"name": "Op", "http": {"method": "POST", "requestUri": "/"},
                "input": {"shape": "In"}, "errors": [{"shape": "E"}]}"#,
        );
        let sh = at(&m, &["shapes"]);
        let ns = "aws.protocoltests.query";
        let svc = at(sh, &[&format!("{ns}#QueryProtocol")]);
        assert!(at(svc, &["traits", "aws.protocols#awsQuery"])
            .as_object()
            .is_some());
        assert_eq!(at(svc, &["version"]).as_str(), Some("2020-01-08"));
        let e = at(sh, &[&format!("{ns}#E"), "traits"]);
        assert_eq!(
            at(e, &["aws.protocols#awsQueryError", "code"]).as_str(),
            Some("Custom")
        );
        assert_eq!(
            at(
                sh,
                &[
                    &format!("{ns}#In"),
                    "members",
                    "x",
                    "traits",
                    "aws.protocols#ec2QueryName"
                ]
            )
            .as_str(),
            Some("Q")
        );
    }

    #[test]
    fn unknown_keys_and_types_are_rejected() {
        let bad = suite(
            r#"{"S": {"type": "structure", "members": {"a": {"shape": "X", "location": "header"}}}}"#,
            r#"{"name": "Op", "input": {"shape": "S"}}"#,
        );
        assert!(to_smithy(&bad).unwrap_err().contains("location"));
        let bad = suite(r#"{"S": {"type": "character"}}"#, r#"{"name": "Op"}"#);
        assert!(to_smithy(&bad).unwrap_err().contains("character"));
    }

    #[test]
    fn every_suite_of_the_protocol_files_converts_and_generates() {
        let Ok(dir) = crate::protocol::data::testdata_dir() else {
            panic!("{}", crate::protocol::data::testdata_dir().unwrap_err());
        };
        for (direction, file) in crate::protocol::FILES {
            for suite in crate::protocol::data::load(&dir, direction, file).unwrap() {
                let json =
                    to_smithy(&suite).unwrap_or_else(|e| panic!("{file} #{}: {e}", suite.index));
                let model = codegen::model::Model::from_json(&json, "suite")
                    .unwrap_or_else(|e| panic!("{file} #{}: {e}", suite.index));
                codegen::ir::build(model, None, "suite_crate")
                    .unwrap_or_else(|e| panic!("{file} #{}: {e}\n{json}", suite.index));
            }
        }
    }
}
