#!/usr/bin/env bash
# Makes OUT a folder shaped like a PagerDuty/api-schema checkout (reference/<NAME>/openapiv3.json),
# each document a link to the one openapi/ links to: PagerDuty's documents as a user has them.
#
#   ./scripts/api-schema-folder.sh OUT
set -euo pipefail
OUT=$1
cd "$(dirname "$0")/.."
for doc in openapi/*.json; do
  name=$(basename "$doc" .json)
  [ "$name" = rest ] && name=REST
  mkdir -p "$OUT/reference/$name"
  ln -sf "$(readlink -f "$doc")" "$OUT/reference/$name/openapiv3.json"
done
