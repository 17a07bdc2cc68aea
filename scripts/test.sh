#!/usr/bin/env bash
# README command 2: every test. Unit and contract tests of each package, then the
# integration tests against the real running services (run_integration_tests.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
py=$(scripts/bootstrap.sh)
"$py" -m pytest shared/tests services/*/tests tests/contract tests/deploy
bash run_integration_tests.sh
