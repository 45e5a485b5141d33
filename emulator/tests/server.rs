//! The HTTP server: keep-alive and connection counting, framing, control endpoints,
//! latency, shutdown, throughput and the binary.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{agent, client, control, head, raw_exchange, start, start_with};
use openrouter_workspaces_emulator::{Emulator, EmulatorConfig, Fault, FaultKind};
use serde_json::{Value, json};

fn auth(emu: &Emulator) -> String {
    format!("Authorization: Bearer {}\r\n", emu.management_key())
}

const LIST: &str = "GET /api/v1/workspaces HTTP/1.1";
const CREATE: &str = "POST /api/v1/workspaces HTTP/1.1";

/// Sends the raw `request` on a new connection to `emu` and returns everything read back
/// until the server closes it.
fn exchange_text(emu: &Emulator, request: &str) -> String {
    let reply = raw_exchange(emu.addr(), request.as_bytes()).expect("a raw exchange");
    String::from_utf8(reply).expect("a UTF-8 reply")
}

#[test]
fn keep_alive_reuses_one_connection() {
    let (emu, c) = start();
    c.get("/workspaces").ok(200);
    c.get("/workspaces/default").ok(200);
    assert_eq!(emu.connection_count(), 1);
    assert_eq!(emu.request_count(), 2);
    assert_eq!(emu.requests_to("GET", "/api/v1/workspaces"), 1);
    assert_eq!(emu.requests_to("get", "/api/v1/workspaces/default"), 1);
    assert_eq!(emu.requests_to("POST", "/api/v1/workspaces"), 0);
    // The query is not part of the counted path.
    c.get("/workspaces?limit=2").ok(200);
    assert_eq!(emu.requests_to("GET", "/api/v1/workspaces"), 2);

    // A second agent is a second connection.
    client(&emu).get("/workspaces").ok(200);
    assert_eq!(emu.connection_count(), 2);
    // Errors are requests too.
    c.get("/nope").error(404);
    assert_eq!(emu.request_count(), 5);
    assert_eq!(emu.requests_to("GET", "/api/v1/nope"), 1);

    emu.reset_counters();
    assert_eq!(emu.request_count(), 0);
    assert_eq!(emu.connection_count(), 0);
    assert_eq!(emu.requests_to("GET", "/api/v1/workspaces"), 0);
    c.get("/workspaces").ok(200);
    assert_eq!(
        emu.connection_count(),
        0,
        "the kept-alive connection is not new"
    );
    assert_eq!(emu.request_count(), 1);
}

#[test]
fn connection_close_is_honoured() {
    let emu = Emulator::start().unwrap();
    // read_to_end returns only because the server closes.
    let out = exchange_text(&emu, &head(&emu, LIST, "Connection: close\r\n"));
    assert!(out.starts_with("HTTP/1.1 200 OK\r\n"), "{out}");
    assert!(out.contains("\r\nconnection: close\r\n"));
    assert!(out.contains("\r\ncontent-type: application/json\r\n"));

    // HTTP/1.0 without keep-alive closes too.
    let req = format!("GET /api/v1/workspaces HTTP/1.0\r\n{}\r\n", auth(&emu));
    let out = exchange_text(&emu, &req);
    assert!(out.starts_with("HTTP/1.1 200 OK\r\n"), "{out}");
    assert!(out.contains("\r\nconnection: close\r\n"));

    // HTTP/1.0 with keep-alive is kept alive, and told so.
    emu.reset_counters();
    let req = format!(
        "GET /api/v1/workspaces HTTP/1.0\r\nConnection: keep-alive\r\n{a}\r\n\
         GET /api/v1/workspaces HTTP/1.0\r\n{a}\r\n",
        a = auth(&emu)
    );
    let out = exchange_text(&emu, &req);
    assert_eq!(out.matches("HTTP/1.1 200 OK\r\n").count(), 2, "{out}");
    assert!(out.contains("\r\nconnection: keep-alive\r\n"));
    assert_eq!(emu.connection_count(), 1);
    assert_eq!(emu.request_count(), 2);
}

#[test]
fn pipelined_requests_are_answered_in_order() {
    let emu = Emulator::start().unwrap();
    let body = r#"{"name":"P","slug":"p"}"#;
    let req = [
        head(&emu, CREATE, &format!("Content-Length: {}\r\n", body.len())),
        body.to_string(),
        head(&emu, "GET /api/v1/workspaces/p HTTP/1.1", ""),
        head(
            &emu,
            "GET /api/v1/workspaces/missing HTTP/1.1",
            "Connection: close\r\n",
        ),
    ]
    .concat();
    let out = exchange_text(&emu, &req);
    let statuses: Vec<&str> = out
        .match_indices("HTTP/1.1 ")
        .map(|(i, _)| &out[i + 9..i + 12])
        .collect();
    assert_eq!(statuses, ["201", "200", "404"], "{out}");
    assert_eq!(emu.request_count(), 3);
}

#[test]
fn body_split_across_packets_and_expect_continue() {
    let emu = Emulator::start().unwrap();
    let mut s = TcpStream::connect(emu.addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let body = r#"{"name":"Split","slug":"split"}"#;
    let head = head(
        &emu,
        CREATE,
        &format!(
            "Content-Length: {}\r\nExpect: 100-continue\r\nConnection: close\r\n",
            body.len()
        ),
    );
    s.write_all(&head.as_bytes()[..20]).unwrap();
    std::thread::sleep(Duration::from_millis(30));
    s.write_all(&head.as_bytes()[20..]).unwrap();
    let mut cont = [0u8; 25];
    s.read_exact(&mut cont).unwrap();
    assert_eq!(&cont, b"HTTP/1.1 100 Continue\r\n\r\n");
    s.write_all(&body.as_bytes()[..5]).unwrap();
    std::thread::sleep(Duration::from_millis(30));
    s.write_all(&body.as_bytes()[5..]).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    assert!(out.starts_with("HTTP/1.1 201 Created"), "{out}");
}

#[test]
fn chunked_and_malformed_requests_are_refused() {
    let emu = Emulator::start().unwrap();
    let chunked = head(&emu, CREATE, "Transfer-Encoding: chunked\r\n") + "5\r\nhello\r\n0\r\n\r\n";
    let out = exchange_text(&emu, &chunked);
    assert!(out.starts_with("HTTP/1.1 411 "), "{out}");
    let body: Value = serde_json::from_str(out.split_once("\r\n\r\n").unwrap().1).unwrap();
    assert_eq!(body["error"]["code"], 411);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Content-Length")
    );
    assert_eq!(emu.workspaces().len(), 1);

    let out = raw_exchange(emu.addr(), b"THIS IS NOT HTTP\r\n\r\n").unwrap();
    assert!(String::from_utf8_lossy(&out).starts_with("HTTP/1.1 400 "));
    let out = raw_exchange(emu.addr(), b"GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n").unwrap();
    assert!(String::from_utf8_lossy(&out).starts_with("HTTP/1.1 400 "));
    let mut huge = b"GET / HTTP/1.1\r\nX: ".to_vec();
    huge.extend(std::iter::repeat_n(b'a', 70 * 1024));
    let out = raw_exchange(emu.addr(), &huge).unwrap();
    assert!(String::from_utf8_lossy(&out).starts_with("HTTP/1.1 431 "));
    let out = raw_exchange(
        emu.addr(),
        b"POST /api/v1/workspaces HTTP/1.1\r\nContent-Length: 999999999\r\n\r\n",
    )
    .unwrap();
    assert!(String::from_utf8_lossy(&out).starts_with("HTTP/1.1 413 "));
    // A client that goes away mid-body is no problem.
    drop(
        TcpStream::connect(emu.addr())
            .unwrap()
            .write_all(b"POST /api/v1/workspaces HTTP/1.1\r\nContent-Length: 10\r\n\r\n{"),
    );
    client(&emu).get("/workspaces").ok(200);
}

#[test]
fn control_endpoints() {
    let (emu, c) = start();
    let control = control(&emu);
    c.get("/workspaces").ok(200);
    c.get("/workspaces").ok(200);
    c.send("POST", "/workspaces", Some(r#"{"name":"A","slug":"a"}"#))
        .ok(201);
    let stats = control.get("/stats").ok(200);
    assert_eq!(stats["request_count"], 3);
    assert_eq!(
        stats["connection_count"], 2,
        "the control client's connection counts"
    );
    assert_eq!(stats["pending_faults"], 0);
    assert_eq!(
        stats["requests"],
        json!([
            {"method": "GET", "path": "/api/v1/workspaces", "count": 2},
            {"method": "POST", "path": "/api/v1/workspaces", "count": 1},
        ])
    );
    assert_eq!(
        control.send("POST", "/reset-counters", None).ok(200),
        json!({"reset": true})
    );
    let stats = control.get("/stats").ok(200);
    assert_eq!(
        stats["request_count"], 0,
        "control requests are not counted"
    );
    assert_eq!(stats["connection_count"], 0);
    assert_eq!(stats["requests"], json!([]));
    assert_eq!(emu.request_count(), 0);
    control.get("/reset-counters").error(405);
}

#[test]
fn latency_is_added_to_api_requests() {
    let (_emu, c) = start_with(EmulatorConfig::new().latency(Duration::from_millis(150)));
    let t = Instant::now();
    c.get("/workspaces").ok(200);
    assert!(t.elapsed() >= Duration::from_millis(150));
}

#[test]
fn drop_stops_cleanly_with_busy_and_idle_connections() {
    let emu = Emulator::start().unwrap();
    let addr = emu.addr();
    // One idle keep-alive connection, one request stuck in a long delay, one half-sent head.
    let c = client(&emu);
    c.get("/workspaces").ok(200);
    emu.inject(Fault::new(FaultKind::Delay(Duration::from_secs(60))));
    let slow = {
        let c = client(&emu);
        std::thread::spawn(move || c.try_send("GET", "/workspaces", None).is_err())
    };
    let mut partial = TcpStream::connect(addr).unwrap();
    partial.write_all(b"GET /api/v1/work").unwrap();
    std::thread::sleep(Duration::from_millis(100));

    let t = Instant::now();
    drop(emu);
    assert!(
        t.elapsed() < Duration::from_secs(3),
        "drop took {:?}",
        t.elapsed()
    );
    assert!(
        slow.join().unwrap(),
        "the delayed request fails when the emulator stops"
    );
    // Nothing listens any more.
    assert!(TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_err());
    assert!(c.try_send("GET", "/workspaces", None).is_err());
}

#[test]
fn many_emulators_start_and_stop() {
    for _ in 0..20 {
        let emu = Emulator::start().unwrap();
        client(&emu).get("/workspaces").ok(200);
    }
}

#[test]
fn concurrent_keep_alive_clients_each_keep_one_connection() {
    // Throughput is measured by the benchmarks, which print figures; this checks that
    // concurrent clients are all answered and each reuses its connection.
    let emu = Arc::new(Emulator::start().unwrap());
    let threads = 4;
    let per_thread = 500;
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let emu = Arc::clone(&emu);
            std::thread::spawn(move || {
                let url = format!("{}/workspaces/default", emu.base_url());
                let auth = format!("Bearer {}", emu.management_key());
                let a = agent();
                for _ in 0..per_thread {
                    let mut r = a.get(&url).header("Authorization", &auth).call().unwrap();
                    assert_eq!(r.status(), 200);
                    r.body_mut().read_to_vec().unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let total = threads * per_thread;
    assert_eq!(emu.request_count(), total as u64);
    assert_eq!(emu.connection_count(), threads as u64);
}

/// The emulator binary, started with the key `sk-bin-test` on a free port.
struct Binary {
    child: std::process::Child,
    /// The first line it printed.
    banner: String,
    /// The base URL in that line.
    base: String,
}

impl Binary {
    /// Starts the binary with these arguments besides the port and the key.
    fn spawn(args: &[&str]) -> Binary {
        let mut child = Command::new(env!("CARGO_BIN_EXE_openrouter-workspaces-emulator"))
            .args(["--port", "0", "--management-key", "sk-bin-test"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut banner = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut banner)
            .unwrap();
        let base = banner
            .split_whitespace()
            .find(|w| w.starts_with("http://127.0.0.1:"))
            .unwrap_or_else(|| panic!("no base URL: {banner}"))
            .trim_end_matches(',')
            .to_string();
        Binary {
            child,
            banner,
            base,
        }
    }

    /// `method {base}{path}` with the binary's key: the status and the JSON body.
    fn call(&self, method: &str, path: &str) -> (u16, Value) {
        let request = ureq::http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base))
            .header("Authorization", "Bearer sk-bin-test")
            .body(())
            .unwrap();
        let mut r = agent().run(request).unwrap();
        let body = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
        (r.status().as_u16(), body)
    }

    fn stop(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

/// What the binary prints for `arg` alone (`--help`, say).
fn binary_run(arg: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_openrouter-workspaces-emulator"))
        .arg(arg)
        .output()
        .unwrap()
}

#[test]
fn binary_flag_allows_deleting_the_default_workspace() {
    let plain = Binary::spawn(&[]);
    let confirmed = "/workspaces/default?confirm_default_workspace_deletion=true";
    assert_eq!(plain.call("DELETE", confirmed).0, 403);
    plain.stop();

    let enabled = Binary::spawn(&["--allow-default-workspace-deletion"]);
    let (status, body) = enabled.call("DELETE", "/workspaces/default");
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        enabled.call("DELETE", confirmed),
        (200, json!({"deleted": true}))
    );
    enabled.stop();

    let help = binary_run("--help");
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("--allow-default-workspace-deletion"),
        "{help}"
    );
}

#[test]
fn binary_drift_flag_adds_unknown_fields() {
    let drifting = Binary::spawn(&["--drift"]);
    let (_, v) = drifting.call("GET", "/workspaces");
    assert_eq!(v["server_info"]["emulator_drift"], true, "{v}");
    assert_eq!(v["data"][0]["residency_region"], "eu-west", "{v}");
    drifting.stop();

    let help = binary_run("--help");
    let help = String::from_utf8_lossy(&help.stdout);
    for documented in [
        "--drift",
        "server_info",
        "residency_region",
        "quarterly",
        "owner",
    ] {
        assert!(help.contains(documented), "{documented}: {help}");
    }
}

#[test]
fn binary_serves_until_killed() {
    let binary = Binary::spawn(&[]);
    let line = &binary.banner;
    assert!(line.contains("not the real OpenRouter service"), "{line}");
    assert!(line.contains("management key: sk-bin-test"), "{line}");
    let base = &binary.base;
    assert!(base.ends_with("/api/v1"), "{base}");
    let (status, v) = binary.call("GET", "/workspaces");
    assert_eq!(status, 200);
    assert_eq!(v["data"][0]["slug"], "default");
    let control = base.replace("/api/v1", "/__emulator");
    let mut r = agent()
        .post(format!("{control}/faults"))
        .send(r#"{"kind":"status","status":503}"#)
        .unwrap();
    assert_eq!(r.status(), 200);
    r.body_mut().read_to_string().unwrap();
    assert_eq!(binary.call("GET", "/workspaces").0, 503);
    binary.stop();

    // Bad arguments are refused with a usage message.
    let out = binary_run("--bogus");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("usage"));
}
