#!/usr/bin/env bash
# Benchmark of the service, one command (see bench/README.md).
#
#   bash bench/run.sh            full run: 100,000 objectives, 20 s per run, 3 runs
#   bash bench/run.sh --quick    smoke run: 5,000 objectives, 5 s per run (a few minutes)
#
# Starts its own PostgreSQL (fsync on) in .local/bench-pg, seeds it with bench/seed.sql,
# starts the Release build (build-bench/) and nginx (a fixed ~1 KB JSON file), drives them
# with wrk and pgbench on 127.0.0.1 only, and writes into bench/results/:
#   <stamp>-<host>.txt     the tables (also printed)
#   explain-<stamp>.txt    plans of every report's SQL function body (ANALYZE, BUFFERS)
#   <stamp>-<host>/        raw wrk / pgbench output, service log, RSS samples
# Every step has a time limit; service, nginx and the cluster are stopped on exit.
#
# Environment overrides: BENCH_DURATION (s per run), BENCH_RUNS, BENCH_REPORT_RUNS (--quick: 1),
# BENCH_SCALE (seed scale), BENCH_CONNECTIONS (32), BENCH_THREADS (2), BENCH_MEM_SECONDS (60;
# --quick 10), BENCH_IMPORT_ROWS (100000 x scale), BENCH_LIST_STATUS (active), BENCH_KEEP_DB=1
# (keep .local/bench-pg after the run), and the service's own variables (e.g. DB_POOL_SIZE,
# HTTP_THREADS) are passed through.
set -euo pipefail

ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"
# shellcheck source=bench/lib/common.sh
source bench/lib/common.sh

QUICK=0
for arg in "$@"; do
    case "$arg" in
        --quick) QUICK=1 ;;
        -h | --help) sed -n '2,21s/^# \{0,1\}//p' "$0"; exit 0 ;;
        *) bench_die "unknown argument $arg (try --help)" ;;
    esac
done

if [[ "$QUICK" == 1 ]]; then
    DUR="${BENCH_DURATION:-5}"
    SCALE="${BENCH_SCALE:-0.05}"
    MEM_S="${BENCH_MEM_SECONDS:-10}"
    WARM_S=3
    REPORT_RUNS="${BENCH_REPORT_RUNS:-1}"
    EXPLAIN_TIMEOUT_S=35
else
    DUR="${BENCH_DURATION:-20}"
    SCALE="${BENCH_SCALE:-1}"
    MEM_S="${BENCH_MEM_SECONDS:-60}"
    WARM_S=10
    REPORT_RUNS="${BENCH_REPORT_RUNS:-${BENCH_RUNS:-3}}"
    EXPLAIN_TIMEOUT_S=120
fi
RUNS="${BENCH_RUNS:-3}"
CONN="${BENCH_CONNECTIONS:-32}"
THREADS="${BENCH_THREADS:-2}"
LIST_STATUS="${BENCH_LIST_STATUS:-active}"
IMPORT_ROWS="${BENCH_IMPORT_ROWS:-$(awk -v s="$SCALE" 'BEGIN { printf "%d", 100000 * s }')}"
# A larger scale imports more rows than the service's default IMPORT_MAX_ROWS lets in.
((IMPORT_ROWS > 100000)) && export IMPORT_MAX_ROWS="${IMPORT_MAX_ROWS:-$IMPORT_ROWS}"
REPORT_MAX_S=300          # longest wrk run of one report
REPORTS=(objectives-summary plans-summary risk-matrix reviews-summary compliance traceability
         overdue register)

# The benchmark measures a durable database: never inherit the test clusters' shortcut.
unset PG_FAST

PY=/usr/bin/python3
BUILD="$ROOT/build-bench"
BIN="$BUILD/isms"
PG_DIR="$ROOT/.local/bench-pg"
WRK_DIR="$ROOT/bench/wrk"
HOST="$(hostname -s 2>/dev/null || uname -n)"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RESULTS="$ROOT/bench/results"
OUT="$RESULTS/$STAMP-$HOST.txt"
EXPLAIN_OUT="$RESULTS/explain-$STAMP.txt"
RAW="$RESULTS/$STAMP-$HOST"
TMP=""
SVC_PID=""
NGINX_PID=""
PG_STARTED=0
T0=$SECONDS

# ---- cleanup: always, keeping the results -------------------------------------------
# shellcheck disable=SC2317  # invoked via trap
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    set +e
    # A signal may arrive inside a redirected call (e.g. wrk's log): talk to the terminal.
    exec 1>&"$ORIG_OUT" 2>&"$ORIG_ERR"
    if [[ -n "$BENCH_CHILD" ]]; then
        kill -TERM "$BENCH_CHILD" 2>/dev/null
        wait "$BENCH_CHILD" 2>/dev/null
    fi
    if [[ -n "$SVC_PID" ]]; then
        bench_log "stopping the service (pid $SVC_PID)"
        stop_pid "$SVC_PID" 35
    fi
    if [[ -n "$NGINX_PID" ]]; then
        bench_log "stopping nginx (pid $NGINX_PID)"
        stop_pid "$NGINX_PID" 10 QUIT
    fi
    if [[ "$PG_STARTED" == 1 ]]; then
        bench_log "stopping PostgreSQL in ${PG_DIR#"$ROOT"/}"
        bash scripts/pg.sh stop "$PG_DIR"
        if [[ "${BENCH_KEEP_DB:-0}" != 1 ]]; then
            rm -rf -- "$PG_DIR"
        fi
    fi
    [[ -n "$TMP" ]] && rm -rf -- "$TMP"
    if ((rc != 0)); then
        bench_log "failed (exit $rc) after $((SECONDS - T0)) s; partial output in ${RAW#"$ROOT"/}"
    fi
    exit "$rc"
}
exec {ORIG_OUT}>&1 {ORIG_ERR}>&2
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$RAW"
TMP="$(mktemp -d /tmp/isms-bench.XXXXXX)"
chmod 755 "$TMP"
DATA="$TMP/data"
mkdir -p "$DATA"
RUNS_TSV="$RAW/runs.tsv"          # scenario run rps p50 p99 bad codes sockerr requests bytes
printf 'scenario\trun\trps\tp50_ms\tp99_ms\tnon2xx\tcodes\tsock_err\trequests\tbytes\n' >"$RUNS_TSV"
EVENTS="$RAW/events.txt"
: >"$EVENTS"
event() { bench_log "$*"; printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >>"$EVENTS"; }

bench_log "$( ((QUICK)) && echo quick || echo full) run: scale $SCALE, ${DUR}s x $RUNS runs, wrk -t$THREADS -c$CONN; output ${RAW#"$ROOT"/}"

# ---- tools and build ------------------------------------------------------------------
need_deps=0
for tool in cmake wrk nginx pgbench psql curl; do
    command -v "$tool" >/dev/null 2>&1 || need_deps=1
done
[[ -x "$PY" ]] || need_deps=1
if ((need_deps)); then
    bench_log "installing missing tools (scripts/deps.sh wrk nginx-light)"
    bounded 900 bash scripts/deps.sh wrk nginx-light || bench_die "scripts/deps.sh failed"
fi
export PATH="$PATH:/usr/sbin"
command -v nginx >/dev/null || bench_die "nginx not found (bash scripts/deps.sh wrk nginx-light)"

bench_log "building the Release binary in ${BUILD#"$ROOT"/}"
if [[ ! -f "$BUILD/CMakeCache.txt" ]]; then
    bounded 600 cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
        >"$RAW/build.log" 2>&1 || bench_die "cmake configure failed (see ${RAW#"$ROOT"/}/build.log)"
fi
bounded 1800 cmake --build "$BUILD" -j2 --target isms >>"$RAW/build.log" 2>&1 ||
    bench_die "build failed (see ${RAW#"$ROOT"/}/build.log)"
[[ -x "$BIN" ]] || bench_die "$BIN missing after the build"

# ---- PostgreSQL -------------------------------------------------------------------------
bash scripts/pg.sh stop "$PG_DIR" >/dev/null 2>&1 || true
rm -rf -- "$PG_DIR"
bench_log "starting a fresh PostgreSQL cluster in ${PG_DIR#"$ROOT"/}"
PG_STARTED=1
DATABASE_URL="$(bounded 120 bash scripts/pg.sh start "$PG_DIR")" || bench_die "PostgreSQL did not start"
PSQL=(env PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_URL")
"${PSQL[@]}" -c "ALTER SYSTEM SET shared_buffers = '512MB'" -c "ALTER SYSTEM SET fsync = on" \
    -c "ALTER SYSTEM SET synchronous_commit = on" -c "ALTER SYSTEM SET full_page_writes = on" \
    -c "ALTER SYSTEM SET max_connections = 200"
bash scripts/pg.sh stop "$PG_DIR"
DATABASE_URL="$(bounded 120 bash scripts/pg.sh start "$PG_DIR")" || bench_die "PostgreSQL did not restart"
export DATABASE_URL
PSQL=(env PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_URL")
PG_SETTINGS="$("${PSQL[@]}" -At -c "SELECT string_agg(name || '=' || current_setting(name), ', ' ORDER BY name) FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers', 'max_connections', 'wal_level')")"
PG_VERSION="$("${PSQL[@]}" -At -c 'SHOW server_version')"
[[ "$("${PSQL[@]}" -At -c 'SHOW fsync')" == on ]] || bench_die "fsync is not on"

# ---- the service ----------------------------------------------------------------------
JWT_SECRET="$(od -An -tx1 -N48 /dev/urandom | tr -d ' \n')"
export JWT_SECRET
SVC_PORT="$(free_port)" || bench_die "no free port"
SVC_URL="http://127.0.0.1:$SVC_PORT"
SVC_STARTS=0
PLANNED_STARTS=2 # migrating once, then serving; more only when the harness restarts it on purpose

start_service() {
    PORT="$SVC_PORT" BIND_ADDRESS=127.0.0.1 LOG_LEVEL="${1:-warn}" "$BIN" >>"$RAW/service.log" 2>&1 &
    SVC_PID=$!
    SVC_STARTS=$((SVC_STARTS + 1))
    wait_http "$SVC_URL/readyz" 90 "$SVC_PID" || bench_die "the service did not become ready (see ${RAW#"$ROOT"/}/service.log)"
}

service_gone() {
    local st
    st="$(awk '{print $3}' "/proc/$SVC_PID/stat" 2>/dev/null || echo gone)"
    [[ "$st" == gone || "$st" == Z ]]
}

# The service must be up before each scenario; if it died, say so and start it again.
ensure_service() {
    local rc=0
    if service_gone; then
        wait "$SVC_PID" 2>/dev/null || rc=$?
        event "SERVICE DIED (pid $SVC_PID, exit status $rc$( ((rc > 128)) && echo ", signal $((rc - 128))")$( ((rc == 0)) && echo ": a clean stop, i.e. it was sent SIGTERM or SIGINT")) before '$1'; restarting it"
        start_service
    fi
}

bench_log "migrating (starting the service once)"
start_service info
stop_pid "$SVC_PID" 30
SVC_PID=""

# ---- seed -------------------------------------------------------------------------------
bench_log "seeding (scale $SCALE)"
t=$(now_s)
bounded 3600 "${PSQL[@]}" -v scale="$SCALE" -f bench/seed.sql >"$RAW/seed.log" 2>&1 ||
    bench_die "seeding failed (see ${RAW#"$ROOT"/}/seed.log)"
bounded 1800 "${PSQL[@]}" -c 'VACUUM (ANALYZE)' >>"$RAW/seed.log" 2>&1 || bench_die "VACUUM failed"
SEED_S="$(awk -v a="$t" -v b="$(now_s)" 'BEGIN { printf "%.1f", b - a }')"
COUNTS="$("${PSQL[@]}" -At -F' ' -c "SELECT (SELECT count(*) FROM objectives), (SELECT count(*) FROM measurements), (SELECT count(*) FROM plans), (SELECT count(*) FROM actions), (SELECT count(*) FROM risks), (SELECT count(*) FROM objective_risks), (SELECT count(*) FROM reviews), (SELECT count(*) FROM review_items), pg_size_pretty(pg_database_size(current_database()))")"
read -r N_OBJ N_MSR N_PLN N_ACT N_RSK N_LNK N_REV N_RVI DB_SIZE <<<"$COUNTS"
bench_log "seeded in ${SEED_S}s: $N_OBJ objectives, $N_MSR measurements, $N_PLN plans, $N_RSK risks, $N_LNK links ($DB_SIZE)"

# ---- inputs of the load scripts --------------------------------------------------------
# Random ids (the same ones for wrk and pgbench), deep keyset cursors in the service's own
# format (base64url of ["created_at", iso_ts, id], no padding), and bench_ids for pgbench.
"${PSQL[@]}" -At -c "SELECT id FROM objectives WHERE archived_at IS NULL ORDER BY random()" >"$DATA/ids.txt"
N_IDS="$(wc -l <"$DATA/ids.txt")"
"${PSQL[@]}" -c "CREATE TABLE bench_ids (n serial PRIMARY KEY, id uuid NOT NULL)" \
    -c "\\copy bench_ids (id) FROM '$DATA/ids.txt'" -c "VACUUM ANALYZE bench_ids"
"${PSQL[@]}" -At -c "
WITH l AS (SELECT created_at, id, row_number() OVER (ORDER BY created_at, id) AS rn,
                  count(*) OVER () AS total
             FROM objectives WHERE archived_at IS NULL)
SELECT rtrim(translate(encode(convert_to(format('[\"created_at\",\"%s\",\"%s\"]',
                                                iso_ts(created_at), id), 'UTF8'), 'base64'),
                       E'+/\\n', '-_'), '=')
  FROM l WHERE rn > total / 2 AND rn <= total - 60 ORDER BY random() LIMIT 2000" >"$DATA/cursors.txt"
[[ -s "$DATA/cursors.txt" ]] || bench_die "no deep cursors (too few objectives?)"

# ---- start the service for the benchmark ---------------------------------------------------
bench_log "starting the service on $SVC_URL (Release, LOG_LEVEL=warn)"
start_service warn
read -r RSS_START _ THREADS_START <<<"$(proc_mem "$SVC_PID")"
TOKEN="$("$BIN" token --sub bench --roles viewer,editor,admin --ttl 86400)" || bench_die "could not mint a token"
export BENCH_TOKEN="$TOKEN" BENCH_DATA="$DATA" BENCH_WRK_DIR="$WRK_DIR"
AUTH=(-H "Authorization: Bearer $TOKEN")
LIST_PATH="/v1/objectives?status=$LIST_STATUS"

# Smoke checks: the routes the scenarios use answer 2xx (the load counts non-2xx anyway).
ONE_ID="$(head -n1 "$DATA/ids.txt")"
mkdir -p "$TMP/www"
for check in "/v1/objectives/$ONE_ID" "$LIST_PATH" "/v1/objectives?cursor=$(head -n1 "$DATA/cursors.txt")"; do
    code="$(curl -s -m 60 -o "$TMP/smoke.json" -w '%{http_code}' "${AUTH[@]}" "$SVC_URL$check")"
    [[ "$code" == 200 ]] || event "smoke check GET $check answered $code: $(head -c 300 "$TMP/smoke.json")"
done

# The service's SQL, as PostgreSQL receives it, against the copies in bench/pgbench/.
check_sql() {
    local log="$PG_DIR/log" from get list want_get want_list
    from="$(wc -l <"$log")"
    "${PSQL[@]}" -c "ALTER SYSTEM SET log_statement = 'all'" -c "SELECT pg_reload_conf()" >/dev/null
    sleep 0.5
    curl -s -m 30 -o /dev/null "${AUTH[@]}" "$SVC_URL/v1/objectives/$ONE_ID"
    curl -s -m 30 -o /dev/null "${AUTH[@]}" "$SVC_URL$LIST_PATH"
    "${PSQL[@]}" -c "ALTER SYSTEM RESET log_statement" -c "SELECT pg_reload_conf()" >/dev/null
    get="$(tail -n +"$((from + 1))" "$log" | grep -m1 -oE 'SELECT t\.doc::text AS doc.* FROM objective_docs t WHERE t\.id = \$1::uuid$' || true)"
    list="$(tail -n +"$((from + 1))" "$log" | grep -m1 -oE 'SELECT t\.doc::text, iso_ts.*LIMIT \$2$' || true)"
    want_get="$(grep -v '^--' bench/pgbench/get.sql | grep '^SELECT' | sed 's/ WHERE t\.id = (SELECT b\.id FROM bench_ids b WHERE b\.n = :n);$/ WHERE t.id = $1::uuid/')"
    want_list="$(grep -v '^--' bench/pgbench/list.sql | grep '^SELECT' | sed 's/:status/$1/; s/:limit;$/$2/')"
    SQL_CHECK_GET=$([[ -n "$get" && "$get" == "$want_get" ]] && echo same || echo "DIFFERENT (service: ${get:-not seen})")
    SQL_CHECK_LIST=$([[ -n "$list" && "$list" == "$want_list" ]] && echo same || echo "DIFFERENT (service: ${list:-not seen})")
    [[ "$SQL_CHECK_GET" == same ]] || event "pgbench get.sql is not the service's statement: $get"
    [[ "$SQL_CHECK_LIST" == same ]] || event "pgbench list.sql is not the service's statement: $list"
}
check_sql

# ---- nginx: the HTTP ceiling of this machine --------------------------------------------------
curl -s -m 30 -o "$TMP/www/objective.json" "${AUTH[@]}" "$SVC_URL/v1/objectives/$ONE_ID"
STATIC_BYTES="$(wc -c <"$TMP/www/objective.json")"
chmod 755 "$TMP/www"
chmod 644 "$TMP/www/objective.json"
NGINX_PORT="$(free_port)" || bench_die "no free port"
mkdir -p "$TMP/nginx"
cat >"$TMP/nginx/nginx.conf" <<EOF
# Generated by bench/run.sh: one static ~1 KB JSON document (an objective as the service
# renders it), on loopback only.
daemon off;
worker_processes 2;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 2048; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    keepalive_timeout 65;
    client_body_temp_path $TMP/nginx/body;
    proxy_temp_path $TMP/nginx/proxy;
    fastcgi_temp_path $TMP/nginx/fastcgi;
    types { application/json json; }
    default_type application/json;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $TMP/www;
        location / { try_files \$uri =404; }
    }
}
EOF
nginx -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" -e "$TMP/nginx/error.log" >"$RAW/nginx.log" 2>&1 &
NGINX_PID=$!
NGINX_URL="http://127.0.0.1:$NGINX_PORT"
wait_http "$NGINX_URL/objective.json" 30 "$NGINX_PID" ||
    bench_die "nginx did not start: $(cat "$RAW/nginx.log" "$TMP/nginx/error.log" 2>/dev/null | tail -5)"

# ---- runners ------------------------------------------------------------------------------
# wrk KEY RUN SCRIPT PATH CONNS THREADS SECONDS TIMEOUT [BASE_URL]
# A run during which the service died is discarded and made again once.
run_wrk() {
    local key="$1" run="$2" lua="$3" path="$4" conns="$5" threads="$6" secs="$7" tmo="$8"
    local base="${9:-$SVC_URL}" log="$RAW/$1.run$2.txt" sock attempt
    for attempt in 1 2; do
        [[ "$base" == "$SVC_URL" ]] && ensure_service "$key run $run"
        BENCH_PATH="$path" BENCH_THREADS="$threads" bounded $((secs + tmo + 30)) \
            wrk -t"$threads" -c"$conns" -d"${secs}s" --latency --timeout "${tmo}s" \
            -s "$WRK_DIR/$lua.lua" "$base" >"$log" 2>&1 || true
        if [[ "$base" == "$SVC_URL" ]] && service_gone; then
            event "the service died during $key run $run (attempt $attempt); that run is discarded"
            mv -f "$log" "$log.discarded$attempt"
            ensure_service "$key run $run (again)"
            continue
        fi
        break
    done
    if ! grep -q '^BENCH ' "$log" 2>/dev/null; then
        event "wrk produced no result for $key run $run: $(tail -n 3 "$log" 2>/dev/null | tr '\n' ' ')"
        printf '%s\t%s\t-\t-\t-\t-\twrk-failed\t-\t0\t0\n' "$key" "$run" >>"$RUNS_TSV"
        return 0
    fi
    record_wrk "$key" "$run" "$log"
}

# Appends the BENCH line of a wrk log to runs.tsv (percentiles "-" when nothing completed).
record_wrk() {
    local key="$1" run="$2" log="$3" sock n p50 p99
    sock=$(( $(bench_field "$log" err_connect) + $(bench_field "$log" err_read) +
             $(bench_field "$log" err_write) + $(bench_field "$log" err_timeout) ))
    n="$(bench_field "$log" requests)"
    p50="$(bench_field "$log" p50_ms)"
    p99="$(bench_field "$log" p99_ms)"
    if [[ "$n" == 0 ]]; then p50=-; p99=-; fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$key" "$run" \
        "$(bench_field "$log" rps)" "$p50" "$p99" "$(bench_field "$log" non2xx)" \
        "$(bench_field "$log" codes)" "$sock" "$n" "$(bench_field "$log" bytes)" >>"$RUNS_TSV"
    bench_log "  $key run $run: $(bench_field "$log" rps) req/s, p50 $p50 ms, non-2xx $(bench_field "$log" non2xx), socket errors $sock"
}

# pgbench KEY RUN SQLFILE [pgbench args...]: TPS from pgbench, latency percentiles from
# its per-transaction log, failed transactions and aborted clients as "non-2xx".
run_pgbench() {
    local key="$1" run="$2" sql="$3" log="$RAW/$1.run$2.txt" ldir="$TMP/pgb.$1.$2"
    shift 3
    local tps failed aborted p50 p99 n
    mkdir -p "$ldir"
    PGOPTIONS="-c TimeZone=UTC -c client_min_messages=warning" bounded $((DUR + 90)) \
        pgbench -n -M prepared -c "$CONN" -j "$THREADS" -T "$DUR" -l --log-prefix="$ldir/tx" \
        -f "$sql" "$@" "$DATABASE_URL" >"$log" 2>&1 || true
    tps="$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)$/\1/p' "$log")"
    failed="$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$log")"
    aborted="$(grep -c 'aborted' "$log" || true)"
    cat "$ldir"/tx.* 2>/dev/null | awk '{ printf "%.3f\n", $3 / 1000 }' >"$ldir/lat"
    n="$(wc -l <"$ldir/lat")"
    p50="$(percentile 50 <"$ldir/lat")"
    p99="$(percentile 99 <"$ldir/lat")"
    rm -rf -- "$ldir"
    if [[ -z "$tps" ]]; then
        event "pgbench produced no result for $key run $run: $(tail -n 3 "$log" | tr '\n' ' ')"
        printf '%s\t%s\t-\t-\t-\t-\tpgbench-failed\t-\t0\t0\n' "$key" "$run" >>"$RUNS_TSV"
        return 0
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$key" "$run" "$tps" "$p50" "$p99" \
        "$(( ${failed:-0} + aborted ))" "$( ((aborted)) && echo "aborted-clients:$aborted" || echo -)" \
        0 "$n" 0 >>"$RUNS_TSV"
    bench_log "  $key run $run: $tps tps, p50 $p50 ms, failed ${failed:-?}, aborted clients $aborted"
}

# ---- reports at the seeded size (before any write scenario) -------------------------------------
# One call first (warms the caches, sizes the runs). A report whose first call is not 2xx
# (e.g. 503 after the service's 30 s statement timeout) is shown with that call and not
# load-tested further.
bench_log "reports at $N_OBJ objectives (wrk -t1 -c1, $REPORT_RUNS run(s) each)"
REPORT_INFO="$RAW/reports.tsv"
printf 'report\tfirst_status\tfirst_s\tbytes\tduration_s\n' >"$REPORT_INFO"
for r in "${REPORTS[@]}"; do
    ensure_service "report $r"
    read -r code secs bytes <<<"$(curl -s -o /dev/null -m "$REPORT_MAX_S" \
        -w '%{http_code} %{time_total} %{size_download}' "${AUTH[@]}" "$SVC_URL/v1/reports/$r" || echo "000 $REPORT_MAX_S 0")"
    bench_log "  $r: first call HTTP $code in ${secs}s, $bytes bytes"
    if [[ "$code" != 2?? ]]; then
        event "GET /v1/reports/$r answered $code after ${secs}s on its first call; not load-tested"
        printf '%s\t%s\t%s\t%s\t-\n' "$r" "$code" "$secs" "$bytes" >>"$REPORT_INFO"
        continue
    fi
    # Long enough for a few requests per run, never longer than REPORT_MAX_S.
    rdur="$(awk -v d="$DUR" -v s="$secs" -v m="$REPORT_MAX_S" 'BEGIN { x = int(s * 3) + 1; if (x < d) x = d; if (x > m) x = m; print x }')"
    rtmo="$(awk -v s="$secs" -v m="$REPORT_MAX_S" 'BEGIN { x = int(s * 3) + 10; if (x < 40) x = 40; if (x > m) x = m; print x }')"
    printf '%s\t%s\t%s\t%s\t%s\n' "$r" "$code" "$secs" "$bytes" "$rdur" >>"$REPORT_INFO"
    for ((run = 1; run <= REPORT_RUNS; run++)); do
        run_wrk "report_$r" "$run" path "/v1/reports/$r" 1 1 "$rdur" "$rtmo"
    done
done

# ---- EXPLAIN (ANALYZE, BUFFERS) of each report's SQL function body ----------------------------
# auto_explain logs the plan of every statement run inside the report functions (the
# bodies, planned as the function runs them, with $n parameters), with ANALYZE and BUFFERS.
# A function that does not finish within EXPLAIN_TIMEOUT_S gets a plain EXPLAIN of its body
# instead (bench/lib/explain_generic.sql: generic plan, no ANALYZE).
bench_log "explaining the report functions into ${EXPLAIN_OUT#"$ROOT"/} (limit ${EXPLAIN_TIMEOUT_S}s each)"
TODAY="$(date -u +%Y-%m-%d)"
{
    echo "# EXPLAIN (ANALYZE, BUFFERS) of each report's SQL function body"
    echo "# $STAMP on $HOST, PostgreSQL $PG_VERSION, $N_OBJ objectives (seeded, before the write scenarios), as_of $TODAY."
    echo "# Captured with auto_explain (log_analyze, log_buffers, log_nested_statements): every"
    echo "# statement run inside the function is shown with its plan as executed (\$n = the"
    echo "# function's parameters), innermost helper calls (enum_counts, ...) first, then the"
    echo "# report's body, then the calling statement. A function that did not finish within"
    echo "# ${EXPLAIN_TIMEOUT_S}s is shown with EXPLAIN (no ANALYZE) of its body's generic plan instead."
} >"$EXPLAIN_OUT"
declare -A REPORT_FN=(
    [objectives-summary]="report_objectives_summary|'$TODAY', NULL, NULL, NULL, NULL"
    [plans-summary]="report_plans_summary|'$TODAY', NULL, NULL, NULL, NULL"
    [risk-matrix]="report_risk_matrix|'$TODAY'"
    [reviews-summary]="report_reviews_summary|'$TODAY', 365, NULL, NULL, NULL, NULL"
    [compliance]="report_compliance|'$TODAY', 365, NULL, NULL, NULL, NULL"
    [traceability]="report_traceability|'$TODAY', NULL, NULL, NULL, NULL"
    [overdue]="report_overdue|'$TODAY', NULL, NULL, NULL, NULL"
    [register]="report_register|'$TODAY', NULL, NULL, NULL, NULL"
)
for r in "${REPORTS[@]}"; do
    fn="${REPORT_FN[$r]%%|*}"
    args="${REPORT_FN[$r]#*|}"
    {
        echo
        echo "################################################################################"
        echo "# GET /v1/reports/$r  ->  SELECT $fn($args)"
        echo "################################################################################"
    } >>"$EXPLAIN_OUT"
    t=$(now_s)
    bounded $((EXPLAIN_TIMEOUT_S + 60)) psql -X -q "$DATABASE_URL" -o /dev/null \
        -c "SET statement_timeout = '${EXPLAIN_TIMEOUT_S}s'" -c "LOAD 'auto_explain'" \
        -c "SET auto_explain.log_min_duration = 0" -c "SET auto_explain.log_analyze = on" \
        -c "SET auto_explain.log_buffers = on" -c "SET auto_explain.log_timing = on" \
        -c "SET auto_explain.log_nested_statements = on" -c "SET auto_explain.log_level = notice" \
        -c "SELECT length($fn($args)::text)" >"$TMP/explain.out" 2>&1 || true
    head -c 4000000 "$TMP/explain.out" | sed 's/^NOTICE:  //' >>"$EXPLAIN_OUT"
    if grep -q 'statement timeout' "$TMP/explain.out"; then
        event "explain: $fn did not finish within ${EXPLAIN_TIMEOUT_S}s; plain EXPLAIN of its body instead"
        {
            echo
            echo "# $fn did not finish within ${EXPLAIN_TIMEOUT_S}s: EXPLAIN (no ANALYZE) of its body, generic plan"
            bounded 120 psql -X -q "$DATABASE_URL" -v fn="$fn" -v args="$args" \
                -f bench/lib/explain_generic.sql 2>&1 || true
        } >>"$EXPLAIN_OUT"
    fi
    bench_log "  $fn explained ($(awk -v a="$t" -v b="$(now_s)" 'BEGIN { printf "%.1f", b - a }')s)"
done

# ---- throughput scenarios, round-robin ------------------------------------------------------
next_patch_file() {
    "${PSQL[@]}" -At -F' ' -c "SELECT o.id, o.version FROM objectives o JOIN bench_ids b ON b.id = o.id WHERE o.archived_at IS NULL ORDER BY random()" >"$DATA/patch.txt"
}
WRK_TMO=30
for ((run = 1; run <= RUNS; run++)); do
    bench_log "round $run of $RUNS"
    run_wrk nginx "$run" path /objective.json "$CONN" "$THREADS" "$DUR" "$WRK_TMO" "$NGINX_URL"
    run_pgbench pg_get "$run" bench/pgbench/get.sql -D count="$N_IDS"
    run_wrk get "$run" get "" "$CONN" "$THREADS" "$DUR" "$WRK_TMO"
    run_pgbench pg_list "$run" bench/pgbench/list.sql -D status="$LIST_STATUS" -D limit=51
    run_wrk list "$run" path "$LIST_PATH" "$CONN" "$THREADS" "$DUR" "$WRK_TMO"
    run_wrk deep "$run" deep "" "$CONN" "$THREADS" "$DUR" "$WRK_TMO"
    run_wrk create "$run" create "" "$CONN" "$THREADS" "$DUR" "$WRK_TMO"
    next_patch_file
    run_wrk patch "$run" patch "" "$CONN" "$THREADS" "$DUR" "$WRK_TMO"
done

# ---- memory: resident size over a long mixed run ------------------------------------------------
bench_log "memory: ${WARM_S}s warm-up, then ${MEM_S}s mixed load"
ensure_service "memory warm-up"
MEM_STARTS_BEFORE=$SVC_STARTS
run_wrk mixed_warmup 1 mixed "$LIST_PATH" "$CONN" "$THREADS" "$WARM_S" "$WRK_TMO"
read -r RSS_WARM _ THREADS_WARM <<<"$(proc_mem "$SVC_PID")"
RSS_TSV="$RAW/rss.tsv"
printf 'seconds\tvmrss_kb\tvmhwm_kb\tthreads\n' >"$RSS_TSV"
SAMPLE_S=$(( MEM_S >= 30 ? 5 : 1 ))
BENCH_PATH="$LIST_PATH" BENCH_THREADS="$THREADS" timeout --kill-after=10 $((MEM_S + 60)) \
    wrk -t"$THREADS" -c"$CONN" -d"${MEM_S}s" --latency --timeout "${WRK_TMO}s" \
    -s "$WRK_DIR/mixed.lua" "$SVC_URL" >"$RAW/mixed.run1.txt" 2>&1 &
BENCH_CHILD=$!
mem_t0=$SECONDS
while kill -0 "$BENCH_CHILD" 2>/dev/null; do
    printf '%s\t%s\n' "$((SECONDS - mem_t0))" "$(proc_mem "$SVC_PID" | tr ' ' '\t')" >>"$RSS_TSV"
    sleep "$SAMPLE_S"
done
wait "$BENCH_CHILD" || true
BENCH_CHILD=""
read -r RSS_END HWM_END THREADS_END <<<"$(proc_mem "$SVC_PID")"
printf '%s\t%s\t%s\t%s\n' "$((SECONDS - mem_t0))" "$RSS_END" "$HWM_END" "$THREADS_END" >>"$RSS_TSV"
sleep 2
read -r RSS_IDLE _ THREADS_IDLE <<<"$(proc_mem "$SVC_PID")"
ensure_service "after the memory run"
MEM_RESTARTED=$((SVC_STARTS - MEM_STARTS_BEFORE))
if grep -q '^BENCH ' "$RAW/mixed.run1.txt"; then
    record_wrk mixed 1 "$RAW/mixed.run1.txt"
else
    event "wrk produced no result for the memory run"
fi

# ---- import: rows/s of one JSON and one CSV import of IMPORT_ROWS objectives, and COPY ----------
bench_log "import: $IMPORT_ROWS objectives per body, $RUNS runs (JSON, CSV, COPY)"
# At log level info the service writes one line per import with the time of each phase.
stop_pid "$SVC_PID" 30
start_service info
PLANNED_STARTS=$((PLANNED_STARTS + 1))
IMPORT_TSV="$RAW/import.tsv"
IMPORT_PHASES="$RAW/import-phases.tsv"
: >"$IMPORT_PHASES"
printf 'kind\trun\tstatus\tseconds\trows\trows_per_s\tbody_bytes\n' >"$IMPORT_TSV"
CSV_COLS="ref, title, level, function, owner, status, policy_ref, requirement_refs, measure_metric, measure_unit, measure_baseline, measure_target, measure_direction, measure_tolerance, measure_frequency, success_criteria, start_date, due_date, communicated_to, communicated_on"
import_once() { # KIND RUN FILE CONTENT_TYPE QUERY
    local kind="$1" run="$2" file="$3" ctype="$4" query="$5" out code secs created
    ensure_service "import $kind run $run"
    out="$(curl -sS -o "$TMP/import.resp" -w '%{http_code} %{time_total}' --max-time 1800 \
        -X POST "${AUTH[@]}" -H "Content-Type: $ctype" --data-binary @"$file" \
        "$SVC_URL/v1/import$query" 2>>"$RAW/import-curl.log" || echo "000 0")"
    read -r code secs <<<"$out"
    created="$("$PY" -c 'import json,sys
try:
    print(json.load(open(sys.argv[1]))["totals"]["created"])
except Exception:
    print(0)' "$TMP/import.resp")"
    if [[ "$code" != 200 || "$created" != "$IMPORT_ROWS" ]]; then
        event "import $kind run $run: HTTP $code, created $created of $IMPORT_ROWS: $(head -c 400 "$TMP/import.resp")"
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$kind" "$run" "$code" "$secs" "$created" \
        "$(awk -v n="$created" -v s="$secs" 'BEGIN { if (s > 0 && n > 0) printf "%.0f", n / s; else print "-" }')" \
        "$(wc -c <"$file")" >>"$IMPORT_TSV"
    bench_log "  $kind run $run: HTTP $code, $created rows in ${secs}s"
    printf '%s\t%s\t%s\n' "$kind" "$run" \
        "$(grep -o '"msg":"import of [^"]*' "$RAW/service.log" | tail -n 1 | sed 's/.*ms: //')" >>"$IMPORT_PHASES"
    rm -f "$TMP/import.resp"
}
# The rows the CSV import wrote (its objectives and their import audit events), replayed
# as plain COPYs in one transaction into empty copies of their tables with every index and
# check: the database's own time for what an import must write, whatever the service does.
copy_floor() { # RUN REF_PREFIX
    local run="$1" prefix="$2" t secs n
    if ! "${PSQL[@]}" -c "DROP TABLE IF EXISTS bench_floor_objectives, bench_floor_audit" \
        -c "CREATE TABLE bench_floor_objectives (LIKE objectives INCLUDING ALL)" \
        -c "CREATE TABLE bench_floor_audit (LIKE audit_events INCLUDING ALL)" \
        -c "\\copy (SELECT * FROM objectives WHERE ref LIKE '$prefix-%') TO '$TMP/floor-objectives.copy'" \
        -c "\\copy (SELECT a.* FROM audit_events a JOIN objectives o ON o.id = a.resource_id WHERE o.ref LIKE '$prefix-%' AND a.action = 'import') TO '$TMP/floor-audit.copy'" \
        >>"$RAW/copy.log" 2>&1; then
        event "floor run $run: could not export the import's rows: $(tail -n 3 "$RAW/copy.log" | tr '\n' ' ')"
        printf 'floor\t%s\tfailed\t-\t0\t-\t-\n' "$run" >>"$IMPORT_TSV"
        return
    fi
    t=$(now_s)
    n=0
    if bounded 1800 "${PSQL[@]}" -1 -c "\\copy bench_floor_objectives FROM '$TMP/floor-objectives.copy'" \
        -c "\\copy bench_floor_audit FROM '$TMP/floor-audit.copy'" >>"$RAW/copy.log" 2>&1; then
        secs="$(awk -v a="$t" -v b="$(now_s)" 'BEGIN { printf "%.6f", b - a }')"
        n="$("${PSQL[@]}" -At -c 'SELECT count(*) FROM bench_floor_objectives')"
    fi
    if ((n > 0)); then
        printf 'floor\t%s\tok\t%s\t%s\t%s\t%s\n' "$run" "$secs" "$n" \
            "$(awk -v n="$n" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')" \
            "$(($(wc -c <"$TMP/floor-objectives.copy") + $(wc -c <"$TMP/floor-audit.copy")))" >>"$IMPORT_TSV"
        bench_log "  floor run $run: $n rows and their audit events in ${secs}s"
    else
        event "floor run $run failed: $(tail -n 3 "$RAW/copy.log" | tr '\n' ' ')"
        printf 'floor\t%s\tfailed\t-\t0\t-\t-\n' "$run" >>"$IMPORT_TSV"
    fi
    rm -f "$TMP/floor-objectives.copy" "$TMP/floor-audit.copy"
}
for ((run = 1; run <= RUNS; run++)); do
    tag="B$(date -u +%H%M%S)R$run"
    bounded 600 "$PY" bench/lib/gen_import.py --rows "$IMPORT_ROWS" --prefix "${tag}J" --format json --out "$TMP/import.json"
    bounded 600 "$PY" bench/lib/gen_import.py --rows "$IMPORT_ROWS" --prefix "${tag}C" --format csv --out "$TMP/import.csv"
    import_once json "$run" "$TMP/import.json" application/json ""
    import_once csv "$run" "$TMP/import.csv" text/csv "?type=objectives"
    # The same CSV rows with a plain COPY into a scratch table: the same columns, a uuid key
    # and a unique ref (the keys the import maintains too), nothing else.
    "${PSQL[@]}" -c "DROP TABLE IF EXISTS bench_copy_scratch" -c "CREATE TABLE bench_copy_scratch (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(), ref text NOT NULL UNIQUE, title text NOT NULL,
        level text NOT NULL, function text, owner text, status text NOT NULL, policy_ref text,
        requirement_refs text, measure_metric text, measure_unit text,
        measure_baseline double precision, measure_target double precision, measure_direction text,
        measure_tolerance double precision, measure_frequency text, success_criteria text,
        start_date date, due_date date, communicated_to text, communicated_on date,
        created_at timestamptz NOT NULL DEFAULT now())"
    t=$(now_s)
    if bounded 1800 "${PSQL[@]}" -c "\\copy bench_copy_scratch ($CSV_COLS) FROM '$TMP/import.csv' WITH (FORMAT csv, HEADER)" >>"$RAW/copy.log" 2>&1; then
        secs="$(awk -v a="$t" -v b="$(now_s)" 'BEGIN { printf "%.6f", b - a }')"
        n="$("${PSQL[@]}" -At -c 'SELECT count(*) FROM bench_copy_scratch')"
        printf 'copy\t%s\tok\t%s\t%s\t%s\t%s\n' "$run" "$secs" "$n" \
            "$(awk -v n="$n" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')" "$(wc -c <"$TMP/import.csv")" >>"$IMPORT_TSV"
        bench_log "  copy run $run: $n rows in ${secs}s"
    else
        event "COPY run $run failed: $(tail -n 3 "$RAW/copy.log" | tr '\n' ' ')"
        printf 'copy\t%s\tfailed\t-\t0\t-\t-\n' "$run" >>"$IMPORT_TSV"
    fi
    copy_floor "$run" "${tag}C"
    rm -f "$TMP/import.json" "$TMP/import.csv"
done
"${PSQL[@]}" -c "DROP TABLE IF EXISTS bench_copy_scratch, bench_floor_objectives, bench_floor_audit"

# ---- the tables ---------------------------------------------------------------------------
bench_log "writing ${OUT#"$ROOT"/}"
col() { # KEY FIELD(3..10) -> the values of that column for KEY, one per run
    awk -F'\t' -v k="$1" -v f="$2" 'NR > 1 && $1 == k { print $f }' "$RUNS_TSV"
}
sum_col() { col "$1" "$2" | awk '$1 ~ /^[0-9]+$/ { s += $1 } END { print s + 0 }'; }
ok_runs() { col "$1" 3 | grep -cE '^[0-9]' || true; }
codes_of() { col "$1" 7 | grep -v '^-$' | paste -sd' ' - || true; }
med() { col "$1" "$2" | median; }

fmt_row() { # LABEL KEY
    local runs total
    runs="$(ok_runs "$2")"
    total="$(col "$2" 2 | wc -l)"
    printf '%-44s %14s %9s %9s %8s %9s %6s\n' "$1" "$(med "$2" 3 | awk '{ if ($1 == "-") print; else printf "%.1f", $1 }')" \
        "$(med "$2" 4)" "$(med "$2" 5)" "$(sum_col "$2" 6)" "$(sum_col "$2" 8)" "$runs/$total"
}

CPU_MODEL="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
MEM_TOTAL="$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
kib_mib() { awk -v k="$1" 'BEGIN { if (k == "-" || k == "") print "-"; else printf "%.1f MiB", k / 1024 }'; }

G_RPS="$(med get 3)"; PGG="$(med pg_get 3)"; L_RPS="$(med list 3)"; PGL="$(med pg_list 3)"; NG="$(med nginx 3)"
{
    echo "ISMS objectives service benchmark, $STAMP$( ((QUICK)) && echo ' (--quick: smoke-sized, not for quoting)')"
    echo
    echo "machine   $HOST: $(nproc) CPUs ($CPU_MODEL), RAM $MEM_TOTAL, kernel $(uname -r)"
    echo "          load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (the load generator, the service and PostgreSQL share these CPUs)"
    echo "software  PostgreSQL $PG_VERSION ($PG_SETTINGS); $(wrk --version 2>&1 | head -n1 | cut -d' ' -f1-2); $(nginx -v 2>&1 | sed 's/^nginx version: //'); service: ${BIN#"$ROOT"/} (CMAKE_BUILD_TYPE=Release)"
    echo "data      $N_OBJ objectives, $N_MSR measurements, $N_PLN plans, $N_ACT actions, $N_RSK risks, $N_LNK objective-risk links, $N_REV reviews, $N_RVI review items ($DB_SIZE; bench/seed.sql scale $SCALE, ${SEED_S}s)"
    echo "load      wrk -t$THREADS -c$CONN, ${DUR}s per run, $RUNS runs per scenario in round-robin, median shown; pgbench -M prepared -c $CONN -j $THREADS -T $DUR;"
    echo "          reports wrk -t1 -c1; all on 127.0.0.1. non-2xx = responses outside 200-299 (pgbench: failed transactions + aborted clients);"
    echo "          sock err = wrk connect/read/write errors and timeouts (${WRK_TMO}s)."
    echo
    printf '%-44s %14s %9s %9s %8s %9s %6s\n' scenario "req/s (median)" "p50 ms" "p99 ms" non-2xx "sock err" runs
    printf '%.0s-' {1..105}; echo
    fmt_row "nginx: static JSON, $STATIC_BYTES bytes" nginx
    fmt_row "pgbench: get-by-id statement" pg_get
    fmt_row "GET /v1/objectives/{id} (random id)" get
    fmt_row "pgbench: first-page list statement" pg_list
    fmt_row "GET /v1/objectives?status=$LIST_STATUS (page 1)" list
    fmt_row "GET /v1/objectives?cursor= (deep keyset)" deep
    fmt_row "POST /v1/objectives" create
    fmt_row "PATCH /v1/objectives/{id} with If-Match" patch
    fmt_row "mixed 70/10/10/10 (memory run, ${MEM_S}s)" mixed
    echo
    echo "ratios (of the medians)"
    printf '  %-34s %s   (%s / %s)\n' "get-by-id / pgbench get" "$(ratio "$G_RPS" "$PGG")" "$G_RPS" "$PGG"
    printf '  %-34s %s   (%s / %s)\n' "list page 1 / pgbench list" "$(ratio "$L_RPS" "$PGL")" "$L_RPS" "$PGL"
    printf '  %-34s %s   (%s / %s)\n' "get-by-id / nginx static" "$(ratio "$G_RPS" "$NG")" "$G_RPS" "$NG"
    echo "  per round (get/pgbench get, list/pgbench list, get/nginx):"
    for ((run = 1; run <= RUNS; run++)); do
        v() { awk -F'\t' -v k="$1" -v r="$run" 'NR > 1 && $1 == k && $2 == r { print $3 }' "$RUNS_TSV"; }
        printf '    round %d: %s  %s  %s\n' "$run" "$(ratio "$(v get)" "$(v pg_get)")" \
            "$(ratio "$(v list)" "$(v pg_list)")" "$(ratio "$(v get)" "$(v nginx)")"
    done
    echo
    echo "reports at $N_OBJ objectives (wrk -t1 -c1, one request at a time; medians of $REPORT_RUNS run(s))"
    printf '  %-20s %10s %10s %9s %8s %9s %12s %6s\n' report "p50 ms" "p99 ms" "req/s" non-2xx "sock err" "body bytes" runs
    for r in "${REPORTS[@]}"; do
        k="report_$r"
        IFS=$'\t' read -r _ fcode fsecs fbytes _ <<<"$(awk -F'\t' -v k="$r" '$1 == k' "$REPORT_INFO")"
        if [[ "$fcode" != 2?? ]]; then
            printf '  %-20s %10s %10s %9s %8s %9s %12s %6s   <- first call HTTP %s after %.1f s; not load-tested\n' "$r" \
                "$(awk -v s="$fsecs" 'BEGIN { printf "%.0f", s * 1000 }')" - - 1 - "$fbytes" 0/0 "$fcode" "$fsecs"
            continue
        fi
        printf '  %-20s %10s %10s %9s %8s %9s %12s %6s\n' "$r" "$(med "$k" 4)" "$(med "$k" 5)" \
            "$(med "$k" 3)" "$(sum_col "$k" 6)" "$(sum_col "$k" 8)" "$fbytes" \
            "$(ok_runs "$k")/$(col "$k" 2 | wc -l)"
    done
    echo
    echo "import: $IMPORT_ROWS objectives per body, one POST /v1/import each (atomic); COPY = psql \\copy of the same CSV into a scratch table"
    printf '  %-38s %12s %10s %8s %s\n' kind "rows/s (med)" "seconds" status "runs (rows/s)"
    for kind in json csv copy floor; do
        label=$(case $kind in json) echo "JSON  POST /v1/import" ;; csv) echo "CSV   POST /v1/import?type=objectives" ;;
            copy) echo "COPY  into a scratch table" ;; floor) echo "floor the CSV import's writes as COPYs" ;; esac)
        printf '  %-38s %12s %10s %8s %s\n' "$label" \
            "$(awk -F'\t' -v k="$kind" 'NR > 1 && $1 == k { print $6 }' "$IMPORT_TSV" | median | awk '{ if ($1 == "-") print; else printf "%.0f", $1 }')" \
            "$(awk -F'\t' -v k="$kind" 'NR > 1 && $1 == k { print $4 }' "$IMPORT_TSV" | median)" \
            "$(awk -F'\t' -v k="$kind" 'NR > 1 && $1 == k { print $3 }' "$IMPORT_TSV" | sort -u | paste -sd, -)" \
            "$(awk -F'\t' -v k="$kind" 'NR > 1 && $1 == k { print $6 }' "$IMPORT_TSV" | paste -sd' ' -)"
    done
    IJ="$(awk -F'\t' 'NR > 1 && $1 == "json" { print $6 }' "$IMPORT_TSV" | median)"
    IC="$(awk -F'\t' 'NR > 1 && $1 == "csv" { print $6 }' "$IMPORT_TSV" | median)"
    ICP="$(awk -F'\t' 'NR > 1 && $1 == "copy" { print $6 }' "$IMPORT_TSV" | median)"
    IFL="$(awk -F'\t' 'NR > 1 && $1 == "floor" { print $6 }' "$IMPORT_TSV" | median)"
    printf '  JSON import / COPY %s, CSV import / COPY %s\n' "$(ratio "$IJ" "$ICP")" "$(ratio "$IC" "$ICP")"
    printf '  floor / COPY %s: the most any import can reach, its objectives (7 indexes) and audit events (5) written by COPY alone\n' \
        "$(ratio "$IFL" "$ICP")"
    printf '  JSON import / floor %s, CSV import / floor %s\n' "$(ratio "$IJ" "$IFL")" "$(ratio "$IC" "$IFL")"
    echo "  where the import's time goes (median ms per phase, from the service's log line per import):"
    for kind in json csv; do
        printf '    %-5s' "$(echo "$kind" | tr a-z A-Z)"
        for ph in read lookup validate stage insert update audit other reply release; do
            printf ' %s %s' "$ph" "$(awk -F'\t' -v k="$kind" -v ph="$ph" '$1 == k {
                n = split($3, parts, ", "); for (i = 1; i <= n; i++) { split(parts[i], kv, " "); if (kv[1] == ph) print kv[2] } }' \
                "$IMPORT_PHASES" | median | awk '{ if ($1 == "-") print; else printf "%.0f", $1 }')"
        done
        echo
    done
    echo
    echo "memory: service resident size (VmRSS)"
    printf '  %-38s %10s   threads %s\n' "at start (idle, before any load)" "$(kib_mib "$RSS_START")" "$THREADS_START"
    printf '  %-38s %10s   threads %s   (after all the scenarios above)\n' "after warm-up (${WARM_S}s mixed)" "$(kib_mib "$RSS_WARM")" "$THREADS_WARM"
    printf '  %-38s %10s   threads %s   peak (VmHWM) %s\n' "end of the ${MEM_S}s mixed run" "$(kib_mib "$RSS_END")" "$THREADS_END" "$(kib_mib "$HWM_END")"
    printf '  %-38s %10s   threads %s\n' "2 s after the load stopped" "$(kib_mib "$RSS_IDLE")" "$THREADS_IDLE"
    echo "  growth over the mixed run: $(awk -v a="$RSS_WARM" -v b="$RSS_END" 'BEGIN { if (a == "-" || b == "-") { print "-"; exit } d = (b - a) / 1024; printf "%+.1f MiB (%+.1f%%)%s", d, 100 * (b - a) / a, (d < 2 && (b - a) / a < 0.05) ? ", flat" : ", GROWING" }')$( ((MEM_RESTARTED)) && echo '; the service was restarted during the memory run, so these numbers are not comparable')"
    echo "  samples: ${RSS_TSV#"$ROOT"/}"
    echo
    echo "service and harness"
    echo "  service restarts during the benchmark: $((SVC_STARTS - PLANNED_STARTS))$( ((SVC_STARTS > PLANNED_STARTS)) && echo ' (it died; see events)')"
    echo "  pgbench SQL vs the statements the service sent: get $SQL_CHECK_GET; list $SQL_CHECK_LIST"
    nonok="$(awk -F'\t' 'NR > 1 && $7 != "-" && $7 != "" { printf "%s run %s: %s\n", $1, $2, $7 }' "$RUNS_TSV")"
    echo "  non-2xx by status:"
    if [[ -n "$nonok" ]]; then sed 's/^/    /' <<<"$nonok"; else echo "    none"; fi
    warn_lines="$(grep -cE '"level":"(warn|error)"' "$RAW/service.log" || true)"
    other_lines="$(grep -cvE '^\{"ts"' "$RAW/service.log" || true)"
    echo "  service log (${RAW#"$ROOT"/}/service.log): $warn_lines warn/error lines, $other_lines other lines (libmicrohttpd/ulfius)"
    grep -E '"level":"(warn|error)"|^[^{]' "$RAW/service.log" | sort | uniq -c | sort -rn | head -n 8 | cut -c1-220 | sed 's/^/    /' || true
    echo "  events:"
    if [[ -s "$EVENTS" ]]; then sed 's/^/    /' "$EVENTS" | cut -c1-300; else echo "    none"; fi
    echo
    echo "files: ${RAW#"$ROOT"/}/ (raw wrk and pgbench output, runs.tsv, service.log), ${EXPLAIN_OUT#"$ROOT"/}"
    echo "wall time: $((SECONDS - T0)) s"
} >"$OUT.tmp"
mv -f "$OUT.tmp" "$OUT"
cat "$OUT"
