#!/usr/bin/env bash
# Run the test suite with ctest (what `make test` executes after building).
#
# Usage: scripts/test.sh [BUILD_DIR] [CTEST_ARGS...]
#   e.g. scripts/test.sh build -R objectives -V
#
# If DATABASE_URL is unset, a throwaway PostgreSQL cluster (fsync off) is
# started in .local/pg-test.XXXXXX on a free port and removed afterwards.
set -euo pipefail

ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"

BUILD="${1:-build}"

log() { printf 'test.sh: %s\n' "$*" >&2; }

if [[ ! -d "$BUILD" ]]; then
    log "build directory '$BUILD' not found; build first (make build)"
    exit 1
fi

pg_dir=""
rc=1

# shellcheck disable=SC2317  # invoked via trap
cleanup() {
    trap - EXIT INT TERM
    if [[ -n "$pg_dir" ]]; then
        if [[ "$rc" -ne 0 && -f "$pg_dir/log" ]]; then
            log "PostgreSQL log (last 40 lines of $pg_dir/log):"
            tail -n 40 "$pg_dir/log" >&2 || true
        fi
        bash "$ROOT/scripts/pg.sh" stop "$pg_dir" || true
        rm -rf -- "$pg_dir"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'rc=130; exit 130' INT
trap 'rc=143; exit 143' TERM

if [[ -z "${DATABASE_URL:-}" ]]; then
    mkdir -p .local
    pg_dir="$(mktemp -d "$ROOT/.local/pg-test.XXXXXX")"
    DATABASE_URL="$(PG_FAST=1 bash scripts/pg.sh start "$pg_dir")"
    export DATABASE_URL
    log "using private PostgreSQL at $DATABASE_URL"
fi

set +e
ctest --test-dir "$BUILD" --output-on-failure "${@:2}"
rc=$?
set -e
exit "$rc"
