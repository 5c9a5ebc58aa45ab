//! Reading the botocore protocol-test files: suites, their metadata and their cases.

use std::path::{Path, PathBuf};

use awsrt::types::Document;

/// Which half of the protocol tests a file belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// `input/*.json`: params → the serialized request.
    Input,
    /// `output/*.json`: a raw response → the parsed result or error.
    Output,
}

impl Direction {
    /// The folder under `protocol-tests/`.
    pub fn dir(self) -> &'static str {
        match self {
            Direction::Input => "input",
            Direction::Output => "output",
        }
    }
}

/// One suite: a service description plus the cases that run against it.
#[derive(Clone, Debug)]
pub struct Suite {
    /// Position in the file (0-based); suites are not uniquely described.
    pub index: usize,
    /// `description`.
    pub description: String,
    /// `metadata.protocol`: `json` (awsJson), `rest-json`, `query`, `ec2` or `rest-xml`.
    pub protocol: String,
    /// `metadata.targetPrefix` (the X-Amz-Target prefix, used as the service shape name);
    /// for the other protocols, which have none, a fixed service name ([`service_name`]).
    pub target_prefix: String,
    /// `metadata.jsonVersion`: `"1.0"` or `"1.1"` (empty for the other protocols).
    pub json_version: String,
    /// `metadata.apiVersion`.
    pub api_version: String,
    /// `clientEndpoint`, when the suite sets one.
    pub client_endpoint: Option<String>,
    /// `shapes` (botocore service-model format).
    pub shapes: Document,
    /// The cases.
    pub cases: Vec<Case>,
}

impl Suite {
    /// A rest-json suite (HTTP bindings) rather than awsJson.
    pub fn is_rest_json(&self) -> bool {
        self.protocol == "rest-json"
    }

    /// A protocol with HTTP bindings (rest-json or rest-xml).
    pub fn is_rest(&self) -> bool {
        matches!(self.protocol.as_str(), "rest-json" | "rest-xml")
    }

    /// A protocol with XML bodies or form requests (query, ec2, rest-xml).
    pub fn is_xml(&self) -> bool {
        matches!(self.protocol.as_str(), "query" | "ec2" | "rest-xml")
    }
}

/// The service shape name of a suite whose protocol has no `targetPrefix`.
pub fn service_name(protocol: &str) -> Option<&'static str> {
    match protocol {
        "rest-json" => Some("RestJson"),
        "rest-xml" => Some("RestXml"),
        "query" => Some("QueryProtocol"),
        "ec2" => Some("Ec2Protocol"),
        _ => None,
    }
}

/// One test case.
#[derive(Clone, Debug)]
pub struct Case {
    /// `id`.
    pub id: String,
    /// `given`: the operation (botocore format).
    pub given: Document,
    /// The whole case object (`params`/`serialized` or `response`/`result`/`error`...).
    pub raw: Document,
}

impl Case {
    /// `given.name`: the operation name.
    pub fn operation(&self) -> &str {
        self.given
            .get("name")
            .and_then(Document::as_str)
            .unwrap_or_default()
    }
}

/// `$SMITHY_TESTDATA_DIR` or `<workspace>/../shared/testdata`; fails when the protocol tests are
/// not there.
pub fn testdata_dir() -> Result<PathBuf, String> {
    let dir = std::env::var_os("SMITHY_TESTDATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/testdata"));
    let tests = dir.join("protocol-tests");
    if tests.join("input").is_dir() && tests.join("output").is_dir() {
        Ok(dir)
    } else {
        Err(format!(
            "protocol test data not found under {}: set SMITHY_TESTDATA_DIR to the shared \
             testdata directory (the one holding protocol-tests/input and protocol-tests/output)",
            tests.display()
        ))
    }
}

fn str_field(doc: &Document, key: &str, what: &str) -> Result<String, String> {
    doc.get(key)
        .and_then(Document::as_str)
        .map(str::to_owned)
        .ok_or_else(|| format!("{what}: missing string `{key}`"))
}

/// Parses the suites of one protocol-test file.
pub fn parse_suites(text: &[u8], source: &str) -> Result<Vec<Suite>, String> {
    let doc = Document::parse(text).map_err(|e| format!("{source}: {e}"))?;
    let list = doc
        .as_array()
        .ok_or_else(|| format!("{source}: the top level is not a list of suites"))?;
    let mut suites = Vec::new();
    for (index, s) in list.iter().enumerate() {
        let what = format!("{source} suite #{index}");
        let meta = s
            .get("metadata")
            .ok_or_else(|| format!("{what}: no `metadata`"))?;
        let protocol = meta
            .get("protocol")
            .and_then(Document::as_str)
            .unwrap_or("json")
            .to_owned();
        let fixed_name = service_name(&protocol);
        let mut cases = Vec::new();
        for c in s
            .get("cases")
            .and_then(Document::as_array)
            .ok_or_else(|| format!("{what}: no `cases` list"))?
        {
            let id = str_field(c, "id", &what)?;
            let given = c
                .get("given")
                .cloned()
                .ok_or_else(|| format!("{what} case {id}: no `given`"))?;
            cases.push(Case {
                id,
                given,
                raw: c.clone(),
            });
        }
        suites.push(Suite {
            index,
            description: str_field(s, "description", &what)?,
            target_prefix: match fixed_name {
                Some(name) => name.to_owned(),
                None => str_field(meta, "targetPrefix", &what)?,
            },
            json_version: if fixed_name.is_some() {
                String::new()
            } else {
                str_field(meta, "jsonVersion", &what)?
            },
            api_version: meta
                .get("apiVersion")
                .and_then(Document::as_str)
                .unwrap_or("2020-01-01")
                .to_owned(),
            client_endpoint: s
                .get("clientEndpoint")
                .and_then(Document::as_str)
                .map(str::to_owned),
            shapes: s.get("shapes").cloned().unwrap_or_default(),
            cases,
            protocol,
        });
    }
    Ok(suites)
}

/// Reads and parses `protocol-tests/<dir>/<file>`.
pub fn load(dir: &Path, direction: Direction, file: &str) -> Result<Vec<Suite>, String> {
    let path = dir.join("protocol-tests").join(direction.dir()).join(file);
    let text = std::fs::read(&path).map_err(|e| {
        format!(
            "cannot read {}: {e} (set SMITHY_TESTDATA_DIR to the shared testdata directory)",
            path.display()
        )
    })?;
    parse_suites(&text, &path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_suite() {
        let text =
            br#"[{"description": "d", "metadata": {"targetPrefix": "P", "jsonVersion": "1.0"},
            "clientEndpoint": "https://e", "shapes": {"S": {"type": "string"}},
            "cases": [{"id": "c1", "given": {"name": "Op"}, "params": {}}]}]"#;
        let suites = parse_suites(text, "t").unwrap();
        assert_eq!(suites.len(), 1);
        let s = &suites[0];
        assert_eq!(
            (s.target_prefix.as_str(), s.json_version.as_str()),
            ("P", "1.0")
        );
        assert_eq!(s.client_endpoint.as_deref(), Some("https://e"));
        assert_eq!(s.cases[0].operation(), "Op");
        assert_eq!(s.api_version, "2020-01-01");
    }

    #[test]
    fn missing_metadata_is_an_error() {
        let err = parse_suites(br#"[{"description": "d", "cases": []}]"#, "t").unwrap_err();
        assert!(err.contains("metadata"), "{err}");
    }
}
