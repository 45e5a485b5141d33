//! The desired-state file: parsing and checking, with the place of every problem.
//!
//! Every check runs while the file is read, inside serde's visitors, so that the YAML and
//! JSON parsers attach the line and column of the value at fault to the error.

use std::collections::BTreeSet;
use std::fmt;
use std::marker::PhantomData;
use std::path::Path;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::budgets;
use openrouter_workspaces::RequestBuilder;
use openrouter_workspaces::schema::Field;
use openrouter_workspaces::types::WorkspaceBudgetInterval;
use openrouter_workspaces::workspaces::{Create, SetBudget, Update};

/// The slug of the organisation's default workspace: never deleted by a prune, and its
/// members cannot be managed (every member of the organisation belongs to it).
pub const DEFAULT_WORKSPACE_SLUG: &str = "default";

/// The budget body's own field; its other fields are settings of the whole workspace.
const LIMIT: &str = "limit_usd";
/// The keys of a workspace entry that are not API fields.
const BUDGETS: &str = "budgets";
const MEMBERS: &str = "members";

/// How organisation's workspaces should be: the contents of a desired-state file.
///
/// ```
/// use openrouter_workspaces_desired::DesiredState;
///
/// let state = DesiredState::from_yaml(
///     "workspaces:\n  staging:\n    name: Staging\n    budgets: {monthly: 150, daily: 10}\n",
/// )?;
/// assert_eq!(state.workspaces[0].slug, "staging");
/// # Ok::<(), openrouter_workspaces_desired::FileError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct DesiredState {
    /// The workspaces, in the file's order.
    pub workspaces: Vec<DesiredWorkspace>,
}

/// One workspace of a [`DesiredState`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DesiredWorkspace {
    /// The slug: the workspace's key in the file.
    pub slug: String,
    /// Its writable fields by their API names (`name`, `description`, ...,
    /// `include_byok_in_budgets`); `null` clears a nullable field. A field left out is
    /// left alone.
    pub fields: Map<String, Value>,
    /// Its budgets by interval, shortest first: a limit in US dollars, or `None` to delete
    /// that budget. `None` as a whole when the file does not manage them; an interval not
    /// listed is left alone.
    pub budgets: Option<Vec<(WorkspaceBudgetInterval, Option<f64>)>>,
    /// The exact set of its members' user ids, in the file's order; `None` when the file
    /// does not manage them.
    pub members: Option<Vec<String>>,
}

/// The format of a desired-state file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// YAML (JSON is also YAML, but JSON errors read better from the JSON parser).
    Yaml,
    /// JSON.
    Json,
}

impl FileFormat {
    /// The format a file's name says (`.yaml`, `.yml`, `.json`), else the one its content
    /// looks like (JSON when it starts with `{`).
    pub fn detect(name: Option<&Path>, text: &str) -> Self {
        let extension = name
            .and_then(Path::extension)
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match extension.as_deref() {
            Some("json") => FileFormat::Json,
            Some("yaml" | "yml") => FileFormat::Yaml,
            _ if text.trim_start().starts_with('{') => FileFormat::Json,
            _ => FileFormat::Yaml,
        }
    }
}

/// A desired-state file that cannot be used, and where: nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FileError {
    /// The file's name, when it has one (`-` for standard input).
    pub file: Option<String>,
    /// The line of the problem (from 1), where the parser knows it.
    pub line: Option<usize>,
    /// The column of the problem (from 1), where the parser knows it.
    pub column: Option<usize>,
    /// Where the construct the parser was reading began (the line and column of an
    /// unclosed `[`, `{` or quote), where the parser says; the message names it too.
    pub started_at: Option<(usize, usize)>,
    /// What is wrong, with the path of the value in the file (`workspaces.staging.name`).
    pub message: String,
}

impl FileError {
    /// The same error, naming `file`.
    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }

    /// A YAML parser's error in `text`. Its message is `PROBLEM at line L column C`,
    /// where the place is [`serde_yaml_ng::Error::location`], then, for a construct that
    /// was not closed, `, CONTEXT at line L column C` (where that construct began, which
    /// the parser gives no other way). The first place goes to the fields and is printed
    /// first; the second stays in the message, and in `started_at`.
    fn from_yaml(error: serde_yaml_ng::Error, text: &str) -> Self {
        let message = error.to_string();
        let Some(location) = error.location() else {
            return Self::at(None, None, message);
        };
        let (line, column) = (location.line(), location.column());
        let problem_at = format!(" at line {line} column {column}");
        let (problem, context) = match message.split_once(&problem_at) {
            Some((problem, rest)) => (problem.to_string(), rest.to_string()),
            None => (message, String::new()),
        };
        let mut error = Self::at(Some(line), Some(column), problem);
        if location.index() >= text.trim_end().len() {
            error.message.push_str(" at the end of the file");
        }
        // `, while parsing a flow sequence at line 3 column 11`
        let started = context.rsplit_once(" at line ").and_then(|(what, place)| {
            let (line, column) = place.split_once(" column ")?;
            Some((what, line.parse().ok()?, column.parse().ok()?))
        });
        match started {
            Some((what, line, column)) => {
                error.message += &format!("{what} started at line {line} column {column}");
                error.started_at = Some((line, column));
            }
            None => error.message += &context,
        }
        error
    }

    /// A JSON parser's error in `text`: its message ends with the place, which goes to the
    /// fields. serde_json gives column 0 for the place just after a line break (a string
    /// cut by the end of its line); that is the end of the line before.
    fn from_json(error: serde_json::Error, text: &str) -> Self {
        let message = error.to_string();
        if error.line() == 0 {
            return Self::at(None, None, message);
        }
        let problem_at = format!(" at line {} column {}", error.line(), error.column());
        let problem = message
            .strip_suffix(&problem_at)
            .unwrap_or(&message)
            .to_string();
        let (line, column) = match (error.line(), error.column()) {
            (line, 0) if line > 1 => {
                // Bytes, as serde_json counts columns.
                let before = text.lines().nth(line - 2).unwrap_or_default();
                (line - 1, before.len() + 1)
            }
            place => place,
        };
        Self::at(Some(line), Some(column), problem)
    }

    fn at(line: Option<usize>, column: Option<usize>, message: String) -> Self {
        Self {
            file: None,
            line,
            column,
            started_at: None,
            message,
        }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.file.as_deref().unwrap_or("<desired state>"))?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for FileError {}

impl DesiredWorkspace {
    /// A workspace entry with nothing managed yet: set its public fields.
    ///
    /// ```
    /// use openrouter_workspaces_desired::{DesiredState, DesiredWorkspace};
    ///
    /// let mut staging = DesiredWorkspace::new("staging");
    /// staging.fields.insert("name".into(), "Staging".into());
    /// staging.members = Some(vec!["user_bob".into()]);
    /// let state = DesiredState::new(vec![staging]);
    /// assert!(state.to_yaml().contains("- user_bob"));
    /// ```
    pub fn new(slug: impl Into<String>) -> Self {
        Self {
            slug: slug.into(),
            fields: Map::new(),
            budgets: None,
            members: None,
        }
    }
}

impl DesiredState {
    /// A state of these workspaces. Unlike a parsed file, nothing is checked here: the
    /// client checks each request's fields before sending it.
    pub fn new(workspaces: Vec<DesiredWorkspace>) -> Self {
        Self { workspaces }
    }

    /// Reads a YAML desired-state file.
    ///
    /// # Errors
    ///
    /// [`FileError`] with the line and column of the first problem: invalid YAML, an
    /// unknown field, a value that breaks the document's rules, budgets out of order, a
    /// slug given twice, members of the default workspace.
    pub fn from_yaml(text: &str) -> Result<Self, FileError> {
        serde_yaml_ng::from_str::<StateFile>(text)
            .map(|f| f.0)
            .map_err(|e| FileError::from_yaml(e, text))
    }

    /// Reads a JSON desired-state file; the same checks as [`DesiredState::from_yaml`].
    ///
    /// ```
    /// use openrouter_workspaces_desired::DesiredState;
    ///
    /// let error = DesiredState::from_json(r#"{"workspaces": {"Bad Slug": {}}}"#).unwrap_err();
    /// assert_eq!((error.line, error.column), (Some(1), Some(26))); // the end of the key
    /// ```
    ///
    /// # Errors
    ///
    /// [`FileError`], as for [`DesiredState::from_yaml`].
    pub fn from_json(text: &str) -> Result<Self, FileError> {
        serde_json::from_str::<StateFile>(text)
            .map(|f| f.0)
            .map_err(|e| FileError::from_json(e, text))
    }

    /// Reads `text` in `format`, naming `file` in errors.
    ///
    /// # Errors
    ///
    /// [`FileError`], as for [`DesiredState::from_yaml`].
    pub fn parse(text: &str, format: FileFormat, file: &str) -> Result<Self, FileError> {
        match format {
            FileFormat::Yaml => Self::from_yaml(text),
            FileFormat::Json => Self::from_json(text),
        }
        .map_err(|e| e.in_file(file))
    }

    /// The state as YAML, in the format the readers take: what `export` writes. Each
    /// workspace lists `name` and `description` first, then its other fields by name, its
    /// budgets from the longest interval down, and its members.
    pub fn to_yaml(&self) -> String {
        serde_yaml_ng::to_string(self).expect("a desired state always serialises")
    }
}

/// A limit as JSON: a whole number of dollars without a fraction.
fn json_limit(limit: Option<f64>) -> Value {
    match limit {
        Some(l) if l.fract() == 0.0 && l.abs() < 1e15 => Value::from(l as i64),
        Some(l) => Value::from(l),
        None => Value::Null,
    }
}

impl Serialize for DesiredState {
    /// The file's format: `{"workspaces": {slug: entry, ...}}`, in the state's order.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        struct Entries<'a>(&'a [DesiredWorkspace]);
        impl Serialize for Entries<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_map(self.0.iter().map(|w| (&w.slug, w)))
            }
        }
        let mut file = serializer.serialize_map(Some(1))?;
        file.serialize_entry("workspaces", &Entries(&self.workspaces))?;
        file.end()
    }
}

impl Serialize for DesiredWorkspace {
    /// One entry of the file: `name` and `description` first, then the other fields by
    /// name, the budgets from the longest interval down, and the members.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let first = ["name", "description"];
        let fields = first
            .iter()
            .filter_map(|name| self.fields.get_key_value(*name))
            .chain(
                self.fields
                    .iter()
                    .filter(|(n, _)| !first.contains(&n.as_str())),
            );
        let mut entry = serializer.serialize_map(None)?;
        for (name, value) in fields {
            entry.serialize_entry(name, value)?;
        }
        if let Some(budgets) = &self.budgets {
            let budgets: Vec<(&str, Value)> = budgets
                .iter()
                .rev()
                .map(|(interval, limit)| (interval.as_str(), json_limit(*limit)))
                .collect();
            entry.serialize_entry(BUDGETS, &OrderedMap(&budgets))?;
        }
        if let Some(members) = &self.members {
            entry.serialize_entry(MEMBERS, members)?;
        }
        entry.end()
    }
}

/// Pairs serialised as a map, in their order.
struct OrderedMap<'a>(&'a [(&'a str, Value)]);

impl Serialize for OrderedMap<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

/// The fields of the body of the operation `B` sends, as the document describes them.
fn body_fields<B: RequestBuilder>() -> &'static [Field] {
    B::operation().body.as_ref().map_or(&[], |body| body.fields)
}

/// The fields of the workspace bodies (create and update), from the document.
pub(crate) fn workspace_fields() -> BTreeSet<&'static str> {
    body_fields::<Create>()
        .iter()
        .chain(body_fields::<Update>())
        .map(|f| f.name)
        .collect()
}

/// The names a workspace entry may hold as fields: those of the workspace bodies and the
/// settings of the budget body (all but the slug, which is the key, and the limit).
pub(crate) fn writable_fields() -> BTreeSet<&'static str> {
    let mut fields = workspace_fields();
    fields.extend(body_fields::<SetBudget>().iter().map(|f| f.name));
    fields.remove("slug");
    fields.remove(LIMIT);
    fields
}

/// Checks `value` of `field` against the document's description of it in the first body
/// that has it (update, create, then the budget's): `null` only where allowed, its type,
/// its listed values and its rules.
fn check_field(field: &str, value: &Value) -> Result<(), String> {
    let described = [
        body_fields::<Update>(),
        body_fields::<Create>(),
        body_fields::<SetBudget>(),
    ]
    .into_iter()
    .find_map(|fields| fields.iter().find(|f| f.name == field));
    match described {
        Some(described) => described.check(value).map_err(|v| v.to_string()),
        None => Ok(()),
    }
}

/// The known name closest to `name`, when one is close enough to be a likely typo.
fn nearest<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    known
        .into_iter()
        .map(|k| (strsim::damerau_levenshtein(name, k), k))
        .filter(|(distance, k)| *distance <= (k.len() / 3).max(2))
        .min()
        .map(|(_, k)| k)
}

/// An unknown `kind` (field, interval) called `name`, with the nearest of `known`.
fn unknown<'a, E: de::Error>(
    kind: &str,
    name: &str,
    known: impl IntoIterator<Item = &'a str>,
) -> E {
    let known: Vec<&str> = known.into_iter().collect();
    match nearest(name, known.iter().copied()) {
        Some(near) => E::custom(format!("unknown {kind} `{name}`; did you mean `{near}`?")),
        None => E::custom(format!(
            "unknown {kind} `{name}`; known: {}",
            known.join(", ")
        )),
    }
}

fn unknown_field<E: de::Error>(name: &str, known: &BTreeSet<&str>) -> E {
    unknown("field", name, known.iter().copied())
}

/// A map of the file that is read key by key, so that a key given twice (which the parsers
/// pass on) and an unknown key are errors that name it.
trait KeyedMap: Sized {
    /// What the map holds, for the parser's "expected ..." message.
    const EXPECTING: &'static str;

    /// Reads the map's entries.
    fn read<'de, A: MapAccess<'de>>(map: A) -> Result<Self, A::Error>;
}

/// Deserializes a [`KeyedMap`].
struct Keyed<T>(PhantomData<T>);

impl<T> Keyed<T> {
    fn new() -> Self {
        Keyed(PhantomData)
    }
}

impl<'de, T: KeyedMap> DeserializeSeed<'de> for Keyed<T> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, T: KeyedMap> Visitor<'de> for Keyed<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::read(map)
    }
}

/// The whole file: `{workspaces: {...}}`.
struct StateFile(DesiredState);

impl<'de> Deserialize<'de> for StateFile {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Keyed::new().deserialize(deserializer)
    }
}

impl KeyedMap for StateFile {
    const EXPECTING: &'static str = "a map with `workspaces`";

    fn read<'de, A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        let mut workspaces = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "workspaces" if workspaces.is_some() => {
                    return Err(de::Error::duplicate_field("workspaces"));
                }
                "workspaces" => {
                    workspaces = Some(map.next_value_seed(Keyed::<Workspaces>::new())?.0);
                }
                other => return Err(unknown_field(other, &BTreeSet::from(["workspaces"]))),
            }
        }
        let workspaces = workspaces.ok_or_else(|| de::Error::missing_field("workspaces"))?;
        Ok(StateFile(DesiredState { workspaces }))
    }
}

/// `workspaces:`: slug to entry, each slug once and valid.
struct Workspaces(Vec<DesiredWorkspace>);

impl KeyedMap for Workspaces {
    const EXPECTING: &'static str = "a map from workspace slug to its settings";

    fn read<'de, A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        let mut workspaces: Vec<DesiredWorkspace> = Vec::new();
        while let Some(slug) = map.next_key::<String>()? {
            if workspaces.iter().any(|w| w.slug == slug) {
                return Err(de::Error::custom(format!(
                    "workspace `{slug}` is listed twice"
                )));
            }
            check_field("slug", &Value::String(slug.clone()))
                .map_err(|problem| de::Error::custom(format!("slug `{slug}`: {problem}")))?;
            workspaces.push(map.next_value_seed(EntrySeed { slug })?);
        }
        Ok(Workspaces(workspaces))
    }
}

/// One workspace's entry.
struct EntrySeed {
    slug: String,
}

impl<'de> DeserializeSeed<'de> for EntrySeed {
    type Value = DesiredWorkspace;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for EntrySeed {
    type Value = DesiredWorkspace;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "the settings of workspace `{}` (a map)", self.slug)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<DesiredWorkspace, A::Error> {
        let writable = writable_fields();
        let mut entry = DesiredWorkspace::new(self.slug);
        while let Some(key) = map.next_key::<String>()? {
            let seen = entry.fields.contains_key(&key)
                || (key == BUDGETS && entry.budgets.is_some())
                || (key == MEMBERS && entry.members.is_some());
            if seen {
                return Err(de::Error::custom(format!("`{key}` is given twice")));
            }
            match key.as_str() {
                BUDGETS => entry.budgets = Some(map.next_value_seed(Keyed::<Budgets>::new())?.0),
                MEMBERS if entry.slug == DEFAULT_WORKSPACE_SLUG => {
                    return Err(de::Error::custom(
                        "the members of the default workspace cannot be managed: \
                         every member of the organisation belongs to it",
                    ));
                }
                MEMBERS => entry.members = Some(map.next_value::<Members>()?.0),
                "slug" => {
                    return Err(de::Error::custom(
                        "`slug` is the workspace's key in this file, not one of its fields",
                    ));
                }
                field if writable.contains(field) => {
                    let value: Value = map.next_value()?;
                    check_field(field, &value).map_err(de::Error::custom)?;
                    entry.fields.insert(key, value);
                }
                other => {
                    let mut known = writable.clone();
                    known.extend([BUDGETS, MEMBERS]);
                    return Err(unknown_field(other, &known));
                }
            }
        }
        Ok(entry)
    }
}

/// `budgets:`: interval to limit (or `null`), each limit valid and in order.
struct Budgets(Vec<(WorkspaceBudgetInterval, Option<f64>)>);

impl KeyedMap for Budgets {
    const EXPECTING: &'static str =
        "a map from interval (daily, weekly, monthly, lifetime) to a limit in US dollars or null";

    fn read<'de, A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        let intervals = budgets::intervals();
        let mut limits: Vec<Option<Option<f64>>> = vec![None; intervals.len()];
        while let Some(name) = map.next_key::<String>()? {
            let position = name
                .parse::<WorkspaceBudgetInterval>()
                .ok()
                .and_then(|i| budgets::position(&i))
                .ok_or_else(|| unknown("interval", &name, intervals.iter().map(|i| i.as_str())))?;
            if limits[position].is_some() {
                return Err(de::Error::custom(format!("budget `{name}` is given twice")));
            }
            let limit: Option<f64> = map.next_value()?;
            if let Some(limit) = limit {
                check_field(LIMIT, &Value::from(limit))
                    .map_err(|problem| de::Error::custom(format!("budget `{name}`: {problem}")))?;
            }
            limits[position] = Some(limit);
        }
        let kept: budgets::Limits = limits.iter().copied().map(Option::flatten).collect();
        if let Some((shorter, longer)) = budgets::first_violation(&kept) {
            return Err(de::Error::custom(format!(
                "budgets out of order: {} {} must be below {} {} (lifetime > monthly > weekly > daily)",
                intervals[shorter],
                kept[shorter].unwrap_or_default(),
                intervals[longer],
                kept[longer].unwrap_or_default(),
            )));
        }
        let listed = intervals
            .iter()
            .zip(limits)
            .filter_map(|(interval, limit)| limit.map(|l| (interval.clone(), l)))
            .collect();
        Ok(Budgets(listed))
    }
}

/// `members:`: user ids, each once.
struct Members(Vec<String>);

impl<'de> Deserialize<'de> for Members {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let members = Vec::<String>::deserialize(deserializer)?;
        let mut seen = BTreeSet::new();
        for user in &members {
            if user.is_empty() {
                return Err(de::Error::custom("a member's user id is empty"));
            }
            if !seen.insert(user.as_str()) {
                return Err(de::Error::custom(format!(
                    "member `{user}` is listed twice"
                )));
            }
        }
        Ok(Members(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml_error(text: &str) -> FileError {
        DesiredState::parse(text, FileFormat::Yaml, "bad.yaml").unwrap_err()
    }

    fn json_error(text: &str) -> FileError {
        DesiredState::parse(text, FileFormat::Json, "bad.json").unwrap_err()
    }

    #[test]
    fn an_unclosed_bracket_names_where_it_opened() {
        let error = yaml_error("workspaces:\n  staging:\n    members: [user_bob, user_carol\n");
        assert_eq!((error.line, error.column), (Some(4), Some(1)));
        assert_eq!(error.started_at, Some((3, 14)));
        assert_eq!(
            error.to_string(),
            "bad.yaml:4:1: did not find expected ',' or ']' at the end of the file, while \
             parsing a flow sequence started at line 3 column 14"
        );
        // Not at the end of the file: the next line is where the parser noticed.
        let error = yaml_error("workspaces:\n  a: {name: A\n  b: {name: B}\n");
        assert_eq!(
            error.to_string(),
            "bad.yaml:3:4: did not find expected ',' or '}', while parsing a flow mapping \
             started at line 2 column 6"
        );
    }

    #[test]
    fn an_unclosed_quote_names_where_it_opened() {
        for quote in ['"', '\''] {
            let error = yaml_error(&format!("workspaces:\n  staging:\n    name: {quote}Stag\n"));
            assert_eq!(error.started_at, Some((3, 11)), "{error}");
            assert_eq!(
                error.to_string(),
                "bad.yaml:4:1: found unexpected end of stream at the end of the file, while \
                 scanning a quoted scalar started at line 3 column 11"
            );
        }
        // JSON's parser says where the string broke, at the end of its line; it does not
        // say where the string began.
        let error = json_error("{\"workspaces\": {\"staging\": {\"name\": \"Stag\n}}}");
        assert_eq!(error.started_at, None);
        assert_eq!(
            error.to_string(),
            "bad.json:1:42: control character (\\u0000-\\u001F) found while parsing a string"
        );
    }

    #[test]
    fn json_errors_put_the_place_first_and_once() {
        let error = json_error("{\"workspaces\": {\"staging\": {\"members\": [\"a\"\n}");
        assert_eq!(error.to_string(), "bad.json:2:1: expected `,` or `]`");
        let error = json_error("{\"workspaces\": {\"staging\": {\"name\": 5}}}");
        assert_eq!((error.line, error.column), (Some(1), Some(38)), "{error}");
        assert_eq!(error.to_string().matches("line").count(), 0, "{error}");
    }

    #[test]
    fn a_check_of_ours_keeps_its_path_and_its_place() {
        let error = yaml_error("workspaces:\n  a:\n    nmae: A\n");
        assert_eq!(
            error.to_string(),
            "bad.yaml:3:5: workspaces.a: unknown field `nmae`; did you mean `name`?"
        );
        assert_eq!(error.started_at, None);
    }
}
