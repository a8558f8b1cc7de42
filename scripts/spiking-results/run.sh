#!/usr/bin/env bash
# The spiking comparison of docs/measurements.md: the six mnist-spiking-* configs on Fashion-MNIST (train-head
# 50,000 / validation 10,000 / test 10,000, 10 epochs) and on mnist-10k (train 8,000 / test 2,000, 30
# epochs), seeds 1-3 each, through ./cortex4j train --seeds (mean ± std per config).
# usage: scripts/spiking-results/run.sh DATA_DIR OUT_DIR
set -euo pipefail
data="${1:?data directory (../shared/datasets)}"; out="${2:?output directory}"
here="$(cd "$(dirname "$0")/../.." && pwd)"
mkdir -p "$out"
for c in mnist-spiking-microcircuit mnist-spiking-frsf mnist-spiking-brsf mnist-spiking-usf mnist-spiking-fa mnist-spiking-bp; do
  "$here/cortex4j" train "$here/configs/$c.yaml" --data-dir "$data" --seeds 1,2,3 --quiet --out "$out/fashion-mnist" \
    --set data.name=fashion-mnist --epochs 10 | tail -2
  "$here/cortex4j" train "$here/configs/$c.yaml" --data-dir "$data" --seeds 1,2,3 --quiet --out "$out/mnist-10k" \
    --set data.name=mnist-10k --set data.train=train --set data.validation=test --epochs 30 | tail -2
done
