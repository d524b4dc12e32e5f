#!/usr/bin/env bash
# Runs every test: sets up the Python venv with the official openai and anthropic SDKs for the interop suites
# (once, in .venv-interop/), then `swift test`. Extra arguments go to `swift test`.
#
#   scripts/test.sh
#   scripts/test.sh --filter StreamingTests
#   TRIAGE_SKIP_INTEROP=1 scripts/test.sh     # offline: no venv, the interop suite is skipped
#
# Without arguments: every suite but the fuzz suites, then the fuzz suites on their own.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv-interop
if [ -z "${TRIAGE_SKIP_INTEROP:-}" ]; then
    if ! "$venv/bin/python" -c 'import openai, anthropic' 2>/dev/null; then
        echo "test.sh: creating $venv with the openai and anthropic SDKs"
        python3 -m venv "$venv"
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check 'openai>=1.50,<3' 'anthropic>=0.40,<1'
    fi
    export TRIAGE_INTEROP_PYTHON="$PWD/$venv/bin/python"
    echo "test.sh: interop with $("$TRIAGE_INTEROP_PYTHON" -c 'import openai, anthropic; print("openai", openai.__version__, "anthropic", anthropic.__version__)')"
fi

if [ $# -gt 0 ]; then
    swift test "$@"
    exit
fi
# The fuzz suites (100,000 inputs per property) keep both cores busy for minutes; run beside the
# rest they starve its timing-sensitive tests (timeouts, streams, reloads), so they run after it.
swift test --skip FuzzTests
swift test --skip-build --filter FuzzTests
