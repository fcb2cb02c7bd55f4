#!/usr/bin/env bash
# Compile time of a one-line change: the `wordcount` example written with `dataflow!`
# (examples/wordcount.rs) against the same program written by hand with timely
# (benches/wordcount_timely.rs), in debug and release.
#
#   scripts/compile_time.sh            # 3 rebuilds per row, median
#   REPS=5 scripts/compile_time.sh
#
# Each target is built once first (dependencies and all), untimed. Then, REPS times: a comment
# line is appended to the target's source file and `cargo build` of that one target is timed
# (wall clock, the whole command). The file is restored at the end, also on error or Ctrl-C.
# Other builds on the machine wait on cargo's lock or share the cores: run it on a quiet machine.
# Prints a markdown table, and writes it to target/bench-suite/compile_time.md.
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${REPS:-3}
OUT=target/bench-suite
mkdir -p "$OUT"

BACKUP=$(mktemp -d)
cp examples/wordcount.rs "$BACKUP/wordcount.rs"
cp benches/wordcount_timely.rs "$BACKUP/wordcount_timely.rs"
restore() {
    cp "$BACKUP/wordcount.rs" examples/wordcount.rs
    cp "$BACKUP/wordcount_timely.rs" benches/wordcount_timely.rs
    rm -rf "$BACKUP"
}
trap restore EXIT

# median of the numbers on stdin
median() { sort -g | awk '{ a[NR] = $1 } END { printf "%.2f\n", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# rebuild_seconds FILE CARGO-ARGS...: the median wall seconds of REPS rebuilds after a change to FILE
rebuild_seconds() {
    local file=$1
    shift
    cargo build --quiet "$@" 2>/dev/null
    for i in $(seq "$REPS"); do
        echo "// compile-time probe $i $(date +%s%N)" >>"$file"
        local start end
        start=$(date +%s.%N)
        cargo build --quiet "$@" 2>/dev/null
        end=$(date +%s.%N)
        echo "$end - $start" | bc
    done | median
}

{
    echo "| program | profile | rebuild s (median of $REPS) |"
    echo "|---|---|---|"
    for profile in debug release; do
        flag=()
        [ "$profile" = release ] && flag=(--release)
        dsl=$(rebuild_seconds examples/wordcount.rs "${flag[@]}" --example wordcount)
        timely=$(rebuild_seconds benches/wordcount_timely.rs "${flag[@]}" --bench wordcount_timely)
        echo "| wordcount, dataflow! (examples/wordcount.rs) | $profile | $dsl |"
        echo "| wordcount, hand-written timely (benches/wordcount_timely.rs) | $profile | $timely |"
        echo "| ratio DSL / hand-written | $profile | $(echo "scale=2; $dsl / $timely" | bc) |"
    done
} | tee "$OUT/compile_time.md"
