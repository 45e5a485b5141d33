//! Generates the models and the blocking operations from the OpenAPI document.
//!
//! The document is `openapi/workspaces.yaml`, or the file named by `OPENROUTER_OPENAPI_SPEC`,
//! with the overlay `openapi/write-safety.overlay.yaml` (or `OPENROUTER_OPENAPI_OVERLAY`)
//! applied; `OPENROUTER_OPENAPI_TAGS` (comma-separated, default `Workspaces`) selects the
//! operations.
//! All the work is in the `openrouter-workspaces-codegen` crate; this script only wires it
//! to Cargo.

use std::path::PathBuf;
use std::process::ExitCode;

use openrouter_workspaces_codegen::{
    Config, OVERLAY_ENV, SPEC_ENV, STRICT_ENV, TAGS_ENV, generate_report,
};

fn main() -> ExitCode {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed={SPEC_ENV}");
    println!("cargo:rerun-if-env-changed={TAGS_ENV}");
    println!("cargo:rerun-if-env-changed={STRICT_ENV}");
    println!("cargo:rerun-if-env-changed={OVERLAY_ENV}");

    let vendored = manifest_dir.join("openapi").join("workspaces.yaml");
    let overlay = manifest_dir
        .join("openapi")
        .join("write-safety.overlay.yaml");
    let config = Config::from_vars(
        |name| std::env::var(name).ok(),
        &vendored,
        &overlay,
        &manifest_dir,
    );
    println!("cargo:rerun-if-changed={}", config.spec.display());
    for overlay in &config.overlays {
        println!("cargo:rerun-if-changed={}", overlay.display());
    }

    // Cargo runs this script in this crate's directory, so a relative path is taken from
    // there: from a project that depends on this crate, that is the wrong place.
    if let Ok(given) = std::env::var(SPEC_ENV)
        && PathBuf::from(given.trim()).is_relative()
        && !given.trim().is_empty()
        && !config.spec.exists()
    {
        let given = given.trim();
        let message = format!(
            "{SPEC_ENV}=`{given}` is a relative path, so it was looked up in {} (the \
             openrouter-workspaces crate's own directory), where {} does not exist. Give an \
             absolute path, or, from a project that depends on this crate, set it in that \
             project's .cargo/config.toml so that Cargo makes it absolute: \
             [env] {SPEC_ENV} = {{ value = \"{given}\", relative = true }}",
            manifest_dir.display(),
            config.spec.display()
        );
        eprintln!("error: {message}");
        println!("cargo:warning=openrouter-workspaces: {message}");
        return ExitCode::FAILURE;
    }

    match generate_report(&config) {
        Ok(generated) => {
            for skipped in &generated.skipped {
                println!("cargo:warning=openrouter-workspaces: {skipped}");
            }
            for unmatched in &generated.unmatched {
                println!("cargo:warning=openrouter-workspaces: {unmatched}");
            }
            let target = out_dir.join("openrouter_workspaces.rs");
            if let Err(e) = std::fs::write(&target, generated.source) {
                eprintln!("error: cannot write {}: {e}", target.display());
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            // One line Cargo shows as the reason the build failed; no backtrace.
            eprintln!("error: cannot generate the client from the OpenAPI document: {e}");
            println!("cargo:warning=openrouter-workspaces: {e}");
            ExitCode::FAILURE
        }
    }
}
