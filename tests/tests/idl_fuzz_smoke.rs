//! CI's bounded fuzz pass over the IDL loader (the cargo-fuzz target is `fuzz/fuzz_targets/
//! idl_loader.rs`): a deterministic mutation fuzzer (fixed seed, fixed iteration count) whose
//! inputs start from the reference loader's fixtures and the official protocol test models in
//! `$SMITHY_TESTDATA_DIR/smithy/`. Every mutant is loaded as IDL; one that loads is written back
//! as IDL and loaded again. A panic fails the test and prints the input that caused it.
//!
//! Run: `cargo test -p integration-tests --test idl_fuzz_smoke`.

use std::panic::{catch_unwind, AssertUnwindSafe};

use codegen::idl::{load_sources, reload_as_idl, Source};
use integration_tests::{files_with_extension, Rng};

/// Mutants in all.
const ITERATIONS: usize = 30_000;

/// Tokens of the IDL worth inserting.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    "@",
    "$",
    "#",
    ":",
    ":=",
    "=",
    ",",
    "\"",
    "\"\"\"",
    "\\",
    "\\u",
    "\n",
    " ",
    "//",
    "///",
    "with [",
    "for ",
    "apply ",
    "use ",
    "namespace ",
    "metadata ",
    "$version: \"2\"\n",
    "$version: \"1.0\"\n",
    "structure ",
    "list ",
    "map ",
    "enum ",
    "intEnum ",
    "union ",
    "service ",
    "resource ",
    "operation ",
    "input := {",
    "output: ",
    "errors: [",
    "@mixin\n",
    "@trait\n",
    "@required",
    "@default(0)",
    "smithy.api#",
    "Unit",
    "-",
    "1e",
    "1.",
    "9999999999999999999999",
    "null",
    "true",
    "$member",
    "\u{e9}",
    "\u{1f600}",
];

fn seeds() -> Vec<String> {
    let root = integration_tests::data_dir("SMITHY_TESTDATA_DIR", "testdata").join("smithy");
    let mut files = Vec::new();
    for dir in [
        "idl-loader/valid",
        "idl-loader/invalid",
        "protocol-tests/aws/awsJson1_1",
    ] {
        files.extend(files_with_extension(&root.join(dir), "smithy"));
    }
    assert!(
        files.len() > 200,
        "test data missing: expected the IDL fixtures under {}",
        root.display()
    );
    files
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect()
}

fn mutate(rng: &mut Rng, seeds: &[String], base: &str) -> String {
    let mut s: Vec<char> = base.chars().collect();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(s.len() + 1);
        match rng.below(6) {
            0 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                s.splice(at..at, t.chars());
            }
            1 if !s.is_empty() => {
                let end = (at + 1 + rng.below(16)).min(s.len());
                s.drain(at.min(end)..end);
            }
            2 if !s.is_empty() => {
                let i = at.min(s.len() - 1);
                s[i] = char::from(rng.below(128) as u8);
            }
            3 => {
                let other: Vec<char> = seeds[rng.below(seeds.len())].chars().collect();
                let from = rng.below(other.len());
                let to = (from + rng.below(200)).min(other.len());
                s.splice(at..at, other[from..to].iter().copied());
            }
            4 if !s.is_empty() => {
                let end = (at + rng.below(32)).min(s.len());
                let chunk: Vec<char> = s[at.min(end)..end].to_vec();
                s.splice(at..at, chunk);
            }
            _ => s.truncate(at),
        }
    }
    s.into_iter().collect()
}

fn load_and_rewrite(text: &str) {
    let src = [Source {
        name: "mutant.smithy".into(),
        text: text.to_owned(),
    }];
    if let Ok(doc) = load_sources(&src) {
        let _ = reload_as_idl(&doc);
    }
}

#[test]
fn idl_loader_survives_mutated_fixtures() {
    let seeds = seeds();
    let mut rng = Rng::new(0x05ee_d1d1_f00d);
    let mut loaded = 0usize;
    for i in 0..ITERATIONS {
        let base = &seeds[i % seeds.len()];
        let input = mutate(&mut rng, &seeds, base);
        let outcome = catch_unwind(AssertUnwindSafe(|| load_and_rewrite(&input)));
        assert!(
            outcome.is_ok(),
            "the IDL loader panicked on mutant #{i}:\n{input}"
        );
        if load_sources(&[Source {
            name: "m.smithy".into(),
            text: input,
        }])
        .is_ok()
        {
            loaded += 1;
        }
    }
    integration_tests::report_summary(
        "idl_fuzz_smoke",
        &format!("idl fuzz smoke: {ITERATIONS} mutants, {loaded} loaded, no panic"),
    );
}
