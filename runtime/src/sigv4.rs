//! sigv4 (in progress).
