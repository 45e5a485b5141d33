//! Arbitrary bytes as an OpenAPI document: the loader (JSON and YAML), then every later
//! stage of the generator on whatever loads. The generator must answer with an `Error`,
//! never panic, hang or exhaust memory.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use openrouter_workspaces_codegen::{generate_from_value, load, normalise, parse, select};

/// Larger inputs are skipped: they only slow the fuzzer down.
const MAX_INPUT: usize = 64 * 1024;

fuzz_target!(|data: &[u8]| {
    if data.len() > MAX_INPUT {
        return;
    }
    let file = Path::new("fuzz.yaml");
    // Valid UTF-8 as it is; anything else through the lossy decoding, so that both the
    // loader's own paths and those of documents with replacement characters are reached.
    let text = String::from_utf8_lossy(data);
    for format in [load::Format::Json, load::Format::Yaml] {
        if let Ok(document) = load::parse_str(&text, format, file) {
            run_stages(&document, file);
        }
    }
});

fn run_stages(document: &serde_json::Value, file: &Path) {
    let tags = ["Workspaces".to_string()];
    let Ok(mut selected) = select::select(document, &tags, file) else {
        return;
    };
    if normalise::normalise(&mut selected, file).is_err() {
        return;
    }
    if parse::parse(&selected, file).is_err() {
        return;
    }
    // Only a document that parses is worth the whole generator (models, operations and
    // formatting); it repeats the stages above itself.
    let _ = generate_from_value(document, &tags, false, file);
}
