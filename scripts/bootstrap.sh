#!/usr/bin/env bash
# Create .venv (if needed) and install the shared package and the four services in editable
# mode, with every dependency pinned by constraints.txt (scoring with its `export` extra: torch and
# the ONNX exporter, build time only). Re-runs only when a pyproject, requirements-dev.txt or
# constraints.txt changed. Then builds scoring's ONNX model unless it is there with the recorded
# digest. Prints the venv's python path last.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VENV="${MEDGRADE_VENV:-.venv}"

if [ ! -x "$VENV/bin/python" ]; then
  scripts/check_prerequisites.sh python
  "$PYTHON" -m venv "$VENV" >&2
fi

stamp=$(cat constraints.txt requirements-dev.txt shared/pyproject.toml services/*/pyproject.toml cli/pyproject.toml \
  | sha256sum | cut -c1-16)
if [ "$(cat "$VENV/.medgrade-installed" 2>/dev/null)" != "$stamp" ]; then
  echo "installing MedGrade into $VENV (pinned by constraints.txt) ..." >&2
  "$VENV/bin/python" -m pip install --quiet -c constraints.txt -r requirements-dev.txt \
    -e shared \
    -e services/rubric_management \
    -e services/document_parser \
    -e "services/scoring[export]" \
    -e services/grading_orchestrator \
    -e cli \
    2> >(grep -v "^WARNING: Location" >&2) >&2
  echo "$stamp" > "$VENV/.medgrade-installed"
fi
"$VENV/bin/python" services/scoring/scripts/export_onnx.py >&2
echo "$VENV/bin/python"
