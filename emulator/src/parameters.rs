//! Path and query parameters, read and checked as the operation's parameters in the
//! document say: their type, their listed values and their rules (the budget interval's
//! values, `offset` and `limit` ranges), with the document's defaults.
//!
//! A query parameter the operation does not declare is ignored, as servers do; a body field
//! it does not declare is refused ([`crate::bodies`]).

use openrouter_workspaces::schema::{Kind, Location, Operation, Parameter, Shape};
use percent_encoding::percent_decode_str;
use serde_json::{Map, Number, Value};

use crate::state::{Outcome, Rejection};

/// The path parameters of `op`, percent-decoded and checked, in template order. `raw` are
/// the path's segments at the template's placeholders, still percent-encoded.
pub(crate) fn path(op: &Operation, raw: &[&str]) -> Outcome<Vec<String>> {
    let parameters = op
        .parameters
        .iter()
        .filter(|p| p.location == Location::Path);
    raw.iter()
        .zip(parameters)
        .map(|(segment, parameter)| {
            let value = percent_decode_str(segment).decode_utf8().map_err(|_| {
                Rejection::bad_request("a path segment is not valid UTF-8 once percent-decoded")
            })?;
            check(parameter, &Value::from(value.as_ref()))?;
            Ok(value.into_owned())
        })
        .collect()
}

/// The query parameters an operation was sent, checked.
pub(crate) struct Query {
    op: &'static Operation,
    values: Map<String, Value>,
}

impl Query {
    /// The parameter's value as sent, else the document's default.
    pub(crate) fn get(&self, name: &str) -> Option<Value> {
        self.values.get(name).cloned().or_else(|| {
            let parameter = self.op.parameter(name)?;
            serde_json::from_str(parameter.default?).ok()
        })
    }

    /// The parameter's value as sent (not defaulted).
    pub(crate) fn sent(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }

    /// `offset` and `limit` of a list operation: the values sent or the document's
    /// defaults, or the whole list when the document has no such parameter. An offset past
    /// any machine integer is past the end.
    pub(crate) fn page(&self) -> (usize, usize) {
        let count = |name| self.get(name).as_ref().and_then(Value::as_f64);
        // `as` saturates: a huge offset is past the end, a negative one (a document
        // without a minimum) is the start.
        let offset = count("offset").map_or(0, |n| n as usize);
        let limit = count("limit").map_or(usize::MAX, |n| n as usize);
        (offset, limit)
    }
}

/// Reads the query string as the operation's query parameters: each one typed as the
/// document says and checked against its rules; an array parameter repeats its name, any
/// other takes the last value sent. A required parameter that is missing is refused.
pub(crate) fn query(op: &'static Operation, raw: Option<&str>) -> Outcome<Query> {
    let mut sent: Vec<(&Parameter, Vec<String>)> = Vec::new();
    for pair in raw.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = percent_decode_str(key).decode_utf8_lossy();
        let Some(parameter) = op
            .parameters
            .iter()
            .find(|p| p.location == Location::Query && p.name == key)
        else {
            continue;
        };
        let value = percent_decode_str(value).decode_utf8_lossy().into_owned();
        match sent.iter_mut().find(|(p, _)| p.name == parameter.name) {
            Some((_, values)) => values.push(value),
            None => sent.push((parameter, vec![value])),
        }
    }
    let mut values = Map::new();
    for (parameter, texts) in sent {
        let value = match (parameter.shape.kind, parameter.shape.items) {
            (Kind::Array, Some(items)) => Value::Array(
                texts
                    .iter()
                    .map(|text| typed(parameter.name, items, text))
                    .collect::<Outcome<_>>()?,
            ),
            _ => {
                let last = texts.last().map_or("", String::as_str);
                typed(parameter.name, &parameter.shape, last)?
            }
        };
        check(parameter, &value)?;
        values.insert(parameter.name.to_string(), value);
    }
    if let Some(missing) = op
        .parameters
        .iter()
        .find(|p| p.location == Location::Query && p.required && !values.contains_key(p.name))
    {
        return Err(Rejection::bad_request(format!(
            "`{}` is required",
            missing.name
        )));
    }
    Ok(Query { op, values })
}

/// The JSON value of one query text, of the parameter's type: integers are decimal digits
/// with an optional sign (of any size), numbers finite decimals, booleans `true` or `false`.
fn typed(name: &str, shape: &Shape, text: &str) -> Outcome<Value> {
    let refuse = || {
        Rejection::bad_request(format!(
            "`{name}` must be {} (got {text:?})",
            shape.kind.described()
        ))
    };
    match shape.kind {
        Kind::Integer => {
            let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(refuse());
            }
            let text = text.strip_prefix('+').unwrap_or(text);
            match text.parse::<i64>() {
                Ok(n) => Ok(Value::from(n)),
                // Beyond i64: still an integer, held as the nearest double.
                Err(_) => text
                    .parse::<f64>()
                    .ok()
                    .and_then(Number::from_f64)
                    .map(Value::Number)
                    .ok_or_else(refuse),
            }
        }
        Kind::Number => text
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .and_then(Number::from_f64)
            .map(Value::Number)
            .ok_or_else(refuse),
        Kind::Boolean => match text {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(refuse()),
        },
        // Strings, and anything the document types otherwise, as sent.
        _ => Ok(Value::from(text)),
    }
}

/// Checks a value against the parameter's shape, naming the parameter.
fn check(parameter: &Parameter, value: &Value) -> Outcome<()> {
    parameter
        .shape
        .check(value)
        .map_err(|problem| Rejection::bad_request(format!("`{}` {problem}", parameter.name)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{self, BUDGET, WORKSPACES};

    fn list() -> &'static Operation {
        document::operation("GET", WORKSPACES).expect("the document lists workspaces")
    }

    #[test]
    fn pages_come_from_the_documented_parameters() {
        let page = |q: Option<&str>| query(list(), q).map(|q| q.page());
        assert_eq!(page(None).unwrap(), (0, 50));
        assert_eq!(page(Some("offset=3&limit=100&x=y")).unwrap(), (3, 100));
        assert_eq!(page(Some("offset=+3&limit=1&limit=2")).unwrap(), (3, 2));
        assert_eq!(
            page(Some("offset=272899864827029356544")).unwrap(),
            (usize::MAX, 50)
        );
        for (bad, name) in [
            ("offset=-1", "offset"),
            ("limit=0", "limit"),
            ("limit=101", "limit"),
            ("limit=", "limit"),
            ("offset=a", "offset"),
            ("offset=", "offset"),
            ("offset=+", "offset"),
            ("offset=1e3", "offset"),
            ("offset=1.5", "offset"),
        ] {
            let err = page(Some(bad)).unwrap_err();
            assert_eq!(err.status, 400, "{bad}");
            assert!(
                err.message.starts_with(&format!("`{name}` must be")),
                "{bad}: {}",
                err.message
            );
        }
    }

    #[test]
    fn path_parameters_keep_the_documented_values() {
        let op = document::operation("PUT", BUDGET).expect("the document sets budgets");
        assert_eq!(
            path(op, &["my%2Dslug", "dail%79"]).unwrap(),
            ["my-slug", "daily"]
        );
        let err = path(op, &["default", "yearly"]).unwrap_err();
        assert!(
            err.message.starts_with("`interval` must be one of"),
            "{}",
            err.message
        );
        assert_eq!(path(op, &["%FF", "daily"]).unwrap_err().status, 400);
    }
}
