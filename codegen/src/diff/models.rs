//! Schemas, as the generated models see them: type, format, nullability, enums,
//! constraints, defaults, then properties, items, map values and union branches.

use serde_json::Value;

use super::flat::{Flat, flatten, label, ref_name};
use super::{Cx, Dir, Kind, MAX_DEPTH, required_word};

impl Cx<'_> {
    /// Compares two schemas at `location`. `nullability_done`: the caller (a property or a
    /// parameter) has already compared nullability together with requiredness.
    pub(super) fn schema(
        &mut self,
        old: &Value,
        new: &Value,
        location: &str,
        nullability_done: bool,
    ) {
        if self.depth >= MAX_DEPTH {
            return;
        }
        let names = (ref_name(old), ref_name(new));
        if let (Some(o), Some(n)) = &names {
            if o != n {
                let detail = format!("`{o}` -> `{n}` (the generated type's name)");
                self.push(location, "type_renamed", Kind::Breaking, detail);
            }
            if self.stack.iter().any(|(a, b)| a == o && b == n) {
                return;
            }
        }
        let pushed = if let (Some(o), Some(n)) = names {
            self.stack.push((o, n));
            true
        } else {
            false
        };
        self.depth += 1;
        self.schema_inner(old, new, location, nullability_done);
        self.depth -= 1;
        if pushed {
            self.stack.pop();
        }
    }

    /// Compares two schemas already known not to be a recursion seen before.
    fn schema_inner(&mut self, old: &Value, new: &Value, location: &str, nullability_done: bool) {
        let of = flatten(self.old, old);
        let nf = flatten(self.new, new);
        if of.shape() != nf.shape() {
            let detail = format!("{} -> {}", label(self.old, old), label(self.new, new));
            self.push(location, "type_changed", Kind::Breaking, detail);
            return;
        }
        self.value_rules(&of, &nf, location, nullability_done);
        self.properties(&of, &nf, location);
        self.added_properties(&of, &nf, location);
        self.required_names(&of, &nf, location);
        self.nested(&of, &nf, location);
    }

    /// What a schema says of its own values: format, nullability, enums, constraints, default.
    fn value_rules(&mut self, of: &Flat, nf: &Flat, location: &str, nullability_done: bool) {
        if of.format != nf.format {
            let detail = format!("{} -> {}", opt_str(&of.format), opt_str(&nf.format));
            self.push(location, "format_changed", Kind::Breaking, detail);
        }
        if !nullability_done && !of.is_any() && of.nullable != nf.nullable {
            let (change, kind) = match (nf.nullable, self.dir) {
                (true, Dir::Request) => ("made_nullable", Kind::Compatible),
                (false, Dir::Request) => ("made_non_nullable", Kind::Breaking),
                (true, Dir::Response) => ("made_nullable", Kind::Breaking),
                (false, Dir::Response) => ("made_non_nullable", Kind::Breaking),
            };
            self.push(location, change, kind, String::new());
        }
        self.enums(of, nf, location);
        self.constraints(of, nf, location);
        if of.default != nf.default {
            let detail = format!(
                "{} -> {}",
                opt_json(of.default.as_ref()),
                opt_json(nf.default.as_ref())
            );
            self.push(location, "default_changed", Kind::Compatible, detail);
        }
    }

    /// The old properties: removed, or compared with the new one of the same name.
    fn properties(&mut self, of: &Flat, nf: &Flat, location: &str) {
        for (name, old_child) in &of.properties {
            let child = format!("{location}.{name}");
            let old_required = of.required.contains(name);
            let Some((_, new_child)) = nf.properties.iter().find(|(n, _)| n == name) else {
                let detail = format!(
                    "was {} {}",
                    required_word(old_required),
                    label(self.old, old_child)
                );
                self.push(&child, "field_removed", Kind::Breaking, detail);
                continue;
            };
            let new_required = nf.required.contains(name);
            self.field_presence(old_child, new_child, old_required, new_required, &child);
            self.schema(old_child, new_child, &child, true);
        }
    }

    /// The new properties the old schema does not have.
    fn added_properties(&mut self, of: &Flat, nf: &Flat, location: &str) {
        let request = self.dir == Dir::Request;
        for (name, new_child) in &nf.properties {
            if of.properties.iter().any(|(n, _)| n == name) {
                continue;
            }
            let required = nf.required.contains(name);
            // A new required response field adds a field to a generated struct: only code
            // that builds that struct with a literal breaks, every reader keeps working.
            let kind = if request && required {
                Kind::Breaking
            } else {
                Kind::Compatible
            };
            let detail = format!("{} {}", required_word(required), label(self.new, new_child));
            self.push(&format!("{location}.{name}"), "field_added", kind, detail);
        }
    }

    /// Requiredness of names that are not properties (rare, but valid).
    fn required_names(&mut self, of: &Flat, nf: &Flat, location: &str) {
        for name in nf.required.difference(&of.required) {
            let known = |f: &Flat| f.properties.iter().any(|(n, _)| n == name);
            if !known(of) && !known(nf) {
                let kind = if self.dir == Dir::Request {
                    Kind::Breaking
                } else {
                    Kind::Compatible
                };
                self.push(
                    &format!("{location}.{name}"),
                    "made_required",
                    kind,
                    String::new(),
                );
            }
        }
    }

    /// Items, map values, union branches.
    fn nested(&mut self, of: &Flat, nf: &Flat, location: &str) {
        if let (Some(oi), Some(ni)) = (&of.items, &nf.items) {
            self.schema(oi, ni, &format!("{location}[]"), false);
        }
        self.additional_properties(of, nf, location);
        if let (Some((_, ob)), Some((keyword, nb))) = (&of.variants, &nf.variants) {
            for (i, (o, n)) in ob.iter().zip(nb).enumerate() {
                self.schema(o, n, &format!("{location}<{keyword} {i}>"), false);
            }
        }
    }

    /// Map values: compared when both sides have them, else added or removed.
    fn additional_properties(&mut self, of: &Flat, nf: &Flat, location: &str) {
        match (&of.additional, &nf.additional) {
            (Some(oa), Some(na)) => self.schema(oa, na, &format!("{location}{{}}"), false),
            (None, None) => {}
            (o, _) => {
                // Without properties, a map and a struct are different Rust types.
                let struct_or_map = of.properties.is_empty() && nf.properties.is_empty();
                let request = self.dir == Dir::Request;
                let kind = if struct_or_map || (request && o.is_some()) {
                    Kind::Breaking
                } else {
                    Kind::Compatible
                };
                let change = if o.is_some() {
                    "additional_properties_removed"
                } else {
                    "additional_properties_added"
                };
                self.push(location, change, kind, String::new());
            }
        }
    }

    /// Requiredness and nullability of a property present on both sides.
    fn field_presence(
        &mut self,
        old: &Value,
        new: &Value,
        old_required: bool,
        new_required: bool,
        location: &str,
    ) {
        let of = flatten(self.old, old);
        let nf = flatten(self.new, new);
        let (old_nullable, new_nullable) = if of.is_any() || nf.is_any() {
            (false, false)
        } else {
            (of.nullable, nf.nullable)
        };
        let mut changes = Vec::new();
        match (old_required, new_required) {
            (false, true) => changes.push("made_required"),
            (true, false) => changes.push("made_optional"),
            _ => {}
        }
        match (old_nullable, new_nullable) {
            (false, true) => changes.push("made_nullable"),
            (true, false) => changes.push("made_non_nullable"),
            _ => {}
        }
        if changes.is_empty() {
            return;
        }
        match self.dir {
            Dir::Request => {
                for change in changes {
                    let (kind, detail) = match change {
                        "made_required" => (Kind::Breaking, "calls without it are refused"),
                        "made_optional" => (Kind::Compatible, ""),
                        "made_nullable" => (Kind::Compatible, "a `clear_` setter appears"),
                        _ => (Kind::Breaking, "null is no longer accepted"),
                    };
                    self.push(location, change, kind, detail.to_string());
                }
            }
            Dir::Response => {
                let old_option = !old_required || old_nullable;
                let new_option = !new_required || new_nullable;
                let (kind, detail) = match (old_option, new_option) {
                    (false, true) => (Kind::Breaking, "the Rust field becomes `Option<T>`"),
                    (true, false) => (
                        Kind::Breaking,
                        "the Rust field becomes `T`, not `Option<T>`",
                    ),
                    (true, true) => (Kind::Compatible, "the Rust field stays `Option<T>`"),
                    (false, false) => (Kind::Compatible, ""),
                };
                for change in changes {
                    self.push(location, change, kind, detail.to_string());
                }
            }
        }
    }

    fn enums(&mut self, of: &Flat, nf: &Flat, location: &str) {
        match (&of.enum_values, &nf.enum_values) {
            (None, None) => {}
            (Some(values), None) => {
                let detail = format!("was one of {}", json_list(values));
                self.push(location, "enum_dropped", Kind::Breaking, detail);
            }
            (None, Some(values)) => {
                let detail = format!("now one of {}", json_list(values));
                self.push(location, "enum_introduced", Kind::Breaking, detail);
            }
            (Some(old), Some(new)) => {
                for value in new.iter().filter(|v| !old.contains(v)) {
                    // Requests: a new variant to send. Responses: an exhaustive Rust enum
                    // cannot decode a value it does not know.
                    let kind = match self.dir {
                        Dir::Request => Kind::Compatible,
                        Dir::Response => Kind::Breaking,
                    };
                    self.push(location, "enum_value_added", kind, value.to_string());
                }
                for value in old.iter().filter(|v| !new.contains(v)) {
                    // Either way the Rust variant goes; code naming it stops compiling.
                    self.push(
                        location,
                        "enum_value_removed",
                        Kind::Breaking,
                        value.to_string(),
                    );
                }
            }
        }
    }

    fn constraints(&mut self, of: &Flat, nf: &Flat, location: &str) {
        for keyword in CONSTRAINTS {
            let old = of.constraints.get(keyword);
            let new = nf.constraints.get(keyword);
            if old == new {
                continue;
            }
            let tighter = tightens(keyword, old, new);
            let change = match (old, new) {
                (None, _) => "constraint_added",
                (_, None) => "constraint_removed",
                _ => "constraint_changed",
            };
            // Requests are checked before sending and by the server; the generated models
            // do not enforce constraints on responses (see `models`).
            let kind = if tighter && self.dir == Dir::Request {
                Kind::Breaking
            } else {
                Kind::Compatible
            };
            let detail = format!(
                "{keyword} {} -> {} ({})",
                opt_json(old),
                opt_json(new),
                if tighter { "stricter" } else { "looser" }
            );
            self.push(location, change, kind, detail);
        }
    }
}

/// The validation keywords compared.
pub(super) const CONSTRAINTS: [&str; 13] = [
    "minimum",
    "exclusiveMinimum",
    "maximum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
];

/// Whether going from `old` to `new` for `keyword` may refuse a value accepted before. A
/// changed pattern or multiple cannot be compared, so it counts as stricter.
fn tightens(keyword: &str, old: Option<&Value>, new: Option<&Value>) -> bool {
    let lower = matches!(
        keyword,
        "minimum" | "minLength" | "minItems" | "minProperties"
    );
    let upper = matches!(
        keyword,
        "maximum" | "maxLength" | "maxItems" | "maxProperties"
    );
    let number = |v: Option<&Value>| v.and_then(Value::as_f64);
    let flag = |v: Option<&Value>| v.and_then(Value::as_bool).unwrap_or(false);
    match (old, new) {
        (_, None) => false,
        (None, Some(v)) if v.is_boolean() => flag(Some(v)),
        (None, Some(_)) => true,
        (Some(_), Some(_)) if lower => number(new) > number(old),
        (Some(_), Some(_)) if upper => number(new) < number(old),
        (Some(o), Some(n)) if o.is_boolean() || n.is_boolean() => flag(new) && !flag(old),
        _ => true,
    }
}

fn opt_str(value: &Option<String>) -> String {
    value.clone().unwrap_or_else(|| "none".into())
}

fn opt_json(value: Option<&Value>) -> String {
    value.map_or_else(|| "none".into(), Value::to_string)
}

fn json_list(values: &[Value]) -> String {
    values
        .iter()
        .map(Value::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
