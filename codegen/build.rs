//! Tells the tests whether the upstream OpenAPI documents are beside the checkout
//! (`../shared/openapi`), so that tests comparing against them are reported as ignored,
//! not passed, where they are absent.

use std::path::Path;

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let dir = Path::new(&manifest).join("../../shared/openapi");
    println!("cargo::rustc-check-cfg=cfg(upstream_specs)");
    println!("cargo::rerun-if-changed={}", dir.display());
    if dir.join("openrouter-2026-08-22.yaml").is_file()
        && dir.join("openrouter-2026-04-20.yaml").is_file()
    {
        println!("cargo::rustc-cfg=upstream_specs");
    }
}
