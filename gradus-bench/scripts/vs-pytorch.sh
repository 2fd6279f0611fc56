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
# With BEFORE_CP=<classpath of another Gradus build, SideBySide included> each repeat also runs
# that build (e.g. main before a change, compiled elsewhere) between the two, and the summary
# gives its median beside. Each side also reports the median CPU seconds of its process per
# measured epoch (all threads), the ratio to read on a shared host.
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
# "samples/s cpu-seconds-per-epoch" of one Gradus run on classpath $1
gradus() {
  java --add-modules jdk.incubator.vector -XX:+UseParallelGC -Xmx2g -cp "$1" dev.gradus.bench.SideBySide \
      --gradus-only --threads "$threads" --workloads "$w" --epochs "$epochs" --warmup "$warmup" 2>/dev/null \
    | awk -v f="$field" '$1 == "RESULT" { print $f, ($8 == "cpu" ? $9 : "nan") }'
}
for w in ${workloads//,/ }; do
  for r in $(seq 1 "$repeats"); do
    read -r g gc <<<"$(gradus "$cp")"
    b=nan bc=nan
    if [ -n "${BEFORE_CP:-}" ]; then read -r b bc <<<"$(gradus "$BEFORE_CP")"; fi
    read -r p pc <<<"$(OMP_NUM_THREADS="$threads" /usr/bin/python3 gradus-bench/scripts/pytorch_workloads.py --threads "$threads" \
        --workloads "$w" --epochs "$epochs" --warmup "$warmup" | awk -v f="$field" '$1 == "RESULT" { print $f, $9 }')"
    ratio="$(awk -v g="$g" -v p="$p" 'BEGIN { printf "%.2f", g / p }')"
    cratio="$(awk -v g="$gc" -v p="$pc" 'BEGIN { printf "%.2f", p / g }')"
    extra=""
    [ -n "${BEFORE_CP:-}" ] && extra="$(printf '  before %10.0f (%.3f s cpu, %.2fx pytorch)' "$b" "$bc" "$(awk -v b="$b" -v p="$p" 'BEGIN { print b / p }')")"
    printf '%s repeat %d: gradus %10.0f  pytorch %10.0f samples/s  ratio %s;  cpu s/epoch gradus %.3f pytorch %.3f  ratio %s%s\n' \
        "$w" "$r" "$g" "$p" "$ratio" "$gc" "$pc" "$cratio" "$extra"
    echo "$w $g $p $ratio $gc $pc $cratio $b $bc" >> "$log"
  done
done
echo "median over repeats (load now $(cut -d' ' -f1-3 /proc/loadavg)):"
for w in ${workloads//,/ }; do
  awk -v w="$w" '$1 == w' "$log" | python3 -c '
import statistics, sys
rows = [l.split() for l in sys.stdin]
w = rows[0][0]
col = lambda i: [float(r[i]) for r in rows]
med = lambda v: statistics.median(v)
g, p, q, gc, pc, cq, b, bc = (col(i) for i in range(1, 9))
print(f"{w}: median ratio {med(q):.2f}x by samples/s (repeats: {len(rows)}; gradus {med(g):.0f}, pytorch {med(p):.0f} samples/s);"
      f" by CPU per epoch {med(cq):.2f}x (gradus {med(gc):.3f} s, pytorch {med(pc):.3f} s)")
if b[0] == b[0]:
    print(f"{w} before: {med(b):.0f} samples/s, {med(bc):.3f} s cpu per epoch; median ratio {med([x / y for x, y in zip(b, p)]):.2f}x pytorch;"
          f" gradus / before {med([x / y for x, y in zip(g, b)]):.2f}x by samples/s, {med([y / x for x, y in zip(gc, bc)]):.2f}x by CPU")
'
done
rm -f "$log"
