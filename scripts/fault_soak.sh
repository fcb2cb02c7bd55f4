#!/usr/bin/env bash
# Long-run fault injection: the checks of tests/fault_tolerance.rs with many more kills, over
# several seeds. Each round kills processes of every job KILLS times at moments drawn from its
# seed and compares the output with a failure-free run (the other checks of the test, which do
# not depend on the seed, are skipped). A failing round keeps its outputs, checkpoints and log
# in a directory it names.
#
#   scripts/fault_soak.sh                 # 5 rounds x 50 kills per job, seeds 1..5
#   scripts/fault_soak.sh 100 20 iterate  # 20 rounds x 100 kills of the iterative job only
set -euo pipefail
kills=${1:-50}
rounds=${2:-5}
jobs=${3:-windows,process,iterate,bulk}
cd "$(dirname "$0")/.."
for seed in $(seq 1 "$rounds"); do
    echo "== round $seed of $rounds: $kills kills per job ($jobs), seed $seed"
    RILL_FT_KILLS=$kills RILL_FT_SEED=$seed RILL_FT_JOBS=$jobs RILL_FT_KILLS_ONLY=1 \
        cargo test --release --test fault_tolerance -- --nocapture 2>&1 | grep -v '^rill: checkpoint'
done
echo "fault soak: $rounds rounds passed"
