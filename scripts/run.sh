#!/usr/bin/env bash
# Run the service locally (what `make run` executes after building).
#
# Usage: scripts/run.sh [BUILD_DIR]     (default: build)
#
# - DATABASE_URL unset: a private PostgreSQL cluster is started in .local/pg
#   and stopped again when the service exits (if this script started it).
# - JWT_SECRET unset (and JWT_ALG unset or HS*): a random secret is generated
#   once into .local/jwt_secret and reused.
# - A development token (sub=dev, roles=editor) is minted and printed.
# Ctrl-C or SIGTERM stops the service and the private cluster.
set -euo pipefail

ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"

BUILD="${1:-build}"
BIN="$BUILD/isms"
LOCAL="$ROOT/.local"
PG_DIR="$LOCAL/pg"

log() { printf 'run.sh: %s\n' "$*" >&2; }

if [[ ! -x "$BIN" ]]; then
    log "$BIN not found; build first (make build)"
    exit 1
fi

mkdir -p "$LOCAL"

pg_started=0
svc_pid=""
signalled=0
kill_deadline=0
STOP_TIMEOUT="${STOP_TIMEOUT:-15}"

# True while the service process exists and is not a zombie.
svc_running() {
    local stat
    [[ -n "$svc_pid" ]] || return 1
    stat="$(cat "/proc/$svc_pid/stat" 2>/dev/null)" || return 1
    stat="${stat##*) }"
    [[ "${stat:0:1}" != "Z" ]]
}

# shellcheck disable=SC2317  # invoked via trap
cleanup() {
    local rc=$?
    trap - INT TERM EXIT
    if svc_running; then
        kill -TERM "$svc_pid" 2>/dev/null || true
        wait "$svc_pid" 2>/dev/null || true
    fi
    if [[ "$pg_started" == "1" ]]; then
        log "stopping private PostgreSQL in ${PG_DIR#"$ROOT"/}"
        bash "$ROOT/scripts/pg.sh" stop "$PG_DIR" || true
    fi
    exit "$rc"
}

# shellcheck disable=SC2317  # invoked via trap
on_signal() {
    local sig="$1" code="$2"
    signalled=$((signalled + 1))
    if [[ -z "$svc_pid" ]]; then
        exit "$code"        # service not started yet; cleanup runs on EXIT
    fi
    if [[ "$signalled" -eq 1 ]]; then
        log "got SIG$sig, stopping service (pid $svc_pid)"
        kill -TERM "$svc_pid" 2>/dev/null || true
        kill_deadline=$((SECONDS + STOP_TIMEOUT))
    else
        log "got SIG$sig again, killing service (pid $svc_pid)"
        kill -KILL "$svc_pid" 2>/dev/null || true
    fi
}

trap cleanup EXIT
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM

# --- database -----------------------------------------------------------------
if [[ -z "${DATABASE_URL:-}" ]]; then
    # Only stop the cluster on exit if we are the ones starting it.
    if ! bash scripts/pg.sh status "$PG_DIR"; then
        pg_started=1
    fi
    DATABASE_URL="$(bash scripts/pg.sh start "$PG_DIR")"
    export DATABASE_URL
fi

# --- JWT secret ---------------------------------------------------------------
if [[ -z "${JWT_SECRET:-}" && ( -z "${JWT_ALG:-}" || "${JWT_ALG}" == HS* ) ]]; then
    secret_file="$LOCAL/jwt_secret"
    if [[ ! -s "$secret_file" ]]; then
        (
            umask 077
            od -An -tx1 -N48 /dev/urandom | tr -d ' \n' >"$secret_file.tmp"
            mv -f "$secret_file.tmp" "$secret_file"
        )
    fi
    chmod 600 "$secret_file"
    JWT_SECRET="$(cat "$secret_file")"
    export JWT_SECRET
fi

# --- development token ----------------------------------------------------------
host="${BIND_ADDRESS:-127.0.0.1}"
port="${PORT:-8080}"
case "$host" in
    0.0.0.0 | "::" | "[::]" | "") curl_host=127.0.0.1 ;;
    *:*) curl_host="[$host]" ;;
    *) curl_host="$host" ;;
esac
case "$host" in
    *:*) url_host="[$host]" ;;
    *) url_host="$host" ;;
esac

if ! token="$("$BIN" token --sub dev --roles editor)"; then
    log "warning: could not mint a development token"
    token="<token>"
fi

cat >&2 <<BANNER

  isms listening on http://$url_host:$port
  database:  ${DATABASE_URL%%\?*}
  dev token (sub=dev, roles=editor):

    $token

  try:
    curl -H "Authorization: Bearer $token" http://$curl_host:$port/v1/objectives

  Ctrl-C to stop.

BANNER

# --- service --------------------------------------------------------------------
"$BIN" &
svc_pid=$!

# `wait` returns early when a trapped signal arrives; keep waiting until the
# service has really exited, escalating to SIGKILL after STOP_TIMEOUT seconds.
set +e
while :; do
    wait "$svc_pid"
    rc=$?
    if ! kill -0 "$svc_pid" 2>/dev/null; then
        break                       # reaped
    fi
    while svc_running; do
        if [[ "$signalled" -gt 0 && "$SECONDS" -ge "$kill_deadline" ]]; then
            log "service did not stop within ${STOP_TIMEOUT}s, killing it"
            kill -KILL "$svc_pid" 2>/dev/null || true
        fi
        sleep 0.2
    done
done
set -e
svc_pid=""
exit "$rc"
