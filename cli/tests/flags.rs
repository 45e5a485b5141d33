//! The flags derived from the OpenAPI document: the request the binary sends for each flag
//! (caught by a small recording server on loopback), refusals before sending, `--clear-…`,
//! path values, help and completions.
//!
//! Most tests walk the document the tool was built from (through the library's
//! `RequestBuilder::operation()`), so that they hold for any document that has the
//! operations: a field, a query parameter or an enum value nobody here has seen is tested
//! the same way as today's. A few pin today's document: `disabled_server_tools`.

mod common;

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::rc::Rc;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::Duration;

use common::{Run, bare, cli, client, run, shell, with_workspace};
use openrouter_workspaces::schema::{Kind, Location, Operation, Shape, same_value};
use openrouter_workspaces::workspaces::{
    BulkAddMembers, BulkRemoveMembers, Create, Delete, DeleteBudget, Get, GetBudget, List,
    ListBudgets, ListMembers, SetBudget, Update,
};
use openrouter_workspaces::{RequestBuilder, types};
use openrouter_workspaces_emulator::Emulator;
use serde_json::{Value, json};

/// The README's table of curated flag names: a field it names has this flag, any other
/// `--<kebab-case name>`.
const CURATED: &[(&str, &str)] = &[
    ("is_data_discount_logging_enabled", "data-discount-logging"),
    (
        "is_observability_broadcast_enabled",
        "observability-broadcast",
    ),
    (
        "is_observability_io_logging_enabled",
        "observability-io-logging",
    ),
    ("include_byok_in_budgets", "include-byok"),
];

/// The field whose values are the command's last positional arguments.
const POSITIONAL: &str = "user_ids";

/// The workspace every command addresses.
const WORKSPACE: &str = "ws";

/// One request as the recording server read it.
#[derive(Debug)]
struct Request {
    /// `GET`, `POST`...
    method: String,
    /// The path, without the query.
    path: String,
    /// The query string (empty when there is none).
    query: String,
    /// The JSON body, or null when there is none.
    body: Value,
}

impl Request {
    /// The method and the path.
    fn route(&self) -> (&str, &str) {
        (&self.method, &self.path)
    }
}

/// A loopback HTTP server that records each request and answers it with the next canned
/// answer (200 and an empty object when none is queued), one request per connection.
struct Recorder {
    /// The base URL, with the API's prefix.
    url: String,
    /// The answers to give, in order.
    answers: Arc<Mutex<VecDeque<Vec<u8>>>>,
    /// The requests, in the order they arrived.
    requests: Receiver<Request>,
}

impl Recorder {
    /// Starts the server on a free loopback port.
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let url = format!("http://{}/api/v1", listener.local_addr().unwrap());
        let answers = Arc::new(Mutex::new(VecDeque::new()));
        let (sender, requests) = mpsc::channel();
        let queued = Arc::clone(&answers);
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                // A client that hangs up early ends its own exchange only.
                let _ = serve(stream, &queued, &sender);
            }
        });
        Self {
            url,
            answers,
            requests,
        }
    }

    /// Queues the body of the next answer.
    fn answer(&self, body: &[u8]) {
        self.answers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push_back(body.to_vec());
    }

    /// Runs the binary against this server with `args`.
    fn cli(&self, args: &[String]) -> Run {
        let mut command = bare();
        command
            .args(["--api-key", "sk-or-v1-recorder", "--base-url", &self.url])
            .args(["--no-retries"])
            .args(args);
        run(command)
    }

    /// The request the last run sent: exactly one arrived since the previous call. The
    /// server records a request before it answers, so it is there once the run is over.
    fn sent(&self) -> Request {
        let request = self.requests.try_recv().expect("the run sent a request");
        assert!(
            self.requests.try_recv().is_err(),
            "the run sent one request"
        );
        request
    }

    /// Whether no request arrived since the previous call.
    fn nothing_sent(&self) -> bool {
        self.requests.try_recv().is_err()
    }
}

/// Reads one request from `stream`, records it, and writes the next answer.
fn serve(
    stream: TcpStream,
    answers: &Mutex<VecDeque<Vec<u8>>>,
    requests: &Sender<Request>,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let target = parts.next().unwrap_or_default().to_string();
    let mut length = 0;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header)?;
        if header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let _ = requests.send(Request {
        method,
        path: path.to_string(),
        query: query.to_string(),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    });
    let answer = answers
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .pop_front()
        .unwrap_or_else(|| b"{}".to_vec());
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        answer.len()
    )?;
    stream.write_all(&answer)?;
    stream.flush()
}

/// A command of the tool: the words before its flags, the operation it sends, and a real
/// answer of that operation (from the emulator) for the recording server to give.
struct Cmd {
    /// The command (`budgets get`).
    command: Vec<String>,
    /// Its positional path values (`ws daily`).
    path: Vec<String>,
    /// The operation it sends.
    operation: &'static Operation,
    /// An answer the binary can decode.
    answer: Vec<u8>,
}

impl Cmd {
    /// The command `words` sending `operation` to the workspace [`WORKSPACE`] (and the
    /// first budget interval the document lists, where the path has one), with `answer`.
    fn new(words: &str, operation: &'static Operation, answer: &[u8]) -> Cmd {
        let path = operation
            .parameters
            .iter()
            .filter(|p| p.location == Location::Path)
            .map(|p| match p.name {
                "interval" => {
                    let values = p.shape.values;
                    values.first().expect("the interval is an enum").to_string()
                }
                _ => WORKSPACE.to_string(),
            })
            .collect();
        Cmd {
            command: shell(words),
            path,
            operation,
            answer: answer.to_vec(),
        }
    }
}

/// Every command that sends a request built from the document, each with an answer taken
/// from an emulator (in the order of `--help`).
fn commands() -> Vec<Cmd> {
    let emulator = with_workspace("team");
    let library = client(&emulator);
    let workspaces = library.workspaces();
    let daily = types::WorkspaceBudgetInterval::Daily;
    let list = workspaces.list().send_with_response().unwrap();
    let one = workspaces.get("team").send_with_response().unwrap();
    let budgets = workspaces
        .list_budgets("team")
        .send_with_response()
        .unwrap();
    let set = workspaces
        .set_budget("team", daily.clone())
        .set_json("limit_usd", json!(10.0))
        .send_with_response()
        .unwrap();
    let budget = workspaces
        .get_budget("team", daily)
        .send_with_response()
        .unwrap();
    let members = workspaces
        .list_members("team")
        .send_with_response()
        .unwrap();
    let add = workspaces
        .bulk_add_members("team")
        .set_json("user_ids", json!(["user_bob"]))
        .send_with_response()
        .unwrap();
    let remove = workspaces
        .bulk_remove_members("team")
        .set_json("user_ids", json!(["user_bob"]))
        .send_with_response()
        .unwrap();
    let deleted = br#"{"deleted":true}"#;
    vec![
        Cmd::new("list", List::operation(), list.body()),
        Cmd::new("get", Get::operation(), one.body()),
        Cmd::new("create", Create::operation(), one.body()),
        Cmd::new("update", Update::operation(), one.body()),
        Cmd::new("delete", Delete::operation(), deleted),
        Cmd::new("budgets list", ListBudgets::operation(), budgets.body()),
        Cmd::new("budgets get", GetBudget::operation(), budget.body()),
        Cmd::new("budgets set", SetBudget::operation(), set.body()),
        Cmd::new("budgets delete", DeleteBudget::operation(), deleted),
        Cmd::new("members list", ListMembers::operation(), members.body()),
        Cmd::new("members add", BulkAddMembers::operation(), add.body()),
        Cmd::new(
            "members remove",
            BulkRemoveMembers::operation(),
            remove.body(),
        ),
    ]
}

/// A parameter or body field that the command line sets.
struct Settable {
    /// The name in the document.
    name: &'static str,
    /// Whether the operation needs it.
    required: bool,
    /// Whether it may be null (body fields only).
    nullable: bool,
    /// Whether it goes in the query string (else in the body).
    query: bool,
    /// The document's default, as JSON text.
    default: Option<&'static str>,
    /// Its type and rules.
    shape: &'static Shape,
}

/// The answer of `command` (`["get"]`).
fn answer_of(command: &[&str]) -> Vec<u8> {
    commands()
        .into_iter()
        .find(|cmd| cmd.command == command)
        .expect("a command of the tool")
        .answer
}

/// The query parameters and body fields of `operation`.
fn settable(operation: &'static Operation) -> Vec<Settable> {
    let parameters = operation
        .parameters
        .iter()
        .filter(|p| p.location == Location::Query)
        .map(|p| Settable {
            name: p.name,
            required: p.required,
            nullable: false,
            query: true,
            default: p.default,
            shape: &p.shape,
        });
    let fields = operation
        .body
        .into_iter()
        .flat_map(|body| body.fields)
        .map(|f| Settable {
            name: f.name,
            required: f.required,
            nullable: f.nullable,
            query: false,
            default: f.default,
            shape: &f.shape,
        });
    parameters.chain(fields).collect()
}

/// Every parameter and body field the command line sets, with the command that sets it.
fn every_settable() -> Vec<(Rc<Cmd>, Settable)> {
    commands()
        .into_iter()
        .flat_map(|cmd| {
            let cmd = Rc::new(cmd);
            let settable = settable(cmd.operation);
            settable.into_iter().map(move |s| (Rc::clone(&cmd), s))
        })
        .collect()
}

/// The flag of the parameter or field `name`.
fn flag(name: &str) -> String {
    let long = CURATED
        .iter()
        .find(|(field, _)| *field == name)
        .map_or_else(|| name.replace('_', "-"), |(_, long)| long.to_string());
    format!("--{long}")
}

/// Whether the flag of `s` is a switch: a boolean query parameter that is not `true` by
/// default sends `true` when given.
fn is_switch(s: &Settable) -> bool {
    s.query && s.shape.kind == Kind::Boolean && s.default != Some("true")
}

/// A value that keeps every rule of `shape`: the text to give on the command line and
/// the JSON the request must carry. `None` when this test cannot make one.
fn valid(shape: &Shape) -> Option<(String, Value)> {
    if let Some(value) = shape.values.first() {
        return Some((value.to_string(), json!(value)));
    }
    let candidates: Vec<(String, Value)> = match shape.kind {
        Kind::Boolean => vec![("true".into(), json!(true))],
        Kind::Object => vec![("{}".into(), json!({}))],
        Kind::String => ["a", "abc", "a1", "a-b", "openai/gpt-4o-mini", "user_bob"]
            .into_iter()
            .chain(
                shape
                    .rules
                    .min_length
                    .map(|n| "a".repeat(n as usize))
                    .as_deref(),
            )
            .map(|text| (text.to_string(), json!(text)))
            .collect(),
        Kind::Integer | Kind::Number => {
            let rules = shape.rules;
            let (lo, hi) = (rules.minimum, rules.maximum);
            [
                lo,
                hi,
                lo.zip(hi).map(|(lo, hi)| (lo + hi) / 2.0),
                lo.map(|lo| lo + 1.0),
                hi.map(|hi| hi - 1.0),
                Some(1.0),
                Some(0.5),
            ]
            .into_iter()
            .flatten()
            .map(|n| {
                let value = if shape.kind == Kind::Integer && n.fract() == 0.0 {
                    json!(n as i64)
                } else {
                    json!(n)
                };
                (value.to_string(), value)
            })
            .collect()
        }
        Kind::Array => {
            let (text, item) = valid(shape.items?)?;
            vec![(text, json!([item]))]
        }
        _ => Vec::new(),
    };
    candidates
        .into_iter()
        .find(|(_, value)| shape.check(value).is_ok())
}

/// A value the command line must refuse for `shape`, if this test can make one: outside
/// the enum, too long, off the pattern, out of range, or not of the type.
fn invalid(shape: &Shape) -> Option<String> {
    if shape.kind == Kind::Array {
        return invalid(shape.items?);
    }
    let rules = shape.rules;
    let candidates: Vec<String> = match shape.kind {
        Kind::String => [
            Some("not-a-value-of-the-document".to_string()),
            rules.max_length.map(|n| "a".repeat(n as usize + 1)),
            rules.pattern.map(|_| "Not A Valid Value!".to_string()),
            rules.min_length.filter(|n| *n > 0).map(|_| String::new()),
        ]
        .into_iter()
        .flatten()
        .filter(|text| shape.check(&json!(text)).is_err())
        .collect(),
        Kind::Boolean => vec!["perhaps".into()],
        Kind::Integer => vec!["1.5".into()],
        Kind::Number => [
            rules.maximum.map(|max| max + 1.0),
            rules.minimum.map(|min| min - 1.0),
        ]
        .into_iter()
        .flatten()
        .map(|n| n.to_string())
        .chain(["not-a-number".to_string()])
        .collect(),
        _ => Vec::new(),
    };
    candidates.into_iter().next()
}

/// The arguments of `cmd` that give each required field a valid value, except `except`.
fn required_args(cmd: &Cmd, except: &str) -> Vec<String> {
    let mut args = [cmd.command.clone(), cmd.path.clone()].concat();
    for s in settable(cmd.operation) {
        if !s.required || s.name == except {
            continue;
        }
        let (text, _) = valid(s.shape)
            .unwrap_or_else(|| panic!("{}: no valid value for `{}`", cmd.operation, s.name));
        if s.name == POSITIONAL {
            args.push(text);
        } else {
            args.extend([flag(s.name), text]);
        }
    }
    args
}

/// The arguments that give `s` the value `text`.
fn given(s: &Settable, text: String) -> Vec<String> {
    if s.name == POSITIONAL {
        vec![text]
    } else if is_switch(s) {
        vec![flag(s.name)]
    } else {
        vec![flag(s.name), text]
    }
}

#[test]
fn disabled_server_tools_are_sent_by_create_and_update() {
    let recorder = Recorder::start();
    let workspace = answer_of(&["get"]);
    recorder.answer(&workspace);
    let created = recorder.cli(&shell(
        "create --name Tools --slug tools \
         --disabled-server-tools openrouter:web_search,openrouter:bash \
         --disabled-server-tools openrouter:experimental__search_models",
    ));
    created.json();
    let sent = recorder.sent();
    assert_eq!(sent.route(), ("POST", "/api/v1/workspaces"));
    assert_eq!(
        sent.body,
        json!({
            "name": "Tools",
            "slug": "tools",
            "disabled_server_tools": [
                "openrouter:web_search",
                "openrouter:bash",
                "openrouter:experimental__search_models",
            ],
        })
    );

    recorder.answer(&workspace);
    let update = shell("update tools --disabled-server-tools openrouter:fusion");
    recorder.cli(&update).json();
    let sent = recorder.sent();
    assert_eq!(sent.route(), ("PATCH", "/api/v1/workspaces/tools"));
    assert_eq!(
        sent.body,
        json!({"disabled_server_tools": ["openrouter:fusion"]})
    );
}

#[test]
fn clear_disabled_server_tools_sends_null() {
    let recorder = Recorder::start();
    recorder.answer(&answer_of(&["get"]));
    let args = ["update", "tools", "--clear-disabled-server-tools"].map(String::from);
    recorder.cli(&args).json();
    assert_eq!(recorder.sent().body, json!({"disabled_server_tools": null}));

    let both = [
        "update",
        "tools",
        "--disabled-server-tools",
        "openrouter:bash",
        "--clear-disabled-server-tools",
    ];
    let stderr = recorder.cli(&both.map(String::from)).failed(2).to_string();
    assert!(stderr.contains("--clear-disabled-server-tools"), "{stderr}");
    assert!(recorder.nothing_sent());
}

#[test]
fn a_server_tool_the_document_does_not_list_exits_2_before_sending() {
    let emulator = Emulator::start().unwrap();
    let result = cli(
        &emulator,
        &shell(
            "create --name Tools --slug tools \
             --disabled-server-tools openrouter:web_search,openrouter:teleport",
        ),
    );
    let stderr = result.failed(2);
    let first = stderr.lines().next().unwrap_or_default();
    assert!(first.contains("'openrouter:teleport'"), "{stderr}");
    assert!(first.contains("--disabled-server-tools"), "{stderr}");
    assert!(stderr.contains("[possible values: "), "{stderr}");
    assert!(stderr.contains("openrouter:web_fetch"), "{stderr}");
    assert_eq!(emulator.request_count(), 0);
}

#[test]
fn every_settable_field_and_query_parameter_is_sent_by_its_flag() {
    let recorder = Recorder::start();
    let mut tried = 0;
    for (cmd, s) in every_settable() {
        let Some((text, expected)) = valid(s.shape) else {
            eprintln!(
                "SKIPPED: {} `{}`: no value this test can make",
                cmd.operation, s.name
            );
            continue;
        };
        let mut args = required_args(&cmd, s.name);
        args.extend(given(&s, text));
        recorder.answer(&cmd.answer);
        let result = recorder.cli(&args);
        assert_eq!(result.code, 0, "{args:?}: {}", result.stderr);
        let sent = recorder.sent();
        if s.query {
            let expected = format!(
                "{}={}",
                s.name,
                expected
                    .as_str()
                    .map_or_else(|| expected.to_string(), str::to_string)
            );
            assert!(
                sent.query.split('&').any(|pair| pair == expected),
                "{args:?}: query `{}`, expected `{expected}`",
                sent.query
            );
        } else {
            let value = &sent.body[s.name];
            assert!(
                same_value(value, &expected),
                "{args:?}: sent {value}, expected {expected}"
            );
        }
        tried += 1;
    }
    assert!(tried >= 20, "only {tried} flags tried");
}

#[test]
fn every_nullable_field_is_cleared_with_null() {
    let recorder = Recorder::start();
    let mut cleared = Vec::new();
    for (cmd, s) in every_settable().into_iter().filter(|(_, s)| s.nullable) {
        let mut args = required_args(&cmd, s.name);
        args.push(format!("--clear-{}", &flag(s.name)[2..]));
        recorder.answer(&cmd.answer);
        recorder.cli(&args).json();
        let sent = recorder.sent();
        assert_eq!(sent.body.get(s.name), Some(&Value::Null), "{args:?}");
        cleared.push(s.name);
    }
    assert!(cleared.contains(&"disabled_server_tools"), "{cleared:?}");
    assert!(cleared.contains(&"description"), "{cleared:?}");
}

#[test]
fn a_value_outside_the_documents_rules_exits_2_naming_the_flag() {
    let recorder = Recorder::start();
    let mut refused = 0;
    for (cmd, s) in every_settable() {
        if is_switch(&s) {
            continue;
        }
        let Some(text) = invalid(s.shape) else {
            continue;
        };
        let mut args = required_args(&cmd, s.name);
        args.extend(given(&s, text.clone()));
        let result = recorder.cli(&args);
        let stderr = result.failed(2);
        let first = stderr.lines().next().unwrap_or_default();
        let named = if s.name == POSITIONAL {
            "<USER_ID".to_string()
        } else {
            format!("'{}", flag(s.name))
        };
        assert!(first.contains(&named), "{args:?}: {stderr}");
        assert!(recorder.nothing_sent(), "{args:?} was sent");
        refused += 1;
    }
    assert!(refused >= 10, "only {refused} refusals tried");
}

#[test]
fn every_interval_of_the_document_is_a_path_value() {
    let recorder = Recorder::start();
    let budget = answer_of(&["budgets", "get"]);
    let values = GetBudget::operation()
        .parameter("interval")
        .expect("the budget has an interval")
        .shape
        .values;
    assert!(values.contains(&"lifetime"), "{values:?}");
    for value in values {
        recorder.answer(&budget);
        recorder
            .cli(&["budgets", "get", WORKSPACE, value].map(String::from))
            .json();
        let sent = recorder.sent();
        assert_eq!(
            sent.path,
            format!("/api/v1/workspaces/{WORKSPACE}/budgets/{value}")
        );
    }
    let stderr = recorder
        .cli(&["budgets", "get", WORKSPACE, "fortnightly"].map(String::from))
        .failed(2)
        .to_string();
    assert!(stderr.contains(&values.join(", ")), "{stderr}");
    assert!(recorder.nothing_sent());
}

#[test]
fn help_lists_every_field_and_parameter_of_the_document() {
    for cmd in commands() {
        let words = &cmd.command;
        let mut command = bare();
        command.args(words).arg("--help");
        let help = run(command).stdout;
        for s in settable(cmd.operation) {
            let shown = match s.name {
                POSITIONAL => "<USER_ID>".to_string(),
                name => flag(name),
            };
            assert!(help.contains(&shown), "{words:?}: no {shown} in\n{help}");
            if s.nullable {
                let clear = format!("--clear-{}", &flag(s.name)[2..]);
                assert!(help.contains(&clear), "{words:?}: no {clear}");
            }
        }
    }
}

#[test]
fn completions_offer_the_derived_flags_and_their_values() {
    for shell in ["bash", "zsh", "fish"] {
        let mut command = bare();
        command.args(["completions", shell]);
        let result = run(command);
        assert_eq!(result.code, 0, "{shell}: {}", result.stderr);
        let script = &result.stdout;
        for word in [
            "disabled-server-tools",
            "clear-disabled-server-tools",
            "confirm-default-workspace-deletion",
            "include-byok",
        ] {
            assert!(script.contains(word), "{shell}: no `{word}`");
        }
        if shell != "bash" {
            // zsh and fish complete values too.
            assert!(
                script.contains("openrouter\\:web_search")
                    || script.contains("openrouter:web_search"),
                "{shell}"
            );
            assert!(script.contains("lifetime"), "{shell}");
        }
    }
}

#[test]
fn columns_choose_any_field_of_the_model_for_a_table() {
    let emulator = Emulator::start().unwrap();
    let run = cli(
        &emulator,
        &shell("get default --columns slug,io_logging_sampling_rate,description"),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut lines = run.stdout.lines();
    assert_eq!(
        lines.next(),
        Some("SLUG     IO LOGGING SAMPLING RATE  DESCRIPTION")
    );
    let row = lines.next().unwrap_or_default();
    assert!(row.starts_with("default  "), "{}", run.stdout);

    let stderr = cli(
        &emulator,
        &["get", "default", "-o", "json", "--columns", "slug"],
    )
    .failed(2)
    .to_string();
    assert!(stderr.contains("--columns"), "{stderr}");
    let stderr = cli(&emulator, &["list", "--columns", "slug,region"])
        .failed(2)
        .to_string();
    assert!(stderr.contains("'region'"), "{stderr}");
    assert_eq!(emulator.requests_to("GET", "/api/v1/workspaces/default"), 1);
}
