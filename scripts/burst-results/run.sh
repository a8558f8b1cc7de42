#!/usr/bin/env bash
# The BurstCCN comparison of docs/measurements.md: the seven mnist-burst*/mnist-edn* configs on Fashion-MNIST
# (train-head 50,000 / validation 10,000 / test 10,000, 10 epochs) and on mnist-10k (train 8,000 /
# test 2,000, 30 epochs), seeds 1-3 each, through ./cortex4j train --seeds (mean ± std per config).
# Burstprop and EDN run at the learning rates picked on Fashion-MNIST's validation split (their
# trainers' defaults learn too slowly, or diverge, in this many epochs; see docs/measurements.md).
# usage: scripts/burst-results/run.sh DATA_DIR OUT_DIR
set -euo pipefail
data="${1:?data directory (../shared/datasets)}"; out="${2:?output directory}"
here="$(cd "$(dirname "$0")/../.." && pwd)"
mkdir -p "$out"
extra() {
  case "$1" in
    mnist-burstprop) echo "--set rule.learningRate=1.0" ;;
    mnist-edn) echo "--set rule.learningRate=0.1 --set rule.edn.interneuronLrScale=0.01" ;;
    *) echo "" ;;
  esac
}
for c in mnist-burstccn mnist-burstccn-tied mnist-burstprop mnist-edn mnist-edn-tied mnist-burst-bp mnist-burst-fa; do
  # shellcheck disable=SC2046
  "$here/cortex4j" train "$here/configs/$c.yaml" --data-dir "$data" --seeds 1,2,3 --quiet --out "$out/fashion-mnist" \
    --set data.name=fashion-mnist --epochs 10 $(extra "$c") | tail -2
  # shellcheck disable=SC2046
  "$here/cortex4j" train "$here/configs/$c.yaml" --data-dir "$data" --seeds 1,2,3 --quiet --out "$out/mnist-10k" \
    --set data.name=mnist-10k --set data.train=train --set data.validation=test --epochs 30 $(extra "$c") | tail -2
done
