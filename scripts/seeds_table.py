"""Markdown tables of test accuracy (mean ± std over seeds) from the <name>-seeds-<time>.json files
that `cortex4j train --seeds` leaves, one table per data-set folder of OUT_DIR; used by the results
scripts of scripts/*-results/table.py."""
import glob
import json
import os


def print_tables(out, order, label, angle_keys, angle_header, with_error=False):
    """One table per folder of out: a row per config name in order that has a summary there."""
    for data in sorted(os.listdir(out)):
        files = {}
        for f in glob.glob(os.path.join(out, data, "*-seeds-*.json")):
            d = json.load(open(f))
            files[d["name"]] = d
        print("\n%s\n" % data)
        cols = ["rule", "test accuracy"] + (["test error"] if with_error else []) + ["per seed", angle_header]
        print("| " + " | ".join(cols) + " |")
        print("|" + "---|" * len(cols))
        for name in order:
            if name not in files:
                continue
            d = files[name]
            a = d["test_acc"]
            angles = ["%.0f°" % d[k]["mean"] for k in angle_keys if k in d]
            row = [label[name], "%.2f ± %.2f %%" % (100 * a["mean"], 100 * a["std"])]
            if with_error:
                row.append("%.2f %%" % (100 * (1 - a["mean"])))
            row += [", ".join("%.2f" % (100 * v) for v in a["values"]), " / ".join(angles) or "–"]
            print("| " + " | ".join(row) + " |")
