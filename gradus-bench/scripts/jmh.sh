#!/usr/bin/env bash
# Runs the JMH benchmarks of gradus-bench. Arguments go to JMH, e.g.
#   gradus-bench/scripts/jmh.sh SgemmBench
#   gradus-bench/scripts/jmh.sh KernelBench -p threads=1
#   gradus-bench/scripts/jmh.sh TrainingStepBench.step -prof gc
#   gradus-bench/scripts/jmh.sh ServingBench
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
mvn -q -pl gradus-bench -am compile
cp="gradus-core/target/classes:gradus-workloads/target/classes:gradus-bench/target/classes:$(cat gradus-bench/target/classpath.txt)"
exec java --add-modules jdk.incubator.vector -cp "$cp" org.openjdk.jmh.Main "$@"
