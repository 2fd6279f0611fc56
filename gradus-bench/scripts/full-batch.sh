#!/usr/bin/env bash
# Full-batch epochs on 1M rows x 20 -> 32 ReLU -> 2 (Adam, cross-entropy): Gradus and PyTorch
# side by side, alternating, in one run. Prints each run's median seconds per epoch, then the
# median over the rounds for each and the ratio PyTorch / Gradus.
# Usage (from anywhere):
#   gradus-bench/scripts/full-batch.sh [--rounds 3] [--rows 1000000] [--epochs 8] [--threads 2]
# PyTorch: apt-get install -y python3-torch (Debian's; the script runs /usr/bin/python3).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
rounds=3
rows=1000000
epochs=8
threads=2
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --rows) rows="$2"; shift 2 ;;
    --epochs) epochs="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    *) echo "unknown argument $1; known: --rounds N --rows N --epochs N --threads N" >&2; exit 2 ;;
  esac
done
cd "$root"
mvn -q -B -pl gradus-bench -am compile
cp="gradus-core/target/classes:gradus-onnx/target/classes:gradus-cli/target/classes:gradus-bench/target/classes:$(cat gradus-bench/target/classpath.txt)"
common=(--rows "$rows" --epochs "$epochs" --warmup 2 --threads "$threads")
gradus=()
torch=()
for r in $(seq 1 "$rounds"); do
  g=$(java --add-modules jdk.incubator.vector -XX:+UseParallelGC -Xmx3g -cp "$cp" dev.gradus.bench.FullBatchBench \
      "${common[@]}" 2>/dev/null)
  echo "round $r: $g"
  gradus+=("$(sed -E 's/.*median ([0-9.]+) s.*/\1/' <<<"$g")")
  t=$(/usr/bin/python3 gradus-bench/scripts/full_batch_pytorch.py "${common[@]}")
  echo "round $r: $t"
  torch+=("$(sed -E 's/.*median ([0-9.]+) s.*/\1/' <<<"$t")")
done
python3 - "${gradus[*]}" "${torch[*]}" <<'PY'
import statistics, sys
g = [float(v) for v in sys.argv[1].split()]
t = [float(v) for v in sys.argv[2].split()]
mg, mt = statistics.median(g), statistics.median(t)
print(f"median over {len(g)} rounds: gradus {mg:.4f} s/epoch, pytorch {mt:.4f} s/epoch, "
      f"pytorch / gradus = {mt / mg:.2f}x")
PY
