#!/usr/bin/env bash
# README command 2: every test. What it needs from the machine is checked first (and installed
# where it may), a port base with every port free chosen for the integration tests (so they run
# beside a demo suite on the default ports), then the linter and the type checker, the unit and
# contract tests of each package,
# then the integration tests against the real running services (run_integration_tests.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
MEDGRADE_PORT_BASE=$(scripts/check_prerequisites.sh test)
export MEDGRADE_PORT_BASE
py=$(scripts/bootstrap.sh)
"$py" -m ruff check .
"$py" -m mypy   # strict on medgrade_shared (mypy.ini)
"$py" -m pytest shared/tests services/*/tests cli/tests tests/contract tests/deploy tests/scripts
bash run_integration_tests.sh
