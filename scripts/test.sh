#!/usr/bin/env bash
# Runs every test: sets up the Python venv with the official openai SDK for the interop suite
# (once, in .venv-interop/), then `swift test`. Extra arguments go to `swift test`.
#
#   scripts/test.sh
#   scripts/test.sh --filter StreamingTests
#   TRIAGE_SKIP_INTEROP=1 scripts/test.sh     # offline: no venv, the interop suite is skipped
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv-interop
if [ -z "${TRIAGE_SKIP_INTEROP:-}" ]; then
    if ! "$venv/bin/python" -c 'import openai' 2>/dev/null; then
        echo "test.sh: creating $venv with the openai SDK"
        python3 -m venv "$venv"
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check 'openai>=1.50,<3'
    fi
    export TRIAGE_INTEROP_PYTHON="$PWD/$venv/bin/python"
    echo "test.sh: interop with openai $("$TRIAGE_INTEROP_PYTHON" -c 'import openai; print(openai.__version__)')"
fi

swift test "$@"
