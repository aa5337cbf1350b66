# Helpers for bench/run.sh (sourced). Nothing here starts work on its own.
# shellcheck shell=bash

bench_log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
bench_die() { bench_log "error: $*"; exit 1; }

# Seconds since the epoch with fractions.
now_s() { date +%s.%N; }

# Is anything accepting connections on 127.0.0.1:PORT?
port_in_use() {
    if command -v ss >/dev/null 2>&1 && [[ -n "$(ss -Htln "( sport = :$1 )" 2>/dev/null)" ]]; then
        return 0
    fi
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
    local i port
    for ((i = 0; i < 200; i++)); do
        port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
        if ! port_in_use "$port"; then
            echo "$port"
            return 0
        fi
    done
    return 1
}

# Median of the numbers on stdin (one per line; non-numbers ignored); "-" when none.
median() {
    grep -E '^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$' | sort -g |
        awk '{ v[NR] = $1 } END {
            if (NR == 0) { print "-"; exit }
            if (NR % 2) printf "%.3f\n", v[(NR + 1) / 2]
            else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Nearest-rank percentile P (0-100) of the numbers on stdin.
percentile() {
    sort -g | awk -v p="$1" '{ v[NR] = $1 } END {
        if (NR == 0) { print "-"; exit }
        i = int(p / 100 * NR); if (i < p / 100 * NR) i++; if (i < 1) i = 1
        print v[i] }'
}

# a / b with 3 decimals, "-" if either is missing or b is 0.
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        if (a == "-" || b == "-" || a == "" || b == "" || b + 0 == 0) { print "-"; exit }
        printf "%.3f\n", a / b }'
}

# Resident size and thread count of PID: "rss_kb hwm_kb threads".
proc_mem() {
    awk '/^VmRSS:/ { r = $2 } /^VmHWM:/ { h = $2 } /^Threads:/ { t = $2 }
         END { printf "%s %s %s\n", r ? r : "-", h ? h : "-", t ? t : "-" }' \
        "/proc/$1/status" 2>/dev/null || echo "- - -"
}

# Runs a command with a hard time limit in the background of this shell, so that the
# cleanup trap can stop it (BENCH_CHILD holds its pid while it runs). Returns its status.
BENCH_CHILD=""
bounded() {
    local secs="$1" rc=0
    shift
    timeout --kill-after=10 "$secs" "$@" &
    BENCH_CHILD=$!
    wait "$BENCH_CHILD" || rc=$?
    BENCH_CHILD=""
    return "$rc"
}

# Waits until URL answers 200 (at most SECS seconds) while PID stays alive.
wait_http() {
    local url="$1" secs="$2" pid="${3:-}" deadline=$((SECONDS + $2))
    while ((SECONDS < deadline)); do
        if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
            return 1
        fi
        if [[ "$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$url" 2>/dev/null)" == 200 ]]; then
            return 0
        fi
        sleep 0.2
    done
    return 1
}

# Stops PID with SIGTERM, then SIGKILL after SECS seconds.
stop_pid() {
    local pid="$1" secs="${2:-15}" sig="${3:-TERM}" deadline
    [[ -n "$pid" ]] || return 0
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    kill "-$sig" "$pid" 2>/dev/null || true
    deadline=$((SECONDS + secs))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
        # A child of this shell becomes a zombie until reaped; `wait` reaps it.
        if [[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" == Z ]]; then
            break
        fi
        sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null &&
        [[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]]; then
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

# Reads "key=value" fields of the BENCH line in a wrk log; prints the value of KEY.
bench_field() {
    grep -m1 '^BENCH ' "$1" 2>/dev/null | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k { print $2 }'
}
