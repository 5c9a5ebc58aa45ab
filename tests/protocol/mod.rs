//! Protocol-compliance harness: the botocore awsJson, rest-json, query, ec2 and rest-xml
//! protocol tests, run through generated code.
//!
//! For each protocol file: every suite is converted to a Smithy model ([`convert`]), a client
//! crate is generated from it with `codegen::generate_crate`, a test per case is rendered
//! ([`render`], with the value expressions of [`values`]) into a cases crate whose support
//! library is [`support`], and all of it is built and run with one `cargo test` in a scratch
//! workspace under `target/protocol-tests/` ([`runner`], [`workspace`]). Cases that do not apply
//! are listed in [`skips`].
//!
//! [`values`], [`workspace`] and [`support`] are shared with the harness of the official Smithy
//! protocol tests (`tests/protocol_smithy/`).

pub mod convert;
pub mod data;
pub mod render;
pub mod runner;
pub mod skips;
#[allow(dead_code)]
pub mod support;
pub mod values;
pub mod workspace;

use data::Direction;

/// The protocol files this harness runs.
pub const FILES: [(Direction, &str); 12] = [
    (Direction::Input, "json.json"),
    (Direction::Input, "json_1_0.json"),
    (Direction::Output, "json.json"),
    (Direction::Output, "json_1_0.json"),
    (Direction::Input, "rest-json.json"),
    (Direction::Output, "rest-json.json"),
    (Direction::Input, "query.json"),
    (Direction::Output, "query.json"),
    (Direction::Input, "ec2.json"),
    (Direction::Output, "ec2.json"),
    (Direction::Input, "rest-xml.json"),
    (Direction::Output, "rest-xml.json"),
];

/// Runs one file and panics unless every applicable case passed.
pub fn check_file(direction: Direction, file: &str) {
    let summary = runner::run_file(direction, file).unwrap_or_else(|e| panic!("{e}"));
    let report = summary.report();
    if let Some(line) = report.lines().next() {
        let name = summary
            .name
            .replace(|c: char| !c.is_ascii_alphanumeric(), "_");
        integration_tests::report_summary(&format!("protocol_{name}"), line);
    }
    assert!(
        summary.failed.is_empty()
            && summary.passed.len() + summary.not_applicable.len() == summary.total,
        "{report}"
    );
    println!("{report}");
}
