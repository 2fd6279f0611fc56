#!/usr/bin/env bash
# Load on `gradus serve` with wrk (Debian package `wrk`): one-row `dataframe_records` requests
# over 16 keep-alive connections, for a model trained on data/wine_train.csv (13 inputs) and for a
# 784-256-128-10 model (784 inputs, trained briefly on synthetic rows: the speed does not depend
# on the weights). wrk runs on the same machine as the server and shares its cores.
#
#   scripts/serve-load.sh [seconds per run, default 20] [connections, default 16] [server threads, default: cores]
#
# Prints wrk's report per model and the server's /metrics counters of errors.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
seconds="${1:-20}"
connections="${2:-16}"
threads="${3:-$(nproc)}"
command -v wrk >/dev/null || { echo "serve-load: wrk is needed (apt-get install wrk)" >&2; exit 1; }
work="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ]; then kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
# user + system CPU time of a process so far, in clock ticks
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

./gradus train --data data/wine_train.csv --task classification --out "$work/wine.gradus" --quiet
python3 - "$work" <<'PY'
import json, random, sys
work = sys.argv[1]
random.seed(1)
header = [f"pixel{j}" for j in range(784)]
with open(f"{work}/pixels.csv", "w") as f:
    f.write(",".join(header + ["label"]) + "\n")
    for i in range(2000):
        f.write(",".join(f"{random.random():.3f}" for _ in header) + f",{i % 10}\n")
with open(f"{work}/pixels.json", "w") as f:
    json.dump({"dataframe_records": [{h: round(random.random(), 3) for h in header}]}, f)
with open("data/wine_test.csv") as t:
    names = t.readline().strip().split(",")[:-1]
    values = t.readline().strip().split(",")[:-1]
with open(f"{work}/wine.json", "w") as f:
    json.dump({"dataframe_records": [{n: float(v) for n, v in zip(names, values)}]}, f)
PY
./gradus train --data "$work/pixels.csv" --task classification --layers 256,128 --epochs 1 \
    --out "$work/pixels.gradus" --quiet

for model in wine pixels; do
  port=$((20000 + RANDOM % 20000))
  ./gradus serve --model "$work/$model.gradus" --port "$port" --threads "$threads" >"$work/serve.log" 2>&1 &
  server=$!
  for _ in $(seq 300); do
    curl -sf "http://127.0.0.1:$port/ping" >/dev/null 2>&1 && break
    sleep 0.1
  done
  echo "== $model: $(curl -s "http://127.0.0.1:$port/metadata" | python3 -c 'import json,sys; m=json.load(sys.stdin); print(m["inputs"], "inputs,", "-".join(str(l["outputs"]) for l in m["layers"]), "layers")')"
  echo "answer: $(curl -s -H 'Content-Type: application/json' --data-binary @"$work/$model.json" "http://127.0.0.1:$port/invocations" | cut -c1-160)"
  # warm-up, then the measured run
  GRADUS_BODY="$work/$model.json" wrk -t2 -c"$connections" -d5s -s scripts/serve-load.lua \
      "http://127.0.0.1:$port/invocations" >/dev/null
  before="$(cpu_ticks "$server")"
  # wrk's own CPU time: the children's fields of the subshell that ran it
  wrk_ticks="$(bash -c 'GRADUS_BODY="$1" wrk -t2 -c"$2" -d"$3s" --latency -s scripts/serve-load.lua "$4" >&2;
      awk "{print \$16 + \$17}" /proc/$$/stat' _ "$work/$model.json" "$connections" "$seconds" \
      "http://127.0.0.1:$port/invocations" 2>"$work/wrk.txt")"
  after="$(cpu_ticks "$server")"
  cat "$work/wrk.txt"
  requests="$(awk '/requests in/ {print $1}' "$work/wrk.txt")"
  hz="$(getconf CLK_TCK)"
  # With the cores to themselves, server and wrk could answer cores / (CPU seconds per request).
  python3 -c "import sys; s, w, n, hz, c = map(float, sys.argv[1:]); print(f'CPU per request: server {s / hz / n * 1e6:.0f} us, wrk {w / hz / n * 1e6:.0f} us; on {c:.0f} otherwise idle cores that is about {c * n / ((s + w) / hz):.0f} requests/s (derived from CPU time, not measured)')" \
      "$((after - before))" "$wrk_ticks" "$requests" "$hz" "$(nproc)"
  curl -s "http://127.0.0.1:$port/metrics" | grep -E '^gradus_(request_errors_total|requests_total\{path="/invocations")'
  kill -TERM "$server"; wait "$server" || true; server=""
done
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
