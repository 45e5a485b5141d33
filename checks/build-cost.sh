#!/usr/bin/env bash
# What a dependent pays to build this crate, beside what raw ureq + serde costs it.
#
#   bash checks/build-cost.sh             # 2 rounds: four cold debug builds, several minutes
#   ROUNDS=3 bash checks/build-cost.sh    # more rounds, steadier times
#
# Creates two fresh binary crates in a temporary directory:
#   dependent  depends on this checkout by path (default features) and calls it;
#   baseline   depends only on ureq (with this crate's features: rustls, gzip), serde
#              (derive) and serde_json, and calls them;
# then builds each cold (`cargo build`, the debug profile, a fresh target directory every
# time), alternating baseline and dependent so that both meet the same machine, for
# ROUNDS rounds (default 2). It prints every build (packages compiled, counted from cargo's
# "Compiling" lines with the crate itself included, and wall time), then the medians and
# the ratios dependent / baseline, beside the goals (at most 65 packages; a wall-time ratio
# of at most 1.6). The goals are printed for information: a ratio of times depends on the
# machine and its load, the package counts do not.
#
# Both crates start from a copy of this repository's Cargo.lock, so they build the same
# versions the repository tests (cargo drops what they do not use). Not run by CI: it is
# slow and compiles everything from scratch.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rounds=${ROUNDS:-2}
work=$(mktemp -d "${TMPDIR:-/tmp}/build-cost.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Only the fresh target directories count: ignore a target dir set for the repository.
unset CARGO_TARGET_DIR CARGO_BUILD_TARGET_DIR

new_crate() { # NAME DEPENDENCIES MAIN
  mkdir -p "$work/$1/src"
  cat >"$work/$1/Cargo.toml" <<EOF
[package]
name = "$1"
version = "0.1.0"
edition = "2024"
publish = false

[dependencies]
$2

[workspace]
EOF
  printf '%s\n' "$3" >"$work/$1/src/main.rs"
  cp "$root/Cargo.lock" "$work/$1/Cargo.lock"
}

new_crate dependent \
  "openrouter-workspaces = { path = \"$root\" }" \
  'fn main() {
    let client = openrouter_workspaces::Client::builder().api_key("k").build();
    println!("{}", client.is_ok());
}'

new_crate baseline \
  'ureq = { version = "3.5", default-features = false, features = ["rustls", "gzip"] }
serde = { version = "1.0.200", features = ["derive"] }
serde_json = "1.0.120"' \
  '#[derive(serde::Deserialize)]
struct Page {
    total_count: u64,
}
fn main() {
    let agent = ureq::Agent::new_with_defaults();
    let page: Result<Page, _> = serde_json::from_str(r#"{"total_count": 1}"#);
    let request = agent.get("https://openrouter.ai/api/v1/workspaces");
    println!("{:?} {}", request.uri_ref(), page.map_or(0, |p| p.total_count));
}'

cargo --version
rustc --version
echo "machine: $(nproc) CPU(s), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

# build CRATE: one cold debug build; appends "packages seconds" to $work/CRATE.results.
build() {
  local crate=$1 log="$work/$1.log" target="$work/target-$1"
  local start end
  start=$(date +%s.%N)
  if ! CARGO_TARGET_DIR="$target" cargo build --manifest-path "$work/$crate/Cargo.toml" >"$log" 2>&1; then
    cat "$log" >&2
    echo "build of $crate failed" >&2
    exit 1
  fi
  end=$(date +%s.%N)
  rm -rf "$target"
  local count seconds
  count=$(grep -c '^ *Compiling ' "$log" || true)
  seconds=$(awk "BEGIN { printf \"%.1f\", $end - $start }")
  echo "$count $seconds" >>"$work/$crate.results"
  printf '| %5s | %-10s | %8d | %8s |\n' "$round" "$crate" "$count" "$seconds"
}

printf '| %5s | %-10s | %8s | %8s |\n' round crate packages "time (s)"
printf '|%s|%s|%s|%s|\n' ------- ------------ ---------- ----------
for round in $(seq 1 "$rounds"); do
  build baseline
  build dependent
done

# median FILE COLUMN
median() {
  cut -d' ' -f"$2" "$1" | sort -n | awk '{ v[NR] = $1 } END {
    if (NR % 2) print v[(NR + 1) / 2]; else printf "%g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
base_packages=$(median "$work/baseline.results" 1)
base_time=$(median "$work/baseline.results" 2)
dep_packages=$(median "$work/dependent.results" 1)
dep_time=$(median "$work/dependent.results" 2)
package_ratio=$(awk "BEGIN { printf \"%.2f\", $dep_packages / $base_packages }")
time_ratio=$(awk "BEGIN { printf \"%.2f\", $dep_time / $base_time }")
verdict() { awk "BEGIN { print ($1 <= $2) ? \"PASS\" : \"MISS\" }"; }
echo
echo "medians of $rounds rounds, cold debug builds:"
echo "  packages: dependent $dep_packages, baseline $base_packages, ratio $package_ratio" \
  "(goal: at most 65 packages) $(verdict "$dep_packages" 65)"
echo "  wall time: dependent $dep_time s, baseline $base_time s, ratio $time_ratio" \
  "(goal: at most 1.6) $(verdict "$time_ratio" 1.6)"
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
