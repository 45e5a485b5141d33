#!/usr/bin/env bash
# Every crate is ready to publish. For each, in dependency order, `cargo package --list`
# says what it would upload: nothing under a target/ or fuzz/ directory, no fuzz corpus,
# and no file above 1 MiB. Then `cargo publish --workspace --dry-run` packages them all
# and builds each from exactly what it would upload (crates of this workspace resolve to
# each other's packages, as they would on the registry); nothing is uploaded.
set -euo pipefail
cd "$(dirname "$0")/.."

crates=(
  openrouter-workspaces-codegen
  openrouter-workspaces
  openrouter-workspaces-emulator
  openrouter-workspaces-desired
  openrouter-workspaces-cli
)
limit=$((1024 * 1024))
failed=0
for crate in "${crates[@]}"; do
  dir=$(cargo metadata --no-deps --format-version 1 |
    python3 -c "import json,sys,os; m=json.load(sys.stdin); print(next(os.path.dirname(p['manifest_path']) for p in m['packages'] if p['name']=='$crate'))")
  files=$(cargo package --list --quiet -p "$crate" --allow-dirty)
  count=$(printf '%s\n' "$files" | wc -l)
  echo "$crate: $count files"
  if bad=$(printf '%s\n' "$files" | grep -E '(^|/)(target|fuzz|corpus|artifacts)(/|$)'); then
    echo "  must not be packaged: $bad" >&2
    failed=1
  fi
  while IFS= read -r file; do
    # Cargo.toml and Cargo.toml.orig are written by cargo; the others are on disk.
    [ -f "$dir/$file" ] || continue
    size=$(stat -c %s "$dir/$file")
    if [ "$size" -gt "$limit" ]; then
      echo "  $file is $size bytes, above 1 MiB" >&2
      failed=1
    fi
  done <<<"$files"
done
[ "$failed" -eq 0 ] || exit 1

# The dry run unpacks each package into cargo's registry sources and builds it. Cargo takes
# a registry crate's name and version to never change: a copy unpacked, or built, by an
# earlier run of this script (an older commit) would be used instead of this one. So this
# workspace's own crates are removed from the registry sources (nothing else is), and the
# packages are built in a target directory of their own, emptied before and after.
cargo_home=${CARGO_HOME:-$HOME/.cargo}
for crate in "${crates[@]}"; do
  rm -rf "$cargo_home"/registry/src/*/"$crate"-[0-9]* "$cargo_home"/registry/cache/*/"$crate"-[0-9]*.crate
done
verify_dir="$PWD/target/publish-dry-run"
rm -rf "$verify_dir"
CARGO_TARGET_DIR="$verify_dir" cargo publish --workspace --dry-run --quiet --allow-dirty
rm -rf "$verify_dir"
echo "cargo publish --dry-run: every crate packages and builds from its package"
