#!/bin/sh
# Make the benchmark's Python environment: bench/.venv (git-ignored) with
# ONNX Runtime and LiteRT (TFLite + XNNPACK) from PyPI, which `make bench`
# runs tern against. Python is used for the peers only, never for tern.
#   bench/setup.sh            create or update bench/.venv
#   PYTHON=python3.11 bench/setup.sh
set -eu
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet numpy onnxruntime ai-edge-litert
.venv/bin/python -c 'import onnxruntime, ai_edge_litert, numpy; print("bench/.venv: onnxruntime", onnxruntime.__version__)'
