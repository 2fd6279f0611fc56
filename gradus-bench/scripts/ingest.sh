#!/usr/bin/env bash
# Ingest side by side: gradus's CSV reader and pandas.read_csv on the same file in one run, then the
# peak RSS of `gradus train --epochs 1` and of pandas.read_csv on it (GNU time's "Maximum resident
# set size").
# Usage (from anywhere): gradus-bench/scripts/ingest.sh [ROWS] [REPEAT]
# Needs python3 with numpy and pandas (Debian: apt-get install -y python3-pandas) and /usr/bin/time.
# The data file is generated once into gradus-bench/target/ingest/ (never committed).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
rows="${1:-1000000}"
repeat="${2:-3}"
cd "$root"
# Debian's python3 has python3-pandas; a pyenv python3 first on PATH may not.
py=/usr/bin/python3
{ [ -x "$py" ] && "$py" -c "import pandas" 2>/dev/null; } || py=python3
dir=gradus-bench/target/ingest
mkdir -p "$dir"
data="$dir/ingest_${rows}.csv"
if [ ! -f "$data" ]; then
  "$py" gradus-bench/scripts/ingest_data.py "$data" "$rows"
fi
mvn -q -B -pl gradus-bench -am compile
cp="gradus-core/target/classes:gradus-bench/target/classes:$(cat gradus-bench/target/classpath.txt)"
echo "file: $data ($(du -mL "$data" | cut -f1) MB, $rows rows); $(nproc) cores; shared machine: $(uptime | sed 's/.*load/load/')"
# Alternate the two readers, so that both see the same background load.
for i in $(seq 1 "$repeat"); do
  java -XX:+UseParallelGC -cp "$cp" dev.gradus.bench.IngestBench "$data" 1
  "$py" gradus-bench/scripts/ingest_pandas.py "$data" 1
done
./gradus --version > /dev/null   # builds the jar (if stale) before anything is measured
echo "peak RSS (GNU time, kB):"
# The launcher holds the young generation to 128 MB unless JAVA_OPTS sizes the heap; "young
# generation as the JVM sizes it" passes the JVM's own default (a third of the default heap) to
# show what that cap saves, in the same run.
third="$(( $(java -XX:+UseParallelGC -XX:+PrintFlagsFinal -version 2>/dev/null | awk '$2 == "MaxHeapSize" {print $4}') / 3 ))"
rss() {   # label, JAVA_OPTS, gradus train flags...
  local label="$1" opts="$2"; shift 2
  JAVA_OPTS="$opts" /usr/bin/time -v ./gradus train --data "$data" --epochs 1 --out "$dir/model.gradus" --quiet "$@" \
    2> "$dir/time.txt" > /dev/null || { cat "$dir/time.txt"; exit 1; }
  echo "  gradus train --epochs 1 $label: $(grep 'Maximum resident' "$dir/time.txt" | awk '{print $NF}') kB," \
    "$(grep 'Elapsed' "$dir/time.txt" | awk '{print $NF}') wall"
}
rss "(launcher defaults)" ""
rss "(young generation as the JVM sizes it)" "-XX:MaxNewSize=$third"
rss "--stream on --no-cache (launcher defaults)" "" --stream on --no-cache
rss "--stream on --no-cache (young generation as the JVM sizes it)" "-XX:MaxNewSize=$third" --stream on --no-cache
/usr/bin/time -v "$py" gradus-bench/scripts/ingest_pandas.py "$data" 1 > /dev/null 2> "$dir/time.txt"
echo "  pandas.read_csv: $(grep 'Maximum resident' "$dir/time.txt" | awk '{print $NF}') kB"
