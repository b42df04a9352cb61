#!/usr/bin/env bash
# Builds pdrs against every revision of PagerDuty's documents under ../shared/openapi-history/
# and against today's, and reports per revision whether `cargo check --lib` passes and how many
# REST operations are typed out of those in the document.
#
#   ./scripts/drift.sh [DIR...]      (default: every folder of ../shared/openapi-history, then today's)
#
# Uses its own target folder (target/drift) so the main build cache is left alone.
set -uo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target/drift}
if [ $# -gt 0 ]; then
  dirs=("$@")
else
  dirs=(../shared/openapi-history/*/ openapi/)
fi
printf '%-40s %-7s %s\n' "revision" "builds" "REST operations typed / in the document"
status=0
for dir in "${dirs[@]}"; do
  dir=${dir%/}
  log="$CARGO_TARGET_DIR/drift-$(basename "$dir").log"
  mkdir -p "$CARGO_TARGET_DIR"
  # The features of the documents this revision has (a feature whose document is missing stops
  # the build); REST is always there.
  features=rest
  [ -f "$dir/events-v2.json" ] && [ -f "$dir/events-v1.json" ] && features+=,events
  [ -f "$dir/scim.json" ] && features+=,scim
  [ -f "$dir/integration-slack-service.json" ] && features+=,slack
  [ -f "$dir/integration-jira-cloud.json" ] && [ -f "$dir/integration-jira-service.json" ] && features+=,jira
  [ -f "$dir/integration-ms-teams-service.json" ] && features+=,ms_teams
  [ -f "$dir/mcp.json" ] && features+=,mcp
  if PDRS_OPENAPI_DIR="$(cd "$dir" && pwd)" cargo check --lib --no-default-features --features "$features,blocking" >"$log" 2>&1; then
    builds=yes
  else
    builds=no
    status=1
  fi
  out=$(ls -td "$CARGO_TARGET_DIR"/debug/build/pdrs-*/out 2>/dev/null | head -1)
  typed=$(grep -c 'fn build_request(' "$out/rest.rs" 2>/dev/null || echo 0)
  total=$(awk -F'\t' '$1 == "rest"' "$out/operations.tsv" 2>/dev/null | wc -l)
  printf '%-40s %-7s %s / %s\n' "$dir" "$builds" "$typed" "$total"
  # What each normalization rule touched in this revision (kept beside the logs).
  cp "$out/normalization.tsv" "$CARGO_TARGET_DIR/normalization-$(basename "$dir").tsv" 2>/dev/null || true
  echo "    rules that touched rest.json: $(awk -F'\t' '$1 == "rest.json" && $3 != "(none)" {n[$2]++} END {for (r in n) printf "%s=%s ", r, n[r]}' "$out/normalization.tsv" 2>/dev/null)"
  [ "$builds" = yes ] || tail -5 "$log" | sed 's/^/    /'
done
exit $status
