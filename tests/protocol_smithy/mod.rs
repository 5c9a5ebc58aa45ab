//! Protocol-compliance harness for the official Smithy protocol tests
//! (`$SMITHY_TESTDATA_DIR/smithy/protocol-tests/aws/<protocol>/`), read from their IDL.
//!
//! For each protocol: the IDL loader assembles its model files ([`cases`]); every service with
//! the protocol trait gets a crate from the real generator (`codegen::generate_crate_from_doc`);
//! every client case of the `smithy.test#httpRequestTests` / `httpResponseTests` traits becomes
//! one test rendered against the service that holds it ([`render`], with the value expressions
//! shared with the botocore harness in `tests/protocol/values.rs`); all of them are built and run
//! with one `cargo test` in a scratch workspace ([`runner`], `tests/protocol/workspace.rs`,
//! support library `tests/protocol/support.rs`). Cases that do not run are listed in [`skips`].
//!
//! A new protocol plugs in as an entry of [`cases::PROTOCOLS`] and a test in
//! `tests/tests/protocol_smithy.rs`.

pub mod cases;
pub mod events;
pub mod render;
pub mod runner;
pub mod skips;
#[path = "../protocol/values.rs"]
pub mod values;
#[path = "../protocol/workspace.rs"]
pub mod workspace;

/// Runs the client cases of `protocol` and panics unless each passed or is skip-listed. The
/// summary line is recorded for `cargo xtask test` to print (`integration_tests::report_summary`).
pub fn check(protocol: &str) {
    let p = cases::protocol(protocol).unwrap_or_else(|| panic!("unknown protocol {protocol}"));
    let summary = runner::run(&p, false).unwrap_or_else(|e| panic!("{e}"));
    integration_tests::report_summary(&format!("protocol_tests_{protocol}"), &summary.line());
    let report = summary.report();
    assert!(summary.ok(), "{report}");
    println!("{report}");
}

/// Runs the client cases of the `smithy.test#eventStreamTests` of `protocol` (summary line
/// `event stream tests: passed N/M, skipped K`) and panics unless each passed or is
/// skip-listed.
pub fn check_event_streams(protocol: &str) {
    let p = cases::protocol(protocol).unwrap_or_else(|| panic!("unknown protocol {protocol}"));
    let summary = runner::run(&p, true).unwrap_or_else(|e| panic!("{e}"));
    integration_tests::report_summary("event_stream_tests", &summary.line());
    let report = summary.report();
    assert!(summary.ok(), "{report}");
    println!("{report}");
}
