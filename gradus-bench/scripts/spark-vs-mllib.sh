#!/usr/bin/env bash
# Full-batch L-BFGS, 20 iterations, on 1M rows x 20 -> 32 sigmoid -> 2 softmax (cross-entropy):
# gradus-spark (SparkTrainer, rows cached on the executors), Gradus in one JVM (Trainer, as
# gradus train runs it), and Spark MLlib's MultilayerPerceptronClassifier (same layers, l-bfgs,
# tol 0), each in its own JVM, alternating, in one run (dev.gradus.bench.SparkBench). Prints every
# run's line, then the medians over the rounds of the seconds per iteration and per gradient
# evaluation (wall and CPU: on a shared machine the CPU seconds are the steadier), and the ratios the targets are stated in (issue 12 of the notes: gradus-spark
# <= 1.1x one JVM, <= 0.5x MLlib, per iteration). Run it under `flock /work/wt/bench.lock` on a
# shared machine, and quote `uptime` beside the numbers (the script prints it).
# With --before DIR (another checkout of Gradus, built: ./gradus-spark --help and gradus-bench compiled
# there) each round also runs that build's gradus-spark, as "spark-before", between the others.
# Usage: gradus-bench/scripts/spark-vs-mllib.sh [--rounds 3] [--rows 1000000] [--iterations 20]
#        [--master local[2]] [--partitions 2] [--threads 2] [--before DIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
rounds=3
before=""
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --before) before="$(cd "$2" && pwd)"; shift 2 ;;
    --rows|--iterations|--master|--partitions|--threads) args+=("$1" "$2"); shift 2 ;;
    *) echo "unknown argument $1; known: --rounds N --rows N --iterations N --master URL --partitions P --threads N --before DIR" >&2
       exit 2 ;;
  esac
done
cd "$root"
./gradus-spark --help >/dev/null                        # builds spark/target/gradus-spark.jar and the Spark jars
mvn -q -B -pl gradus-bench -am compile -DskipTests
cp="gradus-bench/target/classes:spark/target/gradus-spark.jar:spark/target/spark-home/jars/*"
modes=(spark local mllib)
if [ -n "$before" ]; then
  modes=(spark spark-before local mllib)
fi
flags=(--add-modules jdk.incubator.vector -XX:+UseParallelGC -Xmx3g -XX:+IgnoreUnrecognizedVMOptions
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
  -Djdk.reflect.useDirectMethodHandle=false -Dio.netty.tryReflectionSetAccessible=true
  "-Dlog4j2.configurationFile=$root/spark/conf/log4j2.properties")
results="$(mktemp)"
trap 'rm -f "$results"' EXIT
echo "load before: $(uptime)"
for r in $(seq 1 "$rounds"); do
  for mode in "${modes[@]}"; do
    if [ "$mode" = spark-before ]; then
      line=$(java "${flags[@]}" -cp "$before/${cp//:/:$before/}" dev.gradus.bench.SparkBench --mode spark "${args[@]}" 2>/dev/null)
    else
      line=$(java "${flags[@]}" -cp "$cp" dev.gradus.bench.SparkBench --mode "$mode" "${args[@]}" 2>/dev/null)
    fi
    echo "round $r: $line"
    echo "$mode $line" >>"$results"
  done
done
echo "load after: $(uptime)"
python3 - "$results" <<'PY'
import re, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    mode, rest = line.split(" ", 1)
    it = float(re.search(r"([0-9.]+) s per iteration", rest).group(1))
    ev = float(re.search(r"([0-9.]+) s per evaluation", rest).group(1))
    evals = int(re.search(r"([0-9]+) gradient evaluations", rest).group(1))
    iters = int(re.search(r"([0-9]+) iterations", rest).group(1))
    cit = float(re.search(r"cpu ([0-9.]+) s per iteration", rest).group(1))
    cev = float(re.search(r"cpu ([0-9.]+) s per evaluation", rest).group(1))
    runs.setdefault(mode, []).append((it, ev, evals / iters, cit, cev))
med = {m: tuple(statistics.median(v[i] for v in vs) for i in range(5)) for m, vs in runs.items()}
for m in [m for m in ("spark", "spark-before", "local", "mllib") if m in med]:
    it, ev, per, cit, cev = med[m]
    print(f"median over {len(runs[m])} rounds, {m:5}: {it:.4f} s per iteration, {ev:.4f} s per evaluation, "
          f"{per:.2f} evaluations per iteration; cpu {cit:.4f} s per iteration, {cev:.4f} s per evaluation")
l, ml = med["local"], med["mllib"]
for which in [m for m in ("spark", "spark-before") if m in med]:
    s = med[which]
    for name, o, target in (("one JVM", l, "1.1"), ("MLlib  ", ml, "0.5")):
        print(f"gradus-{which} / {name} = {s[0] / o[0]:.2f}x per iteration ({s[1] / o[1]:.2f}x per evaluation); "
              f"cpu {s[3] / o[3]:.2f}x per iteration ({s[4] / o[4]:.2f}x per evaluation); target <= {target}x per iteration")
PY
