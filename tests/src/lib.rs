//! Integration tests support.
