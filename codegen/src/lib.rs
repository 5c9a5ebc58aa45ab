//! Smithy 2.0 JSON AST → Rust client code generator.
//!
//! A pipeline of small named stages: [`model`] (serde types for the AST), [`transform`]
//! (normalisation passes), [`ir`] (the resolved picture emitters need), [`emit`] (token streams)
//! and [`write`](mod@write) (formatting, headers, writing only changed files).

pub mod auth;
pub mod behaviours;
pub mod customize;
pub mod docs;
pub mod emit;
pub mod error;
pub mod idl;
pub mod ir;
pub mod jmespath;
pub mod manifest;
pub mod model;
pub mod names;
pub mod partitions;
pub mod prelude;
pub mod protocol;
pub mod transform;
pub mod write;

use std::collections::BTreeMap;

pub use emit::crate_files::CrateOptions;
pub use error::{CodegenError, Result};

/// A generated crate: its files (path relative to the crate directory → contents) and what the
/// generator left out, one line each naming the shape and the reason ([`ir::Service::notes`]).
#[derive(Debug, Clone, Default)]
pub struct Generated {
    /// The files.
    pub files: BTreeMap<String, String>,
    /// What was left out (examples or smoke tests whose values do not fit the model).
    pub notes: Vec<String>,
    /// What the model asks of the client beyond plain calls (waiters, event streams, ...) and
    /// what the crate handles ([`behaviours`]).
    pub behaviours: behaviours::Behaviours,
}

/// Generates a whole crate from an assembled JSON AST document, with the generator's notes.
/// `source` names the model in error messages.
pub fn generate(
    doc: &serde_json::Value,
    source: &str,
    service: Option<&str>,
    crate_name: &str,
    opts: &CrateOptions,
) -> Result<Generated> {
    let model = model::Model::from_value(doc, source)?;
    let asked = behaviours::asked(&model, service);
    let svc = ir::build(model, service, crate_name)?;
    let jobs = emit::crate_files::crate_jobs(&svc, opts);
    Ok(Generated {
        files: write::render(&jobs)?,
        notes: svc.notes.clone(),
        behaviours: behaviours::Behaviours {
            asked,
            handled: behaviours::handled(&svc),
        },
    })
}

/// Generates a whole crate from a model's JSON text. Returns file contents keyed by path relative
/// to the crate directory. `source` names the model in error messages.
pub fn generate_crate(
    model_json: &str,
    source: &str,
    service: Option<&str>,
    crate_name: &str,
    opts: &CrateOptions,
) -> Result<BTreeMap<String, String>> {
    let model = model::Model::from_json(model_json, source)?;
    generate_from_model(model, service, crate_name, opts)
}

/// Generates a whole crate from an already assembled JSON AST document, such as the one
/// [`idl::load_paths`] gives for IDL files. Otherwise as [`generate_crate`].
pub fn generate_crate_from_doc(
    doc: &serde_json::Value,
    source: &str,
    service: Option<&str>,
    crate_name: &str,
    opts: &CrateOptions,
) -> Result<BTreeMap<String, String>> {
    let model = model::Model::from_value(doc, source)?;
    generate_from_model(model, service, crate_name, opts)
}

fn generate_from_model(
    model: model::Model,
    service: Option<&str>,
    crate_name: &str,
    opts: &CrateOptions,
) -> Result<BTreeMap<String, String>> {
    let svc = ir::build(model, service, crate_name)?;
    let jobs = emit::crate_files::crate_jobs(&svc, opts);
    write::render(&jobs)
}
