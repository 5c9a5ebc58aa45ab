//! Generator errors: each names the culprit (a shape id or the model file) and the reason.

use std::fmt;

/// An error from loading, transforming or emitting a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodegenError {
    /// The shape (or member) the error is about, when there is one.
    pub shape: Option<String>,
    /// Why generation failed.
    pub reason: String,
}

impl CodegenError {
    /// An error about one shape or member.
    pub fn shape(shape: impl Into<String>, reason: impl Into<String>) -> Self {
        CodegenError {
            shape: Some(shape.into()),
            reason: reason.into(),
        }
    }

    /// An error about the model as a whole (the reason names the file).
    pub fn model(reason: impl Into<String>) -> Self {
        CodegenError {
            shape: None,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for CodegenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.shape {
            Some(s) => write!(f, "shape {s}: {}", self.reason),
            None => f.write_str(&self.reason),
        }
    }
}

impl std::error::Error for CodegenError {}

/// Result alias for the generator.
pub type Result<T, E = CodegenError> = std::result::Result<T, E>;
