#!/usr/bin/env bash
# Runs every test: sets up the Python venv with the official OpenAI SDK for the interop
# suite (once), then `swift test`. Extra arguments go to `swift test`.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv-interop
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import openai' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check 'openai>=1.50,<3'
fi
export TRIAGE_INTEROP_PYTHON="$PWD/$venv/bin/python"

swift test "$@"
