//! Typed options with defaults and validation.
