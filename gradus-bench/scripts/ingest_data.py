#!/usr/bin/env python3
"""Writes the ingest benchmark's CSV: ROWS rows x (20 numeric + 2 text) features + a text label.

Usage: ingest_data.py OUT.csv [ROWS]   (default 1,000,000 rows, about 200 MB; seeded, so reruns
give the same file). Numbers are written with 6 decimals (as %.6f), the text columns hold 50
and 5 categories, the label 3 classes that depend on the features.
"""
import sys

import numpy as np

out = sys.argv[1]
rows = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
rng = np.random.default_rng(2026)
cities = np.array([f"city_{k:02d}" for k in range(50)])
segments = np.array(["retail", "wholesale", "online", "partner", "other"])
block = 100_000
with open(out, "w", encoding="utf-8") as f:
    f.write(",".join([f"x{j}" for j in range(20)] + ["city", "segment", "label"]) + "\n")
    for start in range(0, rows, block):
        n = min(block, rows - start)
        x = rng.normal(size=(n, 20)) * rng.uniform(0.5, 50, size=20)
        city = cities[rng.integers(0, 50, size=n)]
        segment = segments[rng.integers(0, 5, size=n)]
        score = x[:, 0] / 10 + x[:, 1] / 20 - x[:, 2] / 30
        label = np.where(score > 1, "high", np.where(score < -1, "low", "mid"))
        numbers = np.char.mod("%.6f", x)
        lines = [",".join(numbers[i]) + f",{city[i]},{segment[i]},{label[i]}" for i in range(n)]
        f.write("\n".join(lines) + "\n")
