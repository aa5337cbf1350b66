# Shared helpers of the reliability scenarios (sourced; starts nothing by itself).
# shellcheck shell=bash
#
# Every scenario gets a private temporary directory holding its own PostgreSQL cluster
# (scripts/pg.sh, fsync on: these scenarios are about durability), the service log and
# the load generator's files. The EXIT trap stops whatever was started, by pid, and
# removes the directory; a watchdog sends the scenario SIGTERM when it overruns its
# time limit, so the cleanup runs before a test runner's own hard kill.
#
# Environment:
#   ISMS_BIN         service binary (default: build/isms)
#   LOADGEN_BIN      load generator (default: build/tests/load/loadgen)
#   PG_BIN           PostgreSQL binaries (default /usr/lib/postgresql/15/bin)
#   RELIABILITY_OUT  if set, the scenario's logs and summaries are copied there
#   RELIABILITY_SANITIZED=1  the binaries are AddressSanitizer builds (no RSS verdict)
#   RELIABILITY_KEEP=1       keep the temporary directory (its path is logged)

REL_ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd -P)"
ISMS_BIN="${ISMS_BIN:-$REL_ROOT/build/isms}"
LOADGEN_BIN="${LOADGEN_BIN:-$REL_ROOT/build/tests/load/loadgen}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
REL_JWT_SECRET="reliability-scenarios-secret-0123456789abcdef"

REL_NAME=""
REL_TMP=""
REL_PG_DIR=""
REL_PG_PORT=""
REL_SVC_PID=""
REL_SVC_PORT=""
REL_SVC_RC=""
REL_SVC_EXIT_MS=""
REL_LOADGEN_PID=""
REL_WATCHDOG_PID=""
REL_FAILURES=()

rel_log() { printf '[%s %s] %s\n' "${REL_NAME:-reliability}" "$(date +%H:%M:%S)" "$*" >&2; }

# A failed check: remembered for the result line and the exit status.
rel_fail() {
    REL_FAILURES+=("$*")
    rel_log "FAIL: $*"
}

# A broken setup: nothing to measure, stop here.
rel_die() {
    rel_log "error: $*"
    REL_FAILURES+=("setup: $*")
    rel_emit scenario "$REL_NAME" result error
    exit 1
}

now_ms() { date +%s%3N; }

# Is anything accepting connections on 127.0.0.1:PORT?
rel_port_in_use() {
    if command -v ss >/dev/null 2>&1 && [[ -n "$(ss -Htln "( sport = :$1 )" 2>/dev/null)" ]]; then
        return 0
    fi
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

rel_free_port() {
    local i port
    for ((i = 0; i < 200; i++)); do
        port=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
        if ! rel_port_in_use "$port"; then
            echo "$port"
            return 0
        fi
    done
    return 1
}

# Numeric field KEY of the one-line JSON summary in FILE (empty when absent).
jfield() {
    sed -n "s/.*\"$2\":\(-\{0,1\}[0-9][0-9.]*\).*/\1/p" "$1" 2>/dev/null | head -n1
}

# Prints a one-line JSON object of KEY VALUE pairs plus "failures": numbers, true/false/
# null and values starting with [ or { go in as they are, anything else as a string.
rel_emit() {
    local out="{" sep="" k v f
    while [[ $# -ge 2 ]]; do
        k="$1" v="$2"
        shift 2
        if [[ "$v" =~ ^-?[0-9]+(\.[0-9]+)?$ || "$v" == true || "$v" == false || "$v" == null ||
            "$v" == \[* || "$v" == \{* ]]; then
            out+="$sep\"$k\":$v"
        else
            v="${v//\\/\\\\}"
            v="${v//\"/\\\"}"
            out+="$sep\"$k\":\"$v\""
        fi
        sep=","
    done
    out+="$sep\"failures\":["
    sep=""
    for f in "${REL_FAILURES[@]}"; do
        f="${f//\\/\\\\}"
        f="${f//\"/\\\"}"
        out+="$sep\"$f\""
        sep=","
    done
    out+="]}"
    printf '%s\n' "$out"
    [[ -n "$REL_TMP" && -d "$REL_TMP" ]] && printf '%s\n' "$out" >"$REL_TMP/result.json"
}

# ---- lifecycle -----------------------------------------------------------------------

# rel_setup NAME LIMIT_SECONDS
rel_setup() {
    REL_NAME="$1"
    local limit="$2"
    unset DATABASE_URL PG_FAST
    [[ -x "$ISMS_BIN" ]] || rel_die "service binary $ISMS_BIN not found (cmake --build build)"
    [[ -x "$LOADGEN_BIN" ]] ||
        rel_die "load generator $LOADGEN_BIN not found (cmake --build build --target loadgen)"
    [[ -x "$PG_BIN/pg_ctl" ]] || rel_die "PostgreSQL binaries not found in $PG_BIN"
    command -v curl >/dev/null 2>&1 || rel_die "curl is needed"
    REL_PSQL="$PG_BIN/psql"
    [[ -x "$REL_PSQL" ]] || REL_PSQL="$(command -v psql)" || rel_die "psql is needed"
    REL_TMP="$(mktemp -d "${TMPDIR:-/tmp}/isms-rel-$REL_NAME.XXXXXX")" || rel_die "mktemp failed"
    trap rel_cleanup EXIT
    trap 'REL_FAILURES+=("interrupted"); exit 130' INT
    trap 'REL_FAILURES+=("terminated (time limit of the scenario?)"); exit 143' TERM
    # Watchdog: the scenario's own time limit, below the test runner's.
    (
        sleep "$limit" >/dev/null 2>&1 &
        sleeper=$!
        trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
        wait "$sleeper" || exit 0
        echo "[$REL_NAME] time limit of ${limit}s reached, stopping" >&2
        kill -TERM $$ 2>/dev/null
    ) </dev/null >/dev/null &
    REL_WATCHDOG_PID=$!
    rel_log "working in $REL_TMP"
}

# Stops PID with SIG, waits up to SECS; then SIGKILL. Sets REL_WAIT_RC. (stderr is
# silenced throughout: bash reports a child killed by a signal wherever it reaps it.)
rel_stop_pid() {
    REL_WAIT_RC=""
    [[ -n "$1" ]] || return 0
    _rel_stop_pid "$@" 2>/dev/null
}

_rel_stop_pid() {
    local pid="$1" sig="$2" secs="$3" i
    kill "-$sig" "$pid" || true
    for ((i = 0; i < secs * 20; i++)); do
        if ! kill -0 "$pid" || [[ "$(awk '{print $3}' "/proc/$pid/stat")" == Z ]]; then
            break
        fi
        sleep 0.05
    done
    if kill -0 "$pid" && [[ "$(awk '{print $3}' "/proc/$pid/stat")" != Z ]]; then
        kill -KILL "$pid" || true
    fi
    wait "$pid"
    REL_WAIT_RC=$?
}

rel_cleanup() {
    local rc=$? f
    trap - EXIT INT TERM
    [[ ${#REL_FAILURES[@]} -gt 0 && $rc -eq 0 ]] && rc=1
    if [[ -n "$REL_LOADGEN_PID" ]]; then
        rel_stop_pid "$REL_LOADGEN_PID" TERM 15
    fi
    if [[ -n "$REL_SVC_PID" ]]; then
        rel_stop_pid "$REL_SVC_PID" TERM 15
    fi
    if [[ -n "$REL_PG_DIR" ]]; then
        bash "$REL_ROOT/scripts/pg.sh" stop "$REL_PG_DIR" >/dev/null 2>&1 || true
    fi
    if [[ -n "$REL_WATCHDOG_PID" ]]; then
        # No `wait` here: after the watchdog has fired, bash (5.2) would block in it
        # until some other child of the interrupted foreground wait ends.
        kill -TERM "$REL_WATCHDOG_PID" 2>/dev/null || true
    fi
    if [[ -n "$REL_TMP" && -d "$REL_TMP" ]]; then
        if [[ $rc -ne 0 ]]; then
            if [[ -s "$REL_TMP/service.log" ]]; then
                rel_log "service log (last 30 lines):"
                tail -n 30 "$REL_TMP/service.log" >&2
            fi
            if [[ -n "$REL_PG_DIR" && -s "$REL_PG_DIR/log" ]]; then
                rel_log "PostgreSQL log (last 15 lines):"
                tail -n 15 "$REL_PG_DIR/log" >&2
            fi
        fi
        if [[ -n "${RELIABILITY_OUT:-}" ]] && mkdir -p "$RELIABILITY_OUT/$REL_NAME" 2>/dev/null; then
            for f in "$REL_TMP"/*; do
                [[ -f "$f" ]] || continue
                if [[ $(stat -c %s "$f") -gt 2000000 ]]; then
                    # A flood of identical lines: keep both ends.
                    { head -n 500 "$f"; echo "... $(($(wc -l <"$f") - 1000)) lines omitted ..."
                      tail -n 500 "$f"; } >"$RELIABILITY_OUT/$REL_NAME/${f##*/}" 2>/dev/null
                else
                    cp -- "$f" "$RELIABILITY_OUT/$REL_NAME/" 2>/dev/null
                fi
            done
            [[ -n "$REL_PG_DIR" && -f "$REL_PG_DIR/log" ]] &&
                cp -- "$REL_PG_DIR/log" "$RELIABILITY_OUT/$REL_NAME/postgresql.log" 2>/dev/null
        fi
        if [[ "${RELIABILITY_KEEP:-0}" == 1 ]]; then
            rel_log "kept $REL_TMP"
        else
            rm -rf -- "$REL_TMP"
        fi
    fi
    exit "$rc"
}

# ---- PostgreSQL ----------------------------------------------------------------------

# rel_pg_start [PORT]: starts (first time: creates) the scenario's cluster.
# shellcheck disable=SC2120  # the port is optional
rel_pg_start() {
    REL_PG_DIR="$REL_TMP/pg"
    # Durability is under test: never PG_FAST here.
    REL_DB_URL="$(env -u PG_FAST bash "$REL_ROOT/scripts/pg.sh" start "$REL_PG_DIR" ${1:+"$1"} \
        2>>"$REL_TMP/pg.sh.log")" || return 1
    REL_PG_PORT="$(cat "$REL_PG_DIR/port")"
}

rel_pg_stop() { bash "$REL_ROOT/scripts/pg.sh" stop "$REL_PG_DIR" 2>>"$REL_TMP/pg.sh.log"; }

# rel_sql SQL: one query, unaligned tuples only.
rel_sql() {
    "$REL_PSQL" -X -qtA -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$REL_PG_PORT" -U postgres -d isms \
        -c "$1"
}

# Waits (at most 30 s) until no session of the service is left in PostgreSQL, so the
# outcome of every transaction is final before it is inspected.
rel_wait_sessions_gone() {
    local i n
    for ((i = 0; i < 300; i++)); do
        n="$(rel_sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'isms-objectives'" 2>/dev/null)"
        [[ "$n" == 0 ]] && return 0
        sleep 0.1
    done
    rel_fail "service sessions still open in PostgreSQL 30 s after the service stopped ($n)"
    return 1
}

# ---- the service ---------------------------------------------------------------------

# rel_svc_start [VAR=value...]: starts the service on REL_SVC_PORT (picked on first use)
# and waits until /healthz answers.
# shellcheck disable=SC2120  # the settings are optional
rel_svc_start() {
    local i code
    for _ in 1 2 3; do
        [[ -n "$REL_SVC_PORT" ]] || REL_SVC_PORT="$(rel_free_port)" || return 1
        echo "--- start $(date +%H:%M:%S.%3N) port $REL_SVC_PORT" >>"$REL_TMP/service.log"
        env -u DATABASE_URL \
            DATABASE_URL="$REL_DB_URL" JWT_SECRET="$REL_JWT_SECRET" PORT="$REL_SVC_PORT" \
            BIND_ADDRESS=127.0.0.1 LOG_LEVEL=warn DB_ACQUIRE_TIMEOUT_MS=2000 \
            SHUTDOWN_GRACE_SECONDS=10 "$@" \
            "$ISMS_BIN" serve >>"$REL_TMP/service.log" 2>&1 &
        REL_SVC_PID=$!
        for ((i = 0; i < 600; i++)); do
            if ! kill -0 "$REL_SVC_PID" 2>/dev/null; then
                break
            fi
            code="$(curl -s -o /dev/null -m 2 -w '%{http_code}' \
                "http://127.0.0.1:$REL_SVC_PORT/healthz" 2>/dev/null)"
            if [[ "$code" == 200 ]]; then
                REL_SVC_STARTED_ONCE=1
                return 0
            fi
            sleep 0.05
        done
        rel_stop_pid "$REL_SVC_PID" KILL 5
        REL_SVC_PID=""
        # A port taken in the meantime: try another one (only before the first success).
        if [[ -z "${REL_SVC_STARTED_ONCE:-}" ]] && grep -q "cannot listen" "$REL_TMP/service.log"; then
            REL_SVC_PORT=""
            continue
        fi
        return 1
    done
    return 1
}

# rel_svc_stop SIG SECS: signals the service and waits for its exit; sets REL_SVC_RC and
# REL_SVC_EXIT_MS (signal to exit).
rel_svc_stop() {
    local sig="$1" secs="$2" t0
    t0="$(now_ms)"
    echo "--- SIG$sig $(date +%H:%M:%S.%3N)" >>"$REL_TMP/service.log"
    rel_stop_pid "$REL_SVC_PID" "$sig" "$secs"
    # shellcheck disable=SC2034  # read by the scenarios
    REL_SVC_EXIT_MS=$(($(now_ms) - t0))
    # shellcheck disable=SC2034
    REL_SVC_RC="$REL_WAIT_RC"
    REL_SVC_PID=""
}

rel_healthz() {
    [[ "$(curl -s -o /dev/null -m 5 -w '%{http_code}' "http://127.0.0.1:$REL_SVC_PORT/healthz" \
        2>/dev/null)" == 200 ]]
}

rel_token() {
    JWT_SECRET="$REL_JWT_SECRET" "$ISMS_BIN" token --sub loadgen --roles editor,admin --ttl 7200
}

# Resident set size of PID in kB.
rel_rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }

# ---- the load generator --------------------------------------------------------------

# rel_loadgen_start NAME ARGS...: runs loadgen in the background against the service;
# its summary goes to $REL_TMP/NAME.json.
rel_loadgen_start() {
    local name="$1"
    shift
    "$LOADGEN_BIN" --port "$REL_SVC_PORT" --token "$REL_TOKEN" "$@" \
        >"$REL_TMP/$name.json" 2>>"$REL_TMP/loadgen.err" &
    REL_LOADGEN_PID=$!
}

rel_loadgen_wait() {
    wait "$REL_LOADGEN_PID"
    local rc=$?
    REL_LOADGEN_PID=""
    return "$rc"
}

# rel_check_acked ACKED_FILE RUN: every acknowledged write ("ref id" lines) must be in
# the database with that id. Prints the number missing.
rel_check_acked() {
    local acked="$1" run="$2" missing
    sort -u "$acked" >"$REL_TMP/acked.sorted"
    rel_sql "SELECT ref || ' ' || id FROM objectives WHERE ref LIKE 'LG-$run-%'" |
        sort -u >"$REL_TMP/db.sorted"
    comm -23 "$REL_TMP/acked.sorted" "$REL_TMP/db.sorted" >"$REL_TMP/lost.txt"
    missing="$(wc -l <"$REL_TMP/lost.txt")"
    if [[ "$missing" -gt 0 ]]; then
        rel_log "acknowledged writes missing from the database (first 5):"
        head -n 5 "$REL_TMP/lost.txt" >&2
    fi
    echo "$missing"
}

rel_run_id() { printf '%s%s' "$1" "$(date +%s | tail -c 7)$((RANDOM % 100))"; }
