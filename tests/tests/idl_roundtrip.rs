//! Every shared AWS model, JSON AST → IDL (`codegen::idl::write`) → the IDL loader, gives the model
//! it started from. A test of the loader at the scale of real services (every trait value, every
//! documentation string, every shape kind the AWS models use) and of the IDL writer.

use codegen::idl::{self, Source};
use integration_tests::files_with_extension;
use integration_tests::model_compare::{first_diff, model_view};

#[test]
fn every_shared_model_round_trips_through_idl() {
    let dir = integration_tests::data_dir("SMITHY_MODELS_DIR", "models");
    let files = files_with_extension(&dir, "json");
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
        match idl::reload_as_idl(&original) {
            Ok(back) => {
                if let Some(d) = first_diff(&model_view(&back), &model_view(&original), "") {
                    failures.push(format!("{name}: differs at {d}"));
                }
            }
            Err(e) => failures.push(format!("{name}: written as IDL, it does not load: {e}")),
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
