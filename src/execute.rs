//! The one execution path of every operation, read top-down:
//!
//! 1. [`request`](crate::request): the generated operation describes its request, which
//!    is checked and prepared once per call;
//! 2. [`transport`](crate::transport): each attempt goes on the wire;
//! 3. here: each attempt gets a [`Verdict`], done or retry after a wait, from the
//!    [`retry`](crate::retry) policy and the operation's
//!    [`WriteRules`](crate::schema::WriteRules);
//! 4. [`decode`](crate::decode): the answer becomes the documented type or error.
//!
//! This module never names an operation: what belongs to one (a lookup after an ambiguous
//! create, say) comes from its description, carried out by [`reconcile`](crate::reconcile).

use std::cell::Cell;
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use serde::de::DeserializeOwned;
use ureq::http::HeaderMap;

use crate::client::{Attempt, AttemptKind, AttemptOutcome};
use crate::error::{ApiError, Error};
use crate::options::CallOptions;
use crate::reconcile::{Settled, Unsettled, settle_lookup};
use crate::request::{Prepared, RequestParts};
use crate::response::Response;
use crate::retry::{RetryPolicy, Wait, next_wait, retry_after};
use crate::schema::{Lookup, Method, Operation, WriteRules};
use crate::transport::{AttemptTimeout, Exchange, Failed, FailureKind};
use crate::{Client, decode, drift};

/// What one attempt decided.
enum Verdict<T> {
    /// The call is over.
    Done(Result<T, Error>),
    /// Send again after this wait.
    Retry(Duration),
}

/// A failed attempt, before the decision to retry, settle or give up.
struct Failure {
    /// The error the call returns if this is the last attempt (without `retry_after`).
    error: Error,
    /// The policy retries this kind of failure.
    policy_retries: bool,
    /// The request may be sent again after it: it is repeatable, or cannot have been applied.
    resendable: bool,
    /// The server may have applied the request.
    maybe_applied: bool,
    /// The wait the server asked for.
    server_wait: Option<Duration>,
}

/// The state of one call across its attempts.
struct Call<'a> {
    prepared: Prepared,
    policy: &'a RetryPolicy,
    write: WriteRules,
    /// The timeout of one attempt as configured; [`Call::timeout`] clips it to the deadline.
    configured_timeout: AttemptTimeout,
    /// Whether the request may be sent twice with the effect of once.
    idempotent: bool,
    started: Instant,
    /// The number of the attempt in progress (1 for the first).
    attempt: u32,
    /// The timeout the attempt in progress was given.
    attempt_timeout: Duration,
    /// Whether an earlier attempt may have been applied by the server.
    applied_earlier: bool,
    /// What the attempt in progress gets reported with, until it is: once its verdict is
    /// known, or before the lookups it calls for, so that the hook sees requests in the
    /// order they were sent.
    unreported: Cell<Option<Observed>>,
}

/// What came of one request, for its report.
struct Observed {
    sent: Sent,
    outcome: AttemptOutcome,
    headers: Option<HeaderMap>,
    elapsed: Duration,
}

/// The least time an attempt is given: one that would have less is not worth starting.
const LEAST_ATTEMPT: Duration = Duration::from_millis(1);

impl Call<'_> {
    /// The time left before the retry policy's total bound.
    fn time_left(&self) -> Duration {
        self.policy
            .get_max_elapsed()
            .saturating_sub(self.started.elapsed())
    }

    /// The timeout of the next attempt (or lookup): the configured one, clipped to the time
    /// left before the retry policy's total bound, so that the call as a whole, the attempt
    /// in flight included, ends by `max_elapsed` (plus the last read's slack).
    fn timeout(&self) -> AttemptTimeout {
        let left = self.time_left();
        if left < self.configured_timeout.limit {
            AttemptTimeout {
                limit: left.max(LEAST_ATTEMPT),
                overridden: true,
            }
        } else {
            self.configured_timeout
        }
    }
}

impl Client {
    /// Sends `request` under `options` and decodes a success into `T`.
    pub(crate) fn execute<T: DeserializeOwned>(
        &self,
        request: RequestParts,
        options: &CallOptions,
    ) -> Result<Response<T>, Error> {
        let prepared = request.prepare(self, options)?;
        let write = prepared.operation.write;
        let mut call = Call {
            idempotent: prepared.operation.method.is_idempotent() || write.repeatable,
            prepared,
            policy: options.retry.as_ref().unwrap_or(&self.inner.retry),
            write,
            configured_timeout: AttemptTimeout {
                limit: options.timeout.unwrap_or(self.inner.timeout),
                overridden: options.timeout.is_some(),
            },
            started: Instant::now(),
            attempt: 0,
            attempt_timeout: Duration::ZERO,
            applied_earlier: false,
            unreported: Cell::new(None),
        };
        loop {
            call.attempt += 1;
            self.keep_shared_pause(&call);
            call.attempt_timeout = call.timeout().limit;
            let attempt_started = Instant::now();
            let exchange = self.send_once(
                call.prepared.operation.method,
                &call.prepared.url,
                &call.prepared.headers,
                call.prepared.body.as_deref(),
                call.timeout(),
            );
            let elapsed = attempt_started.elapsed();
            let sent = Sent {
                kind: AttemptKind::Request,
                method: call.prepared.operation.method.as_str(),
                url: None,
                number: call.attempt,
            };
            call.unreported
                .set(Some(self.observe(sent, &exchange, elapsed)));
            let verdict = self.judge(&mut call, exchange);
            let next_delay = match &verdict {
                Verdict::Retry(wait) => Some(*wait),
                Verdict::Done(_) => None,
            };
            self.report_unreported(&call, next_delay);
            match verdict {
                Verdict::Done(result) => return result,
                Verdict::Retry(wait) => thread::sleep(wait),
            }
        }
    }

    /// Waits out a pause a 429 on another call asked for, within the call's time left.
    fn keep_shared_pause(&self, call: &Call<'_>) {
        let held = self.inner.pause.remaining();
        if !held.is_zero() {
            let wait = held.min(call.time_left());
            log::debug!("holding {wait:?} for a rate limit another call met");
            thread::sleep(wait);
        }
    }

    /// What the attempt hook is told of an exchange: its outcome, and the response headers
    /// when a hook is set (cloned only then; the hook is their one reader).
    fn observe(&self, sent: Sent, exchange: &Exchange, elapsed: Duration) -> Observed {
        let (outcome, headers) = match exchange {
            Exchange::Response {
                status, headers, ..
            } => (
                AttemptOutcome::Status(*status),
                self.inner.on_attempt.as_ref().map(|_| headers.clone()),
            ),
            Exchange::Failed(Failed {
                failure: Some(failure),
                ..
            }) => (AttemptOutcome::Transport(failure.to_string()), None),
            Exchange::Failed(Failed {
                kind: FailureKind::TooLarge,
                ..
            }) => (
                AttemptOutcome::Transport(format!(
                    "the answer is larger than the limit of {} bytes",
                    self.inner.max_response_bytes
                )),
                None,
            ),
            Exchange::Failed(_) => (AttemptOutcome::Timeout, None),
        };
        Observed {
            sent,
            outcome,
            headers,
            elapsed,
        }
    }

    /// The verdict on one attempt's exchange.
    fn judge<T: DeserializeOwned>(
        &self,
        call: &mut Call<'_>,
        exchange: Exchange,
    ) -> Verdict<Response<T>> {
        let failure = match exchange {
            Exchange::Response {
                status,
                headers,
                body,
            } => {
                if (200..300).contains(&status) {
                    return Verdict::Done(self.success(call, status, headers, body));
                }
                if status == 404 && call.applied_earlier {
                    if let Some(done) = call.write.gone_means_done {
                        // A delete whose lost first attempt did its job.
                        return Verdict::Done(self.success(
                            call,
                            200,
                            HeaderMap::new(),
                            done.as_bytes().to_vec(),
                        ));
                    }
                    if let Some(relocation) = &call.write.relocate {
                        // An update whose lost first attempt may have moved what it
                        // addresses (a new slug): look where it would be now.
                        let failure = self.status_failure(call, status, headers, body);
                        return self.settle_moved(call, relocation, failure.error);
                    }
                }
                self.status_failure(call, status, headers, body)
            }
            Exchange::Failed(failed) => self.transport_failure(call, failed),
        };
        call.applied_earlier |= failure.maybe_applied;

        let retryable = failure.policy_retries && failure.resendable;
        match next_wait(
            call.policy,
            call.attempt,
            call.started,
            retryable,
            failure.server_wait,
        ) {
            Wait::Retry(wait) => Verdict::Retry(wait),
            Wait::GiveUp | Wait::PastBound => {
                let failure = Failure {
                    error: with_retry_after(failure.error, failure.server_wait),
                    ..failure
                };
                if call.applied_earlier && !call.idempotent {
                    // A write that may have taken effect is looked up before it is given up
                    // on. That includes a refused re-send (a 400 for a slug "already in
                    // use"): the first attempt may have been applied after the last lookup.
                    self.settle(call, failure)
                } else {
                    Verdict::Done(Err(failure.error))
                }
            }
        }
    }

    fn status_failure(
        &self,
        call: &Call<'_>,
        status: u16,
        headers: HeaderMap,
        body: Vec<u8>,
    ) -> Failure {
        let operation = call.prepared.operation;
        let server_wait = retry_after(&headers, SystemTime::now());
        if let (429, Some(wait)) = (status, server_wait) {
            self.inner.pause.hold_for(wait);
        }
        Failure {
            policy_retries: call.policy.retries_status(status),
            // A 429 was refused before being handled, so even a create may be re-sent.
            resendable: call.idempotent || status == 429,
            maybe_applied: status >= 500,
            server_wait,
            error: Error::Api(Box::new(ApiError {
                operation,
                status,
                body: decode::error_body(operation, status, &body),
                headers,
                raw_body: body,
                attempts: call.attempt,
                retry_after: None,
            })),
        }
    }

    fn transport_failure(&self, call: &Call<'_>, failed: Failed) -> Failure {
        let operation = call.prepared.operation;
        let Failed {
            kind,
            failure,
            error: source,
        } = failed;
        let error = match (kind, failure) {
            (FailureKind::TooLarge, _) => Error::ResponseTooLarge {
                operation,
                limit: self.inner.max_response_bytes,
            },
            (_, Some(failure)) => Error::Transport {
                operation,
                attempts: call.attempt,
                maybe_sent: kind.maybe_applied(),
                failure: Box::new(failure),
                source,
            },
            (_, None) => Error::Timeout {
                operation,
                attempts: call.attempt,
                timeout: call.attempt_timeout,
            },
        };
        Failure {
            error,
            // What cannot have been sent and would fail the same way is not tried again.
            policy_retries: call.policy.retries_connection_errors()
                && kind != FailureKind::NotSentPermanent,
            resendable: match kind {
                FailureKind::NotSent | FailureKind::NotSentPermanent => true,
                FailureKind::MaybeSent | FailureKind::Timeout => call.idempotent,
                FailureKind::TooLarge => false,
            },
            maybe_applied: kind.maybe_applied(),
            server_wait: None,
        }
    }

    /// After an ambiguous failure of a write whose result can be looked up: looks the result up
    /// and returns it, or sends again when the write did not happen (if the policy allows
    /// another attempt and retries this failure), or reports that the outcome is unknown.
    fn settle<T: DeserializeOwned>(
        &self,
        call: &Call<'_>,
        failure: Failure,
    ) -> Verdict<Response<T>> {
        let Failure {
            error,
            policy_retries,
            server_wait,
            ..
        } = failure;
        let operation = call.prepared.operation.id;
        let Some(lookup) = &call.write.settle else {
            return Verdict::Done(Err(error));
        };
        match self.look_up_within_policy(call, lookup) {
            Settled::TookEffect(body) => {
                log::debug!("{operation}: the write took effect; returning the looked-up result");
                Verdict::Done(self.success(call, 200, HeaderMap::new(), body))
            }
            Settled::Conflict => Verdict::Done(Err(error)),
            Settled::DidNotHappen => match next_wait(
                call.policy,
                call.attempt,
                call.started,
                policy_retries,
                server_wait,
            ) {
                Wait::Retry(wait) => Verdict::Retry(wait),
                Wait::GiveUp | Wait::PastBound => Verdict::Done(Err(error)),
            },
            Settled::Unknown(unsettled) => {
                Verdict::Done(Err(outcome_unknown(call, unsettled.detail, error)))
            }
        }
    }

    /// After a retry answered `error` (a 404) at the address of a write whose earlier
    /// attempt may have been applied and may have moved what it addresses: looks at the
    /// address the sent body names. The thing there with every sent field is the result;
    /// anything else leaves the outcome unknown. A body that names no new address, or names
    /// the request's own, keeps the 404.
    fn settle_moved<T: DeserializeOwned>(
        &self,
        call: &Call<'_>,
        relocation: &Lookup,
        error: Error,
    ) -> Verdict<Response<T>> {
        let operation = call.prepared.operation.id;
        let Ok((_, path)) = Client::lookup_path(relocation, &call.prepared) else {
            return Verdict::Done(Err(error));
        };
        if call.prepared.url == format!("{}{path}", self.inner.base_url) {
            return Verdict::Done(Err(error));
        }
        let detail = match self.look_up_within_policy(call, relocation) {
            Settled::TookEffect(body) => {
                log::debug!("{operation}: the write took effect at {path}; returning it");
                return Verdict::Done(self.success(call, 200, HeaderMap::new(), body));
            }
            Settled::DidNotHappen => format!(
                "GET {path} answered 404: it is at neither address; look it up by id before retrying"
            ),
            Settled::Conflict => {
                format!("GET {path} found fields other than those sent; look it up before retrying")
            }
            Settled::Unknown(unsettled) => unsettled.detail,
        };
        Verdict::Done(Err(outcome_unknown(call, detail, error)))
    }

    /// Looks the result of the call's write up, trying again under the call's retry policy
    /// (its backoff and its total bound) while the lookup fails in a way the policy retries.
    fn look_up_within_policy(&self, call: &Call<'_>, lookup: &Lookup) -> Settled {
        let target = match Client::lookup_path(lookup, &call.prepared) {
            Ok(target) => target,
            Err(detail) => {
                return Settled::Unknown(Unsettled {
                    detail,
                    retryable: false,
                    server_wait: None,
                });
            }
        };
        // The attempt that calls for the lookups goes before them.
        self.report_unreported(call, None);
        let url = format!("{}{}", self.inner.base_url, target.1);
        let mut number = 0;
        loop {
            number += 1;
            let lookup_started = Instant::now();
            let exchange = self.send_lookup(&call.prepared, &url, call.timeout());
            let sent = Sent {
                kind: AttemptKind::Lookup,
                method: Method::Get.as_str(),
                url: Some(url.clone()),
                number,
            };
            let observed = self.observe(sent, &exchange, lookup_started.elapsed());
            let settled = settle_lookup(lookup, &target, exchange, call.policy);
            let wait = match &settled {
                Settled::Unknown(unsettled) => match next_wait(
                    call.policy,
                    number,
                    call.started,
                    unsettled.retryable,
                    unsettled.server_wait,
                ) {
                    Wait::Retry(wait) => Some(wait),
                    Wait::GiveUp | Wait::PastBound => None,
                },
                _ => None,
            };
            self.report(call, observed, wait);
            match wait {
                Some(wait) => thread::sleep(wait),
                None => return settled,
            }
        }
    }

    /// A success of the call: the decoded answer, marked when an earlier attempt may have
    /// been applied before the one that answered.
    fn success<T: DeserializeOwned>(
        &self,
        call: &Call<'_>,
        status: u16,
        headers: HeaderMap,
        body: Vec<u8>,
    ) -> Result<Response<T>, Error> {
        self.decode::<T>(call.prepared.operation, status, headers, body)
            .map(|response| response.after_ambiguous_attempt(call.applied_earlier))
    }

    /// Decodes a success body, and reports what in it the document does not describe.
    fn decode<T: DeserializeOwned>(
        &self,
        operation: &'static Operation,
        status: u16,
        headers: HeaderMap,
        body: Vec<u8>,
    ) -> Result<Response<T>, Error> {
        let (decoded, found) = drift::recording(operation.id, || {
            decode::success(operation, status, &headers, &body)
        });
        if decoded.is_ok() {
            for drift in &found {
                drift::warn_once(drift);
                if let Some(hook) = &self.inner.on_drift {
                    hook(drift);
                }
            }
        }
        decoded.map(|value| Response::new(status, headers, body, value))
    }

    /// Reports the attempt in progress, unless that is done.
    fn report_unreported(&self, call: &Call<'_>, next_delay: Option<Duration>) {
        if let Some(observed) = call.unreported.take() {
            self.report(call, observed, next_delay);
        }
    }

    /// Logs one request of a call and hands it to the attempt hook.
    fn report(&self, call: &Call<'_>, observed: Observed, next_delay: Option<Duration>) {
        let Observed {
            sent,
            outcome,
            headers,
            elapsed,
        } = observed;
        let url = sent.url.as_deref().unwrap_or(&call.prepared.url);
        let what = match sent.kind {
            AttemptKind::Request => "attempt",
            AttemptKind::Lookup => "lookup",
        };
        let result = match &outcome {
            AttemptOutcome::Status(status) => format!("HTTP {status}"),
            AttemptOutcome::Timeout => "no answer within the timeout".to_string(),
            AttemptOutcome::Transport(words) => words.clone(),
        };
        log::debug!(
            "{} {} {what} {} -> {result} in {elapsed:?}{}",
            sent.method,
            url,
            sent.number,
            next_delay
                .map(|d| format!(", retrying in {d:?}"))
                .unwrap_or_default()
        );
        if let Some(hook) = &self.inner.on_attempt {
            hook(&Attempt {
                operation: call.prepared.operation.id,
                kind: sent.kind,
                method: sent.method,
                url,
                number: sent.number,
                outcome,
                headers: headers.as_ref(),
                elapsed,
                next_delay,
            });
        }
    }
}

/// Which request of a call went out, for the log and the attempt hook.
struct Sent {
    kind: AttemptKind,
    method: &'static str,
    /// Where it went, unless that is the call's own URL (not copied for every attempt).
    url: Option<String>,
    /// 1 for the first of its kind in the call.
    number: u32,
}

/// The error of a write whose result a lookup could not settle.
fn outcome_unknown(call: &Call<'_>, detail: String, cause: Error) -> Error {
    Error::OutcomeUnknown {
        operation: call.prepared.operation,
        attempts: call.attempt,
        detail,
        cause: Box::new(cause),
    }
}

/// The final error of a call, with the server's requested wait kept on an API error.
fn with_retry_after(error: Error, server_wait: Option<Duration>) -> Error {
    match error {
        Error::Api(mut api) => {
            api.retry_after = server_wait;
            Error::Api(api)
        }
        other => other,
    }
}
