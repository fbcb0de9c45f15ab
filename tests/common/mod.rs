//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// The `../shared` folder beside the crate, or `None` (with a visible skip message) when it is absent.
/// With `RELUMIP_REQUIRE_SHARED=1` (set in CI) a missing folder is a failure.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if dir.join("benchmarks").is_dir() {
        return Some(dir);
    }
    if std::env::var("RELUMIP_REQUIRE_SHARED").is_ok_and(|v| v == "1") {
        panic!(
            "../shared is required (RELUMIP_REQUIRE_SHARED=1) but {} is missing",
            dir.display()
        );
    }
    eprintln!("SKIPPED: ../shared not found at {}", dir.display());
    None
}

/// Path of the built `relumip` binary.
pub fn relumip_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_relumip"))
}

/// Path inside the crate.
pub fn crate_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}
