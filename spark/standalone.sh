#!/usr/bin/env bash
# Starts a Spark standalone master and two workers (1 core, 1 GiB each) on 127.0.0.1 from the
# jars ./gradus-spark collects, runs the given command with MASTER=spark://127.0.0.1:PORT in its
# environment, then stops them. Example:
#   spark/standalone.sh sh -c './gradus-spark train --data data/digits_train.csv --master "$MASTER" --out m.gradus'
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/gradus-spark" --help >/dev/null              # builds the jars on first use
export SPARK_HOME="$root/spark/target/spark-home" SPARK_LOCAL_IP=127.0.0.1 SPARK_LOCAL_HOSTNAME=127.0.0.1 \
  SPARK_SCALA_VERSION=2.13
touch "$SPARK_HOME/RELEASE"                          # Spark looks for SPARK_HOME/jars beside it
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
flags=(-XX:+IgnoreUnrecognizedVMOptions --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED
  --add-opens=java.base/sun.util.calendar=ALL-UNNAMED -Xmx512m -cp "$SPARK_HOME/jars/*"
  "-Dlog4j2.configurationFile=$root/spark/conf/log4j2-cluster.properties")
work="$(mktemp -d)"
port=$(( 20000 + RANDOM % 20000 ))
pids=()
stop() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap stop EXIT
"$java" "${flags[@]}" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$port" --webui-port 0 \
  >"$work/master.log" 2>&1 & pids+=($!)
for w in 1 2; do
  "$java" "${flags[@]}" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores 1 --memory 1g \
    --webui-port 0 --work-dir "$work/w$w" "spark://127.0.0.1:$port" >"$work/worker$w.log" 2>&1 & pids+=($!)
done
for _ in $(seq 1 360); do
  [ "$(grep -c 'Registering worker' "$work/master.log" || true)" -ge 2 ] && break
  sleep 0.25
done
MASTER="spark://127.0.0.1:$port" "$@"
