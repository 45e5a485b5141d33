//! Checks of the rules the OpenAPI document states, applied before a request is sent.
//!
//! The generator emits the rules of each parameter and body field as data ([`Rules`],
//! [`FieldRule`]); this module is the one place that applies them, to the JSON form of the
//! values, so that a rule changed in the spec changes the check with no code edit.

use std::sync::OnceLock;

use serde_json::{Map, Value};

use crate::error::InvalidInput;

/// The value constraints of one parameter or field (JSON Schema validation keywords).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rules {
    pub(crate) min_length: Option<u64>,
    pub(crate) max_length: Option<u64>,
    pub(crate) pattern: Option<&'static Pattern>,
    pub(crate) minimum: Option<f64>,
    pub(crate) maximum: Option<f64>,
    pub(crate) exclusive_minimum: bool,
    pub(crate) exclusive_maximum: bool,
    pub(crate) min_items: Option<u64>,
    pub(crate) max_items: Option<u64>,
}

#[allow(
    dead_code,
    reason = "used by generated operations; a document may not need every form"
)]
impl Rules {
    /// No constraint at all.
    pub(crate) const NONE: Rules = Rules {
        min_length: None,
        max_length: None,
        pattern: None,
        minimum: None,
        maximum: None,
        exclusive_minimum: false,
        exclusive_maximum: false,
        min_items: None,
        max_items: None,
    };
}

/// The rules of one property of a JSON body.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FieldRule {
    pub(crate) name: &'static str,
    pub(crate) required: bool,
    pub(crate) nullable: bool,
    pub(crate) rules: Rules,
}

/// An ECMAScript regular expression from the spec, compiled on first use.
#[derive(Debug)]
pub(crate) struct Pattern {
    source: &'static str,
    compiled: OnceLock<regress::Regex>,
}

#[allow(
    dead_code,
    reason = "used by generated operations; a document may not need every form"
)]
impl Pattern {
    pub(crate) const fn new(source: &'static str) -> Self {
        Self {
            source,
            compiled: OnceLock::new(),
        }
    }

    fn is_match(&self, text: &str) -> bool {
        self.compiled
            .get_or_init(|| {
                regress::Regex::new(self.source)
                    .expect("the generator compiled this pattern with regress at build time")
            })
            .find(text)
            .is_some()
    }
}

/// Checks one value against its rules; `field` names it in the error.
pub(crate) fn check(
    operation: &'static str,
    field: &str,
    value: &Value,
    rules: &Rules,
) -> Result<(), InvalidInput> {
    let fail = |problem: String| InvalidInput {
        operation,
        field: field.to_string(),
        problem,
    };
    match value {
        Value::String(text) => {
            let length = text.chars().count() as u64;
            let problem = count_problem(length, rules.min_length, rules.max_length, |bound, n| {
                format!(
                    "must be {bound} {n} character{} long, is {length}",
                    plural(n)
                )
            });
            if let Some(problem) = problem {
                return Err(fail(problem));
            }
            if let Some(pattern) = rules.pattern
                && !pattern.is_match(text)
            {
                return Err(fail(format!("must match the pattern {}", pattern.source)));
            }
        }
        Value::Number(number) => {
            let x = number.as_f64().unwrap_or(f64::NAN);
            if let Some(min) = rules.minimum {
                if rules.exclusive_minimum && x <= min {
                    return Err(fail(format!("must be greater than {min}, is {number}")));
                }
                if !rules.exclusive_minimum && x < min {
                    return Err(fail(format!("must be at least {min}, is {number}")));
                }
            }
            if let Some(max) = rules.maximum {
                if rules.exclusive_maximum && x >= max {
                    return Err(fail(format!("must be less than {max}, is {number}")));
                }
                if !rules.exclusive_maximum && x > max {
                    return Err(fail(format!("must be at most {max}, is {number}")));
                }
            }
        }
        Value::Array(items) => {
            let count = items.len() as u64;
            let problem = count_problem(count, rules.min_items, rules.max_items, |bound, n| {
                format!("must have {bound} {n} item{}, has {count}", plural(n))
            });
            if let Some(problem) = problem {
                return Err(fail(problem));
            }
        }
        Value::Null | Value::Bool(_) | Value::Object(_) => {}
    }
    Ok(())
}

/// Checks a JSON object body: required fields present, null only where allowed, and each
/// present field within its rules.
pub(crate) fn check_body(
    operation: &'static str,
    body: &Map<String, Value>,
    fields: &[FieldRule],
) -> Result<(), InvalidInput> {
    for rule in fields {
        match body.get(rule.name) {
            None if rule.required => {
                return Err(InvalidInput {
                    operation,
                    field: rule.name.to_string(),
                    problem: "is required".to_string(),
                });
            }
            None => {}
            Some(Value::Null) if !rule.nullable => {
                return Err(InvalidInput {
                    operation,
                    field: rule.name.to_string(),
                    problem: "must not be null".to_string(),
                });
            }
            Some(value) => check(operation, rule.name, value, &rule.rules)?,
        }
    }
    Ok(())
}

/// What is wrong with a count (of characters, of items) outside `min..=max`, in the words
/// of `describe` ("at least" or "at most", and the bound).
fn count_problem(
    count: u64,
    min: Option<u64>,
    max: Option<u64>,
    describe: impl Fn(&str, u64) -> String,
) -> Option<String> {
    if let Some(min) = min.filter(|min| count < *min) {
        return Some(describe("at least", min));
    }
    let max = max.filter(|max| count > *max)?;
    Some(describe("at most", max))
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NONE: Rules = Rules::NONE;

    static SLUG: Pattern = Pattern::new("^[a-z0-9]+(?:-[a-z0-9]+)*$");

    #[test]
    fn lengths_count_characters_not_bytes() {
        let rules = Rules {
            max_length: Some(3),
            ..NONE
        };
        assert!(check("op", "name", &json!("äöü"), &rules).is_ok());
        let err = check("op", "name", &json!("äöüx"), &rules).unwrap_err();
        assert_eq!(err.problem, "must be at most 3 characters long, is 4");
        assert_eq!(err.field, "name");
    }

    #[test]
    fn patterns_are_anchored_as_written() {
        let rules = Rules {
            pattern: Some(&SLUG),
            ..NONE
        };
        assert!(check("op", "slug", &json!("prod-eu-1"), &rules).is_ok());
        for bad in ["Prod", "-prod", "prod-", "a--b", "a b", ""] {
            assert!(check("op", "slug", &json!(bad), &rules).is_err(), "{bad}");
        }
    }

    #[test]
    fn exclusive_minimum_refuses_the_bound() {
        let rules = Rules {
            minimum: Some(0.0),
            exclusive_minimum: true,
            ..NONE
        };
        let err = check("op", "limit_usd", &json!(0.0), &rules).unwrap_err();
        assert_eq!(err.problem, "must be greater than 0, is 0.0");
        assert!(check("op", "limit_usd", &json!(0.01), &rules).is_ok());
    }

    #[test]
    fn item_counts() {
        let rules = Rules {
            min_items: Some(1),
            max_items: Some(2),
            ..NONE
        };
        assert_eq!(
            check("op", "ids", &json!([]), &rules).unwrap_err().problem,
            "must have at least 1 item, has 0"
        );
        assert!(check("op", "ids", &json!(["a", "b", "c"]), &rules).is_err());
    }

    #[test]
    fn body_requires_fields_and_refuses_null_where_not_nullable() {
        let fields = [
            FieldRule {
                name: "name",
                required: true,
                nullable: false,
                rules: NONE,
            },
            FieldRule {
                name: "description",
                required: false,
                nullable: true,
                rules: NONE,
            },
        ];
        let mut body = Map::new();
        assert_eq!(
            check_body("createWorkspace", &body, &fields)
                .unwrap_err()
                .to_string(),
            "workspaces().create (createWorkspace): invalid `name`: is required"
        );
        body.insert("name".into(), Value::Null);
        assert_eq!(
            check_body("createWorkspace", &body, &fields)
                .unwrap_err()
                .problem,
            "must not be null"
        );
        body.insert("name".into(), json!("x"));
        body.insert("description".into(), Value::Null);
        assert!(check_body("createWorkspace", &body, &fields).is_ok());
    }
}
