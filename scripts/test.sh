#!/usr/bin/env bash
# README command 2: every test. What it needs from the machine is checked first (and installed
# where it may), then the unit and contract tests of each package, then the integration tests
# against the real running services (run_integration_tests.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/check_prerequisites.sh test
py=$(scripts/bootstrap.sh)
"$py" -m pytest shared/tests services/*/tests tests/contract tests/deploy tests/scripts
bash run_integration_tests.sh
