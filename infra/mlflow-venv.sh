#!/usr/bin/env bash
# Creates (idempotently) a Python virtualenv with a pinned MLflow server and prints the path of
# its `mlflow` executable. The MLflow contract tests find that executable through PICI_MLFLOW:
#
#   export PICI_MLFLOW="$(infra/mlflow-venv.sh)"
#
# Usage: infra/mlflow-venv.sh [VENV_DIR]   (default: .ci/work/mlflow-venv under the repository)
#
# The pin is the version the MLflow Java client 2.17.2 was tested against in MlflowTrackerTest;
# change it only after running those tests against the new version.
set -euo pipefail

MLFLOW_VERSION="3.17.2"

repo="$(cd "$(dirname "$0")/.." && pwd)"
venv="${1:-$repo/.ci/work/mlflow-venv}"
mlflow="$venv/bin/mlflow"

# Reuse the virtualenv when it already holds the pinned version, so that CI reruns are quick.
if [[ -x "$mlflow" ]] \
  && [[ "$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("mlflow"))' \
    2>/dev/null)" == "$MLFLOW_VERSION" ]]; then
  echo "$mlflow"
  exit 0
fi

command -v python3 >/dev/null || {
  echo "mlflow-venv.sh: python3 is not on PATH; install Python 3.10 or newer with venv." >&2
  exit 1
}
mkdir -p "$(dirname "$venv")"
# pip's chatter goes to stderr so that stdout carries only the path of the executable.
python3 -m venv "$venv" >&2
"$venv/bin/pip" install --disable-pip-version-check -q "mlflow==$MLFLOW_VERSION" >&2
"$mlflow" --version >&2
echo "$mlflow"
