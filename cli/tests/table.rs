//! `--output table` on `list`, `get`, `budgets list` and `members list`: headings, columns
//! aligned in terminal cells, dates in UTC to the minute, amounts in dollars, only the
//! documented fields; and JSON, the default, unchanged.

mod common;

use common::{Run, cli, client, create, with_workspace};
use openrouter_workspaces::types::WorkspaceBudgetInterval;
use openrouter_workspaces_emulator::{Emulator, Fault, FaultKind};
use serde_json::{Value, json};

/// Checks a table run: exit 0, nothing on stderr (no progress in a pipe); returns stdout.
fn table(run: &Run) -> &str {
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert!(run.stderr.is_empty(), "stderr: {}", run.stderr);
    &run.stdout
}

/// An emulator date (`2026-11-30T16:02:59.123Z`, always UTC) as the table shows it.
fn minute(json: &Value) -> String {
    let text = json.as_str().expect("a date string");
    assert!(text.ends_with('Z'), "{text}");
    format!("{} {} UTC", &text[..10], &text[11..16])
}

#[test]
fn list_table_shows_the_documented_fields_aligned() {
    let emulator = Emulator::start().unwrap();
    // A canned page: a wide name, a date with an offset, nulls, and a field the document
    // lacks (which the table leaves out).
    let raw = client(&emulator)
        .workspaces()
        .list()
        .send_with_response()
        .unwrap();
    let template: Value = serde_json::from_slice(raw.body()).unwrap();
    let mut tokyo = template["data"][0].clone();
    tokyo["slug"] = json!("tokyo");
    tokyo["name"] = json!("Zoë 東京");
    tokyo["default_text_model"] = json!("openai/gpt-4o");
    tokyo["created_at"] = json!("2026-11-30T16:02:59.123Z");
    tokyo["updated_at"] = Value::Null;
    tokyo["residency_region"] = json!("eu-west");
    let mut ops = template["data"][0].clone();
    ops["slug"] = json!("ops");
    ops["name"] = json!("Ops");
    ops["default_text_model"] = Value::Null;
    ops["created_at"] = json!("2027-01-01T01:30:00+02:00");
    ops["updated_at"] = json!("2027-01-02T00:00:00Z");
    let body = json!({"data": [tokyo, ops], "total_count": 2}).to_string();
    emulator.inject(Fault::new(FaultKind::respond(200, body)).path("/workspaces"));

    let run = cli(&emulator, &["list", "--output", "table"]);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert_eq!(run.warnings().len(), 1, "the unknown field: {}", run.stderr);
    assert_eq!(
        run.stdout,
        "SLUG   NAME      TEXT MODEL     CREATED               UPDATED\n\
         tokyo  Zoë 東京  openai/gpt-4o  2026-11-30 16:02 UTC  -\n\
         ops    Ops       -              2026-12-31 23:30 UTC  2027-01-02 00:00 UTC\n"
    );
    assert!(!run.stdout.contains("eu-west"), "{}", run.stdout);
}

#[test]
fn list_all_as_a_table_has_one_heading_and_every_workspace() {
    let emulator = Emulator::start().unwrap();
    for slug in ["one", "two", "three"] {
        create(&emulator, slug);
    }
    let run = cli(&emulator, &["list", "--all", "--limit", "2", "-o", "table"]);
    let slugs: Vec<&str> = table(&run)
        .lines()
        .map(|line| line.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(slugs, ["SLUG", "default", "one", "two", "three"]);
}

#[test]
fn get_table_is_one_row_under_the_headings() {
    let emulator = Emulator::start().unwrap();
    let created = client(&emulator)
        .workspaces()
        .create()
        .name("Zoë 東京")
        .slug("tokyo")
        .default_text_model("openai/gpt-4o")
        .description("not a column")
        .send()
        .unwrap();
    let run = cli(&emulator, &["get", "tokyo", "-o", "table"]);
    let created_at = minute(&json!(created.data.created_at));
    assert_eq!(
        table(&run),
        format!(
            "SLUG   NAME      TEXT MODEL     CREATED               UPDATED\n\
             tokyo  Zoë 東京  openai/gpt-4o  {created_at}  -\n"
        )
    );
}

#[test]
fn budgets_list_table_shows_intervals_and_dollars() {
    let emulator = with_workspace("money");
    for (interval, limit) in [
        ("lifetime", "150000"),
        ("monthly", "1250"),
        ("daily", "5.5"),
    ] {
        cli(
            &emulator,
            &["budgets", "set", "money", interval, "--limit-usd", limit],
        )
        .json();
    }
    let answer = cli(&emulator, &["budgets", "list", "money"]).json();
    let run = cli(
        &emulator,
        &["budgets", "list", "money", "--output", "table"],
    );
    let mut expected = String::from("INTERVAL        LIMIT  CREATED               UPDATED\n");
    for budget in answer["data"].as_array().unwrap() {
        let (interval, limit) = match budget["limit_usd"].as_f64().unwrap() {
            150000.0 => ("lifetime", "$150,000.00"),
            1250.0 => ("monthly ", "  $1,250.00"),
            5.5 => ("daily   ", "      $5.50"),
            other => panic!("unexpected limit {other}"),
        };
        let (created, updated) = (minute(&budget["created_at"]), minute(&budget["updated_at"]));
        expected.push_str(&format!("{interval}  {limit}  {created}  {updated}\n"));
    }
    assert_eq!(table(&run), expected);
}

#[test]
fn members_list_table_pages_through_every_member() {
    let emulator = with_workspace("crew");
    cli(
        &emulator,
        &["members", "add", "crew", "user_bob", "user_carol"],
    )
    .json();
    let answer = cli(&emulator, &["members", "list", "crew", "--all"]).json();
    let run = cli(
        &emulator,
        &[
            "members", "list", "crew", "--all", "--limit", "1", "-o", "table",
        ],
    );
    let mut expected = String::from("USER        ROLE    ADDED\n");
    for member in answer.as_array().unwrap() {
        let (user, role) = (&member["user_id"], &member["role"]);
        let line = format!(
            "{:<10}  {:<6}  {}\n",
            user.as_str().unwrap(),
            role.as_str().unwrap(),
            minute(&member["created_at"])
        );
        expected.push_str(&line);
    }
    assert_eq!(table(&run), expected);
    assert!(expected.contains("user_alice  admin "), "{expected}");
}

#[test]
fn json_stays_the_default_byte_for_byte() {
    let emulator = with_workspace("team");
    let library = client(&emulator);
    let workspaces = library.workspaces();
    let daily = WorkspaceBudgetInterval::Daily;
    workspaces
        .set_budget("team", daily)
        .limit_usd(10.0)
        .send()
        .unwrap();
    let raw = |body: &[u8]| String::from_utf8(body.to_vec()).unwrap();
    let reads: [(&[&str], String); 4] = [
        (
            &["list"],
            raw(workspaces.list().send_with_response().unwrap().body()),
        ),
        (
            &["get", "team"],
            raw(workspaces.get("team").send_with_response().unwrap().body()),
        ),
        (
            &["budgets", "list", "team"],
            raw(workspaces
                .list_budgets("team")
                .send_with_response()
                .unwrap()
                .body()),
        ),
        (
            &["members", "list", "team"],
            raw(workspaces
                .list_members("team")
                .send_with_response()
                .unwrap()
                .body()),
        ),
    ];
    for (args, body) in reads {
        let compact = cli(&emulator, &[args, &["--compact"]].concat());
        compact.json();
        assert_eq!(compact.stdout, format!("{body}\n"), "{args:?}");
        let default = cli(&emulator, args);
        let explicit = cli(&emulator, &[args, &["--output", "json"]].concat());
        default.json();
        assert_eq!(explicit.stdout, default.stdout, "{args:?}");
        assert_ne!(
            default.stdout, compact.stdout,
            "{args:?}: pretty by default"
        );
    }
}

#[test]
fn output_is_refused_where_there_is_no_table() {
    let emulator = Emulator::start().unwrap();
    for args in [
        &["create", "--name", "X", "--slug", "x", "-o", "table"][..],
        &["members", "add", "default", "user_bob", "--output", "table"][..],
        &["list", "--output", "yaml"][..],
    ] {
        cli(&emulator, args).failed(2);
    }
    assert_eq!(emulator.request_count(), 0);
}
