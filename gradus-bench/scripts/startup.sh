#!/usr/bin/env bash
# Start-up: `./gradus train --data data/iris_train.csv --task classification` with the defaults
# (4-100-3, Adam, batch 32, early stopping: 384 epochs), the command a new user runs first, timed
# from the shell (launcher, JVM start, class loading, JIT warm-up, training, model file). Prints the
# best and the median wall time and user CPU of --runs runs, with the load average beside them.
# With --baseline DIR (another checkout, e.g. `git worktree add /tmp/before <commit>`), both
# checkouts run in turns, round by round, so that a busy neighbour hits both alike.
# Each checkout's launcher builds its jar and class-data-sharing archive first, in one untimed run.
# Usage (from anywhere): gradus-bench/scripts/startup.sh [--runs 3] [--baseline DIR]
# JAVA_HOME chooses the JDK, as for ./gradus.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
runs=3 baseline=''
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --baseline) baseline="$(cd "$2" && pwd)"; shift 2 ;;
    *) echo "startup.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
checkouts=("$root"); [ -n "$baseline" ] && checkouts=("$baseline" "$root")
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
for c in "${checkouts[@]}"; do   # build, and the archive for this JDK, with the command measured
  "$c/gradus" train --data "$c/data/iris_train.csv" --task classification --out "$tmp/m.gradus" --quiet >/dev/null 2>&1
done
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
echo "start-up: $runs runs each, $("$java" -version 2>&1 | head -1), $(nproc) cores, load before $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$runs"); do
  for i in "${!checkouts[@]}"; do
    c="${checkouts[$i]}"
    /usr/bin/time -f '%e %U' -o "$tmp/t" "$c/gradus" train --data "$c/data/iris_train.csv" --task classification \
        --out "$tmp/m.gradus" --quiet >/dev/null 2>&1
    echo "$i $(cat "$tmp/t")" >> "$tmp/all"
  done
done
median() { sort -n | awk '{ v[NR] = $1 } END { printf "%.2f", v[int((NR + 1) / 2)] }'; }
best() { sort -n | head -1; }
for i in "${!checkouts[@]}"; do
  name="${checkouts[$i]}"; [ -n "$baseline" ] && { [ "$i" = 0 ] && name="before ($name)" || name="after ($name)"; }
  walls="$(awk -v i="$i" '$1 == i { print $2 }' "$tmp/all")"
  users="$(awk -v i="$i" '$1 == i { print $3 }' "$tmp/all")"
  echo "$name: wall best $(best <<<"$walls") s, median $(median <<<"$walls") s;" \
       "user CPU best $(best <<<"$users") s, median $(median <<<"$users") s"
done
echo "load after $(cut -d' ' -f1-3 /proc/loadavg)"
