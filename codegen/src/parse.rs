//! Stage 4: read the normalised document into `openapiv3`'s typed model.

use std::path::Path;

use serde_json::Value;

use crate::error::{Error, ErrorKind, Result, pointer_push};

/// Parses a normalised (OpenAPI 3.0) document; a field that does not fit is reported with
/// the JSON pointer of where it is.
pub fn parse(doc: &Value, file: &Path) -> Result<openapiv3::OpenAPI> {
    serde_path_to_error::deserialize(doc).map_err(|e| {
        let mut pointer = String::new();
        for segment in e.path().iter() {
            use serde_path_to_error::Segment;
            let text = match segment {
                Segment::Seq { index } => index.to_string(),
                Segment::Map { key } => key.clone(),
                Segment::Enum { variant } => variant.clone(),
                Segment::Unknown => continue,
            };
            pointer = pointer_push(&pointer, &text);
        }
        Error::new(
            ErrorKind::Invalid,
            file,
            pointer,
            format!(
                "not a valid OpenAPI 3.0 document after normalisation: {}",
                e.inner()
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wrong_field_type_names_its_pointer() {
        let doc = json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {"/a": {"get": {"operationId": "a", "responses": {"200": {"description": 5}}}}}
        });
        let err = parse(&doc, Path::new("s.yaml")).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Invalid);
        assert!(err.pointer.starts_with("/paths"), "{}", err.pointer);
        assert!(err.to_string().starts_with("s.yaml at /paths"), "{err}");
    }

    #[test]
    fn missing_info_is_reported() {
        let doc = json!({"openapi": "3.0.3", "paths": {}});
        let err = parse(&doc, Path::new("s.yaml")).unwrap_err();
        assert!(err.message.contains("info"), "{}", err.message);
    }
}
