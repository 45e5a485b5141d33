#!/usr/bin/env bash
# A short libFuzzer pass over each cargo-fuzz target in fuzz/, from its seed corpus in
# fuzz/corpus/<target>: fails on any panic or crash, memory use past 2 GiB, or a hang.
#
# Stable toolchain only: `-s none` (no sanitizer) needs no -Z flag and no nightly. The
# targets are built unoptimised (`--dev`), which builds in a fraction of the time of the
# release build that `cargo fuzz run` uses by default; long runs belong on a developer's
# machine (see the README). New inputs go to a temporary folder: the seed corpus is never
# written to. A crash leaves its input in fuzz/artifacts/<target>/.
#
# Environment: FUZZ_SECONDS (default 20) per target.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_FUZZ_VERSION=0.13.2
seconds=${FUZZ_SECONDS:-20}
targets=(spec_loader response_decoding)
started=$SECONDS

# cargo fuzz looks for the binaries in fuzz/target.
unset CARGO_TARGET_DIR
# A one-off build: no incremental state, and line tables (enough for a crash's backtrace)
# rather than full debug information.
export CARGO_INCREMENTAL=0
export CARGO_PROFILE_DEV_DEBUG=line-tables-only

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz $CARGO_FUZZ_VERSION"
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --quiet
fi
cargo fuzz --version

echo "building the fuzz targets (unoptimised, no sanitizer)"
cargo fuzz build -s none --dev

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
summaries=()
for target in "${targets[@]}"; do
  mkdir -p "$work/corpus/$target"
  log="$work/$target.log"
  status=0
  # -timeout: an input that takes longer than this is a hang, and fails the pass.
  cargo fuzz run -s none --dev "$target" "$work/corpus/$target" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=60 -print_final_stats=1 \
    >"$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -n 1)
  coverage=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | grep -oE 'cov: [0-9]+ ft: [0-9]+' || true)
  if [ "$status" -eq 0 ]; then
    passed=$((passed + 1))
    summaries+=("fuzz $target: ok, ${runs:-?} runs (${rate:-?} exec/s), ${coverage:-no coverage line}, peak rss ${rss:-?} MB")
  else
    failed=$((failed + 1))
    summaries+=("fuzz $target: FAILED (exit $status) after ${runs:-?} runs, see fuzz/artifacts/$target/")
    echo "---- $target: last lines of the libFuzzer log ----"
    tail -n 60 "$log"
  fi
done

printf '%s\n' "${summaries[@]}"
echo "fuzzing took $((SECONDS - started)) s"
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
