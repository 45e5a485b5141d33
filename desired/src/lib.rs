//! Declarative OpenRouter workspaces: a file that says how the organisation's workspaces should be,
//! the [`Plan`] of changes that makes the live state so, and applying it.
//!
//! The file (YAML or JSON) lists workspaces by slug, each with any writable field of the
//! API by its API name, its `budgets` (interval to limit in US dollars, `null` to delete)
//! and its `members` (the exact set of user ids). What the file leaves out is left alone.
//!
//! ```yaml
//! workspaces:
//!   staging:
//!     name: Staging
//!     description: Pre-production traffic
//!     include_byok_in_budgets: false
//!     budgets: {lifetime: 1000, monthly: 150, daily: 10}
//!     members: [user_bob, user_carol]
//! ```
//!
//! A file is checked completely while it is read, before anything is sent: every problem
//! names its line and column.
//!
//! ```
//! use openrouter_workspaces_desired::DesiredState;
//!
//! let file = "workspaces:\n  staging:\n    name: Staging\n    budgets: {monthly: 150}\n";
//! let state = DesiredState::from_yaml(file)?;
//! assert_eq!(state.workspaces[0].slug, "staging");
//!
//! let typo = DesiredState::from_yaml("workspaces:\n  staging:\n    nmae: Staging\n").unwrap_err();
//! assert!(typo.to_string().contains("`name`"), "{typo}"); // the nearest known field
//! # Ok::<(), openrouter_workspaces_desired::FileError>(())
//! ```
//!
//! [`plan`] only reads; [`Plan::apply`] writes, on one shared [`Client`](openrouter_workspaces::Client)
//! from several threads, each write under the client's retries and exactly-once rules. No
//! state is kept anywhere: a second plan of the same file after an apply is empty, and an
//! apply cut short converges when run again.
//!
//! ```no_run
//! use openrouter_workspaces::Client;
//! use openrouter_workspaces_desired::{ApplyOptions, DesiredState, PlanOptions, plan};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::from_env()?;
//! let desired = DesiredState::from_yaml(&std::fs::read_to_string("workspaces.yaml")?)?;
//! let plan = plan(&client, &desired, &PlanOptions::default())?;
//! print!("{plan}");
//! let report = plan.apply(&client, &ApplyOptions::default(), |_| {})?;
//! print!("{report}");
//! # Ok(())
//! # }
//! ```
//!
//! This crate is built on the public API of [`openrouter_workspaces`]: it needs a client
//! generated with the Workspaces operations it calls (list, create, get, update, delete,
//! and the budget and member operations). It knows their fields only through the client's
//! description of the document ([`openrouter_workspaces::schema`]): the fields a file may
//! set, and their checks, are those of the request bodies, so a client regenerated from a
//! newer document takes its new fields in files with no code change, and one whose
//! document lacks a field refuses it in a file by name.

mod apply;
mod budgets;
mod export;
mod file;
mod plan;

pub use apply::{ApplyError, ApplyOptions, Failure, Progress, Report};
pub use export::export;
pub use file::{DEFAULT_WORKSPACE_SLUG, DesiredState, DesiredWorkspace, FileError, FileFormat};
pub use plan::{Change, FieldChange, Plan, PlanError, PlanOptions, Summary, plan};

use std::sync::atomic::{AtomicUsize, Ordering};

/// `f` of every item, on up to `jobs` threads, in the items' order.
pub(crate) fn parallel_map<T: Sync, R: Send>(
    items: &[T],
    jobs: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let threads = jobs.clamp(1, items.len().max(1));
    if threads == 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let mut results: Vec<(usize, R)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else {
                            return done;
                        };
                        done.push((i, f(item)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| match w.join() {
                Ok(done) => done,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}
