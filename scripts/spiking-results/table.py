#!/usr/bin/env python3
"""The spiking comparison table of docs/measurements.md from the <name>-seeds-<time>.json files that
scripts/spiking-results/run.sh leaves (one per config and data set).

usage: table.py OUT_DIR   (the OUT_DIR given to run.sh)
"""
import os
import sys

ORDER = ["mnist-spiking-microcircuit", "mnist-spiking-frsf", "mnist-spiking-brsf", "mnist-spiking-usf",
         "mnist-spiking-fa", "mnist-spiking-bp"]
LABEL = {
    "mnist-spiking-microcircuit": "microcircuit (fixed R, migrating synapses)",
    "mnist-spiking-frsf": "frSF",
    "mnist-spiking-brsf": "brSF",
    "mnist-spiking-usf": "uSF",
    "mnist-spiking-fa": "FA",
    "mnist-spiking-bp": "BP (surrogate gradient)",
}
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from seeds_table import print_tables  # noqa: E402

print_tables(sys.argv[1], ORDER, LABEL, ["angle_B_W_2", "angle_B_W_3"], "∠(B, W) layers 2 / 3")
