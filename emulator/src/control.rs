//! The control endpoints under `/__emulator/`: fault queueing, statistics and counter
//! resets. Not authenticated, not counted, never faulted.

use std::sync::atomic::Ordering;

use serde_json::{Value, json};

use crate::http::{Request, Response};
use crate::routes::{CONTROL_PREFIX, error, ok};
use crate::{Shared, faults, lock};

/// The control endpoints (not authenticated, not counted, never faulted).
pub(crate) fn control(shared: &Shared, req: &Request<'_>) -> Response {
    let name = &req.path[CONTROL_PREFIX.len()..];
    match (req.method, name) {
        ("POST", "faults") => match faults::parse_faults(req.body) {
            Ok(list) => {
                let queued = list.iter().filter(|f| f.times > 0).count();
                for fault in list {
                    shared.inject(fault);
                }
                ok(
                    200,
                    &json!({
                        "queued": queued,
                        "pending_faults": shared.pending_faults.load(Ordering::Acquire),
                    }),
                )
            }
            Err(message) => error(400, &message),
        },
        ("DELETE", "faults") => {
            shared.clear_faults();
            ok(200, &json!({ "cleared": true }))
        }
        ("GET", "stats") => {
            let mut requests: Vec<(String, String, u64)> = lock(&shared.counts)
                .iter()
                .map(|(m, p, n)| (m.to_string(), p.to_string(), n))
                .collect();
            requests.sort();
            let requests: Vec<Value> = requests
                .into_iter()
                .map(
                    |(method, path, count)| json!({"method": method, "path": path, "count": count}),
                )
                .collect();
            ok(
                200,
                &json!({
                    "request_count": shared.request_count.load(Ordering::Relaxed),
                    "connection_count": shared.connection_count.load(Ordering::Relaxed),
                    "pending_faults": shared.pending_faults.load(Ordering::Acquire),
                    "requests": requests,
                }),
            )
        }
        ("POST", "reset-counters") => {
            shared.reset_counters();
            ok(200, &json!({ "reset": true }))
        }
        (_, "faults" | "stats" | "reset-counters") => error(
            405,
            &format!("method {} is not allowed on {}", req.method, req.path),
        ),
        _ => error(404, &format!("no such control endpoint: {}", req.path)),
    }
}
