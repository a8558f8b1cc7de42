#!/usr/bin/env python3
"""The spiking comparison table of docs/results.md from the <name>-seeds-<time>.json files that
scripts/spiking-results/run.sh leaves (one per config and data set).

usage: table.py OUT_DIR   (the OUT_DIR given to run.sh)
"""
import glob
import json
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
out = sys.argv[1]
for data in sorted(os.listdir(out)):
    files = {}
    for f in glob.glob(os.path.join(out, data, "*-seeds-*.json")):
        d = json.load(open(f))
        files[d["name"]] = d
    print("\n%s\n" % data)
    print("| rule | test accuracy | per seed | ∠(B, W) layers 2 / 3 |")
    print("|---|---|---|---|")
    for name in ORDER:
        if name not in files:
            continue
        d = files[name]
        a = d["test_acc"]
        angles = ["%.0f°" % d[k]["mean"] for k in ("angle_B_W_2", "angle_B_W_3") if k in d]
        print("| %s | %.2f ± %.2f %% | %s | %s |" % (
            LABEL[name], 100 * a["mean"], 100 * a["std"],
            ", ".join("%.2f" % (100 * v) for v in a["values"]), " / ".join(angles) or "–"))
