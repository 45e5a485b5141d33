//! A small HTTP `CONNECT` proxy on loopback, for the network tests of the library and the
//! command-line tool: it checks `Proxy-Authorization`, answers a chosen status, or opens a
//! tunnel to a loopback address and copies bytes both ways. It records every request for
//! a tunnel. It never connects beyond loopback.

#![allow(dead_code, reason = "each test crate uses a part of it")]

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// The user the proxy accepts, when it asks for credentials.
pub const USER: &str = "alice";
/// The password it accepts: it must never appear in any output.
pub const PASSWORD: &str = "s3cret-proxy-pass";
/// `Proxy-Authorization` for [`USER`] and [`PASSWORD`].
const BASIC: &str = "Basic YWxpY2U6czNjcmV0LXByb3h5LXBhc3M=";

/// What the proxy does with a request for a tunnel (with the right credentials, when it
/// asks for them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Opens the tunnel (to loopback targets only; others get 502).
    Tunnel,
    /// Answers this status and closes.
    Status(u16),
}

/// One request for a tunnel, as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connect {
    /// `host:port` of the `CONNECT` line.
    pub target: String,
    /// Whether it carried the expected credentials.
    pub authorized: bool,
}

/// A running proxy; it stops when dropped.
pub struct Proxy {
    port: u16,
    seen: Arc<Mutex<Vec<Connect>>>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl Proxy {
    /// Starts a proxy answering `answer`; with `credentials`, it wants [`USER`] and
    /// [`PASSWORD`] and answers 407 without them.
    pub fn start(answer: Answer, credentials: bool) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let port = listener.local_addr().expect("its address").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (log, stopping) = (Arc::clone(&seen), Arc::clone(&stop));
        let accept = thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let log = Arc::clone(&log);
                thread::spawn(move || {
                    let _ = serve(stream, answer, credentials, &log);
                });
            }
        });
        Proxy {
            port,
            seen,
            stop,
            accept: Some(accept),
        }
    }

    /// The proxy's URL, with [`USER`] and [`PASSWORD`] in it when `with_credentials`.
    pub fn url(&self, with_credentials: bool) -> String {
        if with_credentials {
            format!("http://{USER}:{PASSWORD}@127.0.0.1:{}", self.port)
        } else {
            format!("http://127.0.0.1:{}", self.port)
        }
    }

    /// The proxy as messages should name it.
    pub fn named(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Every request for a tunnel received so far.
    pub fn connects(&self) -> Vec<Connect> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ =
            TcpStream::connect_timeout(&([127, 0, 0, 1], self.port).into(), Duration::from_secs(1));
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

/// Serves one connection: reads the `CONNECT` head, then answers or tunnels.
fn serve(
    mut client: TcpStream,
    answer: Answer,
    credentials: bool,
    log: &Mutex<Vec<Connect>>,
) -> io::Result<()> {
    client.set_read_timeout(Some(Duration::from_secs(10)))?;
    let head = read_head(&mut client)?;
    let mut lines = head.lines();
    let request = lines.next().unwrap_or_default();
    let target = match request.split_whitespace().collect::<Vec<_>>()[..] {
        ["CONNECT", target, _] => target.to_string(),
        _ => return respond(&mut client, 405),
    };
    let authorized = lines.any(|line| {
        line.split_once(':').is_some_and(|(name, value)| {
            name.eq_ignore_ascii_case("proxy-authorization") && value.trim() == BASIC
        })
    });
    log.lock().unwrap_or_else(|e| e.into_inner()).push(Connect {
        target: target.clone(),
        authorized,
    });
    if credentials && !authorized {
        return respond(&mut client, 407);
    }
    match answer {
        Answer::Status(status) => respond(&mut client, status),
        Answer::Tunnel => tunnel(client, &target),
    }
}

/// Reads up to the end of the request head.
fn read_head(client: &mut TcpStream) -> io::Result<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if client.read(&mut byte)? == 0 || head.len() > 16 * 1024 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        head.push(byte[0]);
    }
    Ok(String::from_utf8_lossy(&head).into_owned())
}

fn respond(client: &mut TcpStream, status: u16) -> io::Result<()> {
    let extra = if status == 407 {
        "Proxy-Authenticate: Basic realm=\"test\"\r\n"
    } else {
        ""
    };
    write!(
        client,
        "HTTP/1.1 {status} Test\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n"
    )?;
    client.flush()
}

/// Opens the tunnel to `target` (loopback only) and copies bytes both ways until either
/// side closes.
fn tunnel(mut client: TcpStream, target: &str) -> io::Result<()> {
    let loopback = target.starts_with("127.0.0.1:") || target.starts_with("localhost:");
    let server = match loopback.then(|| TcpStream::connect(target)) {
        Some(Ok(server)) => server,
        _ => return respond(&mut client, 502),
    };
    client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")?;
    client.set_read_timeout(None)?;
    let (mut up_from, mut up_to) = (client.try_clone()?, server.try_clone()?);
    let upstream = thread::spawn(move || {
        let _ = io::copy(&mut up_from, &mut up_to);
        let _ = up_to.shutdown(Shutdown::Write);
    });
    let (mut down_from, mut down_to) = (server, client);
    let _ = io::copy(&mut down_from, &mut down_to);
    let _ = down_to.shutdown(Shutdown::Write);
    let _ = upstream.join();
    Ok(())
}
