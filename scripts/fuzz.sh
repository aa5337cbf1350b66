#!/usr/bin/env bash
# Build the libFuzzer targets in fuzz/ with clang (ASan + UBSan) in build-fuzz, run each
# for a while on a scratch copy of its seed corpus, and print what happened.
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#   SECONDS_PER_TARGET  default 60
#   TARGET              default: every fuzz/fuzz_*.c, e.g. fuzz_jwt
#
# Each target starts from a scratch copy of fuzz/corpus/<target>/, reads
# fuzz/regressions/<target>/ as extra seeds and uses fuzz/<target>.dict when present.
#
# Environment:
#   FUZZ_KEEP_CORPUS=1  merge the inputs that found new coverage into fuzz/corpus/<target>
#                       (off by default: the committed corpus does not grow by itself)
#   FUZZ_JOBS           parallel build jobs (default: nproc)
#
# Crash inputs go to fuzz/crashes/<target>/ (crash-*, leak-*, timeout-*, oom-*). Logs go
# to build-fuzz/fuzz-logs/<target>.log. Exit status 1 when any target crashed.
set -euo pipefail

ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"

SECONDS_PER_TARGET="${1:-60}"
shift || true
BUILD=build-fuzz
LOGS="$BUILD/fuzz-logs"
JOBS="${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}"

log() { printf 'fuzz.sh: %s\n' "$*" >&2; }

if ! [[ "$SECONDS_PER_TARGET" =~ ^[0-9]+$ ]] || [[ "$SECONDS_PER_TARGET" -lt 1 ]]; then
    log "SECONDS_PER_TARGET must be a positive integer, not '$SECONDS_PER_TARGET'"
    exit 2
fi

targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
    for src in fuzz/fuzz_*.c; do
        targets+=("$(basename "$src" .c)")
    done
fi

# clang, plus its libFuzzer runtime (a separate Debian package: libclang-rt-<N>-dev).
bash scripts/deps.sh clang
probe_dir="$(mktemp -d)"
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' \
    > "$probe_dir/probe.c"
if ! clang -fsanitize=fuzzer,address,undefined "$probe_dir/probe.c" -o "$probe_dir/probe" 2>/dev/null; then
    clang_major="$(clang -dumpversion | cut -d. -f1)"
    bash scripts/deps.sh clang "libclang-rt-${clang_major}-dev"
    clang -fsanitize=fuzzer,address,undefined "$probe_dir/probe.c" -o "$probe_dir/probe"
fi
rm -rf -- "$probe_dir"

# No build type: the fuzz flags (-O1 -g) apply and assertions stay on.
CC=clang cmake -S . -B "$BUILD" -DCMAKE_C_COMPILER=clang -DFUZZ=ON -DBUILD_TESTING=OFF \
    -DCMAKE_BUILD_TYPE= >/dev/null
cmake --build "$BUILD" --target "${targets[@]}" -j"$JOBS"

mkdir -p "$LOGS"
scratch="$(mktemp -d)"
trap 'rm -rf -- "$scratch"' EXIT

# Last "cov: N" on a libFuzzer status line matching $2 in log $1.
cov_of() { { grep -E "$2" "$1" || true; } | grep -oE 'cov: [0-9]+' | tail -n 1 | awk '{print $2}' || true; }
stat_of() { { grep -E "^stat::$2:" "$1" || true; } | awk '{print $2}' | tail -n 1; }

rows=()
any_crash=0
for t in "${targets[@]}"; do
    bin="$BUILD/fuzz/$t"
    corpus="$scratch/$t"
    crashes="fuzz/crashes/$t"
    logf="$LOGS/$t.log"
    mkdir -p "$corpus" "$crashes"
    if [[ -d "fuzz/corpus/$t" ]]; then
        cp -R "fuzz/corpus/$t/." "$corpus/"
    fi
    # Inputs that crashed once are seeds too (read-only: new inputs go to the first dir).
    extra=()
    if [[ -d "fuzz/regressions/$t" ]]; then
        extra+=("fuzz/regressions/$t")
    fi
    dict=()
    if [[ -f "fuzz/$t.dict" ]]; then
        dict+=("-dict=fuzz/$t.dict")
    fi
    before="$(find "$crashes" -type f | wc -l)"
    log "running $t for ${SECONDS_PER_TARGET}s"
    status=0
    "$bin" -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 -artifact_prefix="$crashes/" "${dict[@]}" \
        "$corpus" "${extra[@]}" >"$logf" 2>&1 || status=$?
    after="$(find "$crashes" -type f | wc -l)"
    found=$((after - before))
    if [[ "$status" -ne 0 && "$found" -eq 0 ]]; then
        found=1 # died without writing an input (e.g. the harness itself failed)
    fi
    if [[ "$found" -gt 0 ]]; then
        any_crash=1
        log "$t: crashed (exit $status); see $logf and $crashes/"
        grep -E '^(==[0-9]+==ERROR|SUMMARY|.*property failed|artifact_prefix|Test unit written)' \
            "$logf" | head -n 8 >&2 || true
    fi
    if [[ "${FUZZ_KEEP_CORPUS:-0}" == 1 ]]; then
        mkdir -p "fuzz/corpus/$t"
        "$bin" -merge=1 -rss_limit_mb=2048 -timeout=10 "fuzz/corpus/$t" "$corpus" \
            >>"$logf" 2>&1 || true
    fi
    execs="$(stat_of "$logf" number_of_executed_units)"
    rate="$(stat_of "$logf" average_exec_per_sec)"
    units="$(stat_of "$logf" new_units_added)"
    cov0="$(cov_of "$logf" 'INITED')"
    cov1="$(cov_of "$logf" '^#[0-9]+')"
    rows+=("$(printf '%-20s %12s %9s %15s %10s %8s' "$t" "${execs:-?}" "${rate:-?}" \
        "${cov0:-?}->${cov1:-?}" "${units:-?}" "$found")")
done

printf '\n%-20s %12s %9s %15s %10s %8s\n' target executions exec/s coverage new_units crashes
for row in "${rows[@]}"; do
    printf '%s\n' "$row"
done
printf '(coverage: edges covered after loading the seeds -> at the end; new_units: inputs that added coverage)\n'
exit "$any_crash"
