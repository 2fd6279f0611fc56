#!/usr/bin/env bash
# Data larger than the heap: `gradus train --epochs 1` on a 6,000,000-row CSV (about 1.1 GB;
# 20 numbers + a 0/1 label) with a 256 MB heap (what JAVA_OPTS=-Xmx256m ./gradus gives), streamed through the disk cache, beside
# pandas.read_csv on the same file: wall time and peak RSS (GNU time's "Maximum resident set size")
# of each. gradus runs twice: the first run reads the CSV and writes the cache, the second reuses
# it (once more holding out the default stopping rule's 10% validation rows); then once with --no-cache.
# Usage (from anywhere): gradus-bench/scripts/out-of-core.sh [ROWS]
# Needs python3 with numpy and pandas and /usr/bin/time. The data file is generated once into
# gradus-bench/target/ooc/ (never committed); the cache goes to gradus-bench/target/ooc/cache
# (XDG_CACHE_HOME), not to the home folder.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
rows="${1:-6000000}"
cd "$root"
py=/usr/bin/python3
{ [ -x "$py" ] && "$py" -c "import pandas" 2>/dev/null; } || py=python3
dir=gradus-bench/target/ooc
mkdir -p "$dir"
data="$dir/ooc_${rows}.csv"
if [ ! -f "$data" ]; then
  "$py" gradus-bench/scripts/ooc_data.py "$data" "$rows"
fi
# Build (if stale) before timing, then run a copy of the jar with the launcher's JVM flags, so that
# neither a build nor a source edit during the run lands inside a measurement.
./gradus --version > /dev/null
cp gradus-cli/target/gradus.jar "$dir/gradus.jar"
gradus=(java --add-modules jdk.incubator.vector -XX:+UseParallelGC -Xmx256m -jar "$dir/gradus.jar")
export XDG_CACHE_HOME="$root/$dir/cache"
rm -rf "$XDG_CACHE_HOME"
echo "file: $data ($(du -m "$data" | cut -f1) MB, $rows rows); $(nproc) cores; $(uptime | sed 's/.*load/load/')"
run() {   # label, command...
  local label="$1"; shift
  /usr/bin/time -v "$@" > "$dir/out.txt" 2> "$dir/time.txt" || { cat "$dir/out.txt" "$dir/time.txt"; exit 1; }
  printf '  %-44s %9s wall, peak RSS %5d MB\n' "$label" "$(grep 'Elapsed' "$dir/time.txt" | awk '{print $NF}')" \
    "$(( $(grep 'Maximum resident' "$dir/time.txt" | awk '{print $NF}') / 1024 ))"
}
run "gradus train --epochs 1 (-Xmx256m, new cache)" "${gradus[@]}" train --data "$data" --task classification \
  --epochs 1 --out "$dir/model.gradus" --quiet
grep -h 'trained\|final loss' "$dir/out.txt" | sed 's/^/    /'
run "gradus train --epochs 1 (-Xmx256m, cache reused)" "${gradus[@]}" train --data "$data" --task classification \
  --epochs 1 --out "$dir/model.gradus" --quiet
grep -h 'trained' "$dir/out.txt" | sed 's/^/    /'
# The default stopping rule (no --epochs) holds out 10% of the rows as validation rows, scored from
# the cache after every epoch; --epochs turns the rule off, so this run holds out the same rows by
# hand for its one epoch.
run "gradus train --epochs 1 --validation-fraction 0.1 (reused)" "${gradus[@]}" train --data "$data" \
  --task classification --epochs 1 --validation-fraction 0.1 --out "$dir/model.gradus" --quiet
grep -h 'trained\|validation' "$dir/out.txt" | sed 's/^/    /'
run "gradus train --epochs 1 (-Xmx256m, --no-cache)" "${gradus[@]}" train --data "$data" --task classification \
  --epochs 1 --out "$dir/model.gradus" --quiet --stream --no-cache
echo "  cache: $(du -m "$XDG_CACHE_HOME" | tail -1 | cut -f1) MB in $XDG_CACHE_HOME"
run "pandas.read_csv" "$py" gradus-bench/scripts/ingest_pandas.py "$data" 1
sed 's/^/    /' "$dir/out.txt"
echo "$(uptime | sed 's/.*load/load/')"
