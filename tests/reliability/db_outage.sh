#!/usr/bin/env bash
# PostgreSQL goes away under load and comes back on the same port.
#
# Usage: tests/reliability/db_outage.sh
#
# 16 keep-alive connections (20% writes) for 25 s; after 5 s the cluster is stopped
# (pg_ctl -m fast), kept down 8 s, then started again. Checks:
#   - during the outage every reply is 503 with Retry-After, none slower than the pool's
#     checkout deadline (DB_ACQUIRE_TIMEOUT_MS=2000) plus 1 s, and no connection resets;
#   - the service recovers by itself: the first 2xx comes at most 5 s after PostgreSQL
#     accepts connections again (the recovery time is measured); no 503 after that;
#   - no 5xx other than 503 at any time;
#   - every acknowledged write is in the database;
#   - the service still answers /healthz and exits 0 on SIGTERM.
# Prints one JSON line; exits 1 when a check fails.
set -uo pipefail
# shellcheck source=tests/reliability/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

LOAD_SECONDS=80   # an upper bound: the load stops AFTER_SECONDS after PostgreSQL is back
AFTER_SECONDS=5
STOP_AFTER=5
DOWN_SECONDS=8
ACQUIRE_MS=2000
RECOVERY_LIMIT_MS=5000

rel_setup db_outage 110
rel_pg_start || rel_die "PostgreSQL did not start"
rel_svc_start DB_ACQUIRE_TIMEOUT_MS="$ACQUIRE_MS" || rel_die "the service did not start"
REL_TOKEN="$(rel_token)" || rel_die "no token"
RUN="$(rel_run_id o)"
T="$REL_TMP"

rel_log "load: 16 connections, 20% writes; PostgreSQL down from ${STOP_AFTER}s for ${DOWN_SECONDS}s, load until ${AFTER_SECONDS}s after it is back"
rel_loadgen_start load --connections 16 --seconds "$LOAD_SECONDS" --write-ratio 0.2 \
    --run "$RUN" --acked-file "$T/acked.txt" --timeline-file "$T/timeline.txt" --timeout-ms 15000
sleep "$STOP_AFTER"

t_stop0="$(now_ms)"
rel_pg_stop || rel_fail "pg.sh stop failed"
t_stop1="$(now_ms)"
rel_log "PostgreSQL stopped (took $((t_stop1 - t_stop0)) ms)"
sleep "$DOWN_SECONDS"
kill -0 "$REL_SVC_PID" 2>/dev/null || rel_fail "the service died during the outage"
t_start0="$(now_ms)"
rel_pg_start "$REL_PG_PORT" || rel_fail "PostgreSQL did not start again on port $REL_PG_PORT"
t_start1="$(now_ms)"
rel_log "PostgreSQL back on port $REL_PG_PORT (start took $((t_start1 - t_start0)) ms)"

# However long the stop and start took on a busy machine, watch the recovery.
sleep "$AFTER_SECONDS"
kill -INT "$REL_LOADGEN_PID" 2>/dev/null
rel_loadgen_wait || rel_fail "loadgen failed"
L="$T/load.json"
cat "$L" >&2

if kill -0 "$REL_SVC_PID" 2>/dev/null; then
    rel_healthz || rel_fail "/healthz does not answer 200 after the outage"
else
    rel_fail "the service is not running after the outage"
fi
rel_svc_stop TERM 20
[[ "$REL_SVC_RC" == 0 ]] || rel_fail "the service exited with status $REL_SVC_RC on SIGTERM"
rel_wait_sessions_gone

# The timeline: 10 ms buckets "epoch_ms n2xx n4xx n503 n5xx_other failed max_ms".
read -r outage_503 outage_other outage_failed outage_max_ms first_2xx late_503 \
    before_503 < <(awk -v s0="$t_stop0" -v s1="$t_stop1" -v r0="$t_start0" -v r1="$t_start1" '
    /^#/ { next }
    { t = $1 }
    # Outage proper: PostgreSQL fully stopped until its restart is requested.
    t >= s1 + 100 && t < r0 { o503 += $4; oother += $2 + $3 + $5; ofail += $6
                              if ($7 > omax) omax = $7 }
    t >= r1 && $2 > 0 && first == "" { first = t }
    t < s0 { pre += $4 }
    { rows[NR] = t; n503[NR] = $4 }
    END {
        late = 0
        if (first != "") for (i in rows) if (rows[i] > first + 1000) late += n503[i]
        printf "%d %d %d %.1f %s %d %d\n", o503, oother, ofail, omax,
               first == "" ? "-" : first, late, pre
    }' "$T/timeline.txt")

if [[ "$first_2xx" == - ]]; then
    recovery_ms=null
    rel_fail "no successful reply after PostgreSQL came back"
else
    recovery_ms=$((first_2xx - t_start1))
    ((recovery_ms < 0)) && recovery_ms=0
    ((recovery_ms <= RECOVERY_LIMIT_MS)) ||
        rel_fail "recovery took ${recovery_ms} ms (limit ${RECOVERY_LIMIT_MS})"
fi

s5xx="$(jfield "$L" s5xx)"
s503="$(jfield "$L" s503)"
max_ms="$(jfield "$L" max_ms)"
max_ms_503="$(jfield "$L" max_ms_503)"
resets="$(jfield "$L" resets)"
timeouts="$(jfield "$L" timeouts)"
no_ra="$(jfield "$L" s503_no_retry_after)"
[[ -n "$s5xx" ]] || rel_fail "no loadgen summary"
((s5xx == s503)) || rel_fail "$((s5xx - s503)) replies were 5xx other than 503"
((s503 > 0)) || rel_fail "no 503 at all: the outage was not observed"
((outage_other == 0)) || rel_fail "$outage_other replies during the outage were not 503"
((no_ra == 0)) || rel_fail "$no_ra replies 503 without Retry-After"
((resets == 0)) || rel_fail "$resets connection resets"
((timeouts == 0)) || rel_fail "$timeouts requests without a reply within 15 s"
((outage_failed == 0)) || rel_fail "$outage_failed requests failed at the connection level during the outage"
awk -v m="$max_ms" -v lim=$((ACQUIRE_MS + 1000)) 'BEGIN { exit !(m <= lim) }' ||
    rel_fail "slowest reply took ${max_ms} ms (limit $((ACQUIRE_MS + 1000)) ms)"
((before_503 == 0)) || rel_fail "$before_503 replies 503 before the outage"
((late_503 == 0)) || rel_fail "$late_503 replies 503 more than 1 s after recovery"

# What the outage cost in log volume (warnings: one per failed checkout).
log_lines="$(grep -c '"level":"warn"' "$T/service.log")"

lost="$(rel_check_acked "$T/acked.txt" "$RUN")"
((lost == 0)) || rel_fail "$lost acknowledged writes are missing"

rel_emit scenario db_outage \
    result "$([[ ${#REL_FAILURES[@]} -eq 0 ]] && echo pass || echo fail)" \
    requests "$(jfield "$L" requests)" rps "$(jfield "$L" rps)" \
    s2xx "$(jfield "$L" s2xx)" s503 "$s503" s5xx_other $((s5xx - s503)) \
    outage_503 "$outage_503" outage_other "$outage_other" \
    writes_acked "$(jfield "$L" writes_acked)" lost_writes "$lost" \
    resets "$resets" timeouts "$timeouts" s503_no_retry_after "$no_ra" \
    max_ms "$max_ms" max_ms_503 "$max_ms_503" outage_max_ms "$outage_max_ms" \
    p50_ms "$(jfield "$L" p50_ms)" p99_ms "$(jfield "$L" p99_ms)" \
    pg_stop_ms $((t_stop1 - t_stop0)) pg_start_ms $((t_start1 - t_start0)) \
    down_ms $((t_start1 - t_stop0)) recovery_ms "$recovery_ms" \
    recovery_from_start_cmd_ms "$([[ "$first_2xx" == - ]] && echo null || echo $((first_2xx - t_start0)))" \
    service_warnings "$log_lines" \
    sigterm_exit "$REL_SVC_RC" sigterm_exit_ms "$REL_SVC_EXIT_MS"
[[ ${#REL_FAILURES[@]} -eq 0 ]]
