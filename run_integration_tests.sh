#!/usr/bin/env bash
# Start the real services as local processes on the documented ports (own run folder and
# a temporary store), with the nginx gateway on 8080 (5 requests/s, burst 5 per client, so
# the rate-limit test is quick) and Prometheus on 9090, wait until /services/status reports
# ok, check the Prometheus config and alert rules, run tests/integration, and stop
# everything on exit, also on failure (then the logs are printed). Needs nginx and
# Prometheus installed (.ci/run installs them).
set -euo pipefail
cd "$(dirname "$0")"

py=$(scripts/bootstrap.sh)
work=$(mktemp -d "${TMPDIR:-/tmp}/medgrade-it.XXXXXX")
export MEDGRADE_RUN_DIR="$work/run"
export MEDGRADE_IT_STORE="$work/store"
export MEDGRADE_IT_PYTHON="$py"

cleanup() {
  rc=$?
  "$py" scripts/suite.py stop || true
  if [ "$rc" -ne 0 ]; then
    for log in "$work"/run/logs/*.log; do
      [ -f "$log" ] || continue
      echo "===== $(basename "$log") (last 60 lines)"
      tail -n 60 "$log"
    done
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT

"$py" scripts/suite.py start --store-path "$MEDGRADE_IT_STORE" --with-gateway --with-prometheus \
  --gateway-rate 5r/s --gateway-burst 5
"$py" -m pytest tests/test_prometheus_config.py tests/integration "$@"
