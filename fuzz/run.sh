#!/usr/bin/env bash
# Runs the decode_top fuzz target for SECONDS (default 300).
#
#   fuzz/run.sh [SECONDS] [extra libFuzzer flags...]
#
# Works on a stable toolchain: cargo-fuzz needs nightly-only flags
# (-Zsanitizer, -Cpasses=sancov), which RUSTC_BOOTSTRAP=1 unlocks.
# New inputs go to fuzz/work/decode_top (not committed); the committed seeds
# in fuzz/corpus/decode_top are only read. Crashes land in
# fuzz/artifacts/decode_top/.
set -euo pipefail

seconds="${1:-300}"
shift || true
case "$seconds" in
    '' | *[!0-9]*)
        echo "usage: $0 [SECONDS] [libFuzzer flags...]" >&2
        exit 2
        ;;
esac

cd "$(dirname "$0")"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz is not installed; installing it (cargo install cargo-fuzz)" >&2
    cargo install cargo-fuzz --locked
fi

# Let a stable toolchain accept the unstable flags (harmless on nightly).
export RUSTC_BOOTSTRAP=1

target=decode_top
mkdir -p "work/$target" "artifacts/$target"

# Each run has a wall-clock limit, a per-input time limit and an RSS cap:
# a slow or memory-hungry input is a finding too.
exec cargo fuzz run "$target" "work/$target" "corpus/$target" -- \
    -max_total_time="$seconds" \
    -timeout=10 \
    -rss_limit_mb=2048 \
    -print_final_stats=1 \
    "$@"
