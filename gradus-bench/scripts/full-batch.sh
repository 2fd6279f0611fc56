#!/usr/bin/env bash
# Full-batch epochs on 1M rows x 20 -> 32 ReLU -> 2 (Adam, cross-entropy): Gradus and PyTorch
# side by side, alternating, in one run. Prints each run's median wall and CPU seconds per
# epoch, then the median over the rounds for each and the ratios PyTorch / Gradus (on a shared
# machine the CPU seconds, the work an epoch costs, are the steadier of the two).
# Usage (from anywhere):
#   gradus-bench/scripts/full-batch.sh [--rounds 3] [--rows 1000000] [--epochs 8] [--threads 2]
# PyTorch: apt-get install -y python3-torch (Debian's; the script runs /usr/bin/python3).
# With BEFORE_CP=<classpath of another Gradus build> each round also runs that build (e.g. the
# commit before a change, compiled elsewhere), and its median is printed beside.
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
before=()
for r in $(seq 1 "$rounds"); do
  if [ -n "${BEFORE_CP:-}" ]; then
    b=$(java --add-modules jdk.incubator.vector -XX:+UseParallelGC -Xmx4g -cp "$BEFORE_CP" dev.gradus.bench.FullBatchBench \
        "${common[@]}" 2>/dev/null)
    echo "round $r (before): $b"
    before+=("$(sed -E 's/.*median ([0-9.]+) s.*cpu ([0-9.]+) s.*/\1:\2/' <<<"$b")")
  fi
  g=$(java --add-modules jdk.incubator.vector -XX:+UseParallelGC -Xmx3g -cp "$cp" dev.gradus.bench.FullBatchBench \
      "${common[@]}" 2>/dev/null)
  echo "round $r: $g"
  gradus+=("$(sed -E 's/.*median ([0-9.]+) s.*cpu ([0-9.]+) s.*/\1:\2/' <<<"$g")")
  t=$(/usr/bin/python3 gradus-bench/scripts/full_batch_pytorch.py "${common[@]}")
  echo "round $r: $t"
  torch+=("$(sed -E 's/.*median ([0-9.]+) s.*cpu ([0-9.]+) s.*/\1:\2/' <<<"$t")")
done
python3 - "${gradus[*]}" "${torch[*]}" "${before[*]:-}" <<'PY'
import statistics, sys
def medians(arg):
    pairs = [tuple(float(x) for x in v.split(":")) for v in arg.split()]
    return statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs), len(pairs)
g_wall, g_cpu, n = medians(sys.argv[1])
t_wall, t_cpu, _ = medians(sys.argv[2])
print(f"median over {n} rounds: gradus {g_wall:.4f} s/epoch wall, {g_cpu:.4f} s cpu; "
      f"pytorch {t_wall:.4f} s wall, {t_cpu:.4f} s cpu; pytorch / gradus = {t_wall / g_wall:.2f}x wall, "
      f"{t_cpu / g_cpu:.2f}x cpu")
if sys.argv[3].strip():
    b_wall, b_cpu, _ = medians(sys.argv[3])
    print(f"before: {b_wall:.4f} s/epoch wall, {b_cpu:.4f} s cpu; before / gradus = {b_wall / g_wall:.2f}x wall, "
          f"{b_cpu / g_cpu:.2f}x cpu; pytorch / before = {t_wall / b_wall:.2f}x wall, {t_cpu / b_cpu:.2f}x cpu")
PY
