//! Declarative workspaces against the emulator: plan, apply, export, prune, faults and
//! the order of budget writes.

use openrouter_workspaces::types::WorkspaceBudgetInterval;
use openrouter_workspaces::{Client, Patch};
use openrouter_workspaces_desired::{
    ApplyError, ApplyOptions, Change, DesiredState, Plan, PlanError, PlanOptions, export, plan,
};
use openrouter_workspaces_emulator::{Emulator, FaultKind, quick_retry_policy};
use proptest::prelude::*;

const FILE: &str = "\
workspaces:
  staging:
    name: Staging
    description: Pre-production traffic
    default_text_model: openai/gpt-4o-mini
    include_byok_in_budgets: true
    budgets: {lifetime: 1000, monthly: 150, daily: 10}
    members: [user_bob, user_carol]
  production:
    name: Production
    budgets: {monthly: 500}
    members: []
";

fn client(emulator: &Emulator) -> Client {
    emulator
        .client_builder()
        .retry_policy(quick_retry_policy())
        .build()
        .unwrap()
}

fn desired(text: &str) -> DesiredState {
    DesiredState::from_yaml(text).unwrap_or_else(|e| panic!("{e}"))
}

fn plan_of(client: &Client, text: &str) -> Plan {
    plan(client, &desired(text), &PlanOptions::default()).unwrap()
}

/// Plans and applies `text` (deletes allowed), and checks that every change was made.
#[track_caller]
fn apply(client: &Client, text: &str, jobs: usize) -> Plan {
    let plan = plan_of(client, text);
    let options = ApplyOptions::default().jobs(jobs).allow_deletes(true);
    let report = plan.apply(client, &options, |_| {}).unwrap();
    assert!(report.is_complete(), "{report}");
    plan
}

/// The budgets the emulator holds for `slug`, as (interval, limit), by interval name.
fn live_budgets(emulator: &Emulator, slug: &str) -> Vec<(String, f64)> {
    let mut limits: Vec<(String, f64)> = emulator
        .budgets(slug)
        .iter()
        .map(|b| {
            let interval = b
                .reset_interval
                .clone()
                .map_or(WorkspaceBudgetInterval::Lifetime, Into::into);
            (interval.to_string(), b.limit_usd)
        })
        .collect();
    limits.sort_by(|a, b| a.0.cmp(&b.0));
    limits
}

/// The state the emulator holds for `FILE`'s workspaces.
#[track_caller]
fn assert_file_state(emulator: &Emulator) {
    let workspaces = emulator.workspaces();
    let staging: Vec<_> = workspaces.iter().filter(|w| w.slug == "staging").collect();
    assert_eq!(staging.len(), 1, "one staging workspace");
    assert_eq!(
        staging[0].description.as_deref(),
        Some("Pre-production traffic")
    );
    assert_eq!(
        live_budgets(emulator, "staging"),
        [
            ("daily".to_string(), 10.0),
            ("lifetime".to_string(), 1000.0),
            ("monthly".to_string(), 150.0)
        ]
    );
    let mut members: Vec<String> = emulator
        .members("staging")
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    members.sort();
    assert_eq!(
        members,
        ["user_bob", "user_carol"],
        "the creator is taken out"
    );
    assert!(emulator.members("production").is_empty());
    assert_eq!(
        workspaces.iter().filter(|w| w.slug == "production").count(),
        1
    );
}

#[test]
fn apply_from_empty_then_a_second_plan_is_empty() {
    let emulator = Emulator::start().unwrap();
    let client = client(&emulator);

    let first = apply(&client, FILE, 4);

    assert_eq!(first.summary().add, 2, "{first}");
    assert_file_state(&emulator);
    let writes_before = emulator.request_count();
    let again = plan_of(&client, FILE);
    assert!(again.is_empty(), "{again}");
    let reads = emulator.request_count() - writes_before;
    // One list walk, then budgets and members of each of the two workspaces.
    assert_eq!(reads, 1 + 2 * 2, "a plan with no changes only reads");
}

/// The plan's summary and the apply's report count the same thing: the changes the plan
/// prints, each under its mark.
#[test]
fn the_plan_and_the_report_count_the_same_changes() {
    let emulator = Emulator::start().unwrap();
    let client = client(&emulator);
    let file = format!("{FILE}  default:\n    default_text_model: openai/gpt-4o\n");
    let plan = plan_of(&client, &file);
    let printed = plan.to_string();
    let lines = |mark: char| printed.lines().filter(|l| l.starts_with(mark)).count();

    let summary = plan.summary();
    assert_eq!(
        (summary.add, summary.change, summary.remove),
        (lines('+'), lines('~'), lines('-')),
        "{printed}"
    );
    // Two creates, four budgets and the default workspace's update.
    assert_eq!((summary.add, summary.change, summary.remove), (2, 5, 0));
    assert_eq!(summary.total(), plan.changes.len());
    assert!(
        printed.ends_with("\n7 changes: 2 to add, 5 to change, 0 to remove.\n"),
        "{printed}"
    );

    let report = plan
        .apply(&client, &ApplyOptions::default(), |_| {})
        .unwrap();
    assert_eq!(report.summary(), summary);
    assert_eq!(
        report.to_string(),
        "7 changes made: 2 added, 5 changed, 0 removed; 0 workspaces failed.\n"
    );
}

/// The README's figure: a plan with no changes of 200 workspaces whose budgets and
/// members the file manages sends 3 + 400 = 403 requests, every one a read: three pages of
/// the workspace list (200 and the default, 100 a page), then the budgets and the members
/// of each workspace.
#[test]
fn a_plan_with_no_changes_of_200_workspaces_sends_403_reads() {
    let emulator = Emulator::start().unwrap();
    let client = client(&emulator);
    let mut file = String::from("workspaces:\n");
    for i in 0..200 {
        file.push_str(&format!(
            "  team-{i}:\n    name: Team {i}\n    budgets: {{monthly: 100}}\n    members: [user_bob]\n"
        ));
    }
    let options = PlanOptions::default().jobs(8);
    let first = plan(&client, &desired(&file), &options).unwrap();
    let report = first
        .apply(&client, &ApplyOptions::default().jobs(8), |_| {})
        .unwrap();
    assert!(report.is_complete(), "{report}");
    emulator.reset_counters();

    let again = plan(&client, &desired(&file), &options).unwrap();

    assert!(again.is_empty(), "{again}");
    assert_eq!(emulator.request_count(), 403);
    let reads = emulator.requests_to("GET", "/api/v1/workspaces")
        + (0..200)
            .map(|i| {
                let path = format!("/api/v1/workspaces/team-{i}");
                emulator.requests_to("GET", &format!("{path}/budgets"))
                    + emulator.requests_to("GET", &format!("{path}/members"))
            })
            .sum::<u64>();
    assert_eq!(
        reads, 403,
        "every request a read of the list, budgets or members"
    );
    assert_eq!(emulator.requests_to("GET", "/api/v1/workspaces"), 3);
}

#[test]
fn changes_are_planned_field_by_field_and_nulls_clear() {
    let emulator = Emulator::start().unwrap();
    let client = client(&emulator);
    apply(&client, FILE, 2);

    let edited = FILE
        .replace("description: Pre-production traffic", "description: null")
        .replace(
            "monthly: 150, daily: 10",
            "monthly: 150, daily: null, weekly: 50",
        )
        .replace("[user_bob, user_carol]", "[user_carol, user_dave]");
    let plan = plan_of(&client, &edited);

    let json = serde_json::to_value(&plan).unwrap();
    let actions: Vec<&str> = json["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "update",
            "delete_budget",
            "set_budget",
            "add_members",
            "remove_members"
        ],
        "{plan}"
    );
    assert_eq!(
        json["changes"][0]["fields"][0]["old"],
        "Pre-production traffic"
    );
    assert!(json["changes"][0]["fields"][0]["new"].is_null());
    assert_eq!(plan.summary().change, 2, "the update and the weekly budget");
    assert!(
        plan.to_string()
            .ends_with("5 changes: 1 to add, 2 to change, 2 to remove.\n"),
        "{plan}"
    );

    apply(&client, &edited, 2);
    let staging = emulator
        .workspaces()
        .into_iter()
        .find(|w| w.slug == "staging")
        .unwrap();
    assert_eq!(staging.description, None, "null cleared it");
    assert!(plan_of(&client, &edited).is_empty());
}

#[test]
fn deletes_need_permission_and_the_default_workspace_is_never_pruned() {
    let emulator = Emulator::start().unwrap();
    let client = client(&emulator);
    apply(&client, FILE, 2);
    let only_staging = FILE.split("  production:").next().unwrap().to_string();
    let pruned = plan(
        &client,
        &desired(&only_staging),
        &PlanOptions::default().prune(true),
    )
    .unwrap();
    assert_eq!(
        pruned.changes,
        [Change::Delete {
            workspace: "production".into()
        }],
        "the default workspace stays"
    );

    let before = emulator.request_count();
    let refused = pruned.apply(&client, &ApplyOptions::default(), |_| {});
    assert_eq!(
        refused.unwrap_err(),
        ApplyError::DeletesNotAllowed { count: 1 }
    );
    assert_eq!(emulator.request_count(), before, "nothing was sent");

    let options = ApplyOptions::default().allow_deletes(true);
    assert!(
        pruned
            .apply(&client, &options, |_| {})
            .unwrap()
            .is_complete()
    );
    let slugs: Vec<String> = emulator.workspaces().into_iter().map(|w| w.slug).collect();
    assert_eq!(slugs, ["default", "staging"]);
}

#[test]
fn export_then_plan_gives_no_changes() {
    let emulator = Emulator::start().unwrap();
    let client = client(&emulator);
    apply(&client, FILE, 2);
    client
        .workspaces()
        .update("default")
        .body(openrouter_workspaces::types::UpdateWorkspaceRequest {
            description: Patch::Set("The organisation's own".into()),
            ..Default::default()
        })
        .send()
        .unwrap();

    let reported = std::sync::Mutex::new(Vec::new());
    let exported = export(&client, &[], 3, |w| {
        reported.lock().unwrap().push(w.slug.clone())
    })
    .unwrap();
    let mut reported = reported.into_inner().unwrap();
    reported.sort();
    assert_eq!(
        reported,
        ["default", "production", "staging"],
        "each workspace reported once"
    );
    let yaml = exported.to_yaml();

    assert!(yaml.contains("staging:"), "{yaml}");
    let default = exported
        .workspaces
        .iter()
        .find(|w| w.slug == "default")
        .unwrap();
    assert_eq!(
        default.members, None,
        "the default workspace's members are not managed"
    );
    let again = DesiredState::from_yaml(&yaml).unwrap_or_else(|e| panic!("{e}\n{yaml}"));
    assert_eq!(again, exported, "the export reads back as written");
    let plan = plan(&client, &again, &PlanOptions::default().prune(true)).unwrap();
    assert!(plan.is_empty(), "{plan}");
    let one = export(&client, &["staging".to_string()], 1, |_| {}).unwrap();
    assert_eq!(one.workspaces.len(), 1);
    let missing = export(&client, &["nope".to_string()], 1, |_| {}).unwrap_err();
    assert!(missing.is_not_found(), "{missing}");
}

#[test]
fn unreachable_entries_are_refused_before_anything_is_written() {
    let emulator = Emulator::start().unwrap();
    let client = client(&emulator);
    apply(&client, FILE, 2);
    let cases = [
        (
            "workspaces:\n  fresh:\n    description: no name\n",
            "needs a `name`",
        ),
        (
            "workspaces:\n  staging:\n    budgets: {daily: 2000}\n",
            "out of order with the ones the file leaves alone",
        ),
    ];
    for (text, expected) in cases {
        let before = emulator.request_count();
        let error = plan(&client, &desired(text), &PlanOptions::default()).unwrap_err();
        assert!(matches!(error, PlanError::Unreachable { .. }), "{error:?}");
        assert!(error.to_string().contains(expected), "{error}");
        let sent = emulator.request_count() - before;
        assert!(sent <= 3, "only reads: {sent}");
    }
}

#[test]
fn apply_through_faults_converges_with_no_duplicates() {
    let emulator = Emulator::start().unwrap();
    let client = client(&emulator);
    emulator.inject_times(FaultKind::status(503), "GET", "/workspaces", 2);
    emulator.inject_times(FaultKind::CommitThenClose, "POST", "/workspaces", 1);
    emulator.inject_times(FaultKind::CommitThenStatus(500), "POST", "/workspaces", 1);
    emulator.inject_times(
        FaultKind::CommitThenStatus(500),
        "PUT",
        "/workspaces/staging/budgets/monthly",
        1,
    );
    emulator.inject_times(
        FaultKind::CommitThenClose,
        "POST",
        "/workspaces/staging/members/add",
        1,
    );
    emulator.inject_times(
        FaultKind::ResetBeforeRead,
        "PUT",
        "/workspaces/staging/budgets/daily",
        1,
    );
    emulator.inject(
        openrouter_workspaces_emulator::Fault::new(FaultKind::status(429).retry_after("0"))
            .method("POST")
            .path("/workspaces/staging/members/remove"),
    );

    apply(&client, FILE, 4);

    assert_eq!(emulator.pending_faults(), 0, "every fault was met");
    assert_file_state(&emulator);
    assert!(plan_of(&client, FILE).is_empty());
}

/// A valid budget set: limits increasing with the interval among the present ones.
fn budget_set() -> impl Strategy<Value = Vec<Option<u32>>> {
    (
        proptest::collection::vec(any::<bool>(), 4),
        proptest::collection::vec(1u32..100, 4),
    )
        .prop_map(|(present, gaps)| {
            let mut total = 0;
            present
                .iter()
                .zip(gaps)
                .map(|(present, gap)| {
                    total += gap;
                    present.then_some(total)
                })
                .collect()
        })
}

fn budgets_yaml(set: &[Option<u32>]) -> String {
    let names = ["daily", "weekly", "monthly", "lifetime"];
    let entries: Vec<String> = names
        .iter()
        .zip(set)
        .map(|(name, limit)| match limit {
            Some(l) => format!("{name}: {l}"),
            None => format!("{name}: null"),
        })
        .collect();
    format!(
        "workspaces:\n  prop:\n    name: Prop\n    budgets: {{{}}}\n",
        entries.join(", ")
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// The emulator refuses every intermediate state that breaks the order, so an apply
    /// that completes made only valid steps.
    #[test]
    fn any_valid_budget_set_reaches_any_other(from in budget_set(), to in budget_set()) {
        let emulator = Emulator::start().unwrap();
        let client = client(&emulator);
        apply(&client, &budgets_yaml(&from), 1);
        apply(&client, &budgets_yaml(&to), 1);
        let live = live_budgets(&emulator, "prop");
        let names = ["daily", "weekly", "monthly", "lifetime"];
        let mut wanted: Vec<(String, f64)> = names
            .iter()
            .zip(&to)
            .filter_map(|(n, l)| l.map(|l| (n.to_string(), f64::from(l))))
            .collect();
        wanted.sort_by(|a, b| a.0.cmp(&b.0));
        prop_assert_eq!(live, wanted);
        prop_assert!(plan_of(&client, &budgets_yaml(&to)).is_empty());
    }
}
