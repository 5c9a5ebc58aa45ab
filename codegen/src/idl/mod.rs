//! The Smithy IDL loader: `.smithy` files (IDL 2.0, and 1.0 as the reference loader reads it),
//! alone or mixed with JSON AST files, into one JSON AST document that the rest of the pipeline
//! ([`crate::model::Model::from_value`]) reads as it reads a JSON model.
//!
//! Two stages: [`parser`] turns each file into a syntax tree ([`syntax`]) and [`assemble`]
//! resolves names across all files (forward references, `use`, the prelude and the standard
//! trait namespaces of [`standard`]), expands inline operation input/output and elided members,
//! applies `apply` statements and merges metadata. Every error names the file, line and column.
//! [`write`](mod@write) goes the other way: a JSON AST document as IDL text.

pub mod assemble;
pub mod parser;
pub mod standard;
pub mod syntax;
pub mod write;

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::{CodegenError, Result};

/// One model file's name (for errors; its extension picks the format) and text.
#[derive(Debug, Clone)]
pub struct Source {
    /// The file name or path; `.json` means JSON AST, anything else IDL.
    pub name: String,
    /// The file's text.
    pub text: String,
}

/// Whether a file name is a JSON AST file (else IDL).
fn is_json(name: &str) -> bool {
    name.ends_with(".json")
}

/// Parses one IDL file into its syntax tree; errors read `name:line:col: reason`.
pub fn parse_idl(text: &str, name: &str) -> Result<syntax::IdlFile> {
    parser::parse(text).map_err(|e| {
        CodegenError::model(format!(
            "{name}:{}:{}: {}",
            e.pos.line, e.pos.col, e.message
        ))
    })
}

/// Loads model files (IDL and JSON AST, in any mix) into one JSON AST document.
pub fn load_sources(sources: &[Source]) -> Result<Value> {
    let mut parsed = Vec::with_capacity(sources.len());
    for s in sources {
        if is_json(&s.name) {
            let doc: Value = serde_json::from_str(&s.text).map_err(|e| {
                CodegenError::model(format!(
                    "{}:{}:{}: malformed JSON: {e}",
                    s.name,
                    e.line(),
                    e.column()
                ))
            })?;
            parsed.push(assemble::Parsed::Json {
                name: s.name.clone(),
                doc,
            });
        } else {
            parsed.push(assemble::Parsed::Idl {
                name: s.name.clone(),
                file: parse_idl(&s.text, &s.name)?,
            });
        }
    }
    assemble::assemble(&parsed).map_err(|e| CodegenError::model(e.0))
}

/// The model files a path names: the file itself, or every `.smithy` and `.json` file under a
/// directory (recursively, in name order).
pub fn model_files(path: &Path) -> Result<Vec<PathBuf>> {
    let meta = std::fs::metadata(path)
        .map_err(|e| CodegenError::model(format!("{}: {e}", path.display())))?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir)
            .map_err(|e| CodegenError::model(format!("{}: {e}", dir.display())))?;
        for entry in entries {
            let p = entry
                .map_err(|e| CodegenError::model(format!("{}: {e}", dir.display())))?
                .path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "smithy" || e == "json") {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Loads files and directories of model files (IDL and JSON AST) into one JSON AST document.
pub fn load_paths(paths: &[PathBuf]) -> Result<Value> {
    let mut sources = Vec::new();
    for p in paths {
        for f in model_files(p)? {
            let text = std::fs::read_to_string(&f)
                .map_err(|e| CodegenError::model(format!("{}: {e}", f.display())))?;
            sources.push(Source {
                name: f.display().to_string(),
                text,
            });
        }
    }
    load_sources(&sources)
}

/// Writes a document as IDL ([`write::to_idl`]) and loads the IDL back: the same model, which
/// the round-trip test and the fuzz targets check.
pub fn reload_as_idl(doc: &Value) -> Result<Value> {
    let files = write::to_idl(doc).map_err(|e| CodegenError::model(e.0))?;
    let sources: Vec<Source> = files
        .into_iter()
        .map(|(ns, text)| Source {
            name: format!("{}.smithy", if ns.is_empty() { "metadata" } else { &ns }),
            text,
        })
        .collect();
    load_sources(&sources)
}

#[cfg(test)]
mod tests;
