#!/usr/bin/env bash
# Runs every fuzz target, one after another, sharing MINUTES between them.
#
#   fuzz/run.sh [MINUTES] [extra libFuzzer flags...]      (default 20 minutes)
#   TARGETS="decode structured" fuzz/run.sh 10            (some targets only)
#   SANITIZER=none fuzz/run.sh 180                        (no AddressSanitizer)
#
# AddressSanitizer (the default) checks the unsafe code of dependencies but
# runs several times slower; the proflens crates fuzzed here forbid unsafe
# code, so long campaigns run without it for more executions.
#
# Each target runs under libFuzzer with a per-input timeout (10 s) and an RSS
# cap (2 GiB): a slow or memory-hungry input is a finding too. New inputs go
# to fuzz/work/TARGET (not committed) and start the next run; the committed
# seeds in fuzz/corpus are only read. Crashes land in fuzz/artifacts/TARGET/.
# Logs are in fuzz/work/logs/; the summary at the end gives each target's
# executions from libFuzzer's final stats.
#
# Works on a stable toolchain: cargo-fuzz needs nightly-only flags
# (-Zsanitizer, -Cpasses=sancov), which RUSTC_BOOTSTRAP=1 unlocks.
set -uo pipefail

minutes="${1:-20}"
sanitizer="${SANITIZER:-address}"
shift || true
case "$minutes" in
    '' | *[!0-9]*)
        echo "usage: $0 [MINUTES] [libFuzzer flags...]" >&2
        exit 2
        ;;
esac

# The targets, in the order they run. Add new ones here, with their seeds
# below.
all_targets=(decode reports compare structured agent_request)
read -r -a targets <<<"${TARGETS:-${all_targets[*]}}"

# Read-only seed directories of a target.
seeds() {
    case "$1" in
        decode | reports) echo corpus/profiles ;;
        compare) echo corpus/compare corpus/profiles ;;
        *) echo "" ;;
    esac
}

cd "$(dirname "$0")"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz is not installed; installing it (cargo install cargo-fuzz --locked)" >&2
    cargo install cargo-fuzz --locked || exit 1
fi

# Let a stable toolchain accept the unstable flags (harmless on nightly).
export RUSTC_BOOTSTRAP=1

seconds=$((minutes * 60 / ${#targets[@]}))
mkdir -p work/logs

# Build first, so that building does not eat into the fuzzing time.
for target in "${targets[@]}"; do
    cargo fuzz build -s "$sanitizer" "$target" || exit 1
done

failed=()
for target in "${targets[@]}"; do
    mkdir -p "work/$target" "artifacts/$target"
    log="work/logs/$target.log"
    echo "== $target: ${seconds}s" >&2
    # shellcheck disable=SC2046 # seeds() lists directories, split on purpose
    if ! cargo fuzz run -s "$sanitizer" "$target" "work/$target" $(seeds "$target") -- \
        -max_total_time="$seconds" \
        -timeout=10 \
        -rss_limit_mb=2048 \
        -print_final_stats=1 \
        "$@" >"$log" 2>&1; then
        failed+=("$target")
    fi
    tail -n 3 "$log" >&2
done

# libFuzzer's final stats, one line a target.
total=0
printf '\n%-12s %14s %8s %10s %s\n' target executions "exec/s" "peak RSS" result
for target in "${targets[@]}"; do
    log="work/logs/$target.log"
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -n 1)
    result=ok
    [[ " ${failed[*]} " == *" $target "* ]] && result="FAILED (see $log and artifacts/$target/)"
    printf '%-12s %14s %8s %8s MB %s\n' "$target" "${execs:-?}" "${rate:-?}" "${rss:-?}" "$result"
    total=$((total + ${execs:-0}))
done
printf '%-12s %14s\n' total "$total"

[[ ${#failed[@]} -eq 0 ]]
