#!/usr/bin/env python3
"""Writes a shortened copy of every config in configs/ (2 epochs, a few batches) for refactor checks.

usage: shorten.py CONFIG_DIR OUT_DIR DATA_DIR
The shortened runs are what `record.sh` trains before and after a restructuring; their metrics.csv
(wall-time columns aside) and parameters.npz must stay bit-identical.
"""
import os
import sys

import yaml

src, out, data = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(out, exist_ok=True)
for name in sorted(os.listdir(src)):
    if not name.endswith(".yaml"):
        continue
    c = yaml.safe_load(open(os.path.join(src, name)))
    fam = c["model"].get("family", "microcircuit")
    task = c.get("task", "classification")
    s = c.setdefault("schedule", {})
    d = c.get("data")
    if fam == "microcircuit":
        s["epochs"] = 2
        s["evalEvery"] = 1
        if task == "classification":
            d["trainLimit"], d["evalLimit"] = 48, 24
        else:
            d["size"] = 20
    elif fam in ("le", "dl4j"):
        conv = isinstance(c["model"]["input"], list)
        if conv:
            s["batch"] = 16
        b = s.get("batch", 32)
        s["epochs"], s["evalEvery"] = 2, 1
        d["trainLimit"], d["evalLimit"] = 2 * b, b
    elif fam == "gle" and task == "classification":
        s["epochs"] = 2
        d["trainLimit"], d["evalLimit"] = 200, 100
    elif fam == "gle":
        s["duration"] = 5 * s.get("logEvery", 1)
    if d is not None and d.get("name") not in ("yinyang", "random-uniform", "signal"):
        d["dir"] = data
    with open(os.path.join(out, name), "w") as f:
        yaml.safe_dump(c, f, sort_keys=False)
