#!/usr/bin/env bash
# The official OpenRouter SDKs against the emulator, each with its own calls and models:
# Python `openrouter` and TypeScript `@openrouter/sdk`, at the versions below. Each creates
# a workspace with `disabled_server_tools`, reads it back, changes the list, clears it (null,
# then an empty list) and reads it back, then deletes the default workspace with
# `confirm_default_workspace_deletion=true` on an emulator started with
# --allow-default-workspace-deletion (the programs: .ci/sdks/). Each SDK gets a fresh
# emulator. Any mismatch fails the script loudly.
#
# Installs into target/sdks (a virtualenv from PyPI, an npm project from the npm registry),
# reused afterwards. An SDK that cannot be installed (no python3/venv, no node/npm, no
# network) is reported as SKIPPED: the script then exits 1 when CI=true, 0 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

python_version=1.3.84
typescript_version=1.3.19
key=sk-or-v1-sdk-check-management-key
work=target/sdks
started=$SECONDS

step() { printf '\n==> %s\n' "$*"; }
skipped=()
skip() { echo "SKIPPED: $*"; skipped+=("$*"); }

mkdir -p "$work"

step "Python SDK openrouter==$python_version in $work/python"
python_ready=
if command -v python3 >/dev/null 2>&1 &&
  { [ -x "$work/python/bin/python" ] || python3 -m venv "$work/python"; }; then
  if [ "$("$work/python/bin/python" -c 'import importlib.metadata as m; print(m.version("openrouter"))' 2>/dev/null || true)" = "$python_version" ] ||
    "$work/python/bin/python" -m pip install --quiet --disable-pip-version-check "openrouter==$python_version"; then
    python_ready=1
  fi
fi
[ -n "$python_ready" ] || skip "the Python SDK openrouter==$python_version could not be installed"

step "TypeScript SDK @openrouter/sdk@$typescript_version in $work/typescript"
typescript_ready=
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  mkdir -p "$work/typescript"
  [ -f "$work/typescript/package.json" ] || echo '{"private": true, "type": "module"}' >"$work/typescript/package.json"
  installed=$(cd "$work/typescript" && node -p 'require("@openrouter/sdk/package.json").version' 2>/dev/null || true)
  if [ "$installed" = "$typescript_version" ] ||
    (cd "$work/typescript" && npm install --silent --no-audit --no-fund "@openrouter/sdk@$typescript_version"); then
    typescript_ready=1
  fi
fi
[ -n "$typescript_ready" ] || skip "the TypeScript SDK @openrouter/sdk@$typescript_version could not be installed"

step "building the emulator"
cargo build --quiet -p openrouter-workspaces-emulator --bin openrouter-workspaces-emulator
target_dir=$(cargo metadata --no-deps --format-version 1 | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
emulator="$target_dir/debug/openrouter-workspaces-emulator"

emulator_pid=
stop_emulator() {
  if [ -n "$emulator_pid" ]; then
    kill "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
    emulator_pid=
  fi
}
trap stop_emulator EXIT
trap 'exit 130' INT TERM

# Starts a fresh emulator (default workspace deletion enabled) and sets EMULATOR_URL.
start_emulator() {
  local log="$work/emulator-$1.log"
  "$emulator" --port 0 --management-key "$key" --allow-default-workspace-deletion >"$log" 2>&1 &
  emulator_pid=$!
  EMULATOR_URL=
  for _ in $(seq 1 300); do
    EMULATOR_URL=$(sed -n 's/.*listening on \(http:[^ ,]*\/api\/v1\).*/\1/p' "$log")
    [ -n "$EMULATOR_URL" ] && break
    kill -0 "$emulator_pid" 2>/dev/null || { cat "$log"; echo "the emulator exited" >&2; return 1; }
    sleep 0.1
  done
  [ -n "$EMULATOR_URL" ] || { echo "the emulator printed no base URL within 30 s" >&2; return 1; }
  export EMULATOR_URL EMULATOR_KEY=$key
}

if [ -n "$python_ready" ]; then
  step "the Python SDK against the emulator"
  start_emulator python
  "$work/python/bin/python" .ci/sdks/python_sdk.py
  stop_emulator
fi

if [ -n "$typescript_ready" ]; then
  step "the TypeScript SDK against the emulator"
  start_emulator typescript
  # ES modules resolve packages from the program's own directory.
  cp .ci/sdks/typescript_sdk.mjs "$work/typescript/"
  node "$work/typescript/typescript_sdk.mjs"
  stop_emulator
fi

echo "official SDKs: done in $((SECONDS - started)) s"
if [ "${#skipped[@]}" -gt 0 ]; then
  printf 'SKIPPED: %s\n' "${skipped[@]}"
  if [ "${CI:-}" = true ]; then
    echo "an official SDK could not be installed, and CI=true: failing" >&2
    exit 1
  fi
fi
