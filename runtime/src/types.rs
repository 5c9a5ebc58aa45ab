//! types (in progress).
