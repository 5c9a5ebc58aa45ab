//! The Smithy IDL loader (`codegen::idl`): arbitrary bytes as model files. The input is split at
//! NUL bytes into up to three files; one that starts with `{` is read as a JSON AST file, any
//! other as IDL. A model that loads is also written back as IDL (`codegen::idl::write`) and
//! loaded again. Any panic is a bug: bad input must give an error.
#![no_main]

use codegen::idl::{load_sources, reload_as_idl, Source};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let sources: Vec<Source> = data
        .split(|b| *b == 0)
        .take(3)
        .enumerate()
        .map(|(i, part)| {
            let text = String::from_utf8_lossy(part).into_owned();
            let ext = if text.trim_start().starts_with('{') {
                "json"
            } else {
                "smithy"
            };
            Source {
                name: format!("fuzz{i}.{ext}"),
                text,
            }
        })
        .collect();
    if let Ok(doc) = load_sources(&sources) {
        let _ = reload_as_idl(&doc);
    }
});
