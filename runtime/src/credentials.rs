//! credentials (in progress).
