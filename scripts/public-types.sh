#!/usr/bin/env bash
# Counts gradus-core's public top-level types per package: the API packages, and dev.gradus.internal
# (public only so Gradus's own modules reach it; not API). Usage: scripts/public-types.sh [-v]
set -euo pipefail
cd "$(dirname "$0")/../gradus-core/src/main/java"
api=0; internal=0
for f in $(find dev/gradus -name '*.java' ! -name package-info.java | sort); do
  name=$(basename "$f" .java)
  if grep -qE "^public ([a-z]+ )*(class|interface|record|enum|@interface) $name\b" "$f"; then
    pkg=$(dirname "$f" | tr / .)
    [[ ${1:-} == -v ]] && echo "$pkg.$name"
    if [[ $pkg == dev.gradus.internal* ]]; then internal=$((internal + 1)); else api=$((api + 1)); fi
  fi
done
echo "public top-level types in gradus-core: $api in API packages, $internal in dev.gradus.internal"
