//! The human-readable report and its summary line.

use std::collections::BTreeSet;
use std::fmt;

use super::{Change, Kind};

/// Counts of a list of changes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Operations only in the new document.
    pub operations_added: usize,
    /// Operations only in the old document.
    pub operations_removed: usize,
    /// Operations in both with at least one change.
    pub operations_changed: usize,
    /// Breaking changes, the added and removed operations included.
    pub breaking: usize,
    /// Compatible changes, the added and removed operations included.
    pub compatible: usize,
}

impl Summary {
    /// Counts `changes`.
    pub fn of(changes: &[Change]) -> Self {
        let mut s = Summary::default();
        let mut changed: BTreeSet<&str> = BTreeSet::new();
        for c in changes {
            match c.change {
                "operation_added" => s.operations_added += 1,
                "operation_removed" => s.operations_removed += 1,
                _ => {
                    changed.insert(&c.operation);
                }
            }
            match c.kind {
                Kind::Breaking => s.breaking += 1,
                Kind::Compatible => s.compatible += 1,
            }
        }
        s.operations_changed = changed.len();
        s
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.breaking + self.compatible == 0 {
            return f.write_str("No differences.");
        }
        let total = self.breaking + self.compatible;
        write!(
            f,
            "{total} {} ({} breaking, {} compatible); operations: {} added, {} removed, {} changed",
            if total == 1 { "change" } else { "changes" },
            self.breaking,
            self.compatible,
            self.operations_added,
            self.operations_removed,
            self.operations_changed
        )
    }
}

/// The human-readable report: the changes grouped by operation, one line each, and a
/// summary line.
pub fn render(changes: &[Change]) -> String {
    let mut out = String::new();
    let mut order: Vec<&str> = Vec::new();
    for c in changes {
        if !order.contains(&c.operation.as_str()) {
            order.push(&c.operation);
        }
    }
    for id in order {
        let group: Vec<&Change> = changes.iter().filter(|c| c.operation == id).collect();
        let first = group[0];
        out.push_str(&format!("{id} ({} {})\n", first.method, first.path));
        for c in group {
            let marker = format!("[{}]", c.kind);
            let what = c.change.replace('_', " ");
            let line = if c.location == "operation" {
                what
            } else {
                format!("{}: {what}", c.location)
            };
            if c.detail.is_empty() {
                out.push_str(&format!("  {marker:<12} {line}\n"));
            } else {
                out.push_str(&format!("  {marker:<12} {line}: {}\n", c.detail));
            }
        }
        out.push('\n');
    }
    out.push_str(&Summary::of(changes).to_string());
    out.push('\n');
    out
}
