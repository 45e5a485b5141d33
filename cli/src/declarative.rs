//! `plan`, `apply` and `export`: the crate `openrouter-workspaces-desired` on the command
//! line.

use std::io::{self, Read};
use std::path::Path;
use std::sync::Mutex;

use openrouter_workspaces::Client;
use openrouter_workspaces_desired::{
    self as desired, ApplyOptions, DesiredState, FileFormat, Plan, PlanError, PlanOptions, Progress,
};
use serde_json::json;

use crate::args::{ApplyArgs, Desired, ExportArgs, PlanArgs};
use crate::output::{Failure, Printer, write_stdout};
use crate::progress;

/// `plan`: prints the changes; with `--exit-code`, exits 5 when there are any.
pub fn plan(client: &Client, out: Printer, args: PlanArgs) -> Result<(), Failure> {
    let plan = make_plan(client, &args.desired)?;
    print_plan(out, &plan, args.desired.json)?;
    match args.exit_code && !plan.is_empty() {
        true => Err(Failure::Pending),
        false => Ok(()),
    }
}

/// `apply`: prints the plan, makes it and reports; the first failed change decides the
/// exit code.
pub fn apply(client: &Client, out: Printer, args: ApplyArgs) -> Result<(), Failure> {
    let plan = make_plan(client, &args.desired)?;
    if !args.desired.json {
        write_stdout(plan.to_string().as_bytes())?;
    }
    let options = ApplyOptions::default()
        .jobs(args.desired.jobs.into())
        .allow_deletes(args.yes);
    let groups = plan
        .changes
        .iter()
        .map(|c| c.workspace())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let shown = Mutex::new(progress::Progress::new(true));
    lock(&shown).start(Some(groups as u64), "workspaces");
    let report = plan
        .apply(client, &options, |event| {
            if let Progress::WorkspaceDone { workspace, ok } = event {
                let note = if ok {
                    workspace.to_string()
                } else {
                    format!("{workspace} (failed)")
                };
                lock(&shown).inc(&note);
            }
        })
        .map_err(|e| Failure::Refused(format!("{e}; add --yes to confirm")))?;
    lock(&shown).finish();
    if args.desired.json {
        let failed: Vec<_> = report
            .failed
            .iter()
            .map(|f| json!({"change": f.change, "error": f.error.to_string()}))
            .collect();
        out.print(&json!({"changes": plan.changes, "made": report.made, "failed": failed}))?;
    } else {
        write_stdout(report.to_string().as_bytes())?;
    }
    match report.failed.into_iter().next() {
        Some(first) => Err(Failure::Call(first.error)),
        None => Ok(()),
    }
}

/// `export`: the current state as YAML, on stdout or into `--output`.
pub fn export(client: &Client, args: ExportArgs) -> Result<(), Failure> {
    let shown = Mutex::new(progress::Progress::new(false));
    lock(&shown).start(None, "workspaces");
    let state = desired::export(client, &args.slugs, args.jobs.into(), |w| {
        lock(&shown).inc(&w.slug);
    })?;
    lock(&shown).finish();
    let yaml = state.to_yaml();
    match &args.output {
        Some(path) => std::fs::write(path, yaml)
            .map_err(|e| Failure::Output(format!("{}: {e}", path.display()))),
        None => write_stdout(yaml.as_bytes()),
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Reads the file and plans it.
fn make_plan(client: &Client, args: &Desired) -> Result<Plan, Failure> {
    let desired = read_desired(&args.file)?;
    let options = PlanOptions::default()
        .prune(args.prune)
        .jobs(args.jobs.into());
    desired::plan(client, &desired, &options).map_err(|e| match e {
        PlanError::Read(error) => Failure::Call(error),
        unreachable => Failure::Refused(format!("{}: {unreachable}", args.file)),
    })
}

/// Reads a desired-state file, or standard input for `-`.
fn read_desired(file: &str) -> Result<DesiredState, Failure> {
    let (text, name) = if file == "-" {
        let mut text = String::new();
        io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Failure::Refused(format!("standard input: {e}")))?;
        (text, None)
    } else {
        let text =
            std::fs::read_to_string(file).map_err(|e| Failure::Refused(format!("{file}: {e}")))?;
        (text, Some(Path::new(file)))
    };
    let format = FileFormat::detect(name, &text);
    DesiredState::parse(&text, format, file).map_err(|e| Failure::Refused(e.to_string()))
}

/// The plan as text or as `{"changes": [...]}`.
fn print_plan(out: Printer, plan: &Plan, json: bool) -> Result<(), Failure> {
    match json {
        true => out.print(plan),
        false => write_stdout(plan.to_string().as_bytes()),
    }
}
