#!/usr/bin/env bash
# Runs coopol's federation test suite.  Extra arguments go to pytest.
#   federation-tests/run.sh                 # whole suite, SQLite
#   COOPOL_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test federation-tests/run.sh
#   federation-tests/run.sh -k signatures -x
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
req="$here/requirements.txt"
stamp="$venv/.requirements-stamp"

if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import sys' >/dev/null 2>&1; then
    rm -rf "$venv"
    python3 -m venv "$venv"
fi

want="$( { sha256sum "$req"; "$venv/bin/python" --version; } 2>&1 | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
    printf '%s\n' "$want" >"$stamp"
fi

: "${COOPOL_BIN:=$(cd "$here/.." && pwd)/target/debug/coopol}"
case "$COOPOL_BIN" in /*) ;; *) COOPOL_BIN="$PWD/$COOPOL_BIN" ;; esac
export COOPOL_BIN

# Test paths given relative to the caller's directory are made absolute; the
# whole tests/ folder runs unless such a path (or node id) is given.
args=()
targets=(tests)
for arg in "$@"; do
    path="${arg%%::*}"
    if [[ "$arg" != -* && -n "$path" && -e "$path" ]]; then
        targets=()
        arg="$(cd "$(dirname "$path")" && pwd)/$(basename "$path")${arg#"$path"}"
    fi
    args+=("$arg")
done

cd "$here"
exec "$venv/bin/python" -m pytest -q "${targets[@]}" "${args[@]}"
