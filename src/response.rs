//! A successful answer with everything that came with it.

use std::ops::Deref;

use ureq::http::HeaderMap;

/// A decoded success together with its status, headers and raw body, as returned by every
/// operation's `send_with_response()`; `send()` returns only the value.
///
/// It dereferences to the value, so `response.data` reads like the value's own field.
/// The headers are an [`http::HeaderMap`](ureq::http::HeaderMap) (the `http` crate's type,
/// which ureq re-exports); look one up by name with `headers().get("x-request-id")`.
///
/// ```no_run
/// # fn main() -> Result<(), openrouter_workspaces::Error> {
/// let client = openrouter_workspaces::Client::from_env()?;
/// let response = client.workspaces().get("production").send_with_response()?;
/// println!("{} {}", response.status(), response.data.slug);
/// if let Some(id) = response.headers().get("x-request-id") {
///     println!("request id {id:?}");
/// }
/// let raw: &[u8] = response.body(); // exactly what the server sent
/// # let _ = raw;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Response<T> {
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
    value: T,
    earlier_attempt_may_have_applied: bool,
}

impl<T> Response<T> {
    pub(crate) fn new(status: u16, headers: HeaderMap, body: Vec<u8>, value: T) -> Self {
        Self {
            status,
            headers,
            body,
            value,
            earlier_attempt_may_have_applied: false,
        }
    }

    /// Marks the answer as one to a re-send after an attempt that may have been applied.
    pub(crate) fn after_ambiguous_attempt(mut self, maybe: bool) -> Self {
        self.earlier_attempt_may_have_applied = maybe;
        self
    }

    /// Whether an earlier attempt of this call may have been applied by the server before
    /// the attempt that gave this answer: one failed after the request may have reached the
    /// server (a 5xx, a connection lost after sending, a timeout) and the call then
    /// succeeded by a re-send or a lookup.
    ///
    /// The state the answer describes is still the state after the call. What changes is
    /// what the answer says about the *effect* of the call: it describes the last attempt
    /// alone. The counts of the bulk member operations (`added_count`, `removed_count`)
    /// then count only what the re-send changed, so they may be lower than what the call
    /// did (the earlier attempt may have added or removed the members already); the
    /// members listed in `data` are right either way. A delete that reports `deleted`
    /// after such an attempt found the thing gone on the re-send.
    ///
    /// ```no_run
    /// # fn main() -> Result<(), openrouter_workspaces::Error> {
    /// let client = openrouter_workspaces::Client::from_env()?;
    /// let added = client
    ///     .workspaces()
    ///     .bulk_add_members("production")
    ///     .user_ids(["user_bob"])
    ///     .send_with_response()?;
    /// if added.earlier_attempt_may_have_applied() {
    ///     println!("at least {} member(s) added", added.added_count);
    /// } else {
    ///     println!("{} member(s) added", added.added_count);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn earlier_attempt_may_have_applied(&self) -> bool {
        self.earlier_attempt_may_have_applied
    }

    /// The HTTP status (200 when the value was settled by a lookup; see the README's
    /// Reliability section).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body exactly as received, before decoding.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The decoded value.
    pub fn value(&self) -> &T {
        &self.value
    }

    /// The decoded value, dropping the rest.
    pub fn into_inner(self) -> T {
        self.value
    }

    /// The value and the raw body, for callers that print what the server sent.
    pub fn into_value_and_body(self) -> (T, Vec<u8>) {
        (self.value, self.body)
    }
}

impl<T> Deref for Response<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}
