//! Every shared AWS model, JSON AST → IDL (`codegen::idl::write`) → the IDL loader, gives the model
//! it started from. A test of the loader at the scale of real services (every trait value, every
//! documentation string, every shape kind the AWS models use) and of the IDL writer.

use std::path::{Path, PathBuf};

use codegen::idl::{self, Source};
use integration_tests::model_compare::{first_diff, model_view};

fn model_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            model_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
}

#[test]
fn every_shared_model_round_trips_through_idl() {
    let dir = integration_tests::data_dir("SMITHY_MODELS_DIR", "models");
    let mut files = Vec::new();
    model_files(&dir, &mut files);
    assert!(
        files.len() > 300,
        "expected the shared models, found {}",
        files.len()
    );
    let mut failures = Vec::new();
    for f in &files {
        let name = f.display().to_string();
        let text = std::fs::read_to_string(f).unwrap_or_else(|e| panic!("{name}: {e}"));
        let original = idl::load_sources(&[Source {
            name: name.clone(),
            text,
        }])
        .unwrap_or_else(|e| panic!("{name}: the JSON model does not load: {e}"));
        let idl_files = match idl::write::to_idl(&original) {
            Ok(files) => files,
            Err(e) => {
                failures.push(format!("{name}: writing IDL: {}", e.0));
                continue;
            }
        };
        let sources: Vec<Source> = idl_files
            .into_iter()
            .map(|(ns, text)| Source {
                name: format!("{name} as IDL ({ns}.smithy)"),
                text,
            })
            .collect();
        match idl::load_sources(&sources) {
            Ok(back) => {
                if let Some(d) = first_diff(&model_view(&back), &model_view(&original), "") {
                    failures.push(format!("{name}: differs at {d}"));
                }
            }
            Err(e) => failures.push(format!("{name}: the IDL does not load: {e}")),
        }
    }
    integration_tests::report_summary(
        "idl_roundtrip",
        &format!(
            "idl round trip (JSON -> IDL -> loader): {}/{} shared models",
            files.len() - failures.len(),
            files.len()
        ),
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
