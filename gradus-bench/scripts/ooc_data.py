#!/usr/bin/env python3
"""Writes the out-of-core benchmark's CSV: ROWS rows x 20 numeric features + a 0/1 label.

Usage: ooc_data.py OUT.csv [ROWS]   (default 6,000,000 rows, about 1.1 GB; seeded, so reruns give
the same file). Numbers are written as %.6f with spreads from 0.5 to 50; the label depends on the
first three features.
"""
import sys

import numpy as np

out = sys.argv[1]
rows = int(sys.argv[2]) if len(sys.argv) > 2 else 6_000_000
rng = np.random.default_rng(2026)
scale = rng.uniform(0.5, 50, size=20)
block = 200_000
with open(out, "w", encoding="utf-8") as f:
    f.write(",".join([f"x{j}" for j in range(20)] + ["label"]) + "\n")
    for start in range(0, rows, block):
        n = min(block, rows - start)
        x = rng.normal(size=(n, 20)) * scale
        score = x[:, 0] / scale[0] + x[:, 1] / scale[1] - x[:, 2] / scale[2]
        label = (score + rng.normal(size=n) * 0.5 > 0).astype(int)
        numbers = np.char.mod("%.6f", x)
        lines = [",".join(numbers[i]) + f",{label[i]}" for i in range(n)]
        f.write("\n".join(lines) + "\n")
