//! Stage 1: read the spec file, JSON or YAML, into a `serde_json::Value`.

use std::path::Path;

use serde_json::{Map, Number, Value};

use crate::error::{Error, ErrorKind, Result, pointer_push};

/// The formats a spec file can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.json`
    Json,
    /// `.yaml` or `.yml`
    Yaml,
}

impl Format {
    /// The format a file name implies; `None` for an unknown extension.
    pub fn from_path(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "json" => Some(Self::Json),
            "yaml" | "yml" => Some(Self::Yaml),
            _ => None,
        }
    }
}

/// Reads and parses the spec at `path`.
pub fn load_file(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::new(
            ErrorKind::Io,
            path,
            "",
            format!("cannot read the OpenAPI document: {e}"),
        )
    })?;
    let format = Format::from_path(path).unwrap_or_else(|| {
        if text.trim_start().starts_with('{') {
            Format::Json
        } else {
            Format::Yaml
        }
    });
    parse_str(&text, format, path)
}

/// Parses a document already in memory; `file` is used in error messages only.
pub fn parse_str(text: &str, format: Format, file: &Path) -> Result<Value> {
    let value = match format {
        Format::Json => serde_json::from_str::<Value>(text)
            .map_err(|e| Error::new(ErrorKind::Syntax, file, "", format!("invalid JSON: {e}")))?,
        Format::Yaml => {
            let yaml = serde_yaml_ng::from_str::<serde_yaml_ng::Value>(text).map_err(|e| {
                Error::new(ErrorKind::Syntax, file, "", format!("invalid YAML: {e}"))
            })?;
            yaml_to_json(yaml, file, "")?
        }
    };
    if !value.is_object() {
        return Err(Error::new(
            ErrorKind::Syntax,
            file,
            "",
            "the document is not a mapping at the top level",
        ));
    }
    Ok(value)
}

/// YAML allows non-string keys (an unquoted `200:`) and tags; JSON does not. Keys become
/// strings the way YAML writes them; tags are refused.
fn yaml_to_json(value: serde_yaml_ng::Value, file: &Path, pointer: &str) -> Result<Value> {
    use serde_yaml_ng::Value as Y;
    Ok(match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Number(i.into())
            } else if let Some(u) = n.as_u64() {
                Value::Number(u.into())
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                Value::Number(Number::from_f64(f).ok_or_else(|| {
                    Error::new(
                        ErrorKind::Unsupported,
                        file,
                        pointer,
                        format!("the number {n} has no JSON form"),
                    )
                })?)
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(i, item)| yaml_to_json(item, file, &pointer_push(pointer, &i.to_string())))
                .collect::<Result<_>>()?,
        ),
        Y::Mapping(mapping) => {
            let mut out = Map::with_capacity(mapping.len());
            for (key, item) in mapping {
                let key = match key {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    other => {
                        return Err(Error::new(
                            ErrorKind::Unsupported,
                            file,
                            pointer,
                            format!("a mapping key must be a string, found {other:?}"),
                        ));
                    }
                };
                let child = pointer_push(pointer, &key);
                let item = yaml_to_json(item, file, &child)?;
                out.insert(key, item);
            }
            Value::Object(out)
        }
        Y::Tagged(tagged) => {
            return Err(Error::new(
                ErrorKind::Unsupported,
                file,
                pointer,
                format!("YAML tag {} is not part of OpenAPI", tagged.tag),
            ));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> &'static Path {
        Path::new("spec.yaml")
    }

    #[test]
    fn yaml_integer_keys_become_strings() {
        let v = parse_str(
            "responses:\n  200:\n    description: ok\n",
            Format::Yaml,
            file(),
        )
        .expect("valid yaml");
        assert_eq!(v["responses"]["200"]["description"], "ok");
    }

    #[test]
    fn invalid_yaml_names_the_file() {
        let err = parse_str("a: [unclosed", Format::Yaml, file()).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Syntax);
        assert!(
            err.to_string().starts_with("spec.yaml: invalid YAML"),
            "{err}"
        );
    }

    #[test]
    fn invalid_json_names_the_file() {
        let err = parse_str("{\"a\": ", Format::Json, Path::new("x.json")).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Syntax);
        assert!(err.to_string().contains("x.json: invalid JSON"), "{err}");
    }

    #[test]
    fn yaml_tags_are_refused_with_a_pointer() {
        let err = parse_str("info:\n  x: !custom 3\n", Format::Yaml, file()).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Unsupported);
        assert_eq!(err.pointer, "/info/x");
    }

    #[test]
    fn missing_file_is_an_io_error() {
        let err = load_file(Path::new("/nonexistent/openapi.yaml")).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Io);
        assert!(err.to_string().contains("/nonexistent/openapi.yaml"));
    }

    #[test]
    fn top_level_must_be_a_mapping() {
        let err = parse_str("[1, 2]", Format::Json, Path::new("x.json")).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Syntax);
    }
}
