#!/usr/bin/env bash
# A large Parquet set trained on the standalone cluster of spark/standalone.sh (a master and two
# workers, 1 core and 1 GiB each, on 127.0.0.1) with the driver's heap at 512 MiB: the executors
# read the Parquet files, fit the preprocessing by aggregation, encode float32 blocks and train;
# no row reaches the driver. Prints the run's JSON, its wall time and the driver's peak resident
# memory (/usr/bin/time), the size of the data as float32, and the model's scores on the training
# rows (gradus-spark evaluate on the same cluster, after the timed run).
# Usage: gradus-bench/scripts/spark-large.sh [--rows 6000000] [--epochs 3] [--data DIR]
#   (the data is written once to DIR, default /tmp/gradus-large-ROWS.parquet, by SparkBench on local[2])
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
rows=6000000
epochs=3
data=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) rows="$2"; shift 2 ;;
    --epochs) epochs="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    *) echo "unknown argument $1; known: --rows N --epochs N --data DIR" >&2; exit 2 ;;
  esac
done
data="${data:-/tmp/gradus-large-$rows.parquet}"
cd "$root"
./gradus-spark --help >/dev/null
if [ ! -d "$data" ]; then
  mvn -q -B -pl gradus-bench -am compile -DskipTests
  cp="gradus-bench/target/classes:spark/target/gradus-spark.jar:spark/target/spark-home/jars/*"
  java --add-modules jdk.incubator.vector -Xmx2g -XX:+IgnoreUnrecognizedVMOptions \
    --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED \
    --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
    --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
    --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED \
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED \
    --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED \
    "-Dlog4j2.configurationFile=$root/spark/conf/log4j2.properties" \
    -cp "$cp" dev.gradus.bench.SparkBench --mode write-parquet --rows "$rows" --out "$data" 2>/dev/null
fi
echo "data: $data, $(du -sh "$data" | cut -f1) on disk, $rows rows x 21 columns = $(( rows * 21 * 4 / 1048576 )) MiB as float32"
echo "load before: $(uptime)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
DATA="$data" OUT="$out/model.gradus" EPOCHS="$epochs" spark/standalone.sh sh -c \
  '/usr/bin/time -f "driver: %e s wall, peak resident %M KiB" env JAVA_OPTS=-Xmx512m ./gradus-spark train \
     --data "$DATA" --master "$MASTER" --partitions 2 --task classification --layers 32 --activation sigmoid --optimizer lbfgs \
     --batch-size 0 --epochs "$EPOCHS" --json --out "$OUT" &&
   echo "accuracy on the training rows (gradus-spark evaluate on the same cluster):" &&
   env JAVA_OPTS=-Xmx512m ./gradus-spark evaluate --model "$OUT" --data "$DATA" --master "$MASTER" --json'
echo "load after: $(uptime)"
