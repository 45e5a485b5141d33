//! Stage 5: the model types, from progenitor's type space.
//!
//! Progenitor runs over a copy of the document without paths: with paths it also checks
//! that every error status of an operation shares one schema, which OpenRouter's do not,
//! and our own emitter writes the operations anyway.
//!
//! Validation keywords are removed from the copy. With them, typify wraps every constrained
//! field in a newtype whose `TryFrom` owns the check; we check constraints in one place
//! before sending instead (see the runtime's `validation` module), so that models stay
//! plain structs and a response that drifts from a request-side limit still decodes.

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::sync::Once;

use proc_macro2::TokenStream;
use progenitor::{GenerationSettings, Generator};
use serde_json::{Value, json};

use crate::error::{Error, ErrorKind, Result};
use crate::parse::parse;

/// Gives an integer the document bounds below by 0 or more an unsigned format (`uint64`,
/// or `uint32` for `int32`), so that the model holds a `u64` (a count compares with
/// `len()` and with the `u64` of `limit`/`offset`) once the bound itself is removed.
fn unsigned_where_non_negative(map: &mut serde_json::Map<String, Value>) {
    let is_integer = match map.get("type") {
        Some(Value::String(t)) => t == "integer",
        Some(Value::Array(types)) => types.iter().any(|t| t == "integer"),
        _ => false,
    };
    let lower = |key: &str| map.get(key).and_then(Value::as_f64);
    // 3.1 states an exclusive bound as a number; 3.0 as a flag on `minimum`.
    let non_negative = lower("minimum").is_some_and(|m| m >= 0.0)
        || lower("exclusiveMinimum").is_some_and(|m| m >= -1.0);
    if !is_integer || !non_negative {
        return;
    }
    let unsigned = match map.get("format").and_then(Value::as_str) {
        None | Some("int64") => "uint64",
        Some("int32") => "uint32",
        Some(_) => return,
    };
    map.insert("format".into(), Value::String(unsigned.into()));
}

/// Keywords that only restrict values; models do not enforce them.
const VALIDATION_KEYWORDS: [&str; 13] = [
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
];

/// String formats kept as plain `String`s in the models.
const STRING_FORMATS: [&str; 4] = ["date-time", "date", "time", "duration"];

/// Generates the model types of every schema in `components/schemas`, as the contents of
/// a `types` module.
pub fn generate_models(doc: &Value, file: &Path) -> Result<TokenStream> {
    let mut models_doc = doc.clone();
    if let Some(schemas) = models_doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for schema in schemas.values_mut() {
            strip_validation(schema);
        }
    }
    let openings = crate::open::prepare(&mut models_doc);
    models_doc["paths"] = json!({});
    let spec = parse(&models_doc, file)?;

    let mut settings = GenerationSettings::default();
    settings.with_derive("PartialEq");
    let mut generator = Generator::new(&settings);

    let tokens = contain_panics(|| {
        generator
            .generate_tokens(&spec)
            .map(|_client_code_we_do_not_use| generator.get_type_space().to_stream())
    })
    .map_err(|panic_message| {
        Error::new(
            ErrorKind::Models,
            file,
            "/components/schemas",
            format!("the model generator panicked: {panic_message}"),
        )
    })?
    .map_err(|e| {
        Error::new(
            ErrorKind::Models,
            file,
            "/components/schemas",
            format!("the model generator rejected the schemas: {e}"),
        )
    })?;
    crate::open::rewrite(tokens, &openings).map_err(|e| {
        Error::new(
            ErrorKind::Models,
            file,
            "/components/schemas",
            format!("the generated models could not be opened to newer servers: {e}"),
        )
    })
}

/// Runs `f`, turning a panic into its message (and where it was raised).
///
/// Progenitor and typify report schemas they cannot handle by panicking; a build must show
/// an error naming the spec, not the default hook's "thread panicked" text and backtrace.
/// The panic hook is process-wide and generation runs on several threads at once (tests,
/// a build script beside others), so it is never swapped per call: one thread restoring
/// "its" previous hook would drop another's. Instead one hook, installed once, stays quiet
/// and notes the place for a thread inside `contain_panics`, and passes every other panic
/// to the hook that was installed before it. The message itself comes from the panic's
/// payload, so it is right even if other code replaces the hook later.
pub(crate) fn contain_panics<T>(f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    QUIET_HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if CONTAINING.try_with(Cell::get).unwrap_or(false) {
                let place = info
                    .location()
                    .map(|l| format!(" ({}:{})", l.file(), l.line()));
                let _ = PANIC_PLACE.try_with(|p| *p.borrow_mut() = place);
            } else {
                previous(info);
            }
        }));
    });
    PANIC_PLACE.with(|p| p.borrow_mut().take());
    let outer = CONTAINING.replace(true);
    let outcome = panic::catch_unwind(AssertUnwindSafe(f));
    CONTAINING.set(outer);
    let place = PANIC_PLACE.with(|p| p.borrow_mut().take());
    outcome.map_err(|payload| {
        let text = if let Some(s) = payload.downcast_ref::<&str>() {
            (*s).to_string()
        } else if let Some(s) = payload.downcast_ref::<String>() {
            s.clone()
        } else {
            "unknown panic payload".to_string()
        };
        format!("{text}{}", place.unwrap_or_default())
    })
}

/// Installs the hook of [`contain_panics`] once per process.
static QUIET_HOOK: Once = Once::new();

thread_local! {
    /// Whether this thread is inside [`contain_panics`].
    static CONTAINING: Cell<bool> = const { Cell::new(false) };
    /// Where this thread's last contained panic was raised.
    static PANIC_PLACE: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Removes validation keywords from a schema and every schema nested in it.
fn strip_validation(schema: &mut Value) {
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    unsigned_where_non_negative(map);
    for keyword in VALIDATION_KEYWORDS {
        // A boolean `exclusiveMinimum` belongs to a removed `minimum`; both go.
        map.remove(keyword);
    }
    // Dates and times stay the server's strings: typify would need chrono for them, and a
    // string keeps every value the server sends, parseable by whichever date crate the
    // caller uses.
    if map
        .get("format")
        .and_then(Value::as_str)
        .is_some_and(|f| STRING_FORMATS.contains(&f))
    {
        map.remove("format");
    }
    if let Some(Value::Object(properties)) = map.get_mut("properties") {
        properties.values_mut().for_each(strip_validation);
    }
    for keyword in ["items", "additionalProperties", "not"] {
        if let Some(child) = map.get_mut(keyword) {
            strip_validation(child);
        }
    }
    for keyword in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(branches)) = map.get_mut(keyword) {
            branches.iter_mut().for_each(strip_validation);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(schemas: Value) -> Value {
        json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {},
            "components": {"schemas": schemas}
        })
    }

    #[test]
    fn constrained_fields_stay_plain_types() {
        let tokens = generate_models(
            &doc(
                json!({"Thing": {"type": "object", "required": ["slug"], "properties": {
                    "slug": {"type": "string", "pattern": "^[a-z]+$", "maxLength": 5}
                }}}),
            ),
            Path::new("s.yaml"),
        )
        .unwrap()
        .to_string();
        assert!(tokens.contains("pub struct Thing"), "{tokens}");
        assert!(
            tokens.contains("pub slug : :: std :: string :: String"),
            "{tokens}"
        );
        assert!(
            !tokens.contains("ThingSlug"),
            "no newtype for the constrained field"
        );
    }

    #[test]
    fn integers_bounded_below_by_zero_are_unsigned() {
        let tokens = generate_models(
            &doc(json!({"Counts": {"type": "object", "required": ["a", "b", "c", "d"], "properties": {
                "a": {"type": "integer", "minimum": 0},
                "b": {"type": "integer", "format": "int32", "minimum": 1},
                "c": {"type": "integer", "exclusiveMinimum": -1},
                "d": {"type": "integer", "minimum": -5}
            }}})),
            Path::new("s.yaml"),
        )
        .unwrap()
        .to_string();
        for expected in ["pub a : u64", "pub b : u32", "pub c : u64", "pub d : i64"] {
            assert!(tokens.contains(expected), "{expected} in {tokens}");
        }
    }

    #[test]
    fn fields_with_a_default_are_not_constructor_arguments() {
        let tokens = generate_models(
            &doc(
                json!({"NewThing": {"type": "object", "required": ["name"], "properties": {
                    "name": {"type": "string"},
                    "ratio": {"type": "number", "default": 0.8},
                    "audited": {"type": "boolean", "default": false},
                    "labels": {"type": "array", "items": {"type": "string"}}
                }}, "EditThing": {"type": "object", "properties": {
                    "ratio": {"type": "number", "default": 0.8},
                    "audited": {"type": "boolean", "default": false}
                }}}),
            ),
            Path::new("s.yaml"),
        )
        .unwrap();
        let text = tokens.to_string();
        assert!(
            text.contains(
                "pub fn new (name : impl :: std :: convert :: Into < :: std :: string :: String >) -> Self"
            ),
            "only `required` fields are arguments: {text}"
        );
        assert!(
            text.contains("ratio : defaults :: new_thing_ratio ()"),
            "a left-out field takes the document's default: {text}"
        );
        assert!(
            text.contains("impl :: std :: default :: Default for EditThing"),
            "Default agrees with the document's defaults: {text}"
        );
        assert!(
            !text.contains("fn default_i64"),
            "no helper is left that nothing calls: {text}"
        );
        syn::parse2::<syn::File>(tokens).expect("the models parse");
    }

    #[test]
    fn dates_stay_strings() {
        let tokens = generate_models(
            &doc(
                json!({"Stamp": {"type": "object", "required": ["at"], "properties": {
                    "at": {"type": "string", "format": "date-time"}
                }}}),
            ),
            Path::new("s.yaml"),
        )
        .unwrap()
        .to_string();
        assert!(
            tokens.contains("pub at : :: std :: string :: String"),
            "{tokens}"
        );
        assert!(!tokens.contains("chrono"));
    }

    #[test]
    fn panics_are_contained_with_their_message() {
        let line = line!() + 1;
        let err = contain_panics(|| panic!("boom at schema X")).unwrap_err();
        assert!(err.starts_with("boom at schema X"), "{err}");
        assert!(err.ends_with(&format!("({}:{line})", file!())), "{err}");
        assert_eq!(contain_panics(|| 7), Ok(7));
    }

    #[test]
    fn panics_on_many_threads_at_once_keep_their_own_messages() {
        let threads = 8;
        let barrier = std::sync::Barrier::new(threads);
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|i| {
                    let barrier = &barrier;
                    scope.spawn(move || {
                        let err = contain_panics(|| {
                            barrier.wait();
                            panic!("boom on thread {i}")
                        })
                        .unwrap_err();
                        // The hook stays in place for the others: contain again.
                        let again = contain_panics(|| panic!("again {i}")).unwrap_err();
                        (err, again)
                    })
                })
                .collect();
            for (i, handle) in handles.into_iter().enumerate() {
                let (err, again) = handle
                    .join()
                    .expect("contained, so the thread did not panic");
                assert!(err.starts_with(&format!("boom on thread {i} (")), "{err}");
                assert!(again.starts_with(&format!("again {i} (")), "{again}");
            }
        });
    }

    #[test]
    fn nested_containment_restores_the_outer_one() {
        let outer = contain_panics(|| {
            let inner = contain_panics(|| panic!("inner")).unwrap_err();
            assert!(inner.starts_with("inner ("), "{inner}");
            panic!("outer")
        })
        .unwrap_err();
        assert!(outer.starts_with("outer ("), "{outer}");
    }
}
