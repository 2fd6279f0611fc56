#!/usr/bin/env bash
# gradus-spark's exact mini-batch mode beside --sync-every K (local SGD with model averaging) on
# Fashion-MNIST (apt-get install dataset-fashion-mnist): 784 -> 128 ReLU -> 10 softmax, Adam
# (lr 0.001), batches of 128, shuffled, local[2] with 2 partitions, the 10,000 test images scored
# after every epoch; Gradus in one JVM (2 threads) for reference. All in one JVM, one after the
# other (dev.gradus.bench.SparkAveragingBench): per mode and epoch, wall seconds since training
# began, training loss, test loss and accuracy, Spark jobs per epoch and seconds per job (an exact
# step, or a round of K local steps). Run it under `flock /work/wt/bench.lock` on a shared
# machine; it prints `uptime` before and after.
# Usage: gradus-bench/scripts/spark-sync-every.sh [--rows 60000] [--epochs 4] [--sync 4,16,64]
#        [--master local[2]] [--partitions 2]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
./gradus-spark --help >/dev/null                        # builds spark/target/gradus-spark.jar and the Spark jars
mvn -q -B -pl gradus-bench -am compile -DskipTests
cp="gradus-bench/target/classes:spark/target/gradus-spark.jar:spark/target/spark-home/jars/*"
echo "load before: $(uptime)"
java --add-modules jdk.incubator.vector -XX:+UseParallelGC -Xmx3g -XX:+IgnoreUnrecognizedVMOptions \
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED \
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED \
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED \
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED \
  --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED \
  -Djdk.reflect.useDirectMethodHandle=false -Dio.netty.tryReflectionSetAccessible=true \
  "-Dlog4j2.configurationFile=$root/spark/conf/log4j2.properties" \
  -cp "$cp" dev.gradus.bench.SparkAveragingBench "$@" 2>/dev/null
echo "load after: $(uptime)"
