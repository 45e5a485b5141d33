//! Answers that must match openapi/workspaces.yaml for requests the schemas allow: the
//! regressions that `.ci/schemathesis.sh` (schemathesis against the emulator) found.

mod common;

use common::start;
use serde_json::{Value, json};

/// `offset` is `minimum: 0` with no maximum: an offset beyond any machine integer is valid and
/// past the end, so it gets an empty page, not a 400 (it used to be refused once it no longer
/// fitted in a u64).
#[test]
fn offsets_of_any_size_are_valid() {
    let (_emu, c) = start();
    c.create("W", "w");
    for offset in [
        "18446744073709551615",
        "18446744073709551616",
        "272899864827029356544",
        "99999999999999999999999999999999999999999999",
    ] {
        let v = c.get(&format!("/workspaces?offset={offset}")).ok(200);
        assert_eq!(v["data"], json!([]), "offset={offset}");
        assert_eq!(v["total_count"], json!(2), "offset={offset}");

        let v = c
            .get(&format!(
                "/workspaces/default/members?offset={offset}&limit=1"
            ))
            .ok(200);
        assert_eq!(v["data"], json!([]), "offset={offset}");
        assert_eq!(v["total_count"], json!(4), "offset={offset}");
    }
    // Still refused: what is not a non-negative integer.
    for offset in ["-1", "1.5", "1e3", "", "+", "0x10", "%201"] {
        let m = c.get(&format!("/workspaces?offset={offset}")).error(400);
        assert!(m.starts_with("`offset` must be"), "offset={offset:?}: {m}");
    }
}

/// Sets `io_logging_api_key_ids` of the workspace `a` to `ids` (JSON text) and returns
/// them as the answer holds them.
fn patch_ids(c: &common::Client, ids: &str) -> Value {
    let body = format!(r#"{{"io_logging_api_key_ids":{ids}}}"#);
    let patched = c.send("PATCH", "/workspaces/a", Some(&body)).ok(200);
    patched["data"]["io_logging_api_key_ids"].clone()
}

/// JSON Schema's `integer` is any number without a fraction, so `1.0` and `1e2` are integers:
/// they are accepted (and stored as plain integers) in `io_logging_api_key_ids`, where they
/// used to be refused as "not integers".
#[test]
fn integral_numbers_are_integers() {
    let (_emu, c) = start();
    let body = r#"{"name":"A","slug":"a","io_logging_api_key_ids":[1.0,1e2,-3,0.0,-0.0,4]}"#;
    let created = c.send("POST", "/workspaces", Some(body)).ok(201);
    assert_eq!(
        created["data"]["io_logging_api_key_ids"],
        json!([1, 100, -3, 0, 0, 4])
    );

    assert_eq!(
        patch_ids(&c, "[7.0,9007199254740992.0]"),
        json!([7, 9_007_199_254_740_992_i64])
    );
    assert_eq!(
        c.get("/workspaces/a").ok(200)["data"]["io_logging_api_key_ids"],
        json!([7, 9_007_199_254_740_992_i64])
    );
}

/// Integers the models cannot hold (outside i64) get a 400 that says so; non-integers keep
/// theirs. Nothing is changed by a refused request.
#[test]
fn integers_outside_i64_are_refused_with_their_own_message() {
    let (emu, c) = start();
    c.create("A", "a");
    for ids in [
        "[9223372036854775808]",
        "[18446744073709551615]",
        "[-9223372036854775809]",
        "[1e19]",
        "[100000000000000000000000000000]",
        "[1, 9223372036854775808]",
    ] {
        for (method, path, extra) in [
            ("POST", "/workspaces", r#""name":"B","slug":"b","#),
            ("PATCH", "/workspaces/a", ""),
        ] {
            let body = format!(r#"{{{extra}"io_logging_api_key_ids":{ids}}}"#);
            let m = c.send(method, path, Some(&body)).error(400);
            assert!(
                m.starts_with(
                    "`io_logging_api_key_ids` must hold integers from -9223372036854775808 to 9223372036854775807 (got "
                ),
                "{method} {ids}: {m}"
            );
        }
    }
    // The i64 bounds themselves are fine.
    assert_eq!(
        patch_ids(&c, "[9223372036854775807,-9223372036854775808]"),
        json!([i64::MAX, i64::MIN])
    );
    // What is not an array of integers is refused by the document's rules, naming the item.
    for (ids, problem) in [
        ("[1.5]", "item 0 must be an integer"),
        (r#"[1, "1"]"#, "item 1 must be an integer"),
        ("[null]", "item 0 must not be null"),
        ("[true]", "item 0 must be an integer"),
        ("[[1]]", "item 0 must be an integer"),
        ("1", "must be an array"),
    ] {
        let body = format!(r#"{{"io_logging_api_key_ids":{ids}}}"#);
        let m = c.send("PATCH", "/workspaces/a", Some(&body)).error(400);
        assert_eq!(m, format!("`io_logging_api_key_ids` {problem}"), "{ids}");
    }
    assert!(emu.workspaces().iter().all(|w| w.slug != "b"));
    assert_eq!(
        emu.workspaces()[1].io_logging_api_key_ids,
        Some(vec![i64::MAX, i64::MIN])
    );
}
