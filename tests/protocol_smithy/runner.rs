//! One protocol end to end: load its models, generate a crate per service with the real
//! generator, render a test per client case against the service that holds the case's
//! operation (or error), run them all with one `cargo test` in a scratch workspace under
//! `target/protocol-tests/smithy_<protocol>/`, and count.

use std::path::Path;

use codegen::ir::Service;

use super::cases::{self, Case, Closure, Kind, ProtocolSuite};
use super::render;
use super::skips;
use super::values::{snake, Cx};
use super::workspace::{self, base_dir, workspace_root, CaseCrate, Outcome};

/// What happened to the cases of one protocol.
#[derive(Debug, Default)]
pub struct Summary {
    /// `awsJson1_1`.
    pub protocol: String,
    /// The event-stream cases (`smithy.test#eventStreamTests`) rather than the HTTP ones.
    pub events: bool,
    /// Client cases (server-only ones excluded).
    pub total: usize,
    /// Cases marked `appliesTo: "server"` (not run).
    pub server_only: usize,
    /// Labels of the cases that passed.
    pub passed: Vec<String>,
    /// `(label, reason)` of the skip-listed cases.
    pub skipped: Vec<(String, String)>,
    /// `(label, what went wrong)`.
    pub failed: Vec<(String, String)>,
}

impl Summary {
    /// `protocol tests <protocol>: passed N/M, skipped K`, where M counts every client case.
    pub fn line(&self) -> String {
        let title = if self.events {
            "event stream tests".to_owned()
        } else {
            format!("protocol tests {}", self.protocol)
        };
        format!(
            "{title}: passed {}/{}, skipped {}",
            self.passed.len(),
            self.total,
            self.skipped.len()
        )
    }

    /// The summary line, the number of server-only cases, then one line per skip and failure.
    pub fn report(&self) -> String {
        let mut s = format!(
            "{} (and {} server-only cases not run)",
            self.line(),
            self.server_only
        );
        for (label, why) in &self.skipped {
            s.push_str(&format!("\n  skipped {label}: {why}"));
        }
        for (label, why) in &self.failed {
            s.push_str(&format!(
                "\n  FAILED {label}: {}",
                why.trim_end().replace('\n', "\n    ")
            ));
        }
        s
    }

    /// Every client case passed or is skip-listed.
    pub fn ok(&self) -> bool {
        self.failed.is_empty() && self.passed.len() + self.skipped.len() == self.total
    }
}

/// A service of the protocol, generated.
struct Generated {
    krate: String,
    /// The IR the tests are rendered against, or why generation failed.
    ir: Result<Service, String>,
    closure: Closure,
}

fn generate(
    root: &Path,
    protocol: &ProtocolSuite,
    doc: &serde_json::Value,
    service: &str,
) -> Generated {
    let name = service.rsplit('#').next().unwrap_or(service);
    let krate = format!("pts_{}_{}", snake(protocol.name), snake(name));
    let source = format!("{} protocol tests, service {service}", protocol.name);
    let ir = (|| {
        let opts = codegen::CrateOptions {
            runtime_path: workspace_root().join("runtime").display().to_string(),
            version: "0.1.0".into(),
        };
        let files = codegen::generate_crate_from_doc(doc, &source, Some(service), &krate, &opts)
            .map_err(|e| format!("the generator failed on {service}: {e}"))?;
        codegen::write::write_tree(&root.join("suites").join(&krate), &files, false)
            .map_err(|e| format!("writing the generated crate: {e}"))?;
        let model = codegen::model::Model::from_value(doc, &source).map_err(|e| e.to_string())?;
        codegen::ir::build(model, Some(service), &krate).map_err(|e| e.to_string())
    })();
    Generated {
        krate,
        ir,
        closure: cases::closure(doc, service),
    }
}

/// Where a case runs: the service (index) and the operation to call; for error cases also the
/// error's Rust type.
fn place(case: &Case, services: &[Generated]) -> Result<(usize, String), String> {
    for (i, g) in services.iter().enumerate() {
        if g.closure.operations.contains_key(&case.shape) {
            return Ok((i, case.shape.clone()));
        }
        if case.kind == Kind::Response {
            if let Some(op) = g.closure.operation_with_error(&case.shape) {
                return Ok((i, op.to_owned()));
            }
        }
    }
    Err(format!(
        "no service of the protocol has {} (as an operation{})",
        case.shape,
        if case.kind == Kind::Response {
            " or an operation's error"
        } else {
            ""
        }
    ))
}

/// Renders one case against a generated service.
fn render_case(svc: &Service, krate: &str, case: &Case, op_id: &str) -> Result<String, String> {
    let cx = Cx { svc, krate };
    let op = svc
        .operations
        .iter()
        .find(|o| o.shape == op_id)
        .ok_or_else(|| format!("the generated crate has no operation {op_id}"))?;
    match case.kind {
        Kind::Request => render::request_case(&cx, op, case),
        Kind::Event => super::events::event_case(&cx, op, case),
        Kind::Response if case.shape == op_id => render::response_case(&cx, op, case, None),
        Kind::Response => {
            let ty = svc
                .types
                .values()
                .find_map(|t| match t {
                    codegen::ir::TypeDef::Struct(s) if s.shape == case.shape => {
                        Some(s.name.clone())
                    }
                    _ => None,
                })
                .ok_or_else(|| format!("the generated crate has no type for {}", case.shape))?;
            render::response_case(&cx, op, case, Some(&ty))
        }
    }
}

/// Loads, generates, renders, builds and runs every client case of one protocol.
pub fn run(protocol: &ProtocolSuite, events: bool) -> Result<Summary, String> {
    let loaded = cases::load(protocol)?;
    if loaded.services.is_empty() {
        return Err(format!(
            "no service with {} in {:?}",
            protocol.trait_id, loaded.paths
        ));
    }
    let root = base_dir().join(if events {
        format!("smithy_{}_events", protocol.name)
    } else {
        format!("smithy_{}", protocol.name)
    });
    let mut summary = Summary {
        protocol: protocol.name.to_owned(),
        events,
        ..Summary::default()
    };
    let services: Vec<Generated> = loaded
        .services
        .iter()
        .map(|s| generate(&root, protocol, &loaded.doc, s))
        .collect();
    // Per service: rendered test functions and their case labels.
    let mut rendered: Vec<(String, Vec<(String, String)>)> =
        vec![(String::new(), Vec::new()); services.len()];
    let mut used = std::collections::BTreeSet::new();
    for case in &loaded.cases {
        if (case.kind == Kind::Event) != events {
            continue;
        }
        if case.server_only() {
            summary.server_only += 1;
            continue;
        }
        summary.total += 1;
        let label = case.label();
        if let Some(why) = skips::reason(protocol.name, &case.id) {
            summary.skipped.push((label, why.to_owned()));
            continue;
        }
        let (index, op) = match place(case, &services) {
            Ok(p) => p,
            Err(e) => {
                summary.failed.push((label, e));
                continue;
            }
        };
        let g = &services[index];
        let svc = match &g.ir {
            Ok(svc) => svc,
            Err(e) => {
                summary.failed.push((label, e.clone()));
                continue;
            }
        };
        match render_case(svc, &g.krate, case, &op) {
            Ok(body) => {
                let base = format!("{}_{}", case.kind.word(), snake(&case.id));
                let mut name = base.clone();
                let mut n = 2;
                while !used.insert(name.clone()) {
                    name = format!("{base}_{n}");
                    n += 1;
                }
                let (source, tests) = &mut rendered[index];
                source.push_str(&format!(
                    "/// {} case `{}` ({}).\n#[tokio::test]\nasync fn {name}() {{\n{body}}}\n\n",
                    case.kind.word(),
                    case.id,
                    case.shape
                ));
                tests.push((name, label));
            }
            Err(e) => summary
                .failed
                .push((label, format!("cannot render the test: {e}"))),
        }
    }
    let crates: Vec<CaseCrate> = services
        .iter()
        .zip(&loaded.services)
        .zip(rendered)
        .filter(|((g, _), _)| g.ir.is_ok())
        .map(|((g, id), (source, tests))| CaseCrate {
            module: g.krate.trim_start_matches("pts_").to_owned(),
            doc: format!("Cases of service `{id}`"),
            krate: g.krate.clone(),
            source,
            tests,
        })
        .collect();
    let what = format!("tests/protocol_smithy, {}", protocol.name);
    for (label, outcome) in workspace::run_cases(&root, &what, &crates)? {
        match outcome {
            Outcome::Passed => summary.passed.push(label),
            Outcome::Failed(why) => summary.failed.push((label, why)),
        }
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_counts_client_cases() {
        let s = Summary {
            protocol: "awsJson1_1".into(),
            events: false,
            total: 4,
            server_only: 2,
            passed: vec!["request a".into(), "response a".into()],
            skipped: vec![("request c".into(), "why".into())],
            failed: vec![("response d".into(), "broke\nhere".into())],
        };
        assert_eq!(s.line(), "protocol tests awsJson1_1: passed 2/4, skipped 1");
        let r = s.report();
        assert!(r.contains("2 server-only cases"), "{r}");
        assert!(r.contains("skipped request c: why"), "{r}");
        assert!(r.contains("FAILED response d: broke\n    here"), "{r}");
        assert!(!s.ok());
    }
}
