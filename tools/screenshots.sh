#!/usr/bin/env bash
# Screenshots of the window for the README: starts Xvfb (its pid recorded, stopped afterwards), then runs
# tools/screenshots.py on the demo library inside a private D-Bus session with an unlocked gnome-keyring, so
# the throwaway publishing wallet lives in a real Secret Service and disappears with it.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
SCRIPT=${SCREENSHOTS_SCRIPT:-tools/screenshots.py}  # tools/screenshot_engines.py takes the engines settings alone
OUT=${1:-docs/screenshots}
DISPLAY_NUM=${SCREENSHOTS_DISPLAY:-:97}
WORK=$(mktemp -d)
PIDFILE=$WORK/xvfb.pid

Xvfb "$DISPLAY_NUM" -screen 0 1280x800x24 -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
echo $! >"$PIDFILE"
cleanup() {
  kill "$(cat "$PIDFILE")" 2>/dev/null || true
  wait "$(cat "$PIDFILE")" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
for _ in $(seq 100); do
  [ -e "/tmp/.X11-unix/X${DISPLAY_NUM#:}" ] && break
  sleep 0.05
done

export DISPLAY=$DISPLAY_NUM QT_QPA_PLATFORM=xcb HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
export STUDIO_DATA_DIR=${STUDIO_DATA_DIR:-$WORK/data} STUDIO_CONFIG_DIR=$WORK/config STUDIO_WALLET=screenshots

if command -v dbus-run-session >/dev/null 2>&1 && command -v gnome-keyring-daemon >/dev/null 2>&1; then
  dbus-run-session -- bash -c '
    set -e
    export XDG_DATA_HOME=$1/keyring-data XDG_RUNTIME_DIR=$1/run
    mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"; chmod 700 "$XDG_RUNTIME_DIR"
    eval "$(printf "screenshots" | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null
    "$2" "$4" "$3"' bash "$WORK" "$PY" "$OUT" "$SCRIPT"
else
  echo "screenshots: no Secret Service here; the throwaway wallet goes to a file keyring in $WORK" >&2
  STUDIO_KEYRING="plainfile:$WORK/keyring.json" "$PY" "$SCRIPT" "$OUT"
fi
