#!/usr/bin/env bash
# The whole test suite, as CI runs it: lint, import layers, then pytest inside a private D-Bus session
# with an unlocked gnome-keyring, so the keyring tests talk to a real Secret Service.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 QT_QPA_PLATFORM=offscreen PYTHONDONTWRITEBYTECODE=1

$VENV/bin/ruff check studio tests bench tools
$VENV/bin/lint-imports --no-cache

run_pytest() { $VENV/bin/python -m pytest "$@"; }

if command -v dbus-run-session >/dev/null 2>&1 && command -v gnome-keyring-daemon >/dev/null 2>&1; then
  export STUDIO_TEST_SECRET_SERVICE=1
  exec dbus-run-session -- bash -c '
    set -e
    export HOME_KEYRING_DIR=$(mktemp -d)
    export XDG_DATA_HOME=$HOME_KEYRING_DIR/data XDG_RUNTIME_DIR=$HOME_KEYRING_DIR/run
    mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"; chmod 700 "$XDG_RUNTIME_DIR"
    eval "$(printf "studio-test-unlock" | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null
    export GNOME_KEYRING_CONTROL
    rc=0; .venv/bin/python -m pytest "$@" || rc=$?
    rm -rf "$HOME_KEYRING_DIR"
    exit $rc' bash "$@"
else
  echo "run-tests: no dbus-run-session/gnome-keyring; keyring tests that need a Secret Service will fail" >&2
  run_pytest "$@"
fi
