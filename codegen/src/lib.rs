//! Smithy code generator (skeleton).
