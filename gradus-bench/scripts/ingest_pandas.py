#!/usr/bin/env python3
"""pandas.read_csv on FILE, REPEAT times: prints one line per read (seconds) as the Java side does."""
import sys
import time

import pandas as pd

path = sys.argv[1]
repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 3
for i in range(repeat):
    t0 = time.perf_counter()
    c0 = time.process_time()
    df = pd.read_csv(path)
    t = time.perf_counter() - t0
    cpu = time.process_time() - c0
    print(f"pandas {pd.__version__} read_csv: {t:.3f} s wall, {cpu:.3f} s cpu ({len(df)} rows x {df.shape[1]} columns)",
          flush=True)
    del df
