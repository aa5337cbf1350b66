#!/usr/bin/env bash
# Runs every reliability scenario, one after the other, and prints a summary table.
#
# Usage: tests/reliability/run_all.sh [--quick]
#   --quick   soak for 15 s instead of 60 s
#
# The scenarios' progress goes to stderr; stdout gets each scenario's JSON result line,
# then the table. Exit status: 0 when every scenario passed, else 1.
# Uses ISMS_BIN / LOADGEN_BIN like the scenarios (defaults: build/isms and
# build/tests/load/loadgen).
set -uo pipefail

DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
SOAK_SECONDS=60
case "${1:-}" in
    --quick) SOAK_SECONDS=15 ;;
    "") ;;
    *) echo "usage: run_all.sh [--quick]" >&2; exit 2 ;;
esac

# scenario name, then its command line
scenarios=(
    "db_outage|$DIR/db_outage.sh"
    "kill_mid_write|$DIR/kill_mid_write.sh"
    "sigterm_drain|$DIR/sigterm_drain.sh"
    "soak|$DIR/soak.sh $SOAK_SECONDS"
)

field() { sed -n "s/.*\"$2\":\(-\{0,1\}[0-9][0-9.]*\).*/\1/p" <<<"$1" | head -n1; }
sfield() { sed -n "s/.*\"$2\":\"\([^\"]*\)\".*/\1/p" <<<"$1" | head -n1; }

rows=()
failed=0
for entry in "${scenarios[@]}"; do
    name="${entry%%|*}"
    cmd="${entry#*|}"
    start=$SECONDS
    # shellcheck disable=SC2086  # the command line is split on purpose
    out="$(bash $cmd)"
    rc=$?
    secs=$((SECONDS - start))
    line="$(grep '^{' <<<"$out" | tail -n1)"
    [[ -n "$line" ]] && printf '%s\n' "$line"
    result="$(sfield "$line" result)"
    [[ -n "$result" ]] || result="no result"
    if [[ $rc -ne 0 ]]; then
        failed=1
        [[ "$result" == pass ]] && result="fail (rc $rc)"
    fi
    case "$name" in
        db_outage)
            notes="503 $(field "$line" s503), other 5xx $(field "$line" s5xx_other), resets $(field "$line" resets), slowest $(field "$line" max_ms) ms, recovery $(field "$line" recovery_ms) ms, lost writes $(field "$line" lost_writes)"
            ;;
        kill_mid_write)
            notes="imports acked $(field "$line" imports_acked)/$(field "$line" imports_sent), partial $(field "$line" partial_imports), no audit $(field "$line" objectives_without_audit), dup audit $(field "$line" objectives_with_duplicate_audit), lost writes $(field "$line" lost_writes)"
            ;;
        sigterm_drain)
            notes="exit $(field "$line" exit_status) in $(field "$line" exit_ms) ms, cut $(awk -v a="$(field "$line" resets)" -v b="$(field "$line" resets_fresh)" 'BEGIN { print a - b }'), unserved new $(field "$line" resets_fresh), refused $(field "$line" refused), lost writes $(field "$line" lost_writes)"
            ;;
        soak)
            notes="$(field "$line" rps) req/s, p50 $(field "$line" p50_ms) ms, p99 $(field "$line" p99_ms) ms, 5xx $(field "$line" s5xx), RSS $(field "$line" rss_kb_baseline) -> $(field "$line" rss_kb_last_half_max) kB, lost writes $(field "$line" lost_writes)"
            ;;
    esac
    rows+=("$(printf '%-15s %-10s %6s %9s  %s' "$name" "$result" "$secs" "$(field "$line" requests)" "$notes")")
done

echo
printf '%-15s %-10s %6s %9s  %s\n' scenario result time_s requests figures
printf '%-15s %-10s %6s %9s  %s\n' --------------- ---------- ------ --------- -------
printf '%s\n' "${rows[@]}"
exit "$failed"
