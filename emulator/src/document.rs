//! What the emulator reads from the OpenAPI document its library was generated from: the
//! operations it plays (found by method and path), their parameters and bodies, and the
//! models its stored workspaces, budgets and members follow.
//!
//! Nothing here names a generated field or setter: the document is read as data
//! (`openrouter_workspaces::schema`), so the emulator builds from any document.

use openrouter_workspaces::Described;
use openrouter_workspaces::schema::{self, Field, Model, Operation, Parameter};
use openrouter_workspaces::types::{Workspace, WorkspaceBudget, WorkspaceMember};

/// `GET`/`POST /workspaces`.
pub(crate) const WORKSPACES: &str = "/workspaces";
/// `GET`/`PATCH`/`DELETE /workspaces/{id}`.
pub(crate) const WORKSPACE: &str = "/workspaces/{id}";
/// `GET /workspaces/{id}/budgets`.
pub(crate) const BUDGETS: &str = "/workspaces/{id}/budgets";
/// `GET`/`PUT`/`DELETE /workspaces/{id}/budgets/{interval}`.
pub(crate) const BUDGET: &str = "/workspaces/{id}/budgets/{interval}";
/// `GET /workspaces/{id}/members`.
pub(crate) const MEMBERS: &str = "/workspaces/{id}/members";
/// `POST /workspaces/{id}/members/add`.
pub(crate) const MEMBERS_ADD: &str = "/workspaces/{id}/members/add";
/// `POST /workspaces/{id}/members/remove`.
pub(crate) const MEMBERS_REMOVE: &str = "/workspaces/{id}/members/remove";

/// The operations the emulator plays: method and path template.
const PLAYED: [(&str, &str); 12] = [
    ("GET", WORKSPACES),
    ("POST", WORKSPACES),
    ("GET", WORKSPACE),
    ("PATCH", WORKSPACE),
    ("DELETE", WORKSPACE),
    ("GET", BUDGETS),
    ("GET", BUDGET),
    ("PUT", BUDGET),
    ("DELETE", BUDGET),
    ("GET", MEMBERS),
    ("POST", MEMBERS_ADD),
    ("POST", MEMBERS_REMOVE),
];

/// Whether two path templates are the same path: equal segments, any `{name}` matching any
/// other (a newer document may rename a path parameter).
fn same_path(a: &str, b: &str) -> bool {
    let placeholder = |s: &str| s.starts_with('{') && s.ends_with('}');
    let (mut a, mut b) = (a.split('/'), b.split('/'));
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if x == y || (placeholder(x) && placeholder(y)) => {}
            _ => return false,
        }
    }
}

/// The document's operation with this method and path, if it has one.
pub(crate) fn operation(method: &str, template: &str) -> Option<&'static Operation> {
    schema::operations()
        .iter()
        .copied()
        .find(|op| op.method.as_str() == method && same_path(op.path, template))
}

/// The methods the document has on this path, in its order.
pub(crate) fn methods(template: &str) -> Vec<&'static str> {
    schema::operations()
        .iter()
        .filter(|op| same_path(op.path, template))
        .map(|op| op.method.as_str())
        .collect()
}

/// The document's `Workspace` model: every stored workspace has its fields.
pub(crate) fn workspace_model() -> &'static Model {
    Workspace::schema()
}

/// The document's `WorkspaceBudget` model.
pub(crate) fn budget_model() -> &'static Model {
    WorkspaceBudget::schema()
}

/// The document's `WorkspaceMember` model.
pub(crate) fn member_model() -> &'static Model {
    WorkspaceMember::schema()
}

/// A field of the body of the operation `method template`, if the document has both.
fn body_field(method: &str, template: &str, name: &str) -> Option<&'static Field> {
    operation(method, template)?.body?.field(name)
}

/// A field of the workspace create body (or, without one, of the update body).
pub(crate) fn workspace_body_field(name: &str) -> Option<&'static Field> {
    body_field("POST", WORKSPACES, name).or_else(|| body_field("PATCH", WORKSPACE, name))
}

/// A field of the budget body (`PUT /workspaces/{id}/budgets/{interval}`).
pub(crate) fn budget_body_field(name: &str) -> Option<&'static Field> {
    body_field("PUT", BUDGET, name)
}

/// A parameter of `DELETE /workspaces/{id}`.
pub(crate) fn delete_parameter(name: &str) -> Option<&'static Parameter> {
    operation("DELETE", WORKSPACE)?.parameter(name)
}

/// The budget intervals the document lists (the values of the last path parameter of
/// `PUT /workspaces/{id}/budgets/{interval}`).
pub(crate) fn budget_intervals() -> &'static [&'static str] {
    operation("PUT", BUDGET)
        .and_then(|op| {
            op.parameters
                .iter()
                .rfind(|p| p.location == schema::Location::Path)
        })
        .map_or(&[], |p| p.shape.values)
}

/// The operations the emulator plays that the document lacks (answered with 404), and the
/// document's operations the emulator does not play.
pub(crate) fn missing_operations() -> Vec<String> {
    let mut notes: Vec<String> = PLAYED
        .iter()
        .filter(|(method, template)| operation(method, template).is_none())
        .map(|(method, template)| {
            format!("{method} {template} is not in the document: the emulator answers it with 404")
        })
        .collect();
    notes.extend(
        schema::operations()
            .iter()
            .filter(|op| {
                !PLAYED
                    .iter()
                    .any(|(m, t)| op.method.as_str() == *m && same_path(op.path, t))
            })
            .map(|op| {
                format!(
                    "{} ({} {}) is in the document but not played by the emulator: it answers 404",
                    op.id,
                    op.method.as_str(),
                    op.path
                )
            }),
    );
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_match_whatever_their_parameters_are_called() {
        assert!(same_path(
            BUDGET,
            "/workspaces/{workspace}/budgets/{period}"
        ));
        assert!(same_path(WORKSPACES, "/workspaces"));
        assert!(!same_path(WORKSPACE, WORKSPACES));
        assert!(!same_path(BUDGETS, "/workspaces/{id}/members"));
        assert!(!same_path(BUDGET, "/workspaces/{id}/budgets/daily"));
    }

    #[test]
    fn every_played_operation_is_in_the_project_document() {
        for (method, template) in PLAYED {
            assert!(operation(method, template).is_some(), "{method} {template}");
        }
        assert_eq!(
            budget_intervals(),
            ["daily", "weekly", "monthly", "lifetime"]
        );
        assert_eq!(methods(WORKSPACE), ["GET", "DELETE", "PATCH"]);
    }
}
