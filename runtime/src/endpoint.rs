//! endpoint (in progress).
