//! What the OpenAPI document says about each operation and model, as data.
//!
//! The generator emits one [`Operation`] per operation and one [`Model`] per object schema:
//! parameters, body fields, their types, enum values, constraints, defaults and
//! descriptions, and the operation's [`WriteRules`]. The client checks requests against
//! them before sending; tools built on the client (the command-line tool, the emulator, a
//! desired-state engine) read them so that a new document reaches them with no code change.
//!
//! Every operation builder implements [`RequestBuilder`], which names its operation and
//! sets any parameter or field by its name in the document:
//!
//! ```
//! use openrouter_workspaces::RequestBuilder;
//! use openrouter_workspaces::workspaces::Create;
//!
//! let create = Create::operation();
//! assert_eq!((create.method.as_str(), create.path), ("POST", "/workspaces"));
//! let slug = create.body.unwrap().field("slug").unwrap();
//! assert!(slug.required && slug.shape.check(&"Not A Slug".into()).is_err());
//! ```

use std::fmt;
use std::sync::OnceLock;

use serde_json::{Map, Value};

use crate::request::ErrorStatus;

/// Every operation the client was generated with, in the document's order.
pub fn operations() -> &'static [&'static Operation] {
    crate::spec::OPERATIONS
}

/// Every object model the client was generated with, by schema name.
pub fn models() -> &'static [&'static Model] {
    crate::spec::MODELS
}

/// Whether two JSON values are the same value: numbers compared by value (`1` is `1.0`, as
/// a server may write back a number it was sent), arrays item by item, anything else as
/// `serde_json` compares it. The client settles an ambiguous write by comparing the fields it
/// sent with those it finds so; a tool comparing values it holds with a server's can too.
///
/// ```
/// use openrouter_workspaces::schema::same_value;
/// use serde_json::json;
///
/// assert!(same_value(&json!([1, 2.5]), &json!([1.0, 2.5])));
/// assert!(!same_value(&json!(1), &json!("1")));
/// ```
pub fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_value(x, y))
        }
        _ => a == b,
    }
}

/// An operation builder, as tools that work from the document see it: the operation it
/// sends, and a setter that takes any parameter or body field by its name in the document.
///
/// Typed setters are the usual way to build a request; this one serves code that learns
/// the fields from [`Operation`] at run time (a command line, a file of desired state).
pub trait RequestBuilder: Sized {
    /// What the document says about the operation this builder sends.
    fn operation() -> &'static Operation;

    /// Sets the query or header parameter, or the body field, called `name` in the
    /// document to the JSON `value` (`null` clears a nullable field). Nothing is checked
    /// here: a name the operation lacks, or a value of the wrong type or outside the
    /// document's rules (an enum value it does not list included), is refused by `send` as
    /// [`Error::InvalidInput`](crate::Error::InvalidInput), before anything is sent.
    ///
    /// ```
    /// use openrouter_workspaces::{Client, RequestBuilder};
    ///
    /// # fn main() -> Result<(), openrouter_workspaces::Error> {
    /// let client = Client::builder().api_key("sk-or-v1-example").build()?;
    /// let request = client
    ///     .workspaces()
    ///     .create()
    ///     .set_json("name", "Staging".into())
    ///     .set_json("slug", "staging".into())
    ///     .set_json("is_data_discount_logging_enabled", "yes".into());
    /// let err = request.send().unwrap_err();
    /// assert!(err.to_string().contains("must be a boolean"), "{err}");
    /// # Ok(())
    /// # }
    /// ```
    fn set_json(self, name: &str, value: Value) -> Self;
}

/// One operation of the document.
#[non_exhaustive]
pub struct Operation {
    /// The `operationId`.
    pub id: &'static str,
    /// The tag the operation is grouped under (`Workspaces`).
    pub tag: &'static str,
    /// The call a caller writes for it (`workspaces().set_budget`), which errors name.
    pub call: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The path template under the base URL (`/workspaces/{id}`).
    pub path: &'static str,
    /// The one-line summary (empty when the document has none).
    pub summary: &'static str,
    /// The path, query and header parameters the caller gives (not the headers the client
    /// sets itself), path parameters first in template order.
    pub parameters: &'static [Parameter],
    /// The JSON request body, when the operation takes one.
    pub body: Option<Body>,
    /// How a write is made safe to retry (from the `x-write-safety` extension).
    pub write: WriteRules,
    /// The documented error statuses and the decoders of their bodies.
    pub(crate) errors: &'static [ErrorStatus],
}

impl Operation {
    /// The parameter called `name`, if the operation has one.
    pub fn parameter(&self, name: &str) -> Option<&'static Parameter> {
        self.parameters.iter().find(|p| p.name == name)
    }
}

impl fmt::Debug for Operation {
    /// The operation's name only: its description is the document, not state.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Operation({})", self.id)
    }
}

impl fmt::Display for Operation {
    /// The call a caller wrote, then the operationId the document and the server's logs use:
    /// `workspaces().set_budget (upsertWorkspaceBudget)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.call, self.id)
    }
}

impl PartialEq for Operation {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id && self.method == other.method && self.path == other.path
    }
}

impl Eq for Operation {}

/// An HTTP method of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `GET`
    Get,
    /// `PUT`
    Put,
    /// `POST`
    Post,
    /// `DELETE`
    Delete,
    /// `OPTIONS`
    Options,
    /// `HEAD`
    Head,
    /// `PATCH`
    Patch,
    /// `TRACE`
    Trace,
}

impl Method {
    /// The method as it goes on the wire (`GET`).
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
        }
    }

    /// Whether sending the request twice has the effect of sending it once. PATCH counts:
    /// the API's updates set fields to given values, so a repeat changes nothing more.
    pub(crate) fn is_idempotent(self) -> bool {
        !matches!(self, Method::Post)
    }
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Location {
    /// A segment of the path.
    Path,
    /// The query string (arrays repeat the name).
    Query,
    /// A request header.
    Header,
}

/// A path, query or header parameter.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Parameter {
    /// The name in the document (and on the wire).
    pub name: &'static str,
    /// Where it goes.
    pub location: Location,
    /// Whether every request must carry it (path parameters always do).
    pub required: bool,
    /// The document's description (empty when it has none).
    pub description: &'static str,
    /// Its type and rules.
    pub shape: Shape,
    /// The document's default, as JSON text.
    pub default: Option<&'static str>,
}

/// A JSON request body.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Body {
    /// The schema name of the whole body, when it is a named model.
    pub model: Option<&'static str>,
    /// Whether the body is a JSON object whose fields are listed in `fields`.
    pub object: bool,
    /// The object's fields, in the document's order.
    pub fields: &'static [Field],
}

impl Body {
    /// The field called `name`, if the body has one.
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// Checks a body against the document: every field known, required ones present, `null`
    /// only where allowed, and each value of its type and within its rules. The first
    /// problem found is returned.
    pub fn check(&self, body: &Map<String, Value>) -> Result<(), Violation> {
        self.check_fields(body, Strictness::Document)
    }

    /// [`check`](Self::check), with the client's own strictness for enum values.
    pub(crate) fn check_fields(
        &self,
        body: &Map<String, Value>,
        strictness: Strictness,
    ) -> Result<(), Violation> {
        if !self.object {
            return Ok(());
        }
        // The client sends fields the document lacks when the caller puts them in a typed
        // body's `extra` map on purpose; a server built from the document refuses them.
        if strictness == Strictness::Document
            && let Some(unknown) = body.keys().find(|name| self.field(name).is_none())
        {
            return Err(Violation::new(
                unknown,
                "is not a field of this body in the OpenAPI document",
            ));
        }
        for field in self.fields {
            match body.get(field.name) {
                None if field.required => return Err(Violation::new(field.name, "is required")),
                None => {}
                Some(value) => field.check_with(value, strictness)?,
            }
        }
        Ok(())
    }
}

/// A field of an object: of a request body, or of a model.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Field {
    /// The JSON name.
    pub name: &'static str,
    /// Whether an object must carry it.
    pub required: bool,
    /// Whether `null` is a value it may take.
    pub nullable: bool,
    /// The document's description (empty when it has none).
    pub description: &'static str,
    /// Its type and rules.
    pub shape: Shape,
    /// The document's default, as JSON text.
    pub default: Option<&'static str>,
}

impl Field {
    /// Checks one value of this field: `null` only when nullable, then its shape.
    pub fn check(&self, value: &Value) -> Result<(), Violation> {
        self.check_with(value, Strictness::Document)
    }

    pub(crate) fn check_with(
        &self,
        value: &Value,
        strictness: Strictness,
    ) -> Result<(), Violation> {
        if value.is_null() {
            return if self.nullable {
                Ok(())
            } else {
                Err(Violation::new(self.name, "must not be null"))
            };
        }
        self.shape
            .check_with(value, strictness)
            .map_err(|problem| Violation::new(self.name, problem))
    }

    /// The document's default, parsed.
    pub fn default_value(&self) -> Option<Value> {
        self.default
            .and_then(|text| serde_json::from_str(text).ok())
    }
}

/// The type of a value and the rules it must keep.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Shape {
    /// The JSON type.
    pub kind: Kind,
    /// The schema's `format` (`uuid`, `double`, `date-time`), when it has one.
    pub format: Option<&'static str>,
    /// The values a string may take, when the document lists them (an enum).
    pub values: &'static [&'static str],
    /// Lengths, pattern, range and item counts.
    pub rules: Rules,
    /// The shape of each item, for an array.
    pub items: Option<&'static Shape>,
    /// The schema name, when the value is a named model or enum of the document.
    pub model: Option<&'static str>,
    /// The generated Rust type is an open enum: a caller who sends a value the document
    /// does not list chose it on purpose (`Unknown(..)`), so the client does not refuse it.
    pub(crate) open: bool,
}

/// How strictly enum values are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Strictness {
    /// As the document says: a value it does not list is refused.
    Document,
    /// As the client sends: a value of an open enum type is the caller's explicit choice.
    Client,
}

impl Shape {
    /// Checks a value against its type, its listed values, its rules and those of its items.
    /// The problem is a sentence fragment (`must be at most 100 characters long, is 101`).
    pub fn check(&self, value: &Value) -> Result<(), String> {
        self.check_with(value, Strictness::Document)
    }

    pub(crate) fn check_with(&self, value: &Value, strictness: Strictness) -> Result<(), String> {
        let fits = match self.kind {
            Kind::String => value.is_string(),
            Kind::Integer => value.as_f64().is_some_and(|x| x.fract() == 0.0),
            Kind::Number => value.is_number(),
            Kind::Boolean => value.is_boolean(),
            Kind::Array => value.is_array(),
            Kind::Object => value.is_object(),
            Kind::Any => true,
        };
        if !fits {
            return Err(format!("must be {}", self.kind.described()));
        }
        if let Value::String(text) = value
            && !self.values.is_empty()
            && !self.values.contains(&text.as_str())
            && !(self.open && strictness == Strictness::Client)
        {
            return Err(format!(
                "must be one of {}, is `{text}`",
                self.values.join(", ")
            ));
        }
        crate::validation::check_rules(value, &self.rules)?;
        if let (Some(items), Value::Array(values)) = (self.items, value) {
            for (i, item) in values.iter().enumerate() {
                if item.is_null() {
                    return Err(format!("item {i} must not be null"));
                }
                items
                    .check_with(item, strictness)
                    .map_err(|problem| format!("item {i} {problem}"))?;
            }
        }
        Ok(())
    }
}

/// A JSON type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// A string.
    String,
    /// A number with no fraction.
    Integer,
    /// Any number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// An array; its items' shape is [`Shape::items`].
    Array,
    /// An object.
    Object,
    /// Anything the document does not constrain.
    Any,
}

impl Kind {
    /// The type with its article, as a check's message says it ("a string").
    pub fn described(self) -> &'static str {
        match self {
            Kind::String => "a string",
            Kind::Integer => "an integer",
            Kind::Number => "a number",
            Kind::Boolean => "a boolean",
            Kind::Array => "an array",
            Kind::Object => "an object",
            Kind::Any => "a value",
        }
    }
}

/// The value constraints of a parameter or field (JSON Schema validation keywords).
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Rules {
    /// Fewest characters of a string.
    pub min_length: Option<u64>,
    /// Most characters of a string.
    pub max_length: Option<u64>,
    /// The ECMAScript regular expression a string must match.
    pub pattern: Option<&'static Pattern>,
    /// Lowest number.
    pub minimum: Option<f64>,
    /// Highest number.
    pub maximum: Option<f64>,
    /// The minimum itself is refused.
    pub exclusive_minimum: bool,
    /// The maximum itself is refused.
    pub exclusive_maximum: bool,
    /// Fewest items of an array.
    pub min_items: Option<u64>,
    /// Most items of an array.
    pub max_items: Option<u64>,
}

impl Rules {
    /// No constraint at all.
    pub const NONE: Rules = Rules {
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

/// An ECMAScript regular expression from the document, compiled on first use.
pub struct Pattern {
    source: &'static str,
    compiled: OnceLock<regress::Regex>,
}

impl Pattern {
    /// A pattern the generator has already compiled once, at build time.
    #[doc(hidden)]
    pub const fn new(source: &'static str) -> Self {
        Self {
            source,
            compiled: OnceLock::new(),
        }
    }

    /// The expression as the document writes it.
    pub fn source(&self) -> &'static str {
        self.source
    }

    /// Whether `text` matches (anywhere, as JSON Schema's `pattern` does; anchors are the
    /// expression's own).
    pub fn is_match(&self, text: &str) -> bool {
        self.compiled
            .get_or_init(|| {
                regress::Regex::new(self.source)
                    .expect("the generator compiled this pattern with regress at build time")
            })
            .find(text)
            .is_some()
    }
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Pattern").field(&self.source).finish()
    }
}

/// An object schema of the document (a model type).
#[derive(Debug)]
#[non_exhaustive]
pub struct Model {
    /// The schema name (`Workspace`).
    pub name: &'static str,
    /// The document's description (empty when it has none).
    pub description: &'static str,
    /// Its fields, in the document's order.
    pub fields: &'static [Field],
}

impl Model {
    /// The field called `name`, if the model has one.
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// A model type generated from an object schema, and what the document says of it.
pub trait Described {
    /// The schema this type was generated from.
    fn schema() -> &'static Model;
}

/// How a write is made safe to retry: the `x-write-safety` extension of an operation,
/// which the project's overlay (`openapi/write-safety.overlay.yaml`) adds to the document.
///
/// Reads, PUT, PATCH and DELETE are retried after any failure the policy retries. A POST
/// is re-sent only when the first attempt cannot have been applied, unless it is
/// `repeatable` or its result can be looked up.
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct WriteRules {
    /// A POST the API makes repeatable: a second delivery leaves the state of one.
    pub repeatable: bool,
    /// The success body to report when a retry of a write that may have been applied finds
    /// the thing gone (404): that attempt did the job. JSON text.
    pub gone_means_done: Option<&'static str>,
    /// How to look up the result of a create whose outcome is unknown.
    pub settle: Option<Lookup>,
    /// Where to look when a retry of an update that may have been applied finds its address
    /// empty (404): the update may have moved what it addressed.
    pub relocate: Option<Lookup>,
}

/// A GET that finds what a write would have made, and how to recognise it.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Lookup {
    /// The path template under the base URL; each `{name}` is the sent body's field of that
    /// name, percent-encoded as one segment.
    pub path: &'static str,
    /// A JSON pointer to the object in the lookup's answer (`/data`).
    pub object: &'static str,
    /// Fields that the found object must carry with the sent values. Every other sent field
    /// must agree when the object carries it.
    pub identity: &'static [&'static str],
}

/// A value that breaks the document's rules: which field, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Violation {
    /// The parameter or field.
    pub field: String,
    /// The rule it breaks, as a sentence fragment ("must be at most 100 characters long").
    pub problem: String,
}

impl Violation {
    /// A violation of `field`.
    pub(crate) fn new(field: &str, problem: impl Into<String>) -> Self {
        Self {
            field: field.to_string(),
            problem: problem.into(),
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` {}", self.field, self.problem)
    }
}

impl std::error::Error for Violation {}
