#!/bin/sh
# Starts examples/leaky_service, saves its profiles (two heap snapshots
# SECONDS apart, a CPU profile, a thread dump, one address-only heap
# profile), reads them with Go's own `go tool pprof` and with proflens, and
# checks that both print the same reports:
#
#   -top on each profile (inuse_space for the heaps), -peek of the hashing
#   function in the CPU profile, -traces of the second heap;
#
# then prints `proflens leaks` on the two snapshots.
#
#   crates/agent/scripts/go-pprof-check.sh [PORT] [SECONDS]
#
# Needs Go (GO=/path/to/go to choose one). Exits non-zero if Go fails to
# read a profile or the two disagree. The files stay in $OUT (default: a
# new directory under ${TMPDIR:-/tmp}).
set -eu

PORT="${1:-6061}"
SECONDS_APART="${2:-8}"
GO="${GO:-$(command -v go || echo /usr/lib/go-1.23/bin/go)}"
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$ROOT"

cargo build -q -p proflens-agent --example leaky_service
cargo build -q -p proflens-cli
TARGET="$(cargo metadata --format-version 1 --no-deps | sed 's/.*"target_directory":"\([^"]*\)".*/\1/')"
BIN="$TARGET/debug/examples/leaky_service"
PROFLENS="$TARGET/debug/proflens"

"$BIN" --addr "127.0.0.1:$PORT" >/dev/null &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT INT TERM

BASE="http://127.0.0.1:$PORT/debug/pprof"
i=0
until curl -sf "$BASE/" >/dev/null 2>&1; do
    i=$((i + 1))
    [ "$i" -le 100 ] || { echo "leaky_service did not start" >&2; exit 1; }
    sleep 0.1
done

OUT="${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/go-pprof-check.XXXXXX")}"
export PPROF_TMPDIR="$OUT/pprof"
sleep 2 # let the leak and the churn run
curl -sf -o "$OUT/heap1.pb.gz" "$BASE/heap"
curl -sf -o "$OUT/cpu.pb.gz" "$BASE/profile?seconds=3" &
CPU=$!
sleep "$SECONDS_APART"
curl -sf -o "$OUT/heap2.pb.gz" "$BASE/heap"
wait $CPU
curl -sf -o "$OUT/threads.pb.gz" "$BASE/threads"
curl -sf -o "$OUT/allocs.pb.gz" "$BASE/allocs"

status=0
# same NAME GO-ARGS -- PROFLENS-ARGS
same() {
    name="$1"
    shift
    goargs=""
    while [ "$1" != "--" ]; do goargs="$goargs $1"; shift; done
    shift
    # shellcheck disable=SC2086
    if ! "$GO" tool pprof $goargs >"$OUT/$name.go" 2>"$OUT/$name.go.err"; then
        echo "FAILED: go tool pprof$goargs" >&2
        cat "$OUT/$name.go.err" >&2
        status=1
        return
    fi
    "$PROFLENS" "$@" >"$OUT/$name.proflens" 2>&1 || true
    if diff -u "$OUT/$name.go" "$OUT/$name.proflens" >"$OUT/$name.diff"; then
        echo "same: $name ($(wc -l <"$OUT/$name.go") lines)"
    else
        echo "DIFFERENT: $name (see $OUT/$name.diff)" >&2
        status=1
    fi
}

same heap2.top -top -sample_index=inuse_space "$OUT/heap2.pb.gz" -- top --sample-index inuse_space "$OUT/heap2.pb.gz"
same heap1.top -top -sample_index=inuse_space "$OUT/heap1.pb.gz" -- top --sample-index inuse_space "$OUT/heap1.pb.gz"
same heap2.traces -traces -sample_index=inuse_space "$OUT/heap2.pb.gz" -- traces --sample-index inuse_space "$OUT/heap2.pb.gz"
same allocs.top -top "$OUT/allocs.pb.gz" -- top "$OUT/allocs.pb.gz"
same cpu.top -top "$OUT/cpu.pb.gz" -- top "$OUT/cpu.pb.gz"
same cpu.peek "-peek=hash_chunks\$" "$OUT/cpu.pb.gz" -- peek 'hash_chunks$' "$OUT/cpu.pb.gz"
same threads.top -top "$OUT/threads.pb.gz" -- top "$OUT/threads.pb.gz"

echo
echo "=== go tool pprof -top -nodecount=8 -sample_index=inuse_space heap2.pb.gz"
"$GO" tool pprof -top -nodecount=8 -sample_index=inuse_space "$OUT/heap2.pb.gz" 2>/dev/null || status=1
echo
echo "=== proflens leaks heap1.pb.gz heap2.pb.gz"
"$PROFLENS" leaks "$OUT/heap1.pb.gz" "$OUT/heap2.pb.gz" | sed -n '1,/^#2 /p' || status=1
echo
echo "profiles and reports in $OUT"
exit $status
