//! paginator (in progress).
