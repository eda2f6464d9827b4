#!/usr/bin/env bash
# The longer fuzz run: each named target (default: all) for FUZZ_SECONDS
# (default 1800), seeded from the committed corpus. New inputs that add
# coverage are merged back into fuzz/corpus/<target>; one line per run is
# appended to fuzz/LONG-RUNS.md. A finding stops the script with libFuzzer's
# exit status and leaves the input in fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")"
export RUSTC_BOOTSTRAP=1 CARGO_TERM_COLOR=never
secs="${FUZZ_SECONDS:-1800}"
if ! command -v cargo-fuzz >/dev/null 2>&1; then
    cargo install --locked cargo-fuzz
fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo fuzz list)
fi
cargo fuzz build -s none
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
for t in "${targets[@]}"; do
    corpus="corpus/$t"
    mkdir -p "$corpus"
    work=$(mktemp -d)
    log=$(mktemp)
    before=$(find "$corpus" -type f | wc -l)
    start=$(date -u +%Y-%m-%dT%H:%MZ)
    status=0
    cargo fuzz run -s none "$t" "$work" "$corpus" -- \
        -max_total_time="$secs" -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 >"$log" 2>&1 || status=$?
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
    if [ "$status" -eq 0 ]; then
        # Keep only the inputs that add coverage to what is committed.
        cargo fuzz run -s none "$t" "$corpus" "$work" -- -merge=1 >/dev/null 2>&1 || true
        result="no finding"
    else
        result="FINDING (exit $status), see fuzz/artifacts/$t"
        tail -40 "$log" >&2
    fi
    after=$(find "$corpus" -type f | wc -l)
    printf '| %s | %s | `%s` | %s s | %s | %s → %s | %s |\n' \
        "$start" "$commit" "$t" "$secs" "$execs" "$before" "$after" "$result" >>LONG-RUNS.md
    rm -rf "$work" "$log"
    [ "$status" -eq 0 ] || exit "$status"
done
