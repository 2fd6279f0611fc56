#!/usr/bin/env bash
# Gradus against PyTorch on the side-by-side workloads, interleaved: each repeat runs Gradus
# (the SideBySide harness, its own JVM) and then PyTorch (pytorch_workloads.py) on the same
# workload, and the ratio of that pair is recorded; the summary is the median ratio over the
# repeats. Pairs run minutes apart at most, so a busy neighbour hits both sides alike.
# Usage (from anywhere):
#   gradus-bench/scripts/vs-pytorch.sh [--repeats 5] [--threads 2] [--workloads W1,W2]
#                                      [--epochs 3] [--warmup 1] [--rate median|overall]
# W2 in steady state (epochs 6-35, warm-up excluded):
#   gradus-bench/scripts/vs-pytorch.sh --workloads W2 --warmup 5 --epochs 30 --rate overall
# Needs python3-torch (apt-get install -y python3-torch) and, for W1, dataset-fashion-mnist.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
repeats=5 threads=2 workloads=W1,W2 epochs=3 warmup=1 rate=median
while [ $# -gt 0 ]; do
  case "$1" in
    --repeats) repeats="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --workloads) workloads="$2"; shift 2 ;;
    --epochs) epochs="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    *) echo "vs-pytorch.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[ "$rate" = median ] || [ "$rate" = overall ] || { echo "vs-pytorch.sh: --rate is median or overall" >&2; exit 2; }
/usr/bin/python3 -c 'import torch' 2>/dev/null || { echo "vs-pytorch.sh: PyTorch is missing (apt-get install -y python3-torch)" >&2; exit 1; }
cd "$root"
mvn -q -B -pl gradus-bench -am compile
cp="gradus-core/target/classes:gradus-onnx/target/classes:gradus-cli/target/classes:gradus-bench/target/classes:$(cat gradus-bench/target/classpath.txt)"
field=5; [ "$rate" = overall ] && field=7
log="$(mktemp)"
echo "vs PyTorch: $repeats interleaved repeats, $threads threads, $warmup warm-up + $epochs measured epochs, rate = $rate; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for w in ${workloads//,/ }; do
  for r in $(seq 1 "$repeats"); do
    g="$(java --add-modules jdk.incubator.vector -XX:+UseParallelGC -Xmx2g -cp "$cp" dev.gradus.bench.SideBySide \
        --gradus-only --threads "$threads" --workloads "$w" --epochs "$epochs" --warmup "$warmup" 2>/dev/null \
        | awk -v f="$field" '$1 == "RESULT" { print $f }')"
    p="$(OMP_NUM_THREADS="$threads" /usr/bin/python3 gradus-bench/scripts/pytorch_workloads.py --threads "$threads" \
        --workloads "$w" --epochs "$epochs" --warmup "$warmup" | awk -v f="$field" '$1 == "RESULT" { print $f }')"
    ratio="$(awk -v g="$g" -v p="$p" 'BEGIN { printf "%.2f", g / p }')"
    printf '%s repeat %d: gradus %10.0f  pytorch %10.0f samples/s  ratio %s\n' "$w" "$r" "$g" "$p" "$ratio"
    echo "$w $g $p $ratio" >> "$log"
  done
done
echo "median over repeats (load now $(cut -d' ' -f1-3 /proc/loadavg)):"
for w in ${workloads//,/ }; do
  awk -v w="$w" '$1 == w { print $2, $3, $4 }' "$log" | sort -n -k3 | awk -v w="$w" '
    { g[NR] = $1; p[NR] = $2; q[NR] = $3 }
    END { m = int((NR + 1) / 2); printf "%s: median ratio %.2fx (repeats: %d; the pair at the median: gradus %.0f, pytorch %.0f samples/s)\n", w, q[m], NR, g[m], p[m] }'
done
rm -f "$log"
