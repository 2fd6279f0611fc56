#!/usr/bin/env bash
# The side-by-side harness: W1, W2, W3 with Gradus and (with --peers) Deeplearning4j and Smile.
# Usage (from anywhere):
#   gradus-bench/scripts/side-by-side.sh [--peers] [--threads 2] [--epochs 3] [--workloads W1,W2,W3]
# W1 reads Fashion-MNIST from /usr/share/datasets/fashion-mnist (apt-get install -y dataset-fashion-mnist).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
profile=()
args=()
threads=2
while [ $# -gt 0 ]; do
  case "$1" in
    --peers) profile=(-Ppeers); shift ;;
    --threads) threads="$2"; args+=("$1" "$2"); shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
cd "$root"
mvn -q "${profile[@]}" -pl gradus-bench -am compile
cp="gradus-core/target/classes:gradus-workloads/target/classes:gradus-bench/target/classes:$(cat gradus-bench/target/classpath.txt)"
# nd4j-native's OpenMP threads = the harness's thread count.
export OMP_NUM_THREADS="$threads"
exec java --add-modules jdk.incubator.vector -XX:+UseParallelGC -Xmx8g -cp "$cp" dev.gradus.bench.SideBySide "${args[@]}"
