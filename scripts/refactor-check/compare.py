#!/usr/bin/env python3
"""Compares the shortened runs of two cortex4j builds (record.sh outputs): metrics.csv without the
wall-time columns, and parameters.npz, array by array, bit for bit.

usage: compare.py BEFORE_DIR AFTER_DIR
Columns and parameters renamed by the spine restructuring are matched by their new names; a value
of the old metrics.csv (printed with 6 significant digits) equals the new one when the new value,
printed the same way, is the same text.
"""
import csv
import math
import os
import re
import sys

import numpy as np
from decimal import ROUND_HALF_UP, Decimal

before, after = sys.argv[1], sys.argv[2]
WALL = {"wall_s", "samples_per_s", "steps_per_s"}
RENAME = {"test_acc": "val_acc", "test_loss": "val_loss", "loss": "train_loss", "sim_time_s": "time"}


def new_column(old, family):
    if old in RENAME and not (old == "test_acc" and family != "gle") and not (old == "test_loss" and family != "gle"):
        return RENAME[old]
    m = re.match(r"layer(\d+)\.(.*)", old)
    if m and family == "gle":
        return "layer%d.%s" % (int(m.group(1)) + 1, m.group(2))
    return old


def new_param(old, family):
    m = re.fullmatch(r"(W|B|WIP|BPI)(\d+)", old)
    if m and family == "microcircuit":
        return "layer%s.%s" % (m.group(2), m.group(1))
    m = re.match(r"layer(\d+)\.(.*)", old)
    if m and family == "gle":
        return "layer%d.%s" % (int(m.group(1)) + 1, m.group(2))
    return old


def g6(text):
    if text == "":
        return ""
    v = float(text)
    return str(int(v)) if v == int(v) and abs(v) < 1e15 and "." not in text and "e" not in text else "%.6g" % v


def java_g6(v):
    """Java's String.format("%.6g", v): 6 significant digits, rounded half up (Python's rounds half even)."""
    if v == 0:
        return "0.00000"
    d = Decimal(repr(v))
    exp = d.adjusted()
    if -4 <= exp < 6:
        q = Decimal(1).scaleb(exp - 5)
        return str(d.quantize(q, rounding=ROUND_HALF_UP))
    m = (d.scaleb(-exp)).quantize(Decimal("1.00000"), rounding=ROUND_HALF_UP)
    if abs(m) >= 10:
        m, exp = m / 10, exp + 1
        m = m.quantize(Decimal("1.00000"), rounding=ROUND_HALF_UP)
    return "%se%s%02d" % (m, "-" if exp < 0 else "+", abs(exp))


def family_of(run):
    with open(os.path.join(run, "config.yaml")) as f:
        for line in f:
            m = re.match(r"\s+family:\s*(\S+)", line)
            if m:
                return m.group(1)
    return "?"


ok = True
for name in sorted(os.listdir(before)):
    b = os.path.join(before, name)
    a = os.path.join(after, name)
    if not os.path.isdir(b):
        continue
    if not os.path.isdir(a):
        print("%-28s MISSING after" % name)
        ok = False
        continue
    fam = family_of(b)
    notes, diffs = [], []
    rb = list(csv.DictReader(open(os.path.join(b, "metrics.csv"))))
    ra = list(csv.DictReader(open(os.path.join(a, "metrics.csv"))))
    if len(rb) != len(ra):
        diffs.append("rows %d vs %d" % (len(rb), len(ra)))
    for i, (x, y) in enumerate(zip(rb, ra)):
        for col, val in x.items():
            if col in WALL:
                continue
            nc = new_column(col, fam)
            if nc not in y and nc + "_nudged" in y:
                nc += "_nudged"  # training numbers read from a nudged output (GLE with γ ≠ 0 on its output)
            if nc not in y:
                if i == 0:
                    notes.append("column %s not in the new metrics" % col)
                continue
            old, new = val, y[nc]
            if col == "sim_time_s":
                continue  # seconds of simulated time; the new 'time' is in the model's unit and follows 'steps'
            if old == "" and new == "":
                continue
            if old == "" or new == "":
                diffs.append("row %d %s: %r vs %r" % (i + 1, col, old, new))
                continue
            ov = float(old)
            nv = float(new)
            same = java_g6(nv) == old or ov == nv
            if not same:
                diffs.append("row %d %s: %s vs %s" % (i + 1, col, old, new))
    pb, pa = os.path.join(b, "parameters.npz"), os.path.join(a, "parameters.npz")
    if os.path.exists(pb):
        B, A = np.load(pb), np.load(pa)
        for k in B.files:
            nk = new_param(k, fam)
            if nk not in A.files:
                diffs.append("parameter %s (%s) missing" % (k, nk))
            elif not np.array_equal(B[k], A[nk]):
                d = np.max(np.abs(B[k].astype(np.float64) - A[nk].astype(np.float64)))
                diffs.append("parameter %s differs (max |d| %.3g)" % (nk, d))
        params = "%d parameter arrays bit-identical" % len(B.files) if not any("parameter" in d for d in diffs) else ""
    else:
        params = "no parameters.npz before"
    status = "IDENTICAL" if not diffs else "DIFFERS"
    if diffs:
        ok = False
    print("%-28s %-9s metrics %d rows; %s%s" % (name, status, len(rb), params, "" if not notes else "; " + "; ".join(notes)))
    for d in diffs[:8]:
        print("    " + d)
    if len(diffs) > 8:
        print("    ... %d more" % (len(diffs) - 8))
sys.exit(0 if ok else 1)
