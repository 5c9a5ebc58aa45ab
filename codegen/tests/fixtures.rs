//! Snapshot tests: one small hand-written model per feature (under `tests/fixtures/`), the
//! generated types and operation module snapshotted with insta. CI runs with `INSTA_UPDATE=no`.
//!
//! Fixtures are Smithy IDL (`X.smithy`, read by `codegen::idl`) unless they need what only the
//! JSON AST can say (`keywords.json`: member names that are not Smithy identifiers) or are also
//! read as JSON elsewhere (`plain_service.json`). The input format does not change the output:
//! the snapshots were taken from the JSON versions of the IDL fixtures.

use std::path::PathBuf;

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

/// Generates the fixture crate and returns the files worth reviewing, concatenated with headers.
fn generate(name: &str) -> String {
    generate_files(name, |p| {
        (p.starts_with("src/types/") && !p.ends_with("mod.rs")) || p == "src/operation/run.rs"
    })
}

/// Generates the fixture crate and returns the files `pick` selects, concatenated with headers.
fn generate_files(name: &str, pick: impl Fn(&str) -> bool) -> String {
    let idl = fixtures_dir().join(format!("{name}.smithy"));
    let krate = format!("fixture_{name}");
    let files = if idl.is_file() {
        let doc = codegen::idl::load_paths(std::slice::from_ref(&idl))
            .unwrap_or_else(|e| panic!("fixture {name} must load: {e}"));
        codegen::generate_crate_from_doc(
            &doc,
            &idl.display().to_string(),
            None,
            &krate,
            &Default::default(),
        )
    } else {
        let path = fixtures_dir().join(format!("{name}.json"));
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("fixture {} missing: {e}", path.display()));
        codegen::generate_crate(
            &text,
            &path.display().to_string(),
            None,
            &krate,
            &Default::default(),
        )
    }
    .unwrap_or_else(|e| panic!("fixture {name} must generate: {e}"));
    let mut out = String::new();
    for (p, body) in &files {
        if pick(p) {
            out.push_str(&format!("=== {p}\n{body}\n"));
        }
    }
    out
}

macro_rules! fixture {
    ($($name:ident),* $(,)?) => {$(
        #[test]
        fn $name() {
            insta::assert_snapshot!(stringify!($name), generate(stringify!($name)));
        }
    )*};
}

fixture!(
    enum_,
    int_enum,
    union,
    recursive,
    sensitive,
    required_default,
    keywords,
    document,
    timestamps,
    sparse,
    error
);

/// A service that is not an AWS service (no `aws.api#service`, no SigV4, no endpoint rules) with
/// a `rename` map: the service description (no sdkId, no signing name, no rules), the quick start
/// (an endpoint URL, no credentials), the renamed types and the operation.
#[test]
fn plain_service() {
    insta::assert_snapshot!(
        "plain_service",
        generate_files("plain_service", |p| {
            matches!(
                p,
                "src/lib.rs" | "src/config.rs" | "src/operation/get_forecast.rs"
            ) || (p.starts_with("src/types/") && p != "src/types/error/mod.rs")
        })
    );
}

/// Waiters (`smithy.waiters#waitable`): every acceptor kind and comparator, paths over the
/// output and over `{input, output}`, projections, filters, flatten, indexes, a map's values,
/// multi-select lists, `length`, `contains`, `&&`, `||`, `!`, and a deprecated waiter.
#[test]
fn waiters() {
    insta::assert_snapshot!(
        "waiters",
        generate_files("waiters", |p| p.starts_with("src/waiters/"))
    );
}

#[test]
fn every_fixture_has_a_test() {
    let mut names: Vec<String> = std::fs::read_dir(fixtures_dir())
        .expect("tests/fixtures exists")
        .filter_map(|e| {
            e.ok()?
                .path()
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
        })
        .collect();
    names.sort();
    names.dedup();
    assert_eq!(
        names,
        [
            "document",
            "enum_",
            "error",
            "int_enum",
            "keywords",
            "plain_service",
            "recursive",
            "required_default",
            "sensitive",
            "sparse",
            "timestamps",
            "union",
            "waiters"
        ]
    );
}

#[test]
fn generation_is_deterministic() {
    for name in ["union", "keywords", "error"] {
        assert_eq!(generate(name), generate(name), "{name}");
    }
}
