#!/usr/bin/env bash
# Install each service on its own (the shared package and that service only, pinned by
# constraints.txt) into a fresh venv and build its app, so that an import a service never
# declared fails here rather than in its container.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/medgrade-isolated.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

for service in grading_orchestrator rubric_management document_parser scoring; do
  venv="$scratch/$service"
  "$PYTHON" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet -c constraints.txt ./shared "./services/$service" \
    2> >(grep -v "^WARNING: Location" >&2)
  MEDGRADE_RUBRICS_STORE_PATH="$scratch/store" MEDGRADE_ORCHESTRATOR_STORE_PATH="$scratch/store" \
    "$venv/bin/python" -c "from $service.main import create_app; create_app()"
  echo "$service: installs and builds on its own"
  rm -rf "$venv"
done
