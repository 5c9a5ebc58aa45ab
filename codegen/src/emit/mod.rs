//! Pure functions from the IR to token streams, one module per concern, assembled into the files
//! of a crate.

pub mod behaviour_docs;
pub mod blocking;
pub mod cbor;
pub mod common;
pub mod crate_files;
pub mod discovery;
pub mod event_stream;
pub mod features;
pub mod json;
pub mod literal;
pub mod mocks;
pub mod operation;
pub mod paginator;
pub mod query;
pub mod reexports;
pub mod serde_tests;
pub mod shapes;
pub mod tests;
pub mod waiter_paths;
pub mod waiters;
pub mod xml;

use proc_macro2::TokenStream;

/// The contents of one generated file before formatting.
pub enum FileContent {
    /// Rust source, laid out by [`crate::write::print`] when written.
    Rust(TokenStream),
    /// Any other text (written as is).
    Text(String),
}

/// One generated file, its path relative to the crate directory.
pub struct EmittedFile {
    /// Relative path, `/`-separated.
    pub path: String,
    /// What goes in it.
    pub content: FileContent,
}

/// One file still to be emitted: its path and the (thread-safe) function that emits it.
pub struct FileJob<'a> {
    /// Relative path, `/`-separated.
    pub path: String,
    make: Box<dyn Fn() -> FileContent + Send + Sync + 'a>,
}

impl<'a> FileJob<'a> {
    /// A Rust file made by `make`.
    pub fn rust(
        path: impl Into<String>,
        make: impl Fn() -> TokenStream + Send + Sync + 'a,
    ) -> Self {
        FileJob {
            path: path.into(),
            make: Box::new(move || FileContent::Rust(make())),
        }
    }

    /// A text file made by `make`.
    pub fn text(path: impl Into<String>, make: impl Fn() -> String + Send + Sync + 'a) -> Self {
        FileJob {
            path: path.into(),
            make: Box::new(move || FileContent::Text(make())),
        }
    }

    /// Runs the emitter.
    pub fn emit(&self) -> EmittedFile {
        EmittedFile {
            path: self.path.clone(),
            content: (self.make)(),
        }
    }
}
