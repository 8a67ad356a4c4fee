#!/bin/sh
# Starts examples/leaky_service and reads its endpoints with Go's own
# `go tool pprof -top`, to show that Go reads what proflens-agent serves.
#
#   crates/agent/scripts/go-pprof-check.sh [PORT]
#
# Needs Go (GO=/path/to/go to choose one). Exits non-zero if Go fails to
# read any of heap, allocs, profile, threads.
set -eu

PORT="${1:-6061}"
GO="${GO:-$(command -v go || echo /usr/lib/go-1.23/bin/go)}"
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$ROOT"

cargo build -q -p proflens-agent --example leaky_service
BIN="$(cargo metadata --format-version 1 --no-deps | sed 's/.*"target_directory":"\([^"]*\)".*/\1/')/debug/examples/leaky_service"

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
sleep 2 # let the leak and the churn run

export PPROF_TMPDIR="${TMPDIR:-/tmp}/go-pprof-check.$$"
status=0
for p in heap allocs "profile?seconds=2" threads; do
    echo "=== go tool pprof -top $BASE/$p"
    if ! "$GO" tool pprof -top -nodecount=12 "$BASE/$p"; then
        echo "FAILED: $p" >&2
        status=1
    fi
    echo
done
rm -rf "$PPROF_TMPDIR"
exit $status
