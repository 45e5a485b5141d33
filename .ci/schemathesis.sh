#!/usr/bin/env bash
# Schemathesis against the emulator: every operation of openapi/workspaces.yaml, positive and
# negative cases, every check (no 5xx, documented statuses, response bodies that match their
# schemas, schema-valid requests accepted, schema-invalid ones refused, authentication,
# unsupported methods, resources gone after DELETE, ...), then a stateful phase that chains
# the operations through their links. Exits non-zero on any failure.
#
# Settings and the few documented exceptions: .ci/schemathesis.toml and
# .ci/schemathesis_hooks.py. Environment (all optional):
#   SCHEMATHESIS_EXAMPLES  examples per operation and phase (default 200)
#   SCHEMATHESIS_SEED      seed (default fixed, so a run is reproducible; any integer explores)
#   SCHEMATHESIS_ARGS      more `st run` arguments, split on spaces (e.g. "--mode negative")
#
# Needs python3 (with venv) and network access to PyPI on the first run; the virtualenv in
# target/schemathesis-venv is reused afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

version=4.32.5
examples=${SCHEMATHESIS_EXAMPLES:-200}
seed=${SCHEMATHESIS_SEED:-20260420}
key=sk-or-v1-schemathesis-management-key
venv=target/schemathesis-venv
work=target/schemathesis

step() { printf '\n==> %s\n' "$*"; }

step "schemathesis $version in $venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
if [ "$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("schemathesis"))' 2>/dev/null || true)" != "$version" ]; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$version"
fi
py="$venv/bin/python"
st="$venv/bin/st"

step "building the emulator"
cargo build --quiet -p openrouter-workspaces-emulator --bin openrouter-workspaces-emulator
target_dir=$(cargo metadata --no-deps --format-version 1 | "$py" -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
emulator="$target_dir/debug/openrouter-workspaces-emulator"

rm -rf "$work"
mkdir -p "$work"
emulator_pid=
cleanup() {
  if [ -n "$emulator_pid" ]; then
    kill "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "starting the emulator"
# Port 0: the emulator binds a free port itself and prints its base URL.
"$emulator" --port 0 --management-key "$key" >"$work/emulator.log" 2>&1 &
emulator_pid=$!

# Waits for the base URL, checks that the API answers, then lays the test data the config's
# dictionaries read: the default workspace (UUID and slug) and one more workspace (UUID).
base_url=$("$py" - "$work/emulator.log" "$key" "$work/workspace-ids.dict" "$emulator_pid" <<'PY'
import json, os, re, sys, time, urllib.request

log, key, dict_path, pid = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
deadline = time.monotonic() + 30
base_url = None
while base_url is None:
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit("the emulator exited: " + open(log).read())
    match = re.search(r"listening on (http://\S+/api/v1)", open(log).read())
    if match:
        base_url = match.group(1).rstrip(",")
    elif time.monotonic() > deadline:
        sys.exit("the emulator printed no base URL within 30 s")
    else:
        time.sleep(0.05)

def call(method, path, body=None):
    request = urllib.request.Request(
        base_url + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)

while True:
    try:
        default = call("GET", "/workspaces/default")["data"]
        break
    except OSError:
        if time.monotonic() > deadline:
            raise
        time.sleep(0.05)
other = call("POST", "/workspaces", {"name": "Schemathesis fixture", "slug": "schemathesis-fixture"})["data"]
with open(dict_path, "w") as f:
    for value in (default["id"], default["slug"], other["id"]):
        f.write(json.dumps(value) + "\n")
print(base_url)
PY
)
echo "emulator at $base_url (pid $emulator_pid)"

step "schemathesis run: $examples examples per operation, seed $seed"
status=0
SCHEMATHESIS_DROPPED_LOG="$work/dropped.tsv" "$st" --config-file .ci/schemathesis.toml run openapi/workspaces.yaml \
  --url "$base_url" \
  --header "Authorization: Bearer $key" \
  --checks all \
  --max-examples "$examples" \
  --seed "$seed" \
  --continue-on-failure \
  --no-color \
  --report json --report-json-path "$work/report.json" \
  ${SCHEMATHESIS_ARGS:-} \
  || status=$?

# What the hooks dropped, by rule; then one closing line: test cases that passed every check,
# and those that failed one (or errored). A missing or empty report fails the run here (set
# -e), even when schemathesis itself exited 0.
"$py" - "$work/report.json" "$status" "$work/dropped.tsv" <<'PY'
import collections, json, os, sys

path, status, dropped_log = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if os.path.exists(dropped_log):
    with open(dropped_log, encoding="utf-8") as f:
        rules = collections.Counter(tuple(line.rstrip("\n").split("\t")) for line in f if line.strip())
    print("failures dropped by .ci/schemathesis_hooks.py (documented exceptions), by rule:")
    for (code, label, pattern), count in sorted(rules.items()):
        print(f"  {count:5}  {code}  {label}  {pattern}")
# No report, or one that tested nothing, is a failure whatever schemathesis exited with.
try:
    report = json.load(open(path))
except (OSError, ValueError) as e:
    print(f"schemathesis: 0 passed, 1 failed (no usable report at {path}: {e}; exit code {status})")
    sys.exit(1)
cases = report["test_cases"]
if cases["generated"] == 0:
    print(f"schemathesis: 0 passed, 1 failed (the report lists no test case; exit code {status})")
    sys.exit(1)
failed = cases["with_failures"] + cases["errored"] + len(report["errors"])
passed = cases["generated"] - cases["with_failures"] - cases["errored"]
if status != 0 and failed == 0:
    failed = 1
print(
    f"schemathesis {report['schemathesis_version']}, seed {report['seed']}: "
    f"{report['filtered']} failures dropped by .ci/schemathesis_hooks.py, "
    f"{cases['unique_failures']} unique failures"
)
print(f"schemathesis: {passed} passed, {failed} failed")
PY
exit "$status"
