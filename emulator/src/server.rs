//! HTTP/1.1 plumbing: the accept loop, one thread per connection, request heads parsed with
//! `httparse`, bodies read by `Content-Length`, keep-alive, responses, fault delivery and a
//! clean stop.
//!
//! The server is std sockets on purpose: faults need to reset or close connections at
//! precise points, and tests need to count TCP connections.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::faults::FaultKind;
use crate::{Shared, lock, routes};

/// Largest request head accepted (431 beyond).
const MAX_HEAD: usize = 64 * 1024;
/// Largest request body accepted (413 beyond).
const MAX_BODY: usize = 16 * 1024 * 1024;
/// Most header lines in one request (431 beyond).
const MAX_HEADERS: usize = 64;
/// Prefix of the control endpoints, which are neither counted nor faulted.
pub(crate) const CONTROL_PREFIX: &str = "/__emulator/";

/// A stop flag that sleeping threads can be woken from.
#[derive(Default)]
pub(crate) struct Stopper {
    flag: AtomicBool,
    lock: Mutex<()>,
    cv: Condvar,
}

impl Stopper {
    /// Raises the flag and wakes every sleeper.
    pub(crate) fn stop(&self) {
        let _guard = lock(&self.lock);
        self.flag.store(true, Ordering::SeqCst);
        self.cv.notify_all();
    }

    /// Whether the emulator is stopping.
    pub(crate) fn is_stopped(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }

    /// Sleeps for `duration` or until the emulator stops; true when it stopped.
    pub(crate) fn sleep(&self, duration: Duration) -> bool {
        let deadline = Instant::now() + duration;
        let mut guard = lock(&self.lock);
        loop {
            if self.is_stopped() {
                return true;
            }
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            guard = self
                .cv
                .wait_timeout(guard, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

/// A request as the routes see it.
pub(crate) struct Request<'a> {
    pub(crate) method: &'a str,
    /// The path as received, without the query.
    pub(crate) path: &'a str,
    pub(crate) query: Option<&'a str>,
    pub(crate) authorization: Option<&'a str>,
    pub(crate) body: &'a [u8],
}

/// A complete response.
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) content_type: &'static str,
    pub(crate) body: Vec<u8>,
    /// Extra headers (Retry-After, Allow, ...).
    pub(crate) headers: Vec<(&'static str, String)>,
}

impl Response {
    /// A JSON response.
    pub(crate) fn json(status: u16, body: Vec<u8>) -> Response {
        Response {
            status,
            content_type: "application/json",
            body,
            headers: Vec::new(),
        }
    }
}

/// Starts the accept loop on its own thread.
pub(crate) fn spawn(listener: TcpListener, shared: Arc<Shared>) -> io::Result<JoinHandle<()>> {
    thread::Builder::new()
        .name("emulator-accept".into())
        .spawn(move || accept_loop(listener, shared))
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut workers: Vec<JoinHandle<()>> = Vec::new();
    let mut next_id: u64 = 0;
    loop {
        let accepted = listener.accept();
        if shared.stop.is_stopped() {
            break;
        }
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => {
                // Out of descriptors or similar: back off a little and keep serving.
                if shared.stop.sleep(Duration::from_millis(10)) {
                    break;
                }
                continue;
            }
        };
        shared.connection_count.fetch_add(1, Ordering::Relaxed);
        let _ = stream.set_nodelay(true);
        let id = next_id;
        next_id += 1;
        if let Ok(clone) = stream.try_clone() {
            lock(&shared.connections).insert(id, clone);
        }
        workers.retain(|h| !h.is_finished());
        let worker_shared = Arc::clone(&shared);
        let spawned = thread::Builder::new()
            .name("emulator-conn".into())
            .spawn(move || {
                serve(&worker_shared, stream);
                lock(&worker_shared.connections).remove(&id);
            });
        match spawned {
            Ok(handle) => workers.push(handle),
            Err(_) => {
                lock(&shared.connections).remove(&id);
            }
        }
    }
    drop(listener);
    // Unblock every connection thread (reads and writes fail at once), then join them.
    let open: Vec<TcpStream> = lock(&shared.connections).drain().map(|(_, s)| s).collect();
    for stream in &open {
        let _ = stream.shutdown(Shutdown::Both);
    }
    drop(open);
    for handle in workers {
        let _ = handle.join();
    }
}

/// The parsed head of the current request, reused from request to request.
#[derive(Default)]
struct Head {
    method: String,
    target: String,
    authorization: String,
    has_authorization: bool,
    content_length: Option<usize>,
    chunked: bool,
    close: bool,
    keep_alive: bool,
    http10: bool,
    expect_continue: bool,
}

/// Why a head could not be used.
struct HeadError {
    status: u16,
    message: &'static str,
}

/// What to do with the connection after a request.
#[derive(PartialEq, Eq)]
enum Next {
    KeepAlive,
    Close,
}

/// One connection: socket, input buffer (bytes received and not yet consumed), output
/// buffer and the current head.
struct Conn<'s> {
    shared: &'s Shared,
    stream: TcpStream,
    buf: Vec<u8>,
    out: Vec<u8>,
    head: Head,
}

fn serve(shared: &Shared, stream: TcpStream) {
    let mut conn = Conn {
        shared,
        stream,
        buf: Vec::with_capacity(8 * 1024),
        out: Vec::with_capacity(4 * 1024),
        head: Head::default(),
    };
    while conn.one_request() == Next::KeepAlive {}
}

impl Conn<'_> {
    /// Reads more bytes into the input buffer; `Ok(0)` at end of stream.
    fn read_more(&mut self) -> io::Result<usize> {
        let len = self.buf.len();
        if self.buf.capacity() - len < 4096 {
            self.buf.reserve(8 * 1024);
        }
        self.buf.resize(self.buf.capacity(), 0);
        loop {
            match self.stream.read(&mut self.buf[len..]) {
                Ok(n) => {
                    self.buf.truncate(len + n);
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.buf.truncate(len);
                    return Err(e);
                }
            }
        }
    }

    /// Parses the head at the start of the buffer: `Ok(Some(len))` when complete.
    fn parse_head(&mut self) -> Result<Option<usize>, HeadError> {
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut req = httparse::Request::new(&mut headers);
        let len = match req.parse(&self.buf) {
            Ok(httparse::Status::Complete(len)) => len,
            Ok(httparse::Status::Partial) => return Ok(None),
            Err(httparse::Error::TooManyHeaders) => {
                return Err(HeadError {
                    status: 431,
                    message: "too many request headers",
                });
            }
            Err(_) => {
                return Err(HeadError {
                    status: 400,
                    message: "malformed HTTP request head",
                });
            }
        };
        let head = &mut self.head;
        head.method.clear();
        head.method.push_str(req.method.unwrap_or(""));
        head.target.clear();
        head.target.push_str(req.path.unwrap_or(""));
        head.http10 = req.version == Some(0);
        head.authorization.clear();
        head.has_authorization = false;
        head.content_length = None;
        head.chunked = false;
        head.close = false;
        head.keep_alive = false;
        head.expect_continue = false;
        for h in req.headers.iter() {
            let name = h.name;
            if name.eq_ignore_ascii_case("content-length") {
                let n = std::str::from_utf8(h.value)
                    .ok()
                    .and_then(|v| v.trim().parse::<usize>().ok())
                    .ok_or(HeadError {
                        status: 400,
                        message: "invalid Content-Length header",
                    })?;
                if head.content_length.is_some_and(|m| m != n) {
                    return Err(HeadError {
                        status: 400,
                        message: "conflicting Content-Length headers",
                    });
                }
                head.content_length = Some(n);
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                head.chunked = true;
            } else if name.eq_ignore_ascii_case("connection") {
                for token in String::from_utf8_lossy(h.value).split(',') {
                    let token = token.trim();
                    if token.eq_ignore_ascii_case("close") {
                        head.close = true;
                    } else if token.eq_ignore_ascii_case("keep-alive") {
                        head.keep_alive = true;
                    }
                }
            } else if name.eq_ignore_ascii_case("authorization") {
                head.has_authorization = true;
                head.authorization
                    .push_str(std::str::from_utf8(h.value).unwrap_or(""));
            } else if name.eq_ignore_ascii_case("expect") {
                head.expect_continue = h.value.eq_ignore_ascii_case(b"100-continue");
            }
        }
        Ok(Some(len))
    }

    /// Reads, handles and answers one request.
    fn one_request(&mut self) -> Next {
        // The head.
        let head_len = loop {
            if !self.buf.is_empty() {
                match self.parse_head() {
                    Ok(Some(len)) => break len,
                    Ok(None) if self.buf.len() > MAX_HEAD => {
                        self.count_malformed();
                        return self.refuse(431, "request head too large");
                    }
                    Ok(None) => {}
                    Err(e) => {
                        self.count_malformed();
                        return self.refuse(e.status, e.message);
                    }
                }
            }
            match self.read_more() {
                Ok(0) | Err(_) => return Next::Close,
                Ok(_) => {}
            }
        };

        let shared = self.shared;
        let (path, _) = split_target(&self.head.target);
        let control = path.starts_with(CONTROL_PREFIX);
        let fault = if control {
            None
        } else {
            shared.record_request(&self.head.method, path);
            shared.take_fault(&self.head.method, path)
        };
        if fault == Some(FaultKind::ResetBeforeRead) {
            reset(&self.stream);
            return Next::Close;
        }

        // The body.
        if self.head.chunked {
            return self.refuse(
                411,
                "chunked request bodies are not supported: send a Content-Length",
            );
        }
        let body_len = self.head.content_length.unwrap_or(0);
        if body_len > MAX_BODY {
            return self.refuse(413, "request body too large");
        }
        let total = head_len + body_len;
        if self.head.expect_continue && self.buf.len() < total {
            let _ = self.stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
        }
        while self.buf.len() < total {
            match self.read_more() {
                Ok(0) | Err(_) => return Next::Close,
                Ok(_) => {}
            }
        }

        let mut next = if self.head.close || (self.head.http10 && !self.head.keep_alive) {
            Next::Close
        } else {
            Next::KeepAlive
        };
        if !control
            && let Some(latency) = shared.latency
            && shared.stop.sleep(latency)
        {
            return Next::Close;
        }

        // HTTP/1.1 keeps alive by default; an HTTP/1.0 client that asked for keep-alive is
        // told it got it.
        let conn_header = match next {
            Next::Close => Some("close"),
            Next::KeepAlive if self.head.http10 => Some("keep-alive"),
            Next::KeepAlive => None,
        };
        let (path, query) = split_target(&self.head.target);
        let request = Request {
            method: &self.head.method,
            path,
            query,
            authorization: self
                .head
                .has_authorization
                .then_some(self.head.authorization.as_str()),
            body: &self.buf[head_len..total],
        };
        let written = match fault {
            None => {
                let response = routes::handle(shared, &request);
                write_response(&mut self.stream, &mut self.out, &response, conn_header)
            }
            Some(FaultKind::Delay(delay)) => {
                if shared.stop.sleep(delay) {
                    return Next::Close;
                }
                let response = routes::handle(shared, &request);
                write_response(&mut self.stream, &mut self.out, &response, conn_header)
            }
            Some(FaultKind::Status {
                status,
                retry_after,
                retry_after_ms,
                body,
            }) => {
                let mut response = match body {
                    Some(body) => Response::json(status, body.into_bytes()),
                    None => routes::error(
                        status,
                        "injected fault: the emulator was told to fail this request",
                    ),
                };
                if let Some(v) = retry_after {
                    response.headers.push(("retry-after", v));
                }
                if let Some(v) = retry_after_ms {
                    response.headers.push(("retry-after-ms", v));
                }
                write_response(&mut self.stream, &mut self.out, &response, conn_header)
            }
            Some(FaultKind::ResetBeforeRead | FaultKind::ResetAfterRead) => {
                reset(&self.stream);
                return Next::Close;
            }
            Some(FaultKind::CloseWithoutAnswer) => return Next::Close,
            Some(FaultKind::CommitThenStatus(status)) => {
                let _ = routes::handle(shared, &request);
                let response = routes::error(
                    status,
                    "injected fault: the request was applied, but the emulator answers with an error",
                );
                write_response(&mut self.stream, &mut self.out, &response, conn_header)
            }
            Some(FaultKind::CommitThenClose) => {
                let _ = routes::handle(shared, &request);
                return Next::Close;
            }
            Some(FaultKind::TruncatedBody) => {
                let response = routes::handle(shared, &request);
                next = Next::Close;
                write_truncated(&mut self.stream, &mut self.out, &response)
            }
            Some(FaultKind::MalformedJson) => {
                let response = Response::json(200, br#"{"data":[{"id":"3f6c2a9e-8b1d"#.to_vec());
                write_response(&mut self.stream, &mut self.out, &response, conn_header)
            }
            Some(FaultKind::NonJsonContentType) => {
                let response = Response {
                    status: 200,
                    content_type: "text/html; charset=utf-8",
                    body: b"<!DOCTYPE html><html><head><title>Gateway</title></head>\
                            <body><h1>Upstream temporarily unavailable</h1></body></html>"
                        .to_vec(),
                    headers: Vec::new(),
                };
                write_response(&mut self.stream, &mut self.out, &response, conn_header)
            }
            Some(FaultKind::MissingFields) => {
                let response = Response::json(200, b"{}".to_vec());
                write_response(&mut self.stream, &mut self.out, &response, conn_header)
            }
            Some(FaultKind::OversizedBody(size)) => {
                write_oversized(&mut self.stream, &mut self.out, size, conn_header)
            }
        };
        if written.is_err() || shared.stop.is_stopped() {
            return Next::Close;
        }
        self.buf.drain(..total);
        next
    }

    /// Counts a request whose head could not be parsed (it has no usable path).
    fn count_malformed(&self) {
        self.shared.request_count.fetch_add(1, Ordering::Relaxed);
    }

    /// Answers an error and closes the connection, giving the client time to read the
    /// answer even though part of its request was never read.
    fn refuse(&mut self, status: u16, message: &str) -> Next {
        let response = routes::error(status, message);
        if write_response(&mut self.stream, &mut self.out, &response, Some("close")).is_ok() {
            let _ = self.stream.shutdown(Shutdown::Write);
            let _ = self
                .stream
                .set_read_timeout(Some(Duration::from_millis(200)));
            let mut sink = [0u8; 4096];
            let mut drained = 0;
            while drained < MAX_BODY {
                match self.stream.read(&mut sink) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => drained += n,
                }
            }
        }
        Next::Close
    }
}

/// Splits a request target into path and query.
fn split_target(target: &str) -> (&str, Option<&str>) {
    match target.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (target, None),
    }
}

/// Makes the coming close send RST instead of FIN.
fn reset(stream: &TcpStream) {
    let _ = socket2::SockRef::from(stream).set_linger(Some(Duration::ZERO));
}

/// Writes the status line and the common headers; `connection` is the value of the
/// `Connection` header to send, if any.
fn write_head(
    out: &mut Vec<u8>,
    status: u16,
    content_type: &str,
    length: usize,
    connection: Option<&str>,
) {
    out.clear();
    let _ = write!(
        out,
        "HTTP/1.1 {status} {}\r\ncontent-type: {content_type}\r\ncontent-length: {length}\r\n\
         server: openrouter-workspaces-emulator (not the real OpenRouter service)\r\n",
        reason(status)
    );
    if let Some(value) = connection {
        let _ = write!(out, "connection: {value}\r\n");
    }
}

fn write_response(
    stream: &mut TcpStream,
    out: &mut Vec<u8>,
    response: &Response,
    connection: Option<&str>,
) -> io::Result<()> {
    write_head(
        out,
        response.status,
        response.content_type,
        response.body.len(),
        connection,
    );
    for (name, value) in &response.headers {
        let _ = write!(out, "{name}: {value}\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(&response.body);
    stream.write_all(out)
}

/// The real head (with the real Content-Length), half the body, then the caller closes.
fn write_truncated(
    stream: &mut TcpStream,
    out: &mut Vec<u8>,
    response: &Response,
) -> io::Result<()> {
    let len = response.body.len();
    let (declared, sent) = if len >= 2 {
        (len, len / 2)
    } else {
        (len + 1, len)
    };
    write_head(
        out,
        response.status,
        response.content_type,
        declared,
        Some("close"),
    );
    for (name, value) in &response.headers {
        let _ = write!(out, "{name}: {value}\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(&response.body[..sent]);
    stream.write_all(out)?;
    stream.flush()?;
    stream.shutdown(Shutdown::Write)
}

/// A 200 with a valid JSON body of exactly `size` bytes, streamed in chunks:
/// `{"padding":"xxx…"}`, or `{}` padded with spaces when `size` is under 14.
fn write_oversized(
    stream: &mut TcpStream,
    out: &mut Vec<u8>,
    size: usize,
    connection: Option<&str>,
) -> io::Result<()> {
    const OPEN: &[u8] = br#"{"padding":""#;
    const CLOSE: &[u8] = br#""}"#;
    const FILL: [u8; 16 * 1024] = [b'x'; 16 * 1024];
    write_head(out, 200, "application/json", size, connection);
    out.extend_from_slice(b"\r\n");
    if size < OPEN.len() + CLOSE.len() {
        let mut small = Vec::with_capacity(size);
        small.extend_from_slice(&b"{}"[..size.min(2)]);
        small.resize(size, b' ');
        out.extend_from_slice(&small);
        return stream.write_all(out);
    }
    out.extend_from_slice(OPEN);
    stream.write_all(out)?;
    let mut left = size - OPEN.len() - CLOSE.len();
    while left > 0 {
        let n = left.min(FILL.len());
        stream.write_all(&FILL[..n])?;
        left -= n;
    }
    stream.write_all(CLOSE)
}

fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Content Too Large",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_targets() {
        assert_eq!(split_target("/a/b?x=1"), ("/a/b", Some("x=1")));
        assert_eq!(split_target("/a"), ("/a", None));
    }

    #[test]
    fn stopper_wakes_sleepers() {
        let stopper = Arc::new(Stopper::default());
        assert!(!stopper.sleep(Duration::from_millis(1)));
        let s = Arc::clone(&stopper);
        let t = thread::spawn(move || s.sleep(Duration::from_secs(60)));
        thread::sleep(Duration::from_millis(20));
        stopper.stop();
        assert!(t.join().unwrap());
    }
}
