#!/usr/bin/env bash
# Counts gradus-core's public top-level types: those of the API packages, and those public only
# so Gradus's own packages and modules reach them (dev.gradus.internal, and dev.gradus.kernel but
# its one handle Kernels; see their package-info and FloorsTest). Usage: scripts/public-types.sh [-v]
set -euo pipefail
cd "$(dirname "$0")/../gradus-core/src/main/java"
api=0; kernel=0; internal=0
for f in $(find dev/gradus -name '*.java' ! -name package-info.java | sort); do
  name=$(basename "$f" .java)
  if grep -qE "^public ([a-z]+ )*(class|interface|record|enum|@interface) $name\b" "$f"; then
    pkg=$(dirname "$f" | tr / .)
    [[ ${1:-} == -v ]] && echo "$pkg.$name"
    if [[ $pkg == dev.gradus.internal* ]]; then internal=$((internal + 1))
    elif [[ $pkg == dev.gradus.kernel && $name != Kernels ]]; then kernel=$((kernel + 1))
    else api=$((api + 1)); fi
  fi
done
echo "public top-level types in gradus-core: $((api + kernel + internal)); API: $api;" \
     "not API: $kernel in dev.gradus.kernel (all but Kernels), $internal in dev.gradus.internal"
