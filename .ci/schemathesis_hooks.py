"""Schemathesis hooks for .ci/schemathesis.sh (the emulator against openapi/workspaces.yaml).

Every check stays enabled for every operation. This file only drops failures that are not
emulator bugs but gaps between the OpenAPI document (which we must not change: it has to stay
structurally equal to the upstream one) and rules that the same document states in prose or
that the API's state imposes, and the emulator's refusal of body fields the document does not
declare. Each rule below names the operation, the check (by its
schemathesis failure code), the status and a pattern for the emulator's whole error message,
so anything else -- another status, another message, another operation -- still fails the run.
If an emulator message changes, the matching rule stops matching and the run fails: update
the rule here at the same time.
"""

import json
import os
import re

import schemathesis

# ST202 = positive_data_acceptance ("Schema-valid request rejected"): the request matches the
# schema, and the emulator answers 400 because of a rule the schema cannot express. Patterns
# are matched against the whole `error.message` (re.fullmatch, DOTALL).
_KEY_IDS_OUT_OF_RANGE = (
    r"`io_logging_api_key_ids` must hold integers from -9223372036854775808 to "
    r"9223372036854775807 \(got \S+\)"
)
_BUSINESS_RULES = {
    # The document's prose: "Default ordering of providers: price, throughput, latency or
    # exacto." -- the schema types it as any string. Slugs identify workspaces in URLs, so a
    # slug already in use is refused (the schema cannot express uniqueness).
    #
    # `io_logging_api_key_ids` items are `type: integer` without bounds; they are API key ids,
    # and the models generated from the document (like the emulator) hold them as i64, so an
    # integer outside the i64 range is refused with its own message (any integer inside the
    # range, `1.0` and `1e2` included, is accepted).
    "POST /workspaces": (
        r"`default_provider_sort` must be one of price, throughput, latency, exacto \(got .*\)",
        r"slug already in use: .*",
        _KEY_IDS_OUT_OF_RANGE,
    ),
    "PATCH /workspaces/{id}": (
        r"`default_provider_sort` must be one of price, throughput, latency, exacto \(got .*\)",
        r"slug already in use: .*",
        _KEY_IDS_OUT_OF_RANGE,
    ),
    # "Limits have to get strictly smaller as the interval gets shorter: lifetime > monthly >
    # weekly > daily" (upsertWorkspaceBudget's description): depends on the other budgets.
    "PUT /workspaces/{id}/budgets/{interval}": (
        r"`limit_usd` \S+ for the \w+ budget conflicts with the \w+ budget of .*"
        r"limits must decrease as the interval narrows .*",
    ),
    # "Puts a batch of organization members into a workspace": user ids that are not users of
    # the organisation are refused; the schema allows any string.
    "POST /workspaces/{id}/members/add": (r"`user_ids`: .* is not a member of the organisation",),
    # Membership of the default workspace is implicit ("every member of the organization",
    # listWorkspaceMembers), so nobody can be taken out of it; members that still own active
    # API keys are refused (bulkRemoveWorkspaceMembers' description).
    "POST /workspaces/{id}/members/remove": (
        r"members cannot be removed from the default workspace: .*",
        r"`user_ids`: .* still has active API keys in workspace .*",
    ),
    # "A workspace that still holds active API keys cannot be removed" (deleteWorkspace).
    "DELETE /workspaces/{id}": (r"workspace .* still has active API keys; .*",),
}

# Also ST202, on every operation with a request body: the document's bodies do not say
# `additionalProperties: false`, so schemathesis counts a body with extra fields as valid; the
# emulator refuses a field its document does not declare, naming it, so that a field a newer
# client sends is never silently dropped (README, "Following the API").
_UNKNOWN_FIELD = (
    r"`.*` is not a field of the \w+ request body in the OpenAPI document this emulator was "
    r"built from, so it is refused rather than dropped; .*"
)
_BODY_OPERATIONS = (
    "POST /workspaces",
    "PATCH /workspaces/{id}",
    "PUT /workspaces/{id}/budgets/{interval}",
    "POST /workspaces/{id}/members/add",
    "POST /workspaces/{id}/members/remove",
)

# ST103 = status_code_conformance ("Undocumented status code"): the document lists only
# 200/401/500 (listWorkspaces) and 200/401/403/404/500 (listWorkspaceMembers), no 400, yet a
# query that breaks the documented bounds (`limit` 1..100, `offset` >= 0, integers) has to be
# refused with something, and 400 with the documented error body is what every other
# operation of the document uses for "invalid parameters". Schema-valid queries are still
# covered by ST202, which this file does not relax for these operations.
_PAGING_OPERATIONS = ("GET /workspaces", "GET /workspaces/{id}/members")
_PAGING_MESSAGES = (
    r"`offset` must be (an integer \(got .*\)|at least 0, is \S+)",
    r"`limit` must be (an integer \(got .*\)|at least 1, is \S+|at most 100, is \S+)",
)


def _error_message(response):
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or error.get("code") != response.status_code:
        return None
    message = error.get("message")
    return message if isinstance(message, str) else None


def _dropped(failure, label, pattern):
    """Records a dropped failure (for the script's summary) and drops it."""
    log = os.environ.get("SCHEMATHESIS_DROPPED_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"{failure.code}\t{label}\t{pattern}\n")
    return False


@schemathesis.hook
def filter_failure(context, failure, case, response):
    """Keep every failure except the documented-by-prose cases above."""
    if response is None or response.status_code != 400:
        return True
    message = _error_message(response)
    if message is None:
        return True
    label = case.operation.label
    if failure.code == "ST202":
        patterns = _BUSINESS_RULES.get(label, ())
        if label in _BODY_OPERATIONS:
            patterns += (_UNKNOWN_FIELD,)
    elif failure.code == "ST103" and label in _PAGING_OPERATIONS:
        patterns = _PAGING_MESSAGES
    else:
        return True
    for pattern in patterns:
        if re.fullmatch(pattern, message, re.DOTALL):
            return _dropped(failure, label, pattern)
    return True
