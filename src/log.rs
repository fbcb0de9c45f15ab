//! The progress log: a fixed-column table printed to a sink.
