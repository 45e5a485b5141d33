"""The official Python SDK (`openrouter`) against the emulator: run by .ci/sdks.sh.

Uses the SDK's own calls and models: creates a workspace with `disabled_server_tools`,
reads it back, changes the list, clears it with null and with an empty list, and deletes the
default workspace with `confirm_default_workspace_deletion=True` (the emulator is started
with --allow-default-workspace-deletion). Any mismatch exits 1 with what was expected.
"""

import os
import sys

from openrouter import OpenRouter, components, errors

base_url, key = os.environ["EMULATOR_URL"], os.environ["EMULATOR_KEY"]
client = OpenRouter(api_key=key, server_url=base_url, timeout_ms=10_000)


def expect(what, got, want):
    if got != want:
        print(f"python: MISMATCH {what}: got {got!r}, expected {want!r}", file=sys.stderr)
        sys.exit(1)
    print(f"python: ok {what} = {got!r}")


def expect_type(what, value, model):
    if not isinstance(value, model):
        print(f"python: MISMATCH {what}: {type(value).__name__}, expected {model.__name__}", file=sys.stderr)
        sys.exit(1)


def status_of(call):
    """The HTTP status of an error the SDK raises for `call`, or None when it succeeds."""
    try:
        call()
    except errors.OpenRouterError as e:
        return e.status_code
    return None


created = client.workspaces.create(
    name="SDK tools", slug="sdk-tools", disabled_server_tools=["openrouter:web_search"]
)
expect_type("create", created, components.CreateWorkspaceResponse)
expect_type("create data", created.data, components.Workspace)
expect("create: disabled_server_tools", created.data.disabled_server_tools, ["openrouter:web_search"])
workspace_id = created.data.id

read = client.workspaces.get(id="sdk-tools")
expect_type("get", read, components.GetWorkspaceResponse)
expect("get: id", read.data.id, workspace_id)
expect("get: disabled_server_tools", read.data.disabled_server_tools, ["openrouter:web_search"])

tools = ["openrouter:bash", "openrouter:web_fetch"]
updated = client.workspaces.update(id=workspace_id, disabled_server_tools=tools)
expect_type("update", updated, components.UpdateWorkspaceResponse)
expect("update: disabled_server_tools", updated.data.disabled_server_tools, tools)
expect("get after update", client.workspaces.get(id=workspace_id).data.disabled_server_tools, tools)

renamed = client.workspaces.update(id=workspace_id, name="SDK tools, renamed")
expect("update without the field keeps it", renamed.data.disabled_server_tools, tools)

cleared = client.workspaces.update(id=workspace_id, disabled_server_tools=None)
expect("update with null clears", cleared.data.disabled_server_tools, None)
expect("get after null", client.workspaces.get(id=workspace_id).data.disabled_server_tools, None)

client.workspaces.update(id=workspace_id, disabled_server_tools=["openrouter:shell"])
emptied = client.workspaces.update(id=workspace_id, disabled_server_tools=[])
expect("update with [] clears", emptied.data.disabled_server_tools, [])
expect("get after []", client.workspaces.get(id=workspace_id).data.disabled_server_tools, [])

expect(
    "delete the default workspace without the confirmation: status",
    status_of(lambda: client.workspaces.delete(id="default")),
    400,
)
deleted = client.workspaces.delete(id="default", confirm_default_workspace_deletion=True)
expect_type("delete", deleted, components.DeleteWorkspaceResponse)
# The SDK's model names the constant `deleted` field DELETED.
expect("delete the default workspace with the confirmation: deleted", deleted.DELETED, True)
expect("get the deleted default workspace: status", status_of(lambda: client.workspaces.get(id="default")), 404)
print("python: every check passed")
