#!/usr/bin/env bash
# The service is killed (SIGKILL) in the middle of writes and bulk imports.
#
# Usage: tests/reliability/kill_mid_write.sh
#
# 16 connections with 50% writes plus one connection streaming POST /v1/import of 2,000
# objectives each (a unique ref prefix per import). After 5 s, as soon as an import
# transaction is seen open in PostgreSQL, the service gets SIGKILL; it is restarted on
# the same port 1 s later and the load goes on to 16 s. Checks, once every session of
# the killed process is gone:
#   - no partial transaction survives: every import prefix has all its 2,000 rows or none;
#   - every acknowledged import has its rows, every acknowledged single write is present;
#   - every objective has exactly one create/import audit event;
#   - the restarted service answers /healthz, gives no 5xx other than 503, exits 0 on SIGTERM.
# Prints one JSON line; exits 1 when a check fails.
set -uo pipefail
# shellcheck source=tests/reliability/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

LOAD_SECONDS=16
KILL_AFTER=5
IMPORT_ROWS=2000

rel_setup kill_mid_write 110
rel_pg_start || rel_die "PostgreSQL did not start"
rel_svc_start || rel_die "the service did not start"
REL_TOKEN="$(rel_token)" || rel_die "no token"
RUN="$(rel_run_id k)"
T="$REL_TMP"

rel_log "load: 16 connections, 50% writes + imports of $IMPORT_ROWS rows, ${LOAD_SECONDS}s; SIGKILL after ${KILL_AFTER}s"
rel_loadgen_start load --connections 16 --seconds "$LOAD_SECONDS" --write-ratio 0.5 \
    --run "$RUN" --acked-file "$T/acked.txt" --import-rows "$IMPORT_ROWS" \
    --imports-file "$T/imports.txt" --timeline-file "$T/timeline.txt" --timeout-ms 15000
sleep "$KILL_AFTER"

# Wait (up to 3 s) for an import in progress: a transaction of the service open > 50 ms.
in_tx=no
for ((i = 0; i < 150; i++)); do
    n="$(rel_sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'isms-objectives'
                  AND xact_start IS NOT NULL AND now() - xact_start > interval '50 ms'" 2>/dev/null)"
    if [[ "${n:-0}" -gt 0 ]]; then
        in_tx=yes
        break
    fi
    sleep 0.02
done
old_pid="$REL_SVC_PID"
rel_svc_stop KILL 10
t_kill="$(now_ms)"
rel_log "SIGKILL sent to $old_pid (long transaction open: $in_tx), exit status $REL_SVC_RC"
[[ "$REL_SVC_RC" == 137 ]] || rel_fail "killed service reported status $REL_SVC_RC, not 137"

sleep 1
rel_svc_start || rel_fail "the service did not start again on port $REL_SVC_PORT"
t_up="$(now_ms)"
rel_log "restarted on port $REL_SVC_PORT ($((t_up - t_kill)) ms after the kill)"

rel_loadgen_wait || rel_fail "loadgen failed"
L="$T/load.json"
cat "$L" >&2

if [[ -n "$REL_SVC_PID" ]] && kill -0 "$REL_SVC_PID" 2>/dev/null; then
    rel_healthz || rel_fail "/healthz does not answer 200 after the restart"
    rel_svc_stop TERM 20
    [[ "$REL_SVC_RC" == 0 ]] || rel_fail "the restarted service exited with status $REL_SVC_RC on SIGTERM"
else
    rel_fail "the restarted service is not running"
fi
rel_wait_sessions_gone

# All or nothing per import prefix.
rel_sql "SELECT substring(ref from '^(LGI-$RUN-[0-9]+-)') AS prefix, count(*)
         FROM objectives WHERE ref LIKE 'LGI-$RUN-%' GROUP BY 1 ORDER BY 1" \
    | tr '|' ' ' >"$T/import_counts.txt"
partial="$(awk -v rows="$IMPORT_ROWS" '$2 != rows' "$T/import_counts.txt" | wc -l)"
committed="$(wc -l <"$T/import_counts.txt")"
if ((partial > 0)); then
    rel_fail "$partial imports are partially committed"
    awk -v rows="$IMPORT_ROWS" '$2 != rows' "$T/import_counts.txt" | head -n 5 >&2
fi
imports_sent="$(wc -l <"$T/imports.txt")"
imports_ok="$(awk '$3 == 200' "$T/imports.txt" | wc -l)"
# Acknowledged imports must be there in full.
lost_imports="$(awk '$3 == 200 { print $1 }' "$T/imports.txt" | sort >"$T/acked_imports.txt"
    awk '{ print $1 }' "$T/import_counts.txt" | sort >"$T/db_imports.txt"
    comm -23 "$T/acked_imports.txt" "$T/db_imports.txt" | wc -l)"
((lost_imports == 0)) || rel_fail "$lost_imports acknowledged imports are missing"
# Imports without a reply (cut by the kill, or sent as the process died): committed or
# not, never in part. Listed as prefix:rows.
cut_outcome=""
while read -r prefix; do
    rows="$(awk -v p="$prefix" '$1 == p { print $2 }' "$T/import_counts.txt")"
    cut_outcome+="${cut_outcome:+ }$prefix:${rows:-0}"
done < <(awk '$3 !~ /^[0-9]+$/ { print $1 }' "$T/imports.txt")

no_audit="$(rel_sql "SELECT count(*) FROM objectives o
                     WHERE NOT EXISTS (SELECT 1 FROM audit_events a WHERE a.resource_id = o.id)")"
dup_audit="$(rel_sql "SELECT count(*) FROM (SELECT resource_id FROM audit_events
                      WHERE resource_type = 'objective' AND action IN ('create', 'import')
                      GROUP BY resource_id HAVING count(*) <> 1) d")"
orphan_audit="$(rel_sql "SELECT count(*) FROM audit_events a WHERE resource_type = 'objective'
                         AND NOT EXISTS (SELECT 1 FROM objectives o WHERE o.id = a.resource_id)")"
total_rows="$(rel_sql "SELECT count(*) FROM objectives")"
((no_audit == 0)) || rel_fail "$no_audit objectives have no audit event"
((dup_audit == 0)) || rel_fail "$dup_audit objectives have more than one create/import event"
((orphan_audit == 0)) || rel_fail "$orphan_audit audit events name an objective that does not exist"

lost="$(rel_check_acked "$T/acked.txt" "$RUN")"
((lost == 0)) || rel_fail "$lost acknowledged writes are missing"

s5xx="$(jfield "$L" s5xx)"
s503="$(jfield "$L" s503)"
[[ -n "$s5xx" ]] || rel_fail "no loadgen summary"
((s5xx == s503)) || rel_fail "$((s5xx - s503)) replies were 5xx other than 503"

rel_emit scenario kill_mid_write \
    result "$([[ ${#REL_FAILURES[@]} -eq 0 ]] && echo pass || echo fail)" \
    requests "$(jfield "$L" requests)" rps "$(jfield "$L" rps)" s2xx "$(jfield "$L" s2xx)" \
    s503 "$s503" s5xx_other $((s5xx - s503)) \
    writes_acked "$(jfield "$L" writes_acked)" lost_writes "$lost" \
    imports_sent "$imports_sent" imports_acked "$imports_ok" imports_committed "$committed" \
    partial_imports "$partial" lost_imports "$lost_imports" \
    imports_without_reply "${cut_outcome:-none}" \
    transaction_open_at_kill "$in_tx" \
    resets "$(jfield "$L" resets)" refused "$(jfield "$L" refused)" \
    objectives "$total_rows" objectives_without_audit "$no_audit" \
    objectives_with_duplicate_audit "$dup_audit" up_again_after_kill_ms $((t_up - t_kill)) \
    sigterm_exit "${REL_SVC_RC:-null}"
[[ ${#REL_FAILURES[@]} -eq 0 ]]
