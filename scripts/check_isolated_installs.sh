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
  # a throwaway internal credential: every service refuses to start without one
  MEDGRADE_RUBRICS_STORE_PATH="$scratch/store" MEDGRADE_ORCHESTRATOR_STORE_PATH="$scratch/store" \
    MEDGRADE_INTERNAL_TOKEN="$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(32))')" \
    "$venv/bin/python" -c "from $service.main import create_app; create_app()"
  echo "$service: installs and builds on its own"
  rm -rf "$venv"
done
