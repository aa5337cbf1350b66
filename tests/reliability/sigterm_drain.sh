#!/usr/bin/env bash
# SIGTERM under load: the service drains and exits cleanly.
#
# Usage: tests/reliability/sigterm_drain.sh
#
# 32 keep-alive connections (20% writes); after 4 s the service gets SIGTERM while the
# load goes on (the load generator keeps trying for 3 s more). Checks:
#   - the service exits with status 0 within SHUTDOWN_GRACE_SECONDS (10);
#   - no request already sent on a served connection is cut (resets - resets_fresh = 0);
#     refused connections once the listener is closed are expected and only counted, as
#     are connections the kernel queued but the stopping service never served
#     (resets_fresh: the request was never read, so it never ran);
#   - no request is left without a reply, no 5xx;
#   - every acknowledged write is in the database.
# Prints one JSON line; exits 1 when a check fails.
set -uo pipefail
# shellcheck source=tests/reliability/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

TERM_AFTER=4
LOAD_SECONDS=7
GRACE=10

rel_setup sigterm_drain 80
rel_pg_start || rel_die "PostgreSQL did not start"
rel_svc_start SHUTDOWN_GRACE_SECONDS="$GRACE" || rel_die "the service did not start"
REL_TOKEN="$(rel_token)" || rel_die "no token"
RUN="$(rel_run_id t)"
T="$REL_TMP"

rel_log "load: 32 connections, 20% writes, ${LOAD_SECONDS}s; SIGTERM after ${TERM_AFTER}s"
rel_loadgen_start load --connections 32 --seconds "$LOAD_SECONDS" --write-ratio 0.2 \
    --run "$RUN" --acked-file "$T/acked.txt" --timeline-file "$T/timeline.txt" --timeout-ms 15000
sleep "$TERM_AFTER"
rss_kb="$(rel_rss_kb "$REL_SVC_PID")"
t_term="$(now_ms)"
rel_svc_stop TERM $((GRACE + 10))
rel_log "SIGTERM: exit status $REL_SVC_RC after $REL_SVC_EXIT_MS ms"
[[ "$REL_SVC_RC" == 0 ]] || rel_fail "the service exited with status $REL_SVC_RC on SIGTERM"
((REL_SVC_EXIT_MS <= GRACE * 1000)) ||
    rel_fail "the service took $REL_SVC_EXIT_MS ms to exit (grace ${GRACE}s)"

rel_loadgen_wait || rel_fail "loadgen failed"
L="$T/load.json"
cat "$L" >&2
rel_wait_sessions_gone

# Replies that completed after the signal (the drain at work).
after_term="$(awk -v t="$t_term" '!/^#/ && $1 >= t { n += $2 + $3 + $4 + $5 } END { print n + 0 }' \
    "$T/timeline.txt")"

resets="$(jfield "$L" resets)"
fresh="$(jfield "$L" resets_fresh)"
timeouts="$(jfield "$L" timeouts)"
s5xx="$(jfield "$L" s5xx)"
[[ -n "$resets" ]] || rel_fail "no loadgen summary"
((resets - fresh == 0)) || rel_fail "$((resets - fresh)) requests were cut on a served connection"
((timeouts == 0)) || rel_fail "$timeouts requests got no reply"
((s5xx == 0)) || rel_fail "$s5xx replies were 5xx"
lost="$(rel_check_acked "$T/acked.txt" "$RUN")"
((lost == 0)) || rel_fail "$lost acknowledged writes are missing"

rel_emit scenario sigterm_drain \
    result "$([[ ${#REL_FAILURES[@]} -eq 0 ]] && echo pass || echo fail)" \
    requests "$(jfield "$L" requests)" s2xx "$(jfield "$L" s2xx)" s5xx "$s5xx" \
    writes_acked "$(jfield "$L" writes_acked)" lost_writes "$lost" \
    replies_after_sigterm "$after_term" server_closed "$(jfield "$L" server_closed)" \
    resets "$resets" resets_fresh "$fresh" timeouts "$timeouts" \
    refused "$(jfield "$L" refused)" idle_closed "$(jfield "$L" idle_closed)" \
    exit_status "$REL_SVC_RC" exit_ms "$REL_SVC_EXIT_MS" grace_s "$GRACE" rss_kb_at_term "${rss_kb:-null}"
[[ ${#REL_FAILURES[@]} -eq 0 ]]
