//! Helpers for the emulator's tests: a plain ureq client (not the library's), one for the
//! control endpoints, and raw sockets.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use openrouter_workspaces_emulator::{Emulator, EmulatorConfig};
use serde_json::{Value, json};

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub headers: Vec<(String, String)>,
    pub text: String,
}

impl Reply {
    /// The body as JSON (panics when it is not).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.text))
    }

    /// A header's value, if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Asserts a 2xx-or-other success status and returns the JSON body.
    pub fn ok(&self, status: u16) -> Value {
        assert_eq!(
            self.status, status,
            "unexpected status, body: {}",
            self.text
        );
        assert_eq!(self.content_type, "application/json");
        self.json()
    }

    /// Asserts the documented error shape with this status and returns the message.
    pub fn error(&self, status: u16) -> String {
        assert_eq!(
            self.status, status,
            "unexpected status, body: {}",
            self.text
        );
        assert_eq!(self.content_type, "application/json");
        let v = self.json();
        assert_eq!(
            v["error"]["code"],
            Value::from(status),
            "body: {}",
            self.text
        );
        let message = v["error"]["message"]
            .as_str()
            .unwrap_or_else(|| panic!("no error.message: {}", self.text))
            .to_string();
        assert!(!message.is_empty());
        message
    }
}

/// A ureq agent that does not turn statuses into errors, plus where and with what key.
pub struct Client {
    pub agent: ureq::Agent,
    pub base: String,
    pub key: Option<String>,
}

/// An agent with ureq's defaults except `http_status_as_error(false)`.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .into()
}

/// A client authenticated with the emulator's management key.
pub fn client(emu: &Emulator) -> Client {
    Client {
        agent: agent(),
        base: emu.base_url().to_string(),
        key: Some(emu.management_key().to_string()),
    }
}

/// An emulator with the default configuration and a client with its management key.
pub fn start() -> (Emulator, Client) {
    start_with(EmulatorConfig::new())
}

/// An emulator with `config` and a client with its management key.
pub fn start_with(config: EmulatorConfig) -> (Emulator, Client) {
    let emu = Emulator::start_with(config).expect("the emulator binds a loopback port");
    let c = client(&emu);
    (emu, c)
}

/// A client of the control endpoints (`/__emulator/...`), which take no key.
pub fn control(emu: &Emulator) -> Client {
    Client {
        agent: agent(),
        base: format!("http://{}/__emulator", emu.addr()),
        key: None,
    }
}

/// A client with this key (or none).
pub fn client_with_key(emu: &Emulator, key: Option<&str>) -> Client {
    Client {
        agent: agent(),
        base: emu.base_url().to_string(),
        key: key.map(str::to_string),
    }
}

impl Client {
    /// Sends a request; `path` is relative to the base URL (e.g. `/workspaces`).
    pub fn try_send(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
    ) -> Result<Reply, ureq::Error> {
        let url = format!("{}{}", self.base, path);
        let auth = self.key.as_ref().map(|k| format!("Bearer {k}"));
        let response = match method {
            "GET" | "DELETE" => {
                let mut req = if method == "GET" {
                    self.agent.get(&url)
                } else {
                    self.agent.delete(&url)
                };
                if let Some(a) = &auth {
                    req = req.header("Authorization", a);
                }
                req.call()?
            }
            _ => {
                let mut req = match method {
                    "POST" => self.agent.post(&url),
                    "PUT" => self.agent.put(&url),
                    "PATCH" => self.agent.patch(&url),
                    other => panic!("unsupported method {other}"),
                };
                if let Some(a) = &auth {
                    req = req.header("Authorization", a);
                }
                match body {
                    Some(b) => req
                        .header("Content-Type", "application/json")
                        .send(b.as_bytes())?,
                    None => req.send_empty()?,
                }
            }
        };
        let status = response.status().as_u16();
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let declared: Option<usize> = response
            .headers()
            .get("content-length")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        let text = response
            .into_body()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_string()?;
        assert_eq!(
            declared,
            Some(text.len()),
            "Content-Length must match the body"
        );
        Ok(Reply {
            status,
            content_type,
            headers,
            text,
        })
    }

    /// Sends a request and expects an HTTP answer.
    pub fn send(&self, method: &str, path: &str, body: Option<&str>) -> Reply {
        self.try_send(method, path, body)
            .unwrap_or_else(|e| panic!("{method} {path} failed: {e}"))
    }

    /// Sends a JSON value.
    pub fn send_json(&self, method: &str, path: &str, body: &Value) -> Reply {
        self.send(method, path, Some(&body.to_string()))
    }

    /// GET.
    pub fn get(&self, path: &str) -> Reply {
        self.send("GET", path, None)
    }

    /// POST of a JSON value.
    pub fn post(&self, path: &str, body: &Value) -> Reply {
        self.send_json("POST", path, body)
    }

    /// PATCH of a JSON value.
    pub fn patch(&self, path: &str, body: &Value) -> Reply {
        self.send_json("PATCH", path, body)
    }

    /// PUT of a JSON value.
    pub fn put(&self, path: &str, body: &Value) -> Reply {
        self.send_json("PUT", path, body)
    }

    /// Creates a workspace and returns the whole answer.
    pub fn create_reply(&self, name: &str, slug: &str) -> Reply {
        self.post("/workspaces", &json!({"name": name, "slug": slug}))
    }

    /// Creates a workspace and returns it (the `data` object).
    pub fn create(&self, name: &str, slug: &str) -> Value {
        self.create_reply(name, slug).ok(201)["data"].clone()
    }

    /// `POST /workspaces/{ws}/members/{action}` (`add` or `remove`) for `user_ids`.
    pub fn members(&self, ws: &str, action: &str, user_ids: &[&str]) -> Reply {
        let path = format!("/workspaces/{ws}/members/{action}");
        self.post(&path, &json!({ "user_ids": user_ids }))
    }
}

/// A request head with `Host` and the management key: `line` (`GET /api/v1/... HTTP/1.1`),
/// then `headers` (each ending in CRLF) and the empty line.
pub fn head(emu: &Emulator, line: &str, headers: &str) -> String {
    format!(
        "{line}\r\nHost: x\r\nAuthorization: Bearer {}\r\n{headers}\r\n",
        emu.management_key()
    )
}

/// Writes raw bytes to the emulator and reads until the server closes (or 5 s pass).
pub fn raw_exchange(addr: SocketAddr, request: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.write_all(request)?;
    let mut out = Vec::new();
    stream.read_to_end(&mut out)?;
    Ok(out)
}

/// The twelve API routes (method, path relative to the base URL, body) on the default
/// workspace.
pub fn all_routes() -> Vec<(&'static str, &'static str, Option<&'static str>)> {
    vec![
        ("GET", "/workspaces", None),
        ("POST", "/workspaces", Some(r#"{"name":"X","slug":"x"}"#)),
        ("GET", "/workspaces/default", None),
        ("PATCH", "/workspaces/default", Some(r#"{"name":"Y"}"#)),
        ("DELETE", "/workspaces/default", None),
        ("GET", "/workspaces/default/budgets", None),
        ("GET", "/workspaces/default/budgets/daily", None),
        (
            "PUT",
            "/workspaces/default/budgets/daily",
            Some(r#"{"limit_usd":5}"#),
        ),
        ("DELETE", "/workspaces/default/budgets/daily", None),
        ("GET", "/workspaces/default/members", None),
        (
            "POST",
            "/workspaces/default/members/add",
            Some(r#"{"user_ids":["user_bob"]}"#),
        ),
        (
            "POST",
            "/workspaces/default/members/remove",
            Some(r#"{"user_ids":["user_bob"]}"#),
        ),
    ]
}
