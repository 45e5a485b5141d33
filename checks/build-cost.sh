#!/usr/bin/env bash
# What a dependent pays to build this crate, beside what raw ureq + serde costs it.
#
#   bash checks/build-cost.sh            # four cold builds: several minutes on 2 cores
#
# Creates two fresh binary crates in a temporary directory:
#   dependent  depends on this checkout by path (default features) and calls it;
#   baseline   depends only on ureq (with this crate's features: rustls, gzip), serde
#              (derive) and serde_json, and calls them;
# then runs a cold `cargo build` and a cold `cargo build --release` of each, every build
# in its own fresh target directory, and prints one table row per build: packages
# compiled (cargo's "Compiling" lines, the crate itself included) and wall time.
#
# Both crates start from a copy of this repository's Cargo.lock, so they build the same
# versions the repository tests (cargo drops what they do not use). Wall times depend on
# the machine and its load; the package counts do not. Not run by CI: it is slow and
# compiles everything from scratch.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
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
printf '| %-10s | %-7s | %8s | %8s |\n' crate profile packages "time (s)"
printf '|%s|%s|%s|%s|\n' ------------ --------- ---------- ----------
for crate in baseline dependent; do
  for profile in dev release; do
    flags=()
    [ "$profile" = release ] && flags=(--release)
    log="$work/$crate-$profile.log"
    start=$(date +%s.%N)
    if ! CARGO_TARGET_DIR="$work/target-$crate-$profile" \
      cargo build "${flags[@]}" --manifest-path "$work/$crate/Cargo.toml" >"$log" 2>&1; then
      cat "$log" >&2
      echo "build of $crate ($profile) failed" >&2
      exit 1
    fi
    end=$(date +%s.%N)
    count=$(grep -c '^ *Compiling ' "$log" || true)
    printf '| %-10s | %-7s | %8d | %8.1f |\n' "$crate" "$profile" "$count" "$(awk "BEGIN { print $end - $start }")"
    rm -rf "$work/target-$crate-$profile"
  done
done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
