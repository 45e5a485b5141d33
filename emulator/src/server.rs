//! HTTP/1.1 plumbing: the accept loop, one thread per connection, request heads parsed with
//! `httparse`, bodies read by `Content-Length`, keep-alive, responses, fault delivery and a
//! clean stop.
//!
//! The server is std sockets on purpose: faults need to reset or close connections at
//! precise points, and tests need to count TCP connections. With TLS, each connection is
//! wrapped in rustls's stream ([`Stream`]); the faults act on the socket below it.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::faults::FaultKind;
use crate::http::{Request, Response, reason, split_target};
use crate::routes::{self, CONTROL_PREFIX};
use crate::tls::Stream;
use crate::{Shared, lock};

/// Largest request head accepted (431 beyond).
const MAX_HEAD: usize = 64 * 1024;
/// Largest request body accepted (413 beyond).
const MAX_BODY: usize = 16 * 1024 * 1024;
/// Most header lines in one request (431 beyond).
const MAX_HEADERS: usize = 64;

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
    /// Close it cleanly.
    Close,
    /// Drop it as it is: reset, cut short, or already broken.
    Drop,
}

/// One connection: socket, input buffer (bytes received and not yet consumed), output
/// buffer and the current head.
struct Conn<'s> {
    shared: &'s Shared,
    stream: Stream,
    buf: Vec<u8>,
    out: Vec<u8>,
    head: Head,
}

fn serve(shared: &Shared, stream: TcpStream) {
    let Ok(stream) = Stream::new(stream, shared.tls.as_ref()) else {
        return;
    };
    let mut conn = Conn {
        shared,
        stream,
        buf: Vec::with_capacity(8 * 1024),
        out: Vec::with_capacity(4 * 1024),
        head: Head::default(),
    };
    loop {
        match conn.one_request() {
            Next::KeepAlive => {}
            Next::Close => break conn.stream.finish(),
            Next::Drop => break,
        }
    }
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
        let head_len = match self.read_head() {
            Ok(len) => len,
            Err(next) => return next,
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
            reset(self.stream.tcp());
            return Next::Drop;
        }
        let total = match self.read_body(head_len) {
            Ok(total) => total,
            Err(next) => return next,
        };
        if !control
            && let Some(latency) = shared.latency
            && shared.stop.sleep(latency)
        {
            return Next::Drop;
        }
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
        let answer = answer(shared, fault, &request);
        let next = self.deliver(answer);
        if next == Next::KeepAlive {
            self.buf.drain(..total);
        }
        next
    }

    /// Reads until a whole head is in the buffer and parses it: its length, or what to do
    /// with the connection when there is no usable head.
    fn read_head(&mut self) -> Result<usize, Next> {
        loop {
            if !self.buf.is_empty() {
                match self.parse_head() {
                    Ok(Some(len)) => return Ok(len),
                    Ok(None) if self.buf.len() > MAX_HEAD => {
                        self.count_malformed();
                        return Err(self.refuse(431, "request head too large"));
                    }
                    Ok(None) => {}
                    Err(e) => {
                        self.count_malformed();
                        return Err(self.refuse(e.status, e.message));
                    }
                }
            }
            match self.read_more() {
                Ok(0) => return Err(Next::Close),
                Err(_) => return Err(Next::Drop),
                Ok(_) => {}
            }
        }
    }

    /// Reads the body announced by the head (sending `100 Continue` when asked): the length
    /// of head and body together, or what to do with the connection when there is no body.
    fn read_body(&mut self, head_len: usize) -> Result<usize, Next> {
        if self.head.chunked {
            return Err(self.refuse(
                411,
                "chunked request bodies are not supported: send a Content-Length",
            ));
        }
        let body_len = self.head.content_length.unwrap_or(0);
        if body_len > MAX_BODY {
            return Err(self.refuse(413, "request body too large"));
        }
        let total = head_len + body_len;
        if self.head.expect_continue && self.buf.len() < total {
            let _ = self
                .stream
                .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
                .and_then(|()| self.stream.flush());
        }
        while self.buf.len() < total {
            match self.read_more() {
                Ok(0) => return Err(Next::Close),
                Err(_) => return Err(Next::Drop),
                Ok(_) => {}
            }
        }
        Ok(total)
    }

    /// Whether the client wants the connection kept after this request.
    fn wants_keep_alive(&self) -> bool {
        !(self.head.close || (self.head.http10 && !self.head.keep_alive))
    }

    /// Sends an answer; what to do with the connection afterwards.
    fn deliver(&mut self, answer: Answer) -> Next {
        let next = if self.wants_keep_alive() {
            Next::KeepAlive
        } else {
            Next::Close
        };
        // HTTP/1.1 keeps alive by default; an HTTP/1.0 client that asked for keep-alive is
        // told it got it.
        let conn_header = match next {
            Next::Close | Next::Drop => Some("close"),
            Next::KeepAlive if self.head.http10 => Some("keep-alive"),
            Next::KeepAlive => None,
        };
        let (written, next) = match answer {
            Answer::Respond(response) => (
                write_response(&mut self.stream, &mut self.out, &response, conn_header),
                next,
            ),
            Answer::Truncated(response) => (
                write_truncated(&mut self.stream, &mut self.out, &response),
                Next::Drop,
            ),
            Answer::Oversized(size) => (
                write_oversized(&mut self.stream, &mut self.out, size, conn_header),
                next,
            ),
            Answer::Reset => {
                reset(self.stream.tcp());
                return Next::Drop;
            }
            // Without an answer: as a server that crashed would, with no TLS goodbye.
            Answer::Close => return Next::Drop,
        };
        if written.is_err() || self.shared.stop.is_stopped() {
            return Next::Drop;
        }
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
            self.stream.finish();
            let _ = self.stream.tcp().shutdown(Shutdown::Write);
            let _ = self
                .stream
                .tcp()
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
        Next::Drop
    }
}

/// What to send back for one request.
enum Answer {
    /// A complete response.
    Respond(Response),
    /// The response's head with its real `Content-Length`, half its body, then a close.
    Truncated(Response),
    /// A valid JSON body of exactly this many bytes, streamed.
    Oversized(usize),
    /// Reset the connection without answering.
    Reset,
    /// Close the connection cleanly without answering.
    Close,
}

/// Handles a request, or plays the fault it drew.
fn answer(shared: &Shared, fault: Option<FaultKind>, request: &Request<'_>) -> Answer {
    let Some(fault) = fault else {
        return Answer::Respond(routes::handle(shared, request));
    };
    match fault {
        FaultKind::Delay(delay) => {
            if shared.stop.sleep(delay) {
                return Answer::Close;
            }
            Answer::Respond(routes::handle(shared, request))
        }
        FaultKind::Status {
            status,
            retry_after,
            retry_after_ms,
            body,
        } => {
            let mut response = match body {
                Some(body) => Response::json(status, body.into_bytes()),
                None => routes::api_error(
                    shared,
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
            Answer::Respond(response)
        }
        FaultKind::ResetBeforeRead | FaultKind::ResetAfterRead => Answer::Reset,
        FaultKind::CloseWithoutAnswer => Answer::Close,
        FaultKind::CommitThenStatus(status) => {
            let _ = routes::handle(shared, request);
            Answer::Respond(routes::api_error(
                shared,
                status,
                "injected fault: the request was applied, but the emulator answers with an error",
            ))
        }
        FaultKind::CommitThenClose => {
            let _ = routes::handle(shared, request);
            Answer::Close
        }
        FaultKind::TruncatedBody => Answer::Truncated(routes::handle(shared, request)),
        FaultKind::MalformedJson => Answer::Respond(Response::json(
            200,
            br#"{"data":[{"id":"3f6c2a9e-8b1d"#.to_vec(),
        )),
        FaultKind::NonJsonContentType => Answer::Respond(Response {
            status: 200,
            content_type: "text/html; charset=utf-8",
            body: b"<!DOCTYPE html><html><head><title>Gateway</title></head>\
                    <body><h1>Upstream temporarily unavailable</h1></body></html>"
                .to_vec(),
            headers: Vec::new(),
        }),
        FaultKind::MissingFields => Answer::Respond(Response::json(200, b"{}".to_vec())),
        FaultKind::OversizedBody(size) => Answer::Oversized(size),
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
    stream: &mut impl Write,
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
    stream.write_all(out)?;
    stream.flush()
}

/// The real head (with the real Content-Length), half the body, then the caller closes.
fn write_truncated(stream: &mut Stream, out: &mut Vec<u8>, response: &Response) -> io::Result<()> {
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
    // Cut short below TLS too: no `close_notify`, as a connection that broke.
    stream.tcp().shutdown(Shutdown::Write)
}

/// A 200 with a valid JSON body of exactly `size` bytes, streamed in chunks:
/// `{"padding":"xxx…"}`, or `{}` padded with spaces when `size` is under 14.
fn write_oversized(
    stream: &mut impl Write,
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
        stream.write_all(out)?;
        return stream.flush();
    }
    out.extend_from_slice(OPEN);
    stream.write_all(out)?;
    let mut left = size - OPEN.len() - CLOSE.len();
    while left > 0 {
        let n = left.min(FILL.len());
        stream.write_all(&FILL[..n])?;
        left -= n;
    }
    stream.write_all(CLOSE)?;
    stream.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

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
