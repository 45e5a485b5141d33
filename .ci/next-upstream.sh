#!/usr/bin/env bash
# Following the API with one regeneration, proved on documents this repository's code has
# never been written against:
#
# 1. A newer document (ours with checks/next-upstream/changes.overlay.yaml applied: a new
#    settable field, a new enum value, a new query parameter). The library, the CLI and
#    the emulator are built from it with no edit, and cli/tests/next_upstream.rs runs the
#    round trip through the CLI, the emulator and a desired-state file.
# 2. An older document: the upstream 2026-08-22 copy without include_byok_in_budgets
#    (checks/without-byok/remove.overlay.yaml). Every layer must still build from it.
#
# Builds go to target/next-upstream, apart from the main build.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }
export CARGO_TARGET_DIR="$PWD/target/next-upstream"
write_rules="$PWD/openapi/write-safety.overlay.yaml"

step "the newer document: library, CLI and emulator built from it, and the round trip"
OPENROUTER_OPENAPI_OVERLAY="$write_rules:$PWD/checks/next-upstream/changes.overlay.yaml" \
  RUSTFLAGS="-D warnings" OPENROUTER_OPENAPI_STRICT=1 \
  cargo test --quiet -p openrouter-workspaces-cli --test next_upstream --test flags -- --include-ignored

upstream=../shared/openapi/openrouter-2026-08-22.yaml
if [ -f "$upstream" ]; then
  step "a document without include_byok_in_budgets: every layer builds"
  OPENROUTER_OPENAPI_SPEC="$(cd "$(dirname "$upstream")" && pwd)/$(basename "$upstream")" \
    OPENROUTER_OPENAPI_OVERLAY="$write_rules:$PWD/checks/without-byok/remove.overlay.yaml" \
    RUSTFLAGS="-D warnings" OPENROUTER_OPENAPI_STRICT=1 \
    cargo build --quiet -p openrouter-workspaces -p openrouter-workspaces-desired \
      -p openrouter-workspaces-cli -p openrouter-workspaces-emulator
else
  echo "SKIPPED: the build without include_byok_in_budgets (no ../shared/openapi beside the checkout)"
  if [ "${CI:-}" = true ]; then exit 1; fi
fi
