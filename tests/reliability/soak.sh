#!/usr/bin/env bash
# Sustained mixed load: no errors, no lost writes, flat memory.
#
# Usage: tests/reliability/soak.sh [SECONDS]      (default 60)
#
# 64 keep-alive connections, 80% reads / 20% writes, with the service's default pool and
# timeouts. The service's VmRSS is sampled from /proc every 5 s (every SECONDS/15 s,
# at least 1 s, for runs shorter than a minute). Checks:
#   - zero 5xx, zero resets, zero requests without a reply;
#   - zero lost acknowledged writes;
#   - RSS flat after warm-up: the largest sample of the second half of the run is at most
#     1.1 x the first sample taken after the warm-up (SECONDS/4, at most 15 s) + 8 MB.
#     Not judged for AddressSanitizer builds (RELIABILITY_SANITIZED=1): freed memory
#     sits in quarantine there and LeakSanitizer checks leaks at exit instead;
#   - the service exits 0 on SIGTERM.
# Prints one JSON line (requests, req/s, p50/p99, RSS samples); exits 1 when a check fails.
set -uo pipefail
# shellcheck source=tests/reliability/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

DURATION="${1:-60}"
if ! [[ "$DURATION" =~ ^[0-9]+$ ]] || ((DURATION < 5 || DURATION > 86400)); then
    echo "usage: soak.sh [SECONDS]   (5 to 86400)" >&2
    exit 2
fi
if ((DURATION >= 60)); then
    INTERVAL=5
else
    INTERVAL=$((DURATION / 15))
    ((INTERVAL < 1)) && INTERVAL=1
fi
WARMUP=$((DURATION / 4))
((WARMUP > 15)) && WARMUP=15
SLACK_KB=$((8 * 1024))

rel_setup soak $((DURATION + 90))
rel_pg_start || rel_die "PostgreSQL did not start"
# The defaults of a deployment: pool size, checkout deadline (5 s), grace.
rel_svc_start DB_ACQUIRE_TIMEOUT_MS=5000 || rel_die "the service did not start"
REL_TOKEN="$(rel_token)" || rel_die "no token"
RUN="$(rel_run_id s)"
T="$REL_TMP"
svc_pid="$REL_SVC_PID"

rss_start="$(rel_rss_kb "$svc_pid")"
rel_log "soak: 64 connections, 20% writes, ${DURATION}s; RSS every ${INTERVAL}s, warm-up ${WARMUP}s"
rel_loadgen_start load --connections 64 --seconds "$DURATION" --write-ratio 0.2 \
    --run "$RUN" --acked-file "$T/acked.txt" --timeout-ms 15000
t0=$SECONDS
: >"$T/rss.txt"
next=$INTERVAL
while kill -0 "$REL_LOADGEN_PID" 2>/dev/null && ((SECONDS - t0 < DURATION + 30)); do
    if ((SECONDS - t0 >= next)); then
        rss="$(rel_rss_kb "$svc_pid")"
        thr="$(awk '/^Threads:/ { print $2 }' "/proc/$svc_pid/status" 2>/dev/null)"
        [[ -n "$rss" ]] && echo "$((SECONDS - t0)) $rss ${thr:-0}" >>"$T/rss.txt"
        next=$((next + INTERVAL))
        ((next > DURATION)) && next=$((DURATION + 1000))
    fi
    sleep 0.2
done
rel_loadgen_wait || rel_fail "loadgen failed"
L="$T/load.json"
cat "$L" >&2
rss_end="$(rel_rss_kb "$svc_pid")"
threads_max="$(awk '$3 > m { m = $3 } END { print m + 0 }' "$T/rss.txt")"

kill -0 "$svc_pid" 2>/dev/null || rel_fail "the service died during the soak"
rel_svc_stop TERM 20
[[ "$REL_SVC_RC" == 0 ]] || rel_fail "the service exited with status $REL_SVC_RC on SIGTERM"
rel_wait_sessions_gone

s5xx="$(jfield "$L" s5xx)"
resets="$(jfield "$L" resets)"
timeouts="$(jfield "$L" timeouts)"
[[ -n "$s5xx" ]] || rel_fail "no loadgen summary"
((s5xx == 0)) || rel_fail "$s5xx replies were 5xx"
((resets == 0)) || rel_fail "$resets connection resets"
((timeouts == 0)) || rel_fail "$timeouts requests got no reply"
lost="$(rel_check_acked "$T/acked.txt" "$RUN")"
((lost == 0)) || rel_fail "$lost acknowledged writes are missing"

# RSS: baseline = first sample at or after the warm-up; compared with the second half.
read -r baseline last_half_max <<<"$(awk -v w="$WARMUP" -v half=$((DURATION / 2)) '
    $1 >= w && base == "" { base = $2 }
    $1 > half && $2 > m { m = $2 }
    END { print (base == "" ? "-" : base), (m == "" ? "-" : m) }' "$T/rss.txt")"
rss_limit=null
rss_checked=false
if [[ "$baseline" == - || "$last_half_max" == - ]]; then
    rel_fail "too few RSS samples"
elif [[ "${RELIABILITY_SANITIZED:-0}" == 1 ]]; then
    rel_log "sanitizer build: RSS reported, not judged"
else
    rss_checked=true
    rss_limit=$((baseline * 11 / 10 + SLACK_KB))
    ((last_half_max <= rss_limit)) ||
        rel_fail "RSS grew: ${last_half_max} kB in the second half vs ${baseline} kB after warm-up (limit ${rss_limit} kB)"
fi
samples="[$(awk '{ printf "%s[%d,%d]", (NR > 1 ? "," : ""), $1, $2 }' "$T/rss.txt")]"

rel_emit scenario soak \
    result "$([[ ${#REL_FAILURES[@]} -eq 0 ]] && echo pass || echo fail)" \
    seconds "$DURATION" connections 64 \
    requests "$(jfield "$L" requests)" rps "$(jfield "$L" rps)" \
    p50_ms "$(jfield "$L" p50_ms)" p99_ms "$(jfield "$L" p99_ms)" max_ms "$(jfield "$L" max_ms)" \
    s2xx "$(jfield "$L" s2xx)" s4xx "$(jfield "$L" s4xx)" s5xx "$s5xx" \
    writes_acked "$(jfield "$L" writes_acked)" lost_writes "$lost" \
    resets "$resets" timeouts "$timeouts" \
    rss_kb_start "${rss_start:-null}" rss_kb_baseline "$baseline" \
    rss_kb_last_half_max "$last_half_max" rss_kb_end "${rss_end:-null}" \
    rss_kb_limit "$rss_limit" rss_checked "$rss_checked" threads_max "$threads_max" \
    rss_samples_s_kb "$samples" \
    exit_status "$REL_SVC_RC"
[[ ${#REL_FAILURES[@]} -eq 0 ]]
