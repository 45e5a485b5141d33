//! A field of a request body that can be left out, sent as `null`, or sent with a value.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A field of a typed request body that the document lets a caller both leave out and set
/// to `null`, which mean different things to the API: left out keeps the current value,
/// `null` clears it.
///
/// The generator uses it for every optional, nullable field of a request-only schema (the
/// nullable fields of [`types::UpdateWorkspaceRequest`](crate::types::UpdateWorkspaceRequest),
/// for example). The field is skipped when [`Patch::Unchanged`], so `..Default::default()`
/// in a struct literal touches nothing but the fields it names.
///
/// ```
/// use openrouter_workspaces::{Patch, types::UpdateWorkspaceRequest};
///
/// let body = UpdateWorkspaceRequest {
///     description: Patch::Clear,
///     default_text_model: Patch::Set("openai/gpt-4o-mini".into()),
///     ..Default::default()
/// };
/// assert_eq!(
///     serde_json::to_string(&body).unwrap(),
///     r#"{"default_text_model":"openai/gpt-4o-mini","description":null}"#
/// );
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Patch<T> {
    /// Left out of the body: the server keeps the current value.
    #[default]
    Unchanged,
    /// Sent as `null`: the server clears the field.
    Clear,
    /// Sent with this value.
    Set(T),
}

impl<T> Patch<T> {
    /// Whether the field is left out of the body (serde's `skip_serializing_if` uses this).
    pub fn is_unchanged(&self) -> bool {
        matches!(self, Patch::Unchanged)
    }

    /// The value to send, if there is one.
    pub fn value(&self) -> Option<&T> {
        match self {
            Patch::Set(value) => Some(value),
            _ => None,
        }
    }

    /// The value to send, if there is one, by value.
    pub fn into_value(self) -> Option<T> {
        match self {
            Patch::Set(value) => Some(value),
            _ => None,
        }
    }
}

impl<T> From<T> for Patch<T> {
    /// A value to set.
    fn from(value: T) -> Self {
        Patch::Set(value)
    }
}

impl<T> From<Option<Option<T>>> for Patch<T> {
    /// The nested-option spelling: `None` leaves the field out, `Some(None)` clears it.
    fn from(change: Option<Option<T>>) -> Self {
        match change {
            None => Patch::Unchanged,
            Some(None) => Patch::Clear,
            Some(Some(value)) => Patch::Set(value),
        }
    }
}

impl<T> From<Patch<T>> for Option<Option<T>> {
    /// The nested-option spelling: `None` leaves the field out, `Some(None)` clears it.
    fn from(patch: Patch<T>) -> Self {
        match patch {
            Patch::Unchanged => None,
            Patch::Clear => Some(None),
            Patch::Set(value) => Some(Some(value)),
        }
    }
}

impl<T: Serialize> Serialize for Patch<T> {
    /// `null` for [`Patch::Clear`] (and for [`Patch::Unchanged`], which a generated body
    /// never serialises: it skips the field).
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Patch::Set(value) => serializer.serialize_some(value),
            Patch::Clear | Patch::Unchanged => serializer.serialize_none(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    /// `null` is [`Patch::Clear`]; a missing field is [`Patch::Unchanged`] through the
    /// field's `#[serde(default)]`.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(deserializer)? {
            None => Patch::Clear,
            Some(value) => Patch::Set(value),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Serialize, Deserialize, Debug, PartialEq, Default)]
    struct Body {
        #[serde(default, skip_serializing_if = "Patch::is_unchanged")]
        note: Patch<String>,
    }

    #[test]
    fn three_states_round_trip_through_json() {
        for (patch, wire) in [
            (Patch::Unchanged, json!({})),
            (Patch::Clear, json!({"note": null})),
            (Patch::Set("x".to_string()), json!({"note": "x"})),
        ] {
            let body = Body { note: patch };
            assert_eq!(serde_json::to_value(&body).unwrap(), wire);
            assert_eq!(serde_json::from_value::<Body>(wire).unwrap(), body);
        }
    }

    #[test]
    fn nested_options_convert_both_ways() {
        for nested in [None, Some(None), Some(Some(3))] {
            let patch = Patch::from(nested);
            assert_eq!(Option::<Option<i32>>::from(patch), nested);
        }
        assert_eq!(Patch::from(5).into_value(), Some(5));
        assert_eq!(Patch::<i32>::Clear.value(), None);
    }
}
