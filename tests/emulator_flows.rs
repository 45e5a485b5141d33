//! Whole flows through `Client` against the in-process emulator: the lifecycle of a
//! workspace, its budgets and members; every documented rule answered with its status and
//! typed error body; pagination; connection reuse; one client shared by many threads.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::thread;

use common::emulator::*;
use common::*;
use openrouter_workspaces::types::{
    Workspace, WorkspaceBudget, WorkspaceBudgetInterval as Interval,
    WorkspaceBudgetResetInterval as Reset, WorkspaceMemberRole,
};
use openrouter_workspaces::workspaces::Workspaces;
use openrouter_workspaces::{Client, Error};
use openrouter_workspaces_emulator::{Emulator, EmulatorConfig};

/// The organisation's first admin: creator and first member of every new workspace.
const CREATOR: &str = "user_alice";

/// A client of `emulator` that sends `key` instead of its management key.
fn client_with_key(emulator: &Emulator, key: &str) -> Client {
    emulator.client_builder().api_key(key).build().unwrap()
}

fn create(client: &Client, slug: &str) -> Workspace {
    client
        .workspaces()
        .create()
        .name(format!("Workspace {slug}"))
        .slug(slug)
        .send()
        .unwrap_or_else(|e| panic!("create {slug}: {e}"))
        .data
}

/// A started emulator, a client for it, and the workspace `slug` created through it.
fn started_with(slug: &str) -> (Emulator, Client, Workspace) {
    let emulator = start();
    let client = client_for(&emulator);
    let workspace = create(&client, slug);
    (emulator, client, workspace)
}

fn slugs(emulator: &Emulator) -> Vec<String> {
    emulator.workspaces().into_iter().map(|w| w.slug).collect()
}

fn member_ids(emulator: &Emulator, workspace: &str) -> Vec<String> {
    emulator
        .members(workspace)
        .into_iter()
        .map(|m| m.user_id)
        .collect()
}

fn interval_of(budget: &WorkspaceBudget) -> Interval {
    match &budget.reset_interval {
        Some(Reset::Daily) => Interval::Daily,
        Some(Reset::Weekly) => Interval::Weekly,
        Some(Reset::Monthly) => Interval::Monthly,
        Some(other) => panic!("the emulator sent an unlisted interval: {other}"),
        None => Interval::Lifetime,
    }
}

/// A workspace's budgets in the emulator, as interval → limit.
fn budget_limits(emulator: &Emulator, workspace: &str) -> BTreeMap<Interval, f64> {
    emulator
        .budgets(workspace)
        .iter()
        .map(|b| (interval_of(b), b.limit_usd))
        .collect()
}

// ---------------------------------------------------------------------------------------
// Lifecycle.

#[test]
fn workspace_is_created_read_by_slug_and_uuid_updated_and_deleted() {
    let emulator = start();
    let client = client_for(&emulator);
    let workspaces = client.workspaces();

    let created = workspaces
        .create()
        .name("Staging")
        .slug("staging")
        .description("Pre-release testing")
        .default_provider_sort("price")
        .io_logging_sampling_rate(0.25)
        .send()
        .unwrap()
        .data;
    assert_eq!(created.slug, "staging");
    assert_eq!(created.description.as_deref(), Some("Pre-release testing"));
    assert_eq!(created.created_by.as_deref(), Some(CREATOR));
    let stored = emulator.workspaces();
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[1], created, "the answer is what the emulator stored");

    let by_slug = workspaces.get("staging").send().unwrap().data;
    let by_id = workspaces.get(created.id.to_string()).send().unwrap().data;
    assert_eq!(by_slug, created);
    assert_eq!(by_id, created);

    let updated = workspaces
        .update(created.id.to_string())
        .name("Staging (renamed)")
        .clear_description()
        .send()
        .unwrap()
        .data;
    assert_eq!(updated.id, created.id);
    assert_eq!(updated.name, "Staging (renamed)");
    assert_eq!(updated.description, None);
    assert_eq!(
        updated.default_provider_sort.as_deref(),
        Some("price"),
        "fields not sent are kept"
    );
    assert!(updated.updated_at.is_some());
    let stored = &emulator.workspaces()[1];
    assert_eq!(stored.name, "Staging (renamed)");
    assert_eq!(stored.description, None, "clear_description cleared it");
    assert_eq!(workspaces.get("staging").send().unwrap().data, updated);

    let deleted = workspaces.delete("staging").send().unwrap();
    assert!(deleted.deleted);
    assert_eq!(slugs(&emulator), ["default"]);
    expect_documented(workspaces.get("staging").send(), 404, "NotFound");
    expect_documented(
        workspaces.get(created.id.to_string()).send(),
        404,
        "NotFound",
    );
}

#[test]
fn update_with_a_new_slug_moves_the_workspace_to_it() {
    let (emulator, client, created) = started_with("old-name");

    let updated = client
        .workspaces()
        .update("old-name")
        .slug("new-name")
        .description("moved")
        .send()
        .unwrap()
        .data;

    assert_eq!(updated.slug, "new-name");
    assert_eq!(updated.id, created.id);
    assert_eq!(slugs(&emulator), ["default", "new-name"]);
    assert_eq!(
        emulator.workspaces()[1].description.as_deref(),
        Some("moved")
    );
    expect_documented(client.workspaces().get("old-name").send(), 404, "NotFound");
    assert_eq!(
        client.workspaces().get("new-name").send().unwrap().data.id,
        created.id
    );
}

#[test]
fn budgets_are_set_listed_read_replaced_and_deleted() {
    let (emulator, client, workspace) = started_with("budgeted");
    let workspaces = client.workspaces();

    for (interval, limit) in [
        (Interval::Lifetime, 1000.0),
        (Interval::Monthly, 150.0),
        (Interval::Weekly, 50.0),
        (Interval::Daily, 10.0),
    ] {
        let set = workspaces
            .set_budget("budgeted", interval.clone())
            .limit_usd(limit)
            .send()
            .unwrap();
        assert_eq!(set.data.limit_usd, limit);
        assert_eq!(set.data.workspace_id, workspace.id);
        assert_eq!(interval_of(&set.data), interval);
        assert_eq!(set.include_byok_in_budgets, Some(false));
    }

    let listed = workspaces.list_budgets("budgeted").send().unwrap();
    assert_eq!(
        listed.data.iter().map(interval_of).collect::<Vec<_>>(),
        [
            Interval::Daily,
            Interval::Weekly,
            Interval::Monthly,
            Interval::Lifetime
        ],
        "narrowest first"
    );
    assert_eq!(listed.data, emulator.budgets("budgeted"));

    let weekly = workspaces
        .get_budget(workspace.id.to_string(), Interval::Weekly)
        .send()
        .unwrap();
    assert_eq!(weekly.data.limit_usd, 50.0);

    // Replacing keeps the budget's id; the BYOK flag is the workspace's.
    let replaced = workspaces
        .set_budget("budgeted", Interval::Weekly)
        .limit_usd(60.0)
        .include_byok_in_budgets(true)
        .send()
        .unwrap();
    assert_eq!(replaced.data.id, weekly.data.id);
    assert_eq!(replaced.include_byok_in_budgets, Some(true));
    assert_eq!(emulator.workspaces()[1].include_byok_in_budgets, Some(true));

    let deleted = workspaces
        .delete_budget("budgeted", Interval::Daily)
        .send()
        .unwrap();
    assert!(deleted.deleted);
    assert_eq!(
        budget_limits(&emulator, "budgeted"),
        BTreeMap::from([
            (Interval::Weekly, 60.0),
            (Interval::Monthly, 150.0),
            (Interval::Lifetime, 1000.0)
        ])
    );
}

#[test]
fn members_are_added_listed_and_removed() {
    let (emulator, client, _) = started_with("team");
    let workspaces = client.workspaces();
    let add = |users: &[&str]| {
        let add = workspaces.bulk_add_members("team");
        add.user_ids(users.to_vec()).send().unwrap()
    };
    let remove = |users: &[&str]| {
        let remove = workspaces.bulk_remove_members("team");
        remove.user_ids(users.to_vec()).send().unwrap()
    };
    assert_eq!(member_ids(&emulator, "team"), [CREATOR]);

    let added = add(&["user_bob", "user_carol"]);
    assert_eq!(added.added_count, 2);
    assert_eq!(
        added
            .data
            .iter()
            .map(|m| (m.user_id.as_str(), m.role.clone()))
            .collect::<Vec<_>>(),
        [
            ("user_bob", WorkspaceMemberRole::Member),
            ("user_carol", WorkspaceMemberRole::Member)
        ]
    );

    let again = add(&["user_bob", "user_dave"]);
    assert_eq!(
        again.added_count, 1,
        "an existing member is not added twice"
    );
    assert_eq!(again.data.len(), 2);

    let listed = workspaces.list_members("team").send().unwrap();
    assert_eq!(listed.total_count, 4);
    assert_eq!(listed.data, emulator.members("team"));

    let removed = remove(&["user_carol", "user_nobody"]);
    assert_eq!(removed.removed_count, 1);
    let removed_again = remove(&["user_carol"]);
    assert_eq!(removed_again.removed_count, 0);
    assert_eq!(
        member_ids(&emulator, "team"),
        [CREATOR, "user_bob", "user_dave"]
    );
}

// ---------------------------------------------------------------------------------------
// Documented rules: status, typed body, message.

#[test]
fn duplicate_slug_is_400_bad_request_on_create_and_update() {
    let (emulator, client, _) = started_with("taken");
    create(&client, "other");

    let message = expect_bad_request(
        client
            .workspaces()
            .create()
            .name("Again")
            .slug("taken")
            .send(),
    );
    assert!(message.contains("slug already in use"), "{message}");

    let message = expect_bad_request(client.workspaces().update("other").slug("taken").send());
    assert!(message.contains("slug already in use"), "{message}");
    assert_eq!(slugs(&emulator), ["default", "taken", "other"]);
}

#[test]
fn missing_workspace_is_404_not_found_on_every_route_that_names_one() {
    let emulator = start();
    let client = client_for(&emulator);
    for operation in OPERATIONS_ON_A_WORKSPACE {
        let result = send_operation(&client, operation, "ghost");
        let message = expect_documented(result, 404, "NotFound");
        assert!(
            message.contains("workspace not found"),
            "{operation}: {message}"
        );
    }
    assert_eq!(slugs(&emulator), ["default"]);
}

#[test]
fn inference_key_is_403_forbidden() {
    let emulator = start();
    let client = client_with_key(&emulator, emulator.inference_key());

    let message = expect_documented(
        client.workspaces().create().name("No").slug("no").send(),
        403,
        "Forbidden",
    );
    assert!(message.contains("not a management key"), "{message}");
    // listWorkspaces documents no 403: the status and message are kept, without a typed body.
    let api = expect_api(client.workspaces().list().send(), 403);
    assert!(api.body.is_none());
    assert!(api.message().contains("not a management key"), "{api}");
    assert_eq!(slugs(&emulator), ["default"]);
}

#[test]
fn wrong_key_is_401_unauthorized() {
    let emulator = start();
    let client = client_with_key(&emulator, "sk-or-v1-not-a-key-the-emulator-knows");

    let message = expect_documented(
        client.workspaces().get("default").send(),
        401,
        "Unauthorized",
    );
    assert_eq!(message, "invalid API key");
    expect_documented(client.workspaces().list().send(), 401, "Unauthorized");
}

#[test]
fn deleting_the_default_workspace_is_403_forbidden() {
    let emulator = start();
    let client = client_for(&emulator);

    let message = expect_documented(
        client.workspaces().delete("default").send(),
        403,
        "Forbidden",
    );
    assert!(message.contains("default workspace"), "{message}");
    assert_eq!(slugs(&emulator), ["default"]);
}

#[test]
fn deleting_a_workspace_with_active_keys_is_400_and_keeps_it() {
    let emulator =
        Emulator::start_with(EmulatorConfig::new().workspace_with_active_keys("production"))
            .unwrap();
    let client = client_for(&emulator);
    create(&client, "production");

    let message = expect_bad_request(client.workspaces().delete("production").send());
    assert!(message.contains("active API keys"), "{message}");
    assert_eq!(slugs(&emulator), ["default", "production"]);
}

#[test]
fn budget_breaking_the_interval_order_is_400_and_changes_nothing() {
    let (emulator, client, _) = started_with("ordered");
    let w = client.workspaces();
    w.set_budget("ordered", Interval::Weekly)
        .limit_usd(50.0)
        .send()
        .unwrap();

    let message = expect_bad_request(
        w.set_budget("ordered", Interval::Daily)
            .limit_usd(75.0)
            .send(),
    );
    assert!(
        message.contains("daily") && message.contains("weekly"),
        "{message}"
    );
    // Equal limits break the rule too: it is strictly decreasing.
    expect_bad_request(
        w.set_budget("ordered", Interval::Monthly)
            .limit_usd(50.0)
            .send(),
    );
    assert_eq!(
        budget_limits(&emulator, "ordered"),
        BTreeMap::from([(Interval::Weekly, 50.0)])
    );
}

/// Checks that `call` on the workspace `no-budgets`, which has none, is a documented 404
/// that names `interval`, and leaves the workspace without budgets.
#[track_caller]
fn assert_missing_budget<T: std::fmt::Debug>(
    interval: &str,
    call: impl FnOnce(&Workspaces<'_>) -> Result<T, Error>,
) {
    let (emulator, client, _) = started_with("no-budgets");

    let message = expect_documented(call(&client.workspaces()), 404, "NotFound");

    assert!(message.contains(interval), "{message}");
    assert!(emulator.budgets("no-budgets").is_empty());
}

#[test]
fn missing_budget_is_404_not_found() {
    assert_missing_budget("monthly", |w| {
        w.get_budget("no-budgets", Interval::Monthly).send()
    });
}

#[test]
fn deleting_a_missing_budget_is_404_not_found() {
    assert_missing_budget("lifetime", |w| {
        w.delete_budget("no-budgets", Interval::Lifetime).send()
    });
}

#[test]
fn adding_a_user_outside_the_organisation_is_400_and_adds_nobody() {
    let (emulator, client, _) = started_with("closed");

    let add = client.workspaces().bulk_add_members("closed");
    let message = expect_bad_request(add.user_ids(["user_bob", "user_mallory"]).send());
    assert!(message.contains("user_mallory"), "{message}");
    assert_eq!(member_ids(&emulator, "closed"), [CREATOR]);
}

#[test]
fn removing_a_member_with_active_keys_is_400_and_keeps_them() {
    let emulator =
        Emulator::start_with(EmulatorConfig::new().member_with_active_keys("user_bob")).unwrap();
    let client = client_for(&emulator);
    create(&client, "keyed");
    let w = client.workspaces();
    let add = w.bulk_add_members("keyed");
    add.user_ids(["user_bob", "user_carol"]).send().unwrap();

    let remove = w.bulk_remove_members("keyed");
    let message = expect_bad_request(remove.user_ids(["user_carol", "user_bob"]).send());
    assert!(
        message.contains("user_bob") && message.contains("active API keys"),
        "{message}"
    );
    assert_eq!(
        member_ids(&emulator, "keyed"),
        [CREATOR, "user_bob", "user_carol"],
        "nobody is removed when one member is refused"
    );
}

#[test]
fn removing_members_from_the_default_workspace_is_400() {
    let emulator = start();
    let client = client_for(&emulator);
    let before = member_ids(&emulator, "default");

    expect_bad_request(
        client
            .workspaces()
            .bulk_remove_members("default")
            .user_ids(["user_bob"])
            .send(),
    );
    assert_eq!(member_ids(&emulator, "default"), before);
}

// ---------------------------------------------------------------------------------------
// Pagination.

#[test]
fn items_walk_250_workspaces_in_three_requests_of_100() {
    let emulator = start();
    let client = client_for(&emulator);
    for n in 1..250 {
        create(&client, &format!("ws-{n:03}"));
    }
    emulator.reset_counters();

    let walked: Vec<String> = client
        .workspaces()
        .list()
        .limit(100)
        .items()
        .map(|w| w.expect("every page succeeds").slug)
        .collect();

    assert_eq!(walked.len(), 250);
    assert_eq!(walked, slugs(&emulator), "every workspace once, in order");
    assert_eq!(emulator.requests_to("GET", "/api/v1/workspaces"), 3);
    assert_eq!(emulator.request_count(), 3);
}

#[test]
fn member_items_walk_the_default_workspace_in_pages() {
    // 23 users, the first of them the admin.
    let mut users: Vec<(String, WorkspaceMemberRole)> = (0..23)
        .map(|n| (format!("user_{n:02}"), WorkspaceMemberRole::Member))
        .collect();
    users[0].1 = WorkspaceMemberRole::Admin;
    let emulator = Emulator::start_with(EmulatorConfig::new().org_users(users)).unwrap();
    let client = client_for(&emulator);

    let walked: Vec<String> = client
        .workspaces()
        .list_members("default")
        .limit(10)
        .items()
        .map(|m| m.expect("every page succeeds").user_id)
        .collect();

    assert_eq!(walked.len(), 23);
    assert_eq!(walked, member_ids(&emulator, "default"));
    assert_eq!(
        emulator.requests_to("GET", "/api/v1/workspaces/default/members"),
        3
    );
}

// ---------------------------------------------------------------------------------------
// Connections and threads.

#[test]
fn fifty_sequential_calls_reuse_one_connection_even_after_error_answers() {
    let (emulator, client, _) = started_with("reused");
    let w = client.workspaces();

    for n in 0..49 {
        match n % 5 {
            0 => drop(w.get("reused").send().unwrap()),
            1 => drop(w.list().limit(5).send().unwrap()),
            2 => drop(
                w.set_budget("reused", Interval::Monthly)
                    .limit_usd(100.0 + f64::from(n))
                    .send()
                    .unwrap(),
            ),
            3 => drop(expect_api(w.get("missing").send(), 404)),
            _ => drop(w.list_members("reused").send().unwrap()),
        }
    }

    assert_eq!(emulator.request_count(), 50);
    assert_eq!(emulator.connection_count(), 1);
}

/// What one thread of the concurrency test believes about a workspace it owns.
#[derive(Debug)]
struct Owned {
    slug: String,
    id: String,
    budgets: BTreeMap<Interval, f64>,
    members: BTreeSet<String>,
    deleted: bool,
}

const THREADS: usize = 8;
const CALLS_PER_THREAD: usize = 125;
const JOINABLE: [&str; 3] = ["user_bob", "user_carol", "user_dave"];

/// One thread's share of the mixed load: `CALLS_PER_THREAD` calls on workspaces it owns
/// (and reads of shared ones). Every answer is checked against the thread's own model;
/// returns the model and the number of calls answered.
fn mixed_load(client: &Client, thread: usize) -> (Vec<Owned>, usize) {
    let mut rng = fastrand::Rng::with_seed(thread as u64 + 1);
    let mut owned: Vec<Owned> = Vec::new();
    let w = client.workspaces();
    let mut answered = 0;
    for call in 0..CALLS_PER_THREAD {
        let live: Vec<usize> = (0..owned.len()).filter(|&i| !owned[i].deleted).collect();
        let roll = rng.u32(0..100);
        let context = format!("thread {thread}, call {call}");
        if live.is_empty() || roll < 15 {
            let slug = format!("t{thread}-w{}", owned.len());
            let created = w.create().name(&slug).slug(&slug).send();
            let created = created.unwrap_or_else(|e| panic!("{context}: create: {e}"));
            assert_eq!(created.data.slug, slug, "{context}");
            owned.push(Owned {
                slug,
                id: created.data.id.to_string(),
                budgets: BTreeMap::new(),
                members: BTreeSet::from([CREATOR.to_string()]),
                deleted: false,
            });
            answered += 1;
            continue;
        }
        let ws = &mut owned[live[rng.usize(..live.len())]];
        let interval = [
            Interval::Daily,
            Interval::Weekly,
            Interval::Monthly,
            Interval::Lifetime,
        ][rng.usize(..4)]
        .clone();
        match roll {
            15..35 => {
                // Disjoint ranges keep every combination ordered: no call is refused.
                let limit = f64::from(match interval {
                    Interval::Daily => rng.u32(1..10),
                    Interval::Weekly => rng.u32(11..50),
                    Interval::Monthly => rng.u32(51..150),
                    Interval::Lifetime => rng.u32(151..1000),
                    Interval::Unknown(_) => unreachable!("only listed intervals are drawn"),
                });
                let set = w
                    .set_budget(&ws.slug, interval.clone())
                    .limit_usd(limit)
                    .send();
                let set = set.unwrap_or_else(|e| panic!("{context}: set_budget: {e}"));
                assert_eq!(set.data.limit_usd, limit, "{context}");
                ws.budgets.insert(interval, limit);
            }
            35..45 => {
                let deleted = w.delete_budget(&ws.slug, interval.clone()).send();
                // A budget that is not set is a 404 (as the document says), and only then.
                if ws.budgets.remove(&interval).is_some() {
                    assert!(
                        deleted
                            .unwrap_or_else(|e| panic!("{context}: delete_budget: {e}"))
                            .deleted
                    );
                } else {
                    let message = expect_documented(deleted, 404, "NotFound");
                    assert!(message.contains(&ws.slug), "{context}: {message}");
                }
            }
            45..57 => {
                let users: Vec<&str> = JOINABLE.iter().copied().filter(|_| rng.bool()).collect();
                let users = if users.is_empty() {
                    vec![JOINABLE[0]]
                } else {
                    users
                };
                let added = w.bulk_add_members(&ws.id).user_ids(users.clone()).send();
                let added = added.unwrap_or_else(|e| panic!("{context}: add: {e}"));
                let new = users
                    .iter()
                    .filter(|u| ws.members.insert(u.to_string()))
                    .count();
                assert_eq!(added.added_count, new as i64, "{context}");
            }
            57..67 => {
                let user = JOINABLE[rng.usize(..JOINABLE.len())];
                let removed = w.bulk_remove_members(&ws.slug).user_ids([user]).send();
                let removed = removed.unwrap_or_else(|e| panic!("{context}: remove: {e}"));
                let was_member = ws.members.remove(user);
                assert_eq!(removed.removed_count, i64::from(was_member), "{context}");
            }
            67..77 => {
                let key = if rng.bool() { &ws.slug } else { &ws.id };
                let got = w.get(key).send();
                let got = got.unwrap_or_else(|e| panic!("{context}: get: {e}"));
                assert_eq!(got.data.slug, ws.slug, "{context}");
            }
            77..84 => {
                let page = w.list().offset(rng.u64(0..20)).limit(20).send();
                let page = page.unwrap_or_else(|e| panic!("{context}: list: {e}"));
                assert!(page.data.len() <= 20 && page.total_count >= 1, "{context}");
            }
            84..90 => {
                let listed = w.list_budgets(&ws.slug).send();
                let listed = listed.unwrap_or_else(|e| panic!("{context}: list_budgets: {e}"));
                let seen: BTreeMap<Interval, f64> = listed
                    .data
                    .iter()
                    .map(|b| (interval_of(b), b.limit_usd))
                    .collect();
                assert_eq!(seen, ws.budgets, "{context}");
            }
            90..95 => {
                let listed = w.list_members(&ws.slug).send();
                let listed = listed.unwrap_or_else(|e| panic!("{context}: list_members: {e}"));
                let seen: BTreeSet<String> = listed.data.into_iter().map(|m| m.user_id).collect();
                assert_eq!(seen, ws.members, "{context}");
            }
            95..98 => {
                let deleted = w.delete(&ws.slug).send();
                assert!(
                    deleted
                        .unwrap_or_else(|e| panic!("{context}: delete: {e}"))
                        .deleted
                );
                ws.deleted = true;
            }
            _ => match owned.iter().find(|o| o.deleted) {
                // A deleted workspace is gone: the answer is a 404, still an answer.
                Some(gone) => drop(expect_api(w.get(&gone.slug).send(), 404)),
                None => drop(w.get("default").send().unwrap()),
            },
        }
        answered += 1;
    }
    (owned, answered)
}

#[test]
fn one_client_shared_by_eight_threads_answers_1000_calls_and_leaves_the_implied_state() {
    let emulator = start();
    let client = client_for(&emulator);

    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let client = client.clone();
            thread::spawn(move || mixed_load(&client, t))
        })
        .collect();
    let results: Vec<(Vec<Owned>, usize)> = handles
        .into_iter()
        .map(|h| h.join().expect("a load thread panicked"))
        .collect();

    let answered: usize = results.iter().map(|(_, n)| n).sum();
    assert_eq!(answered, THREADS * CALLS_PER_THREAD);
    assert_eq!(
        emulator.request_count(),
        (THREADS * CALLS_PER_THREAD) as u64,
        "every call was sent exactly once"
    );
    assert!(
        emulator.connection_count() <= THREADS as u64,
        "each thread keeps reusing a pooled connection: {} connections",
        emulator.connection_count()
    );

    let live: Vec<&Owned> = results
        .iter()
        .flat_map(|(owned, _)| owned)
        .filter(|o| !o.deleted)
        .collect();
    let mut expected: BTreeSet<String> = live.iter().map(|o| o.slug.clone()).collect();
    expected.insert("default".to_string());
    let stored: BTreeSet<String> = slugs(&emulator).into_iter().collect();
    assert_eq!(stored, expected);
    assert_eq!(emulator.workspaces().len(), live.len() + 1);
    for ws in live {
        assert_eq!(
            budget_limits(&emulator, &ws.slug),
            ws.budgets,
            "{}",
            ws.slug
        );
        let members: BTreeSet<String> = member_ids(&emulator, &ws.slug).into_iter().collect();
        assert_eq!(members, ws.members, "{}", ws.slug);
    }
}
