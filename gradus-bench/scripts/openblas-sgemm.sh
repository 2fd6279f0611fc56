#!/usr/bin/env bash
# Builds and runs the OpenBLAS sgemm yardstick on 1 and 2 threads.
# Needs Debian's libopenblas-dev:  apt-get install -y libopenblas-dev
# Usage: gradus-bench/scripts/openblas-sgemm.sh [n=1024]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${TMPDIR:-/tmp}/gradus-sgemm"
cc -O2 -o "$out" "$here/sgemm.c" -lopenblas
n="${1:-1024}"
for threads in 1 2; do
  OPENBLAS_NUM_THREADS=$threads "$out" "$n" 10 7
done
