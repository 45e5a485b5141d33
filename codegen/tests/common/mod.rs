//! Paths shared by the generator's integration tests.

use std::path::PathBuf;

/// The project's own OpenAPI document.
#[allow(dead_code)]
pub fn project_spec() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../openapi/workspaces.yaml")
}

/// An upstream document in `../shared/openapi` (present where `cfg(upstream_specs)` is set).
#[allow(dead_code)]
pub fn upstream_spec(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/openapi")
        .join(name)
}
