#!/usr/bin/env python3
"""The BurstCCN comparison table of docs/results.md from the <name>-seeds-<time>.json files that
scripts/burst-results/run.sh leaves (one per config and data set).

usage: table.py OUT_DIR   (the OUT_DIR given to run.sh)
"""
import glob
import json
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
out = sys.argv[1]
for data in sorted(os.listdir(out)):
    files = {}
    for f in glob.glob(os.path.join(out, data, "*-seeds-*.json")):
        d = json.load(open(f))
        files[d["name"]] = d
    print("\n%s\n" % data)
    print("| rule | test accuracy | test error | per seed | ∠(ΔW, BP) layers 1 / 2 / 3 / 4 |")
    print("|---|---|---|---|---|")
    for name in ORDER:
        if name not in files:
            continue
        d = files[name]
        a = d["test_acc"]
        angles = []
        for l in range(1, 5):
            k = "angle_dW_bp_%d" % l
            if k in d:
                angles.append("%.0f°" % d[k]["mean"])
        print("| %s | %.2f ± %.2f %% | %.2f %% | %s | %s |" % (
            LABEL[name], 100 * a["mean"], 100 * a["std"], 100 * (1 - a["mean"]),
            ", ".join("%.2f" % (100 * v) for v in a["values"]), " / ".join(angles) or "–"))
