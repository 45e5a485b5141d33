//! The flags of a request, derived from what the OpenAPI document says of its operation.
//!
//! Every query or header parameter and every field of the JSON body becomes a flag of its
//! command: `--<kebab-case name>`, a value of the document's type, the document's
//! description as help (with its rules), its enum values as possible values, and a
//! `--clear-…` flag that sends `null` when the field is nullable. Values are checked against
//! the document while the command line is parsed, so a bad one exits 2 before anything is
//! sent. A short table of [`OVERRIDES`] keeps the curated names and help of the flags the
//! tool had before they were derived; a name it gives for a field the document lacks is
//! simply not used.

use std::ffi::OsStr;
use std::fmt;
use std::marker::PhantomData;

use clap::builder::{
    BoolishValueParser, NonEmptyStringValueParser, PossibleValue, PossibleValuesParser,
    TypedValueParser, ValueParser,
};
use clap::error::ErrorKind;
use clap::{Arg, ArgAction, ArgMatches, Args, Command, FromArgMatches};
use openrouter_workspaces::RequestBuilder;
use openrouter_workspaces::schema::{Kind, Location, Operation, Rules, Shape};
use serde_json::Value;

/// What the table of overrides can say about one field or parameter, by its name in the
/// document. Whatever it leaves out is derived.
#[derive(Debug, Clone, Copy)]
struct Override {
    /// The name in the document.
    name: &'static str,
    /// The flag's name without `--`, instead of the kebab-case name.
    long: Option<&'static str>,
    /// The name of the value in help and errors (`MODEL`).
    value_name: Option<&'static str>,
    /// The help text, instead of the document's description.
    help: Option<&'static str>,
    /// The values are given as the command's last positional arguments, not by a flag.
    positional: bool,
}

impl Override {
    /// Nothing overridden yet.
    const fn of(name: &'static str) -> Self {
        Self {
            name,
            long: None,
            value_name: None,
            help: None,
            positional: false,
        }
    }

    /// The flag is `--{long}`.
    const fn long(self, long: &'static str) -> Self {
        Self {
            long: Some(long),
            ..self
        }
    }

    /// The value is shown as `{name}`.
    const fn value_name(self, name: &'static str) -> Self {
        Self {
            value_name: Some(name),
            ..self
        }
    }

    /// The help is `help`.
    const fn help(self, help: &'static str) -> Self {
        Self {
            help: Some(help),
            ..self
        }
    }

    /// The values are positional arguments.
    const fn positional(self) -> Self {
        Self {
            positional: true,
            ..self
        }
    }
}

/// The curated flags: the names, value names and help the tool had before its flags were
/// derived. A field or parameter this table does not name gets `--<kebab-case name>`, a
/// value name from its type and the document's description.
const OVERRIDES: &[Override] = &[
    Override::of("is_data_discount_logging_enabled").long("data-discount-logging"),
    Override::of("is_observability_broadcast_enabled").long("observability-broadcast"),
    Override::of("is_observability_io_logging_enabled").long("observability-io-logging"),
    Override::of("include_byok_in_budgets")
        .long("include-byok")
        .help("Whether bring-your-own-key spending counts toward the budgets (a workspace-wide setting)."),
    Override::of("default_text_model")
        .value_name("MODEL")
        .help("Text model used when a request names none, such as `openai/gpt-4o-mini`."),
    Override::of("default_image_model").value_name("MODEL"),
    Override::of("default_provider_sort").value_name("SORT"),
    Override::of("io_logging_sampling_rate").value_name("RATE"),
    Override::of("io_logging_api_key_ids").value_name("IDS"),
    Override::of("limit_usd").value_name("AMOUNT"),
    Override::of("limit").help("Items per page; with --all, the size of each page fetched."),
    Override::of("confirm_default_workspace_deletion").help(
        "Confirm the removal of the default workspace, which also switches off the account's \
         inference API keys that belong to no workspace and erases its budgets, guardrails, \
         classifiers and broadcast destinations. Only callers the API enables for it may \
         delete the default workspace (others get 403).",
    ),
    Override::of("user_ids")
        .positional()
        .value_name("USER_ID")
        .help("User IDs, such as `user_2abc...`."),
];

/// Flag names the command line uses for its own options on a command that has derived
/// flags (besides the global options, which are read from their definition). A field whose
/// flag would take one of them is given as `--body-<name>` (`--query-<name>` for a query
/// parameter) instead.
const OWN_FLAGS: &[&str] = &["help", "version", "all", "output", "columns"];

/// The derived flags of the operation that `B` sends: as clap arguments when the command
/// line is defined, and as `(name in the document, JSON value)` pairs once it is parsed.
pub struct Fields<B> {
    /// What was given, in the document's order; `null` for a `--clear-…` flag.
    values: Vec<(&'static str, Value)>,
    /// The builder whose operation the flags come from.
    builder: PhantomData<fn() -> B>,
}

impl<B> Fields<B> {
    /// The value given for the parameter or field `name`, if one was.
    pub fn value(&self, name: &str) -> Option<&Value> {
        self.values
            .iter()
            .find(|(given, _)| *given == name)
            .map(|(_, value)| value)
    }
}

impl<B: RequestBuilder> Fields<B> {
    /// Sets every given value on `request`, a builder of the same operation as `B`.
    pub fn apply<R: RequestBuilder>(self, request: R) -> R {
        debug_assert!(
            std::ptr::eq(R::operation(), B::operation()),
            "flags of {} applied to {}",
            B::operation(),
            R::operation()
        );
        self.values
            .into_iter()
            .fold(request, |request, (name, value)| {
                request.set_json(name, value)
            })
    }
}

impl<B> fmt::Debug for Fields<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.values.iter().map(|(name, value)| (name, value)))
            .finish()
    }
}

impl<B: RequestBuilder> Args for Fields<B> {
    fn augment_args(cmd: Command) -> Command {
        augment(cmd, B::operation(), true)
    }

    fn augment_args_for_update(cmd: Command) -> Command {
        augment(cmd, B::operation(), false)
    }
}

impl<B: RequestBuilder> FromArgMatches for Fields<B> {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        Ok(Self {
            values: collect(matches, B::operation())?,
            builder: PhantomData,
        })
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        for (name, value) in collect(matches, B::operation())? {
            self.values.retain(|(given, _)| *given != name);
            self.values.push((name, value));
        }
        Ok(())
    }
}

/// A parser of the path parameter `name` of the operation `B` sends: its enum values as
/// possible values, or its rules. The value stays text; [`path_value`] turns it into the
/// parameter's type.
pub fn path_parser<B: RequestBuilder>(name: &str) -> ValueParser {
    match B::operation().parameter(name) {
        Some(parameter) if !parameter.shape.values.is_empty() => {
            ValueParser::new(PossibleValuesParser::new(parameter.shape.values))
        }
        Some(parameter) => {
            let shape = &parameter.shape;
            ValueParser::new(move |text: &str| {
                shape
                    .check(&Value::String(text.to_string()))
                    .map(|()| text.to_string())
            })
        }
        None => ValueParser::new(NonEmptyStringValueParser::new()),
    }
}

/// A path parameter's text as the type the operation takes (an enum of the document, or a
/// string), read as the JSON string it is on the wire.
pub fn path_value<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_json::from_value(Value::String(text.to_string()))
        .map_err(|e| format!("`{text}` is not a value of this parameter: {e}"))
}

/// Where a flag's value goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// The query string.
    Query,
    /// A request header.
    Header,
    /// A field of the JSON body.
    Body,
}

impl Place {
    /// The prefix of the flag when its own name is taken by an option of the tool.
    fn prefix(self) -> &'static str {
        match self {
            Place::Query => "query",
            Place::Header => "header",
            Place::Body => "body",
        }
    }
}

/// How a flag takes its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// `--flag VALUE`.
    One,
    /// The items of an array: `--flag A,B`, or `--flag A --flag B`, or both.
    List,
    /// `--flag` alone sends `true`: a boolean parameter that is false unless given.
    Switch,
    /// The items of an array, as the command's last positional arguments.
    Positional,
}

/// What the document says of a parameter or body field.
struct Source {
    /// The name in the document.
    name: &'static str,
    /// Whether the operation needs it.
    required: bool,
    /// Whether `null` is a value it may take.
    nullable: bool,
    /// The document's description.
    description: &'static str,
    /// Its type and rules.
    shape: &'static Shape,
    /// The document's default, as JSON text.
    default: Option<&'static str>,
}

/// One parameter or body field as a flag.
struct Flag {
    /// What the document says of it.
    doc: Source,
    /// Where the value goes.
    place: Place,
    /// How the value is given.
    form: Form,
    /// The flag's name without `--`, before any clash is resolved.
    long: String,
    /// The curated entry, if any.
    curated: Option<&'static Override>,
}

/// The flags of `operation`: what it needs first, then its query and header parameters and
/// its body fields in the document's order.
fn flags(operation: &'static Operation) -> Vec<Flag> {
    let parameters = operation.parameters.iter().filter_map(|p| {
        let place = match p.location {
            Location::Path => return None,
            Location::Header => Place::Header,
            _ => Place::Query,
        };
        let source = Source {
            name: p.name,
            required: p.required,
            nullable: false,
            description: p.description,
            shape: &p.shape,
            default: p.default,
        };
        Some(Flag::new(place, source))
    });
    let fields = operation
        .body
        .filter(|body| body.object)
        .into_iter()
        .flat_map(|body| body.fields)
        .map(|f| {
            let source = Source {
                name: f.name,
                required: f.required,
                nullable: f.nullable,
                description: f.description,
                shape: &f.shape,
                default: f.default,
            };
            Flag::new(Place::Body, source)
        });
    let mut flags: Vec<Flag> = parameters.chain(fields).collect();
    flags.sort_by_key(|flag| !flag.doc.required);
    flags
}

impl Flag {
    /// The flag of a parameter or field, with its curated entry if the table has one.
    fn new(place: Place, doc: Source) -> Self {
        let curated = OVERRIDES.iter().find(|o| o.name == doc.name);
        let kind = doc.shape.kind;
        let form = match curated {
            Some(o) if o.positional && kind == Kind::Array => Form::Positional,
            _ if kind == Kind::Array => Form::List,
            _ if kind == Kind::Boolean && place != Place::Body && doc.default != Some("true") => {
                Form::Switch
            }
            _ => Form::One,
        };
        let long = curated
            .and_then(|o| o.long)
            .map_or_else(|| doc.name.replace('_', "-"), str::to_string);
        Self {
            doc,
            place,
            form,
            long,
            curated,
        }
    }

    /// Whether the flag has a `--clear-…` twin that sends `null`.
    fn clears(&self) -> bool {
        self.doc.nullable && self.form != Form::Switch
    }

    /// The id of the argument that sets the value.
    fn id(&self) -> String {
        format!("{}:{}", self.place.prefix(), self.doc.name)
    }

    /// The id of the `--clear-…` argument.
    fn clear_id(&self) -> String {
        format!("clear:{}", self.doc.name)
    }

    /// The flag's name without `--`: its own, or prefixed by where it goes when an option
    /// of the tool has that name.
    fn long_among(&self, taken: &[String]) -> String {
        if taken.contains(&self.long) || taken.contains(&format!("clear-{}", self.long)) {
            format!("{}-{}", self.place.prefix(), self.long)
        } else {
            self.long.clone()
        }
    }

    /// The name of the value in help and errors.
    fn value_name(&self) -> &'static str {
        if let Some(name) = self.curated.and_then(|o| o.value_name) {
            return name;
        }
        let shape = match (self.form, self.doc.shape.items) {
            (Form::List | Form::Positional, Some(items)) => items,
            _ => self.doc.shape,
        };
        match (self.form, shape.kind, shape.format) {
            (Form::List, ..) => "LIST",
            (_, Kind::Boolean, _) => "BOOL",
            (_, Kind::Integer, _) => "N",
            (_, Kind::Number, _) => "NUMBER",
            (_, Kind::String, _) if !shape.values.is_empty() => "VALUE",
            (_, Kind::String, Some("uuid")) => "UUID",
            (_, Kind::String, _) => "TEXT",
            _ => "JSON",
        }
    }

    /// The help: the curated text or the document's description, then the rules, how a
    /// list is given, and the server's default.
    fn help(&self) -> String {
        let mut help = match self.curated.and_then(|o| o.help) {
            Some(curated) => curated.to_string(),
            None if self.doc.description.trim().is_empty() => match self.place {
                Place::Body => format!("The `{}` field of the request body.", self.doc.name),
                Place::Query => format!("The `{}` query parameter.", self.doc.name),
                Place::Header => format!("The `{}` header.", self.doc.name),
            },
            None => self.doc.description.trim().to_string(),
        };
        let rules = rules(self.doc.shape);
        if !rules.is_empty() {
            help.push_str(&format!(" [{}]", rules.join(", ")));
        }
        match self.form {
            Form::List => help.push_str(" [comma-separated, or the flag repeated]"),
            Form::Switch => help.push_str(" [sends true]"),
            Form::One | Form::Positional => {}
        }
        if let Some(default) = self.doc.default {
            help.push_str(&format!(" [server default: {default}]"));
        }
        help
    }

    /// The clap argument that sets the value; `required` is false when clap builds a
    /// command to update parsed values.
    fn arg(&self, long: &str, required: bool) -> Arg {
        let arg = Arg::new(self.id()).help(self.help());
        let items = Parse(self.doc.shape.items);
        let arg = match self.form {
            Form::Switch => arg.long(long.to_string()).action(ArgAction::SetTrue),
            Form::One => arg
                .long(long.to_string())
                .action(ArgAction::Set)
                .value_parser(ValueParser::new(Parse(Some(self.doc.shape)))),
            Form::List => arg
                .long(long.to_string())
                .action(ArgAction::Append)
                .value_delimiter(',')
                .value_parser(ValueParser::new(items)),
            Form::Positional => arg
                .action(ArgAction::Append)
                .num_args(1..)
                .value_parser(ValueParser::new(items)),
        };
        let arg = match self.form {
            Form::Switch => arg,
            _ => arg.value_name(self.value_name()),
        };
        // `--amount -5` is a value to check, not an unknown flag.
        let numbers = [Some(self.doc.shape), self.doc.shape.items]
            .into_iter()
            .flatten()
            .any(|shape| matches!(shape.kind, Kind::Integer | Kind::Number));
        let arg = arg.allow_negative_numbers(numbers);
        match (required, self.doc.required, self.clears()) {
            (true, true, true) => arg.required_unless_present(self.clear_id()),
            (true, true, false) => arg.required(true),
            _ => arg,
        }
    }

    /// The clap argument that sends `null`.
    fn clear_arg(&self, long: &str) -> Arg {
        Arg::new(self.clear_id())
            .long(format!("clear-{long}"))
            .action(ArgAction::SetTrue)
            .conflicts_with(self.id())
            .help(format!("Clear --{long} (sends null)."))
    }

    /// The value given on the command line, if any, checked against the document.
    fn given(&self, matches: &ArgMatches, taken: &[String]) -> Result<Option<Value>, clap::Error> {
        let id = self.id();
        let lookup = |e| clap::Error::raw(ErrorKind::UnknownArgument, e);
        let value = match self.form {
            Form::Switch => matches
                .try_get_one::<bool>(&id)
                .map_err(lookup)?
                .filter(|set| **set)
                .map(|_| Value::Bool(true)),
            Form::One => matches.try_get_one::<Value>(&id).map_err(lookup)?.cloned(),
            Form::List | Form::Positional => matches
                .try_get_many::<Value>(&id)
                .map_err(lookup)?
                .map(|items| Value::Array(items.cloned().collect())),
        };
        if let Some(value) = &value
            && let Err(problem) = self.doc.shape.check(value)
        {
            let flag = match self.form {
                Form::Positional => format!("<{}>", self.value_name()),
                _ => format!("--{}", self.long_among(taken)),
            };
            return Err(clap::Error::raw(
                ErrorKind::ValueValidation,
                format!("invalid value for '{flag}': {problem}"),
            ));
        }
        let cleared = self.clears()
            && matches
                .try_get_one::<bool>(&self.clear_id())
                .map_err(lookup)?
                .is_some_and(|set| *set);
        Ok(value.or(cleared.then_some(Value::Null)))
    }
}

/// Adds the flags of `operation` to `cmd`.
fn augment(mut cmd: Command, operation: &'static Operation, required: bool) -> Command {
    let taken = taken();
    for flag in flags(operation) {
        let long = flag.long_among(&taken);
        cmd = cmd.arg(flag.arg(&long, required));
        if flag.clears() {
            cmd = cmd.arg(flag.clear_arg(&long));
        }
    }
    cmd
}

/// The given flags of `operation` as `(name, value)` pairs, each value checked against the
/// document.
fn collect(
    matches: &ArgMatches,
    operation: &'static Operation,
) -> Result<Vec<(&'static str, Value)>, clap::Error> {
    let taken = taken();
    let mut values = Vec::new();
    for flag in flags(operation) {
        if let Some(value) = flag.given(matches, &taken)? {
            values.push((flag.doc.name, value));
        }
    }
    Ok(values)
}

/// The flag names of the tool's own options: the global ones and [`OWN_FLAGS`].
fn taken() -> Vec<String> {
    let global = crate::args::Global::augment_args(Command::new("global"));
    global
        .get_arguments()
        .filter_map(|arg| arg.get_long().map(str::to_string))
        .chain(OWN_FLAGS.iter().map(|name| (*name).to_string()))
        .collect()
}

/// The parser of one value of a flag: its shape's enum values, a boolean in any usual
/// spelling, or text read as the shape's type; then checked against the shape. `None`
/// (the items of an array the document does not describe) takes JSON, or else text.
#[derive(Debug, Clone, Copy)]
struct Parse(Option<&'static Shape>);

impl TypedValueParser for Parse {
    type Value = Value;

    fn parse_ref(
        &self,
        cmd: &Command,
        arg: Option<&Arg>,
        raw: &OsStr,
    ) -> Result<Value, clap::Error> {
        let Some(shape) = self.0 else {
            let any = |text: &str| -> Result<Value, String> {
                Ok(serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.into())))
            };
            return any.parse_ref(cmd, arg, raw);
        };
        let value = if !shape.values.is_empty() {
            Value::String(PossibleValuesParser::new(shape.values).parse_ref(cmd, arg, raw)?)
        } else if shape.kind == Kind::Boolean {
            Value::Bool(BoolishValueParser::new().parse_ref(cmd, arg, raw)?)
        } else {
            (|text: &str| typed(text, shape.kind)).parse_ref(cmd, arg, raw)?
        };
        // Through clap's own parser of a closure, so that the error reads as clap's do:
        // `invalid value 'x' for '--flag <V>': the rule`.
        let problem = shape.check(&value).err();
        let verdict = move |_: &str| problem.clone().map_or(Ok(()), Err);
        verdict.parse_ref(cmd, arg, raw)?;
        Ok(value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        let values = self.0?.values;
        (!values.is_empty()).then(|| {
            Box::new(values.iter().map(|v| PossibleValue::new(*v)))
                as Box<dyn Iterator<Item = PossibleValue>>
        })
    }
}

/// `text` as a JSON value of `kind` (not yet checked against the rules).
fn typed(text: &str, kind: Kind) -> Result<Value, String> {
    let number = || text.trim().parse::<f64>().ok().filter(|n| n.is_finite());
    match kind {
        Kind::Integer => text
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .or_else(|_| text.trim().parse::<u64>().map(Value::from))
            .map_err(|_| "must be an integer".to_string()),
        Kind::Number => number()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| "must be a number".to_string()),
        Kind::String => Ok(Value::String(text.to_string())),
        Kind::Object | Kind::Array => serde_json::from_str(text)
            .map_err(|_| format!("must be {} written as JSON", kind.described())),
        _ => Ok(serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.into()))),
    }
}

/// The rules of a shape as short phrases for help (`1 to 100 characters`), those of an
/// array's items starting with `each`.
fn rules(shape: &Shape) -> Vec<String> {
    let mut phrases = bounds(&shape.rules);
    if let Some(items) = shape.items {
        phrases.extend(
            bounds(&items.rules)
                .into_iter()
                .map(|p| format!("each {p}")),
        );
    }
    phrases
}

/// The phrases of one set of rules.
fn bounds(rules: &Rules) -> Vec<String> {
    let mut phrases: Vec<String> = [
        span(rules.min_length, rules.max_length, "characters"),
        span(rules.min_items, rules.max_items, "items"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if let Some(pattern) = rules.pattern {
        phrases.push(format!("matching {}", pattern.source()));
    }
    let lower = rules.minimum.map(|min| match rules.exclusive_minimum {
        true => format!("above {min}"),
        false => format!("at least {min}"),
    });
    let upper = rules.maximum.map(|max| match rules.exclusive_maximum {
        true => format!("below {max}"),
        false => format!("at most {max}"),
    });
    match (rules.minimum, rules.maximum, lower, upper) {
        (Some(min), Some(max), _, _) if !rules.exclusive_minimum && !rules.exclusive_maximum => {
            phrases.push(format!("{min} to {max}"));
        }
        (_, _, lower, upper) => phrases.extend(lower.into_iter().chain(upper)),
    }
    phrases
}

/// A count between two optional bounds: `1 to 100 characters`, `at most 500 characters`.
fn span(min: Option<u64>, max: Option<u64>, units: &str) -> Option<String> {
    let unit = |n: u64| {
        if n == 1 {
            units.trim_end_matches('s')
        } else {
            units
        }
    };
    match (min.filter(|min| *min > 0), max) {
        (Some(min), Some(max)) if min == max => Some(format!("exactly {min} {}", unit(min))),
        (Some(min), Some(max)) => Some(format!("{min} to {max} {units}")),
        (Some(min), None) => Some(format!("at least {min} {}", unit(min))),
        (None, Some(max)) => Some(format!("at most {max} {}", unit(max))),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use openrouter_workspaces::workspaces;

    /// The command of `B`'s flags alone, parsed from `args`.
    fn parse<B: RequestBuilder>(args: &[&str]) -> Result<Fields<B>, clap::Error> {
        let cmd = Fields::<B>::augment_args(Command::new("test"));
        let matches =
            cmd.try_get_matches_from(std::iter::once("test").chain(args.iter().copied()))?;
        Fields::<B>::from_arg_matches(&matches)
    }

    type Create = workspaces::Create<'static>;
    type Delete = workspaces::Delete<'static>;
    type List = workspaces::List<'static>;

    #[test]
    fn every_body_field_is_a_flag_of_its_type() {
        let fields = parse::<Create>(&[
            "--name",
            "Staging",
            "--slug",
            "staging",
            "--data-discount-logging",
            "yes",
            "--io-logging-sampling-rate",
            "0.5",
            "--io-logging-api-key-ids",
            "1,2",
            "--io-logging-api-key-ids",
            "3",
        ])
        .unwrap();
        assert_eq!(fields.value("name"), Some(&Value::from("Staging")));
        assert_eq!(
            fields.value("is_data_discount_logging_enabled"),
            Some(&Value::Bool(true))
        );
        assert_eq!(
            fields.value("io_logging_sampling_rate"),
            Some(&Value::from(0.5))
        );
        assert_eq!(
            fields.value("io_logging_api_key_ids"),
            Some(&serde_json::json!([1, 2, 3]))
        );
        assert_eq!(fields.value("description"), None, "not given, not sent");
    }

    #[test]
    fn required_body_fields_are_required_flags() {
        let err = parse::<Create>(&["--name", "x"]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::MissingRequiredArgument);
        assert!(err.to_string().contains("--slug"), "{err}");
    }

    #[test]
    fn a_value_outside_the_rules_names_the_flag_and_the_rule() {
        let err = parse::<Create>(&["--name", "x", "--slug", "Not A Slug"]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ValueValidation);
        let text = err.to_string();
        assert!(text.contains("--slug"), "{text}");
        assert!(text.contains("must match"), "{text}");

        let err = parse::<Create>(&[
            "--name",
            "x",
            "--slug",
            "x",
            "--io-logging-sampling-rate",
            "2",
        ])
        .unwrap_err();
        assert!(err.to_string().contains("must be at most 1"), "{err}");

        let err = parse::<List>(&["--limit", "ten"]).unwrap_err();
        assert!(err.to_string().contains("must be an integer"), "{err}");
    }

    #[test]
    fn a_nullable_field_has_a_clear_flag_that_sends_null() {
        let fields =
            parse::<Create>(&["--name", "x", "--slug", "x", "--clear-description"]).unwrap();
        assert_eq!(fields.value("description"), Some(&Value::Null));
        let err = parse::<Create>(&[
            "--name",
            "x",
            "--slug",
            "x",
            "--description",
            "d",
            "--clear-description",
        ])
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ArgumentConflict);
    }

    #[test]
    fn a_boolean_query_parameter_is_a_switch() {
        let op = Delete::operation();
        for parameter in op
            .parameters
            .iter()
            .filter(|p| p.shape.kind == Kind::Boolean)
        {
            let long = format!("--{}", parameter.name.replace('_', "-"));
            let fields = parse::<Delete>(&[&long]).unwrap();
            assert_eq!(fields.value(parameter.name), Some(&Value::Bool(true)));
            assert_eq!(parse::<Delete>(&[]).unwrap().value(parameter.name), None);
        }
    }

    #[test]
    fn rules_read_as_short_phrases() {
        let create = Create::operation().body.unwrap();
        let name = create.field("name").unwrap();
        assert_eq!(rules(&name.shape), ["1 to 100 characters"]);
        let rate = create.field("io_logging_sampling_rate").unwrap();
        assert_eq!(rules(&rate.shape), ["0.0001 to 1"]);
        assert_eq!(
            span(Some(0), Some(500), "characters").as_deref(),
            Some("at most 500 characters")
        );
        assert_eq!(
            span(Some(1), None, "items").as_deref(),
            Some("at least 1 item")
        );
    }

    #[test]
    fn path_values_are_read_as_the_parameters_type() {
        let interval: openrouter_workspaces::types::WorkspaceBudgetInterval =
            path_value("weekly").unwrap();
        assert_eq!(interval.as_str(), "weekly");
        let text: String = path_value("any text").unwrap();
        assert_eq!(text, "any text");
    }
}
