#!/usr/bin/env python3
"""The BurstCCN comparison table of docs/measurements.md from the <name>-seeds-<time>.json files that
scripts/burst-results/run.sh leaves (one per config and data set).

usage: table.py OUT_DIR   (the OUT_DIR given to run.sh)
"""
import os
import sys

ORDER = ["mnist-burstccn", "mnist-burstccn-tied", "mnist-burstprop", "mnist-edn", "mnist-edn-tied", "mnist-burst-bp", "mnist-burst-fa"]
LABEL = {
    "mnist-burstccn": "BurstCCN, random Y, learned Q",
    "mnist-burstccn-tied": "BurstCCN, tied Y (W–Y symmetric)",
    "mnist-burstprop": "Burstprop",
    "mnist-edn": "EDN, learned interneurons at 0.01·lr",
    "mnist-edn-tied": "EDN, tied interneurons, λ_hidden 1",
    "mnist-burst-bp": "BP",
    "mnist-burst-fa": "FA",
}
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from seeds_table import print_tables  # noqa: E402

print_tables(sys.argv[1], ORDER, LABEL, ["angle_dW_bp_%d" % l for l in range(1, 5)],
             "∠(ΔW, BP) layers 1 / 2 / 3 / 4", with_error=True)
