#!/usr/bin/env bash
# Gradus's inference path beside ONNX Runtime for Java on the same W1-shaped classifier
# (784-256-128-10), each side with the same number of threads (1 and 2): one-row latency
# percentiles and the time for 1,024 rows. Arguments go to JMH (e.g. -p threads=1).
#   gradus-bench/scripts/serving-bench.sh --rounds [--rounds-count N] [--reps N]
#       the same contenders in interleaved rounds, wall and CPU time, medians and ratios
#       (ServingRounds, for a shared machine)
#   gradus-bench/scripts/serving-bench.sh --before CLASSPATH [--threads N] [--rounds N]
#       this build's batch of 1,024 rows beside another build's (CLASSPATH: its classes and
#       dependencies, e.g. the commit before a change compiled elsewhere) in one JVM, interleaved
#       rounds (InferenceBeforeAfter)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
if [ "${1:-}" = "--before" ]; then
  before="$2"
  shift 2
  cd "$root"
  mvn -q -pl gradus-bench -am compile
  cp="gradus-core/target/classes:gradus-onnx/target/classes:gradus-bench/target/classes:$(cat gradus-bench/target/classpath.txt)"
  exec java --add-modules jdk.incubator.vector -Xmx2g -cp "$cp" dev.gradus.bench.InferenceBeforeAfter \
    --before "$before" --after "$cp" "$@"
fi
if [ "${1:-}" = "--rounds" ]; then
  shift
  cd "$root"
  mvn -q -pl gradus-bench -am compile
  cp="gradus-core/target/classes:gradus-onnx/target/classes:gradus-bench/target/classes:$(cat gradus-bench/target/classpath.txt)"
  exec java --add-modules jdk.incubator.vector -Xmx2g -cp "$cp" dev.gradus.bench.ServingRounds "$@"
fi
exec "$root/gradus-bench/scripts/jmh.sh" 'ServingBench\.(gradus|onnx)' "$@"
