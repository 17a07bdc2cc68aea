#!/usr/bin/env bash
# What the README commands need from the machine, checked in a second, before anything is
# installed or run:
#   scripts/check_prerequisites.sh python   Python >= 3.11 with venv (scripts/bootstrap.sh, the demo)
#   scripts/check_prerequisites.sh test     that, and what scripts/test.sh needs: promtool,
#                                           chromium, nginx and prometheus (these two only where
#                                           the integration tests run local processes), and a
#                                           port base whose ports are free, which it prints
# A missing tool is installed with apt-get where this may (run by root, or with CI set and
# passwordless sudo); otherwise, and for a taken port, one line says what to do and the exit
# status is 1.
set -euo pipefail

MIN_PYTHON=(3 11)
# The suite's parts and their ports (standard library only, so it runs before the venv exists).
REGISTRY="$(dirname "${BASH_SOURCE[0]}")/../shared/src/medgrade_shared/registry.py"
# Where a free port base for the integration tests is looked for when MEDGRADE_PORT_BASE is not
# set: away from the default ports a demo suite uses, below the ports the kernel hands out to
# outgoing connections (32768 and up), and spaced so that no two bases share a port.
TEST_PORT_BASES=({18000..19900..100})
# nginx and Prometheus live in /usr/sbin or /usr/bin, which a non-root PATH may lack.
TOOL_PATH="$PATH:/usr/sbin:/usr/bin"

fail() {
  echo "$*" >&2
  exit 1
}

# The interpreter scripts/bootstrap.sh uses: the existing venv's, else $PYTHON (python3).
bootstrap_python() {
  local venv="${MEDGRADE_VENV:-.venv}"
  if [ -x "$venv/bin/python" ]; then echo "$venv/bin/python"; else echo "${PYTHON:-python3}"; fi
}

check_python() {
  local venv="${MEDGRADE_VENV:-.venv}" python
  python=$(bootstrap_python)
  command -v "$python" >/dev/null ||
    fail "MedGrade needs Python ${MIN_PYTHON[0]}.${MIN_PYTHON[1]} or newer: no '$python' found (apt-get install python3 python3-venv, or set PYTHON)"
  "$python" -c "import sys; sys.exit(sys.version_info < (${MIN_PYTHON[0]}, ${MIN_PYTHON[1]}))" ||
    fail "MedGrade needs Python ${MIN_PYTHON[0]}.${MIN_PYTHON[1]} or newer; $python is $("$python" -V 2>&1) (set PYTHON to a newer one)"
  # Debian's python3 makes no venv without ensurepip, which comes in python3-venv.
  [ -x "$venv/bin/python" ] || "$python" -c "import ensurepip, venv" 2>/dev/null ||
    fail "$python cannot create a venv: apt-get install python3-venv"
}

docker_engine() {
  docker info >/dev/null 2>&1 && return 0
  [ -n "${py:-}" ] && "$py" -c 'import docker; docker.from_env().ping()' >/dev/null 2>&1
}

# How run_integration_tests.sh runs the suite (MEDGRADE_IT_MODE, default auto): prints local or
# compose. The Docker SDK's ping counts as an engine only where $py, a python with it, is set.
integration_mode() {
  local mode="${MEDGRADE_IT_MODE:-auto}"
  case "$mode" in
    auto)
      mode=local
      if docker_engine; then
        if command -v docker >/dev/null && docker compose version >/dev/null 2>&1; then
          mode=compose
        else
          echo "a Docker engine answers, but the docker compose plugin is missing: running the suite as local processes" >&2
        fi
      fi
      ;;
    compose)
      docker_engine || fail "MEDGRADE_IT_MODE=compose: no Docker engine answers"
      docker compose version >/dev/null 2>&1 || fail "MEDGRADE_IT_MODE=compose: the docker compose plugin is missing"
      ;;
    local) ;;
    *) fail "MEDGRADE_IT_MODE must be auto, compose or local, not '$mode'" ;;
  esac
  echo "$mode"
}

# Debian package names of the tools not found; nginx and prometheus only for local mode (in
# compose mode they run in containers; promtool checks the alert rules either way, and
# chromium renders a service's /docs with the network off either way).
missing_packages() {
  local mode="$1" packages=()
  [ "$mode" = compose ] || PATH="$TOOL_PATH" command -v nginx >/dev/null || packages+=(nginx)
  # promtool comes with Debian's prometheus package.
  { { [ "$mode" = compose ] || PATH="$TOOL_PATH" command -v prometheus; } &&
    PATH="$TOOL_PATH" command -v promtool; } >/dev/null || packages+=(prometheus)
  PATH="$TOOL_PATH" command -v chromium >/dev/null || packages+=(chromium)
  echo "${packages[*]}"
}

# Run by root, or in CI with passwordless sudo: then a missing package may be installed here.
apt_get() {
  if [ "$(id -u)" -eq 0 ]; then
    env DEBIAN_FRONTEND=noninteractive apt-get "$@"
  elif [ -n "${CI:-}" ] && sudo -n true 2>/dev/null; then
    sudo -n env DEBIAN_FRONTEND=noninteractive apt-get "$@"
  else
    return 1
  fi
}

check_tools() {
  local mode="$1" missing
  missing=$(missing_packages "$mode")
  [ -z "$missing" ] && return 0
  # shellcheck disable=SC2086  # one word per package
  if apt_get -qq update >&2 && apt_get install -y -qq --no-install-recommends $missing >&2; then
    missing=$(missing_packages "$mode")
    [ -z "$missing" ] && return 0
  fi
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo "
  fail "missing for the integration tests ($mode mode): the Debian packages $missing (prometheus brings promtool); install them with: ${sudo}apt-get install $missing"
}

# The suite's ports at a port base (the registry's default base without one), on one line.
suite_ports() {
  "$(bootstrap_python)" "$REGISTRY" ports "$@"
}

# The ports of "$@" someone listens on (bash's /dev/tcp connects, so a free port answers nothing).
taken_ports() {
  local port taken=()
  for port in "$@"; do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && taken+=("$port")
  done
  echo "${taken[*]}"
}

check_ports() {
  local taken
  taken=$(taken_ports "$@")
  [ -z "$taken" ] ||
    fail "the integration tests start their own suite on 127.0.0.1 ports $*, but $taken in use: stop what listens there (scripts/demo.sh stop stops the demo suite)"
}

# Compose mode publishes the registry's default ports (docker-compose.integration.yml) and no other.
refuse_port_base_in_compose() {
  [ -z "${MEDGRADE_PORT_BASE:-}" ] ||
    fail "MEDGRADE_PORT_BASE=$MEDGRADE_PORT_BASE: compose mode publishes the default ports; unset it, or set MEDGRADE_IT_MODE=local"
}

# Prints the port base of the integration tests' suite, its ports checked free: in local mode
# MEDGRADE_PORT_BASE when set, else the first of TEST_PORT_BASES with every port free; in compose
# mode nothing, as docker-compose.integration.yml publishes the registry's default ports.
choose_port_base() {
  local mode="$1" base="${MEDGRADE_PORT_BASE:-}" ports
  if [ "$mode" = compose ]; then
    refuse_port_base_in_compose
    ports=$(suite_ports) || exit 1
    # shellcheck disable=SC2086  # one word per port
    check_ports $ports
    return 0
  fi
  if [ -n "$base" ]; then
    [[ "$base" =~ ^[0-9]+$ ]] || fail "MEDGRADE_PORT_BASE must be a port number, not '$base'"
    ports=$(suite_ports "$base") || exit 1
    # shellcheck disable=SC2086
    check_ports $ports
    echo "$base"
    return 0
  fi
  for base in "${TEST_PORT_BASES[@]}"; do
    ports=$(suite_ports "$base") || exit 1
    # shellcheck disable=SC2086
    if [ -z "$(taken_ports $ports)" ]; then
      echo "$base"
      return 0
    fi
  done
  fail "no free port base for the integration tests: each of ${TEST_PORT_BASES[*]} has a port in use; set MEDGRADE_PORT_BASE to a base whose ports are free"
}

main() {
  cd "$(dirname "$0")/.."
  case "${1:-}" in
    python) check_python ;;
    test)
      check_python
      local mode
      mode=$(integration_mode)
      check_tools "$mode"
      choose_port_base "$mode"
      ;;
    *) fail "usage: scripts/check_prerequisites.sh python|test" ;;
  esac
}

# Sourced (by run_integration_tests.sh and the tests), it only defines the checks.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  main "$@"
fi
