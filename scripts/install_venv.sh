#!/usr/bin/env bash
# Create the virtualenv and install hako-py (editable) with its dev extras and the example
# script package, for `make install`. Usage: scripts/install_venv.sh PYTHON VENV
#
# With uv (https://pypi.org/project/uv/) this takes seconds where pip takes minutes on a cold
# machine, so: the uv on PATH if there is one, else uv installed from PyPI into the new venv
# (its binary ships in the wheel), else pip as before.
set -euo pipefail
PYTHON=${1:-python3}
VENV=${2:-.venv}
BIN=$VENV/bin

uv=""
if command -v uv >/dev/null 2>&1 && uv --version >/dev/null 2>&1; then
  uv=$(command -v uv)
  [ -x "$BIN/python" ] || uv venv --quiet --python "$(command -v "$PYTHON")" "$VENV"
else
  [ -x "$BIN/python" ] || "$PYTHON" -m venv "$VENV"
  if "$BIN/python" -m pip install --quiet uv && "$BIN/uv" --version >/dev/null 2>&1; then
    uv=$BIN/uv
  else
    echo "install_venv.sh: no uv; installing with pip (slower)" >&2
  fi
fi

# the example script package: the tests use it to check every hook
if [ -n "$uv" ]; then
  "$uv" pip install --quiet --python "$BIN/python" -e '.[dev]' -e examples/hako-script-example
else
  "$BIN/python" -m pip install --quiet --upgrade pip
  "$BIN/python" -m pip install --quiet -e '.[dev]'
  "$BIN/python" -m pip install --quiet --no-deps -e examples/hako-script-example
fi
