//! The rules the OpenAPI document states for a value (lengths, pattern, range, item
//! counts), applied to its JSON form.
//!
//! The generator emits them as data ([`Rules`] inside each [`Shape`](crate::schema::Shape));
//! this module is the one place that applies them, so that a rule changed in the document
//! changes the check with no code edit. Types and enum values are checked by
//! [`Shape::check`](crate::schema::Shape::check), which calls it.

use serde_json::Value;

use crate::schema::Rules;

/// Checks one value against its rules; the problem is a sentence fragment.
pub(crate) fn check_rules(value: &Value, rules: &Rules) -> Result<(), String> {
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
                return Err(problem);
            }
            if let Some(pattern) = rules.pattern
                && !pattern.is_match(text)
            {
                return Err(format!("must match the pattern {}", pattern.source()));
            }
        }
        Value::Number(number) => {
            let x = number.as_f64().unwrap_or(f64::NAN);
            if let Some(min) = rules.minimum {
                if rules.exclusive_minimum && x <= min {
                    return Err(format!("must be greater than {min}, is {number}"));
                }
                if !rules.exclusive_minimum && x < min {
                    return Err(format!("must be at least {min}, is {number}"));
                }
            }
            if let Some(max) = rules.maximum {
                if rules.exclusive_maximum && x >= max {
                    return Err(format!("must be less than {max}, is {number}"));
                }
                if !rules.exclusive_maximum && x > max {
                    return Err(format!("must be at most {max}, is {number}"));
                }
            }
        }
        Value::Array(items) => {
            let count = items.len() as u64;
            let problem = count_problem(count, rules.min_items, rules.max_items, |bound, n| {
                format!("must have {bound} {n} item{}, has {count}", plural(n))
            });
            if let Some(problem) = problem {
                return Err(problem);
            }
        }
        Value::Null | Value::Bool(_) | Value::Object(_) => {}
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
    use crate::schema::Pattern;
    use serde_json::json;

    const NONE: Rules = Rules::NONE;

    static SLUG: Pattern = Pattern::new("^[a-z0-9]+(?:-[a-z0-9]+)*$");

    #[test]
    fn lengths_count_characters_not_bytes() {
        let rules = Rules {
            max_length: Some(3),
            ..NONE
        };
        assert!(check_rules(&json!("äöü"), &rules).is_ok());
        let problem = check_rules(&json!("äöüx"), &rules).unwrap_err();
        assert_eq!(problem, "must be at most 3 characters long, is 4");
    }

    #[test]
    fn patterns_are_anchored_as_written() {
        let rules = Rules {
            pattern: Some(&SLUG),
            ..NONE
        };
        assert!(check_rules(&json!("prod-eu-1"), &rules).is_ok());
        for bad in ["Prod", "-prod", "prod-", "a--b", "a b", ""] {
            assert!(check_rules(&json!(bad), &rules).is_err(), "{bad}");
        }
    }

    #[test]
    fn exclusive_minimum_refuses_the_bound() {
        let rules = Rules {
            minimum: Some(0.0),
            exclusive_minimum: true,
            ..NONE
        };
        let problem = check_rules(&json!(0.0), &rules).unwrap_err();
        assert_eq!(problem, "must be greater than 0, is 0.0");
        assert!(check_rules(&json!(0.01), &rules).is_ok());
    }

    #[test]
    fn item_counts() {
        let rules = Rules {
            min_items: Some(1),
            max_items: Some(2),
            ..NONE
        };
        assert_eq!(
            check_rules(&json!([]), &rules).unwrap_err(),
            "must have at least 1 item, has 0"
        );
        assert!(check_rules(&json!(["a", "b", "c"]), &rules).is_err());
    }
}
