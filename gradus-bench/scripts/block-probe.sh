#!/usr/bin/env bash
# One 1,024-row block of the full-batch pass (20 -> 32 ReLU -> 2, cross-entropy: forward, loss,
# backward) on one thread, in thread CPU time (BlockProbe): this build, and with BEFORE_CP=<classes
# of another build>:<its jars> that build too, alternated in one run, so that a change to the pass
# is measured beside what it replaces even on a shared machine.
# Usage: gradus-bench/scripts/block-probe.sh [--pairs 3] [BlockProbe arguments: --rounds 11 --blocks 1000]
# BlockProbe is compiled against the other build when it lacks it.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
pairs=3
if [ "${1:-}" = "--pairs" ]; then pairs="$2"; shift 2; fi
cd "$root"
mvn -q -B -pl gradus-bench -am compile
cp="gradus-core/target/classes:gradus-onnx/target/classes:gradus-cli/target/classes:gradus-bench/target/classes:$(cat gradus-bench/target/classpath.txt)"
before=""
if [ -n "${BEFORE_CP:-}" ]; then
  probe="$(mktemp -d)"
  trap 'rm -rf "$probe"' EXIT
  javac -d "$probe" -cp "$BEFORE_CP" gradus-bench/src/main/java/dev/gradus/bench/BlockProbe.java
  before="$probe:$BEFORE_CP"
fi
uptime
for r in $(seq 1 "$pairs"); do
  if [ -n "$before" ]; then
    echo "before: $(java --add-modules jdk.incubator.vector -XX:+UseParallelGC -cp "$before" dev.gradus.bench.BlockProbe "$@" 2>/dev/null)"
  fi
  echo "this:   $(java --add-modules jdk.incubator.vector -XX:+UseParallelGC -cp "$cp" dev.gradus.bench.BlockProbe "$@" 2>/dev/null)"
done
uptime
