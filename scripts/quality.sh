#!/usr/bin/env bash
# Test-set quality of `gradus train` with its default settings on the datasets in data/,
# over seeds 0..9: prints a Markdown table (mean [min, max]). About a minute on 2 cores.
# Extra arguments are passed to every `gradus train` (e.g. --weight-init xavier).
set -euo pipefail
cd "$(dirname "$0")/.."
./gradus --version >/dev/null     # build once before timing anything
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
echo "| dataset | metric | Gradus defaults, seeds 0..9: mean [min, max] |"
echo "|---|---|---|"
for d in iris wine breast_cancer digits diabetes; do
  if [ "$d" = diabetes ]; then task=(); metric=r2; else task=(--task classification); metric=accuracy; fi
  for seed in 0 1 2 3 4 5 6 7 8 9; do
    ./gradus train --data "data/${d}_train.csv" "${task[@]}" --test "data/${d}_test.csv" --seed "$seed" \
      --json --quiet --out "$tmp/m.gradus" "$@"
  done | python3 -c "
import json, sys
v = [json.loads(line)['test']['$metric'] for line in sys.stdin]
print('| $d | test $metric | %.4f [%.4f, %.4f] |' % (sum(v) / len(v), min(v), max(v)))"
done
