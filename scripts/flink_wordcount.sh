#!/usr/bin/env bash
# Peer comparison: the windowed word count (1-s tumbling windows of event time, watermark 1 s
# behind) on the same input in Rill and in Apache Flink, at parallelism 1 and 2. Not part of CI.
#
#   python3 -m venv ~/flink && ~/flink/bin/pip install apache-flink     # once; needs a JVM:
#   sudo apt-get install -y openjdk-17-jre-headless                       # (if `java` is missing)
#   PYTHON=~/flink/bin/python scripts/flink_wordcount.sh                  # 10M events, 3 reps
#   PYTHON=~/flink/bin/python REPS=1 scripts/flink_wordcount.sh 1000000
#
# The input is the suite's windowed word count input (`cargo bench --bench suite --
# --write-events`): `ts_ms,word` lines, Zipf words over 10,000, 10,000 events per simulated
# second with up to 750 ms of disorder. Rill runs `examples/windowed_wordcount --input
# events.csv` (the file split among the workers by byte range) as one epoch, so that no worker's
# part of the file moves the watermark past another's windows (Flink keeps a watermark per
# split); timed: the whole process, wall clock. Flink runs `flink_wordcount.py` (Flink SQL, CSV
# filesystem source, watermark, TUMBLE window, blackhole sink); timed: from submitting the job
# until it finished, without starting the JVM — in Flink's favour; Rill writes its results to a
# CSV file, Flink discards them (a blackhole sink) — also in Flink's favour. An untimed run of
# each checks that both produce the same number of (window, word) rows with the same sum of
# counts. Prints a markdown table (median of REPS), also written to
# target/bench-suite/flink.md.
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS=${1:-10000000}
REPS=${REPS:-3}
PYTHON=${PYTHON:-python3}
DIR=$PWD/target/bench-suite/flink
mkdir -p "$DIR"

"$PYTHON" -c 'import pyflink' 2>/dev/null || {
    echo "PyFlink is missing: pip install apache-flink (see the top of $0), then PYTHON=.../python $0" >&2
    exit 1
}
cargo build --quiet --release --example windowed_wordcount
cargo bench --quiet --bench suite -- --write-events "$DIR/events.csv" --events "$EVENTS"
RILL=target/release/examples/windowed_wordcount

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
rill() { # rill WORKERS OUTPUT
    "$RILL" --input "$DIR/events.csv" --lines-per-epoch "$EVENTS" --window 1s --out-of-orderness 1s \
        --workers "$1" --output "$2" --quiet
}

# The check, untimed: the same rows and the same sum of counts.
rill 1 "$DIR/rill.csv"
rill_check="rows $(wc -l <"$DIR/rill.csv") sum $(awk -F, '{ s += $3 } END { print s }' "$DIR/rill.csv")"
flink_check=$("$PYTHON" scripts/flink_wordcount.py "$DIR/events.csv" 1 --check | grep '^rows')
echo "check: Rill: $rill_check; Flink: $flink_check" >&2
[ "$rill_check" = "$flink_check" ] || { echo "the results differ" >&2; exit 1; }

{
    echo "windowed word count, $EVENTS events from CSV, median of $REPS"
    echo
    echo "| parallelism | Rill s | Rill Mevents/s | Flink s | Flink Mevents/s | Rill / Flink throughput |"
    echo "|---|---|---|---|---|---|"
    for p in 1 2; do
        r=$(for i in $(seq "$REPS"); do
            start=$(date +%s.%N)
            rill "$p" "$DIR/rill-timed.csv"
            end=$(date +%s.%N)
            echo "$end - $start" | bc
        done | median)
        f=$(for i in $(seq "$REPS"); do
            "$PYTHON" scripts/flink_wordcount.py "$DIR/events.csv" "$p" | awk '/^seconds/ { print $2 }'
        done | median)
        awk -v p="$p" -v r="$r" -v f="$f" -v n="$EVENTS" 'BEGIN {
            printf "| %d | %.3f | %.2f | %.3f | %.2f | %.1fx |\n", p, r, n / r / 1e6, f, n / f / 1e6, f / r }'
    done
} | tee "$DIR/../flink.md"
