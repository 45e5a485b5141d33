//! Fault injection: every kind, matching, ordering, and the control endpoint.

mod common;

use std::time::{Duration, Instant};

use common::{agent, control, head, raw_exchange, start};
use openrouter_workspaces_emulator::{Emulator, Fault, FaultKind};
use serde_json::{Value, json};

const CREATE: &str = r#"{"name":"Faulty","slug":"faulty"}"#;
const WORKSPACES: &str = "/api/v1/workspaces";

fn created(emu: &Emulator) -> bool {
    emu.workspaces().iter().any(|w| w.slug == "faulty")
}

/// Sends a raw create request on a fresh connection and returns what came back before the
/// connection ended, or the read error.
fn raw_create(emu: &Emulator) -> std::io::Result<Vec<u8>> {
    let headers = format!(
        "Content-Type: application/json\r\nContent-Length: {}\r\n",
        CREATE.len()
    );
    let req = head(emu, &format!("POST {WORKSPACES} HTTP/1.1"), &headers) + CREATE;
    raw_exchange(emu.addr(), req.as_bytes())
}

#[test]
fn status_faults_do_not_touch_state() {
    let (emu, c) = start();
    emu.inject(
        Fault::new(
            FaultKind::status(503)
                .retry_after("2")
                .retry_after_ms("1500"),
        )
        .method("POST")
        .path(WORKSPACES)
        .times(2),
    );
    assert_eq!(emu.pending_faults(), 1);
    // Other requests pass by the fault.
    c.get("/workspaces").ok(200);
    for _ in 0..2 {
        let r = c.send("POST", "/workspaces", Some(CREATE));
        let m = r.error(503);
        assert!(m.contains("injected"), "{m}");
        assert_eq!(r.header("retry-after"), Some("2"));
        assert_eq!(r.header("retry-after-ms"), Some("1500"));
        assert!(!created(&emu));
    }
    assert_eq!(emu.pending_faults(), 0);
    c.send("POST", "/workspaces", Some(CREATE)).ok(201);
    assert!(created(&emu));
    assert_eq!(emu.requests_to("POST", WORKSPACES), 3);
    assert_eq!(emu.request_count(), 4);

    // 429 with a custom body, and error statuses with the documented shape.
    emu.inject(Fault::new(
        FaultKind::status(429).body(r#"{"error":{"code":429,"message":"slow down"}}"#),
    ));
    let r = c.get("/workspaces");
    assert_eq!(r.error(429), "slow down");
    assert_eq!(r.header("retry-after"), None);
    for status in [500, 502, 504, 400, 401, 403, 404] {
        emu.inject(Fault::new(FaultKind::status(status)));
        c.get("/workspaces").error(status);
    }
}

#[test]
fn faults_are_handed_out_in_order() {
    let (emu, c) = start();
    emu.inject(Fault::new(FaultKind::status(500)).path("/api/v1/workspaces/default"));
    emu.inject(Fault::new(FaultKind::status(502)));
    emu.inject(Fault::new(FaultKind::status(503)).method("get"));
    emu.inject(Fault::new(FaultKind::status(504)).times(0));
    assert_eq!(emu.pending_faults(), 3);
    c.get("/workspaces").error(502);
    c.get("/workspaces/default").error(500);
    c.get("/workspaces").error(503);
    c.get("/workspaces").ok(200);
    emu.inject(Fault::new(FaultKind::status(500)).times(5));
    emu.clear_faults();
    assert_eq!(emu.pending_faults(), 0);
    c.get("/workspaces").ok(200);
}

#[test]
fn delay_then_normal_answer() {
    let (emu, c) = start();
    emu.inject(Fault::new(FaultKind::Delay(Duration::from_millis(300))));
    let t = Instant::now();
    c.send("POST", "/workspaces", Some(CREATE)).ok(201);
    assert!(t.elapsed() >= Duration::from_millis(300));
    assert!(created(&emu));
    // The delay was spent on one request only: the next one is answered normally.
    assert_eq!(emu.pending_faults(), 0);
    c.get("/workspaces").ok(200);
}

#[test]
fn resets_and_closes_do_not_apply_the_request() {
    let (emu, c) = start();

    emu.inject(Fault::new(FaultKind::ResetBeforeRead));
    let err = raw_create(&emu).expect_err("reset before read");
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset, "{err}");
    assert!(!created(&emu));

    emu.inject(Fault::new(FaultKind::ResetAfterRead));
    let err = raw_create(&emu).expect_err("reset after read");
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset, "{err}");
    assert!(!created(&emu));

    emu.inject(Fault::new(FaultKind::CloseWithoutAnswer));
    let out = raw_create(&emu).expect("a clean close");
    assert!(out.is_empty(), "no answer at all");
    assert!(!created(&emu));

    // The same through an HTTP client: transport errors, state untouched.
    for kind in [
        FaultKind::ResetBeforeRead,
        FaultKind::ResetAfterRead,
        FaultKind::CloseWithoutAnswer,
    ] {
        emu.inject(Fault::new(kind.clone()));
        assert!(
            c.try_send("POST", "/workspaces", Some(CREATE)).is_err(),
            "{kind:?}"
        );
        assert!(!created(&emu), "{kind:?}");
    }
    assert_eq!(
        emu.requests_to("POST", WORKSPACES),
        6,
        "faulted requests count"
    );
    // Afterwards the emulator serves normally.
    c.send("POST", "/workspaces", Some(CREATE)).ok(201);
}

#[test]
fn commit_faults_apply_the_request() {
    let (emu, c) = start();
    emu.inject(Fault::new(FaultKind::CommitThenStatus(500)).method("POST"));
    let m = c.send("POST", "/workspaces", Some(CREATE)).error(500);
    assert!(m.contains("applied"), "{m}");
    assert!(created(&emu), "the write happened");
    // A retry now sees the ambiguous write's effect.
    let m = c.send("POST", "/workspaces", Some(CREATE)).error(400);
    assert!(m.contains("slug already in use"));

    emu.inject(Fault::new(FaultKind::CommitThenStatus(502)));
    c.send("DELETE", "/workspaces/faulty", None).error(502);
    assert!(!created(&emu));

    emu.inject(Fault::new(FaultKind::CommitThenClose));
    assert!(c.try_send("POST", "/workspaces", Some(CREATE)).is_err());
    assert!(created(&emu));
    emu.inject(Fault::new(FaultKind::CommitThenClose));
    let delete = head(&emu, &format!("DELETE {WORKSPACES}/faulty HTTP/1.1"), "");
    let out = raw_exchange(emu.addr(), delete.as_bytes()).unwrap();
    assert!(out.is_empty());
    assert!(!created(&emu));
}

#[test]
fn truncated_body() {
    let (emu, c) = start();
    emu.inject(Fault::new(FaultKind::TruncatedBody));
    assert!(c.try_send("POST", "/workspaces", Some(CREATE)).is_err());
    assert!(
        created(&emu),
        "the request was applied; only the answer was cut"
    );

    emu.inject(Fault::new(FaultKind::TruncatedBody));
    let list = head(&emu, &format!("GET {WORKSPACES} HTTP/1.1"), "");
    let out = raw_exchange(emu.addr(), list.as_bytes()).unwrap();
    let text = String::from_utf8(out).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200 OK"));
    let declared: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(body.len() < declared, "{} < {declared}", body.len());
    assert!(serde_json::from_str::<Value>(body).is_err());
}

#[test]
fn malformed_answers() {
    let (emu, c) = start();

    emu.inject(Fault::new(FaultKind::MalformedJson));
    let r = c.get("/workspaces");
    assert_eq!(r.status, 200);
    assert_eq!(r.content_type, "application/json");
    assert!(
        serde_json::from_str::<Value>(&r.text).is_err(),
        "{}",
        r.text
    );

    emu.inject(Fault::new(FaultKind::NonJsonContentType));
    let r = c.get("/workspaces");
    assert_eq!(r.status, 200);
    assert!(r.content_type.starts_with("text/html"));
    assert!(r.text.contains("<html>"));

    emu.inject(Fault::new(FaultKind::MissingFields));
    let r = c.get("/workspaces");
    assert_eq!(r.ok(200), json!({}));

    // None of them touched the state, even for a write.
    emu.inject(Fault::new(FaultKind::MissingFields));
    c.send("POST", "/workspaces", Some(CREATE)).ok(200);
    assert!(!created(&emu));

    for size in [0usize, 1, 2, 5, 13, 14, 15, 100, 3 * 1024 * 1024 + 7] {
        emu.inject(Fault::new(FaultKind::OversizedBody(size)));
        let r = c.get("/workspaces");
        assert_eq!(r.status, 200);
        assert_eq!(r.text.len(), size);
        if size >= 2 {
            r.json();
        }
    }
    // The connection stays usable after all of these.
    c.get("/workspaces").ok(200);
    assert_eq!(emu.connection_count(), 1);
}

#[test]
fn control_endpoint_queues_faults() {
    let (emu, c) = start();
    let control =
        |method: &str, name: &str, body: Option<&str>| control(&emu).send(method, name, body);
    let r = control(
        "POST",
        "/faults",
        Some(
            r#"[{"kind":"status","status":429,"retry_after":"1","retry_after_ms":"5","times":2,"method":"GET","path":"/api/v1/workspaces"},
                {"kind":"commit_then_status","status":500},
                {"kind":"delay","ms":1},
                {"kind":"oversized_body","bytes":20}]"#,
        ),
    )
    .ok(200);
    assert_eq!(r["queued"], 4);
    assert_eq!(emu.pending_faults(), 4);
    for _ in 0..2 {
        let r = c.get("/workspaces");
        r.error(429);
        assert_eq!(r.header("retry-after"), Some("1"));
        assert_eq!(r.header("retry-after-ms"), Some("5"));
    }
    c.send("POST", "/workspaces", Some(CREATE)).error(500);
    assert!(created(&emu));
    c.get("/workspaces").ok(200);
    assert_eq!(c.get("/workspaces").text.len(), 20);

    for kind in [
        "reset_before_read",
        "reset_after_read",
        "close_without_answer",
        "commit_then_close",
        "truncated_body",
    ] {
        control("POST", "/faults", Some(&json!({"kind": kind}).to_string())).ok(200);
        assert!(c.try_send("GET", "/workspaces", None).is_err(), "{kind}");
    }
    for kind in ["malformed_json", "non_json_content_type", "missing_fields"] {
        control("POST", "/faults", Some(&json!({"kind": kind}).to_string())).ok(200);
        assert_eq!(c.get("/workspaces").status, 200, "{kind}");
    }
    control(
        "POST",
        "/faults",
        Some(r#"{"kind":"status","status":503,"body":"{}"}"#),
    )
    .ok(200);
    assert_eq!(c.get("/workspaces").ok(503), json!({}));

    // Bad fault descriptions are refused.
    for bad in [
        r#"{"kind":"explode"}"#,
        r#"{"kind":"status"}"#,
        r#"{"kind":"delay"}"#,
        r#"{"kind":"status","status":503,"times":-1}"#,
        r#"{"status":503}"#,
        "nope",
    ] {
        control("POST", "/faults", Some(bad)).error(400);
    }
    control(
        "POST",
        "/faults",
        Some(r#"{"kind":"status","status":500,"times":9}"#),
    )
    .ok(200);
    assert_eq!(emu.pending_faults(), 1);
    assert_eq!(
        control("DELETE", "/faults", None).ok(200),
        json!({"cleared": true})
    );
    assert_eq!(emu.pending_faults(), 0);
    c.get("/workspaces").ok(200);
    control("GET", "/faults", None).error(405);
    control("GET", "/nothing", None).error(404);
}

#[test]
fn faults_never_hit_control_endpoints() {
    let emu = Emulator::start().unwrap();
    emu.inject(Fault::new(FaultKind::ResetBeforeRead).times(3));
    let a = agent();
    let mut r = a
        .get(format!("http://{}/__emulator/stats", emu.addr()))
        .call()
        .unwrap();
    assert_eq!(r.status(), 200);
    let stats: Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(stats["pending_faults"], 1);
    assert_eq!(stats["request_count"], 0);
}

#[test]
fn fault_paths_may_be_relative_to_the_api_root() {
    let (emu, c) = start();
    emu.inject(Fault::new(FaultKind::status(500)).path("/workspaces/default"));
    emu.inject(Fault::new(FaultKind::status(502)).path("/api/v1/workspaces/default"));
    // Neither matches another path, whether a prefix or an extension of it.
    c.get("/workspaces").ok(200);
    c.get("/workspaces/default/budgets").ok(200);
    assert_eq!(emu.pending_faults(), 2);
    c.get("/workspaces/default").error(500);
    c.get("/workspaces/default").error(502);
    c.get("/workspaces/default").ok(200);

    // The control endpoint takes both forms too.
    control(&emu)
        .send(
            "POST",
            "/faults",
            Some(r#"{"kind":"status","status":503,"method":"GET","path":"/workspaces/default/members"}"#),
        )
        .ok(200);
    c.get("/workspaces/default/members").error(503);
    assert_eq!(emu.pending_faults(), 0);
}

#[test]
fn respond_answers_any_status_with_any_body_and_leaves_the_state() {
    let (emu, c) = start();
    let future = r#"{"data":{"id":"x","slug":"faulty","region":"eu-west"},"next":1}"#;
    emu.inject(
        Fault::new(FaultKind::respond(200, future))
            .method("POST")
            .path("/workspaces"),
    );
    let r = c.send("POST", "/workspaces", Some(CREATE));
    assert_eq!(r.status, 200);
    assert_eq!(r.content_type, "application/json");
    assert_eq!(r.text, future, "the body is sent as given");
    assert!(!created(&emu), "the request was not applied");

    for (status, body) in [
        (409, r#"{"error":{"code":409,"message":"conflict"}}"#),
        (201, ""),
        (500, "not json at all"),
    ] {
        emu.inject(Fault::new(FaultKind::respond(status, body)));
        let r = c.get("/workspaces");
        assert_eq!((r.status, r.text.as_str()), (status, body));
    }

    let control = control(&emu);
    control
        .send(
            "POST",
            "/faults",
            Some(r#"{"kind":"respond","status":200,"body":"{\"data\":[]}","retry_after":"3"}"#),
        )
        .ok(200);
    let r = c.get("/workspaces");
    assert_eq!(r.ok(200), json!({"data": []}));
    assert_eq!(r.header("retry-after"), Some("3"));
    control
        .send(
            "POST",
            "/faults",
            Some(r#"{"kind":"respond","status":200}"#),
        )
        .error(400);
}
