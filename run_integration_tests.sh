#!/usr/bin/env bash
# Start the real suite, run tests/integration against it, and stop everything on exit, also
# on failure (then the logs are printed). Two ways, chosen by MEDGRADE_IT_MODE (default auto):
#
#   compose  when a Docker engine answers (`docker info`, or the Docker SDK's ping) and the
#            `docker compose` plugin is installed: docker-compose.yml plus
#            docker-compose.integration.yml (the four services also published on loopback at
#            their default ports, the gateway at 5 requests/s with a burst of 5, Prometheus
#            scraping every second) under a project name of its own, started with
#            `up -d --build --wait` (the health checks gate readiness) and removed with
#            `down -v`. API keys are made inside the orchestrator container with its key CLI.
#   local    otherwise: the services as local processes (own run folder and a temporary store),
#            with the nginx gateway (5 requests/s, burst 5 per client, so the rate-limit test
#            is quick) and Prometheus, all at the port base MEDGRADE_PORT_BASE, or else the first
#            free one (scripts/check_prerequisites.sh: choose_port_base), so the tests run beside
#            a demo suite on the default ports. Needs nginx and Prometheus installed
#            (scripts/check_prerequisites.sh installs them where it may).
#
# Either way the suite must report ok, the Prometheus config and alert rules are checked, and
# the tests learn how to reach the suite from MEDGRADE_PORT_BASE and MEDGRADE_IT_* variables
# (tests/integration/backends.py). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")"

py=$(scripts/bootstrap.sh)
work=$(mktemp -d "${TMPDIR:-/tmp}/medgrade-it.XXXXXX")
export MEDGRADE_RUN_DIR="$work/run"
export MEDGRADE_IT_PYTHON="$py"
mkdir -p "$MEDGRADE_RUN_DIR"
trap 'rm -rf "$work"' EXIT  # replaced by the mode's cleanup below

# integration_mode, check_tools, choose_port_base, refuse_port_base_in_compose, suite_ports
source scripts/check_prerequisites.sh
mode=$(integration_mode)
# Local processes need nginx, Prometheus and free ports; in compose mode `up` names a taken port.
if [ "$mode" = local ]; then
  check_tools local
  MEDGRADE_PORT_BASE=$(choose_port_base local)
  export MEDGRADE_PORT_BASE
else
  refuse_port_base_in_compose
fi
export MEDGRADE_IT_BACKEND="$mode"
echo "integration tests: $mode mode, on 127.0.0.1 ports $(suite_ports ${MEDGRADE_PORT_BASE:+"$MEDGRADE_PORT_BASE"})"

if [ "$mode" = compose ]; then
  # A project of its own per run, so `down -v` never touches a developer's `medgrade` project.
  project="medgrade-it-$$"
  # The compose files require the internal credential; one of this run's own unless given.
  MEDGRADE_INTERNAL_TOKEN=${MEDGRADE_INTERNAL_TOKEN:-$("$py" -c 'import secrets; print(secrets.token_urlsafe(32))')}
  export MEDGRADE_INTERNAL_TOKEN
  compose=(docker compose -p "$project" -f "$PWD/docker-compose.yml" -f "$PWD/docker-compose.integration.yml")
  keys_cli=(exec -T grading_orchestrator python -m grading_orchestrator.keys_cli)
  export MEDGRADE_IT_COMPOSE_PROJECT="$project"
  # One shell-quoted command line (tests/integration/backends.py splits it with shlex).
  printf -v MEDGRADE_IT_KEYS_CLI '%q ' "${compose[@]}" "${keys_cli[@]}"
  export MEDGRADE_IT_KEYS_CLI
  # On the default port docker-compose.integration.yml publishes; MEDGRADE_IT_ORCHESTRATOR points
  # this wait elsewhere (tests/deploy/test_integration_compose.py: at a stub).
  orchestrator=${MEDGRADE_IT_ORCHESTRATOR:-$("$py" -c 'from medgrade_shared.registry import ORCHESTRATOR; print(ORCHESTRATOR.url())')}

  cleanup() {
    rc=$?
    if [ "$rc" -ne 0 ]; then
      "${compose[@]}" ps -a || true
      "${compose[@]}" logs --no-color --tail 200 || true
    fi
    "${compose[@]}" down -v --remove-orphans || true
    rm -rf "$work"
    exit "$rc"
  }
  trap cleanup EXIT

  "${compose[@]}" up -d --build --wait
  # The demo client with every scope, as scripts/suite.py makes it for local runs; the api
  # fixture sends its key (the orchestrator's own routes need one too).
  mapfile -t scopes < <("$py" -c 'from medgrade_shared.api_keys import SCOPES; print("\n".join(SCOPES))')
  key=$("${compose[@]}" "${keys_cli[@]}" create --name demo --scopes "${scopes[@]}")
  (umask 077 && printf '%s\n' "$key" > "$MEDGRADE_RUN_DIR/demo-api-key")
  "$py" - "$orchestrator" "$MEDGRADE_RUN_DIR/demo-api-key" <<'EOF'
import json, sys, time, urllib.request
base, key_file = sys.argv[1], sys.argv[2]
request = urllib.request.Request(base + "/services/status", headers={"X-API-Key": open(key_file).read().strip()})
deadline = time.monotonic() + 60
while True:
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            if json.loads(response.read()).get("status") == "ok":
                break
    except (OSError, ValueError):
        pass
    if time.monotonic() > deadline:
        sys.exit(f"timed out waiting for {base}/services/status to report ok")
    time.sleep(0.5)
print(f"suite is up: {base}/services/status reports ok")
EOF
else
  export MEDGRADE_IT_STORE="$work/store"

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

  "$py" scripts/suite.py start --store-path "$MEDGRADE_IT_STORE" --port-base "$MEDGRADE_PORT_BASE" \
    --with-gateway --with-prometheus --gateway-rate 5r/s --gateway-burst 5
fi

"$py" -m pytest tests/test_prometheus_config.py tests/integration "$@"
