#!/usr/bin/env bash
# Smoke test of the packaged app (`make package-smoke`): copies dist/remix-studio/ to a fresh temporary folder, far
# from the source and the venv, and runs it with a clean environment (`env -i`, offline, offscreen) inside a private
# D-Bus session with an unlocked gnome-keyring (the demo publishes on the bundled devnet, whose setup uses the
# keyring):
#   --help and every command's --help (and each subcommand's), `demo`, one `generate` with the built-in model,
#   `list`, and the window opening offscreen, opening its library and quitting (STUDIO_SMOKE_QUIT_AFTER_SHOWN=1).
# Each step that fails stops the script with a line saying which, and the end of its output.
# Usage: packaging/smoke-test.sh [BUNDLE_DIR]   (default: dist/remix-studio)
set -euo pipefail
cd "$(dirname "$0")/.."
BUNDLE=${1:-dist/remix-studio}
if [ ! -x "$BUNDLE/studio" ]; then
  echo "smoke-test: no bundle at $BUNDLE (build it with \`make package\`)" >&2
  exit 1
fi
for tool in dbus-run-session gnome-keyring-daemon; do
  command -v "$tool" >/dev/null 2>&1 || { echo "smoke-test: $tool is missing (run \`make system-deps\`)" >&2; exit 1; }
done

TMP=$(mktemp -d -t studio-smoke.XXXXXX)
cleanup() { rm -rf "$TMP"; }
trap cleanup EXIT
echo "smoke-test: copying the bundle to $TMP/app"
cp -a "$BUNDLE" "$TMP/app"

# The steps themselves, run by bash inside `env -i` and the private D-Bus session (nothing of this shell leaks in).
cat >"$TMP/steps.sh" <<'STEPS'
set -uo pipefail
STUDIO="$SMOKE/app/studio"
export XDG_DATA_HOME=$SMOKE/home/data XDG_RUNTIME_DIR=$SMOKE/home/run XDG_CONFIG_HOME=$SMOKE/home/config
export XDG_CACHE_HOME=$SMOKE/home/cache XDG_STATE_HOME=$SMOKE/home/state
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_STATE_HOME"
chmod 700 "$XDG_RUNTIME_DIR"
eval "$(printf 'studio-smoke-unlock' | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null
export GNOME_KEYRING_CONTROL

step() {  # step NAME TIMEOUT_S COMMAND...: runs it, output in $SMOKE/logs/NAME.log; stops everything when it fails
  local name=$1 limit=$2 start=$SECONDS rc=0
  shift 2
  timeout --kill-after=10 "$limit" "$@" >"$SMOKE/logs/$name.log" 2>&1 || rc=$?
  if [ $rc -ne 0 ]; then
    [ $rc -eq 124 ] && echo "smoke-test: FAILED: $name (no answer within ${limit}s)" >&2 \
      || echo "smoke-test: FAILED: $name (exit status $rc): $*" >&2
    tail -n 25 "$SMOKE/logs/$name.log" | sed 's/^/    /' >&2
    exit 1
  fi
  echo "smoke-test: ok   $name ($((SECONDS - start)) s)"
}
mkdir -p "$SMOKE/logs"

step help 120 "$STUDIO" --help
commands=$(sed -n '/^Commands:/,$p' "$SMOKE/logs/help.log" | awk 'NR > 1 && /^  [a-z]/ {print $1}')
count=$(echo "$commands" | wc -w)
if [ "$count" -lt 20 ]; then
  echo "smoke-test: FAILED: \`studio --help\` lists $count commands" >&2
  exit 1
fi
for cmd in $commands; do
  step "help-$cmd" 120 "$STUDIO" "$cmd" --help
  for sub in $(sed -n '/^Commands:/,$p' "$SMOKE/logs/help-$cmd.log" | awk 'NR > 1 && /^  [a-z]/ {print $1}'); do
    step "help-$cmd-$sub" 120 "$STUDIO" "$cmd" "$sub" --help
  done
done
echo "smoke-test: every command's --help works ($count commands)"

step demo 1800 "$STUDIO" demo
step generate 900 "$STUDIO" generate "a smiling sun" --model studio-emoji --steps 4 --seed 7 --json
grep -q '"studio-emoji"' "$SMOKE/logs/generate.log" \
  || { echo "smoke-test: FAILED: generate did not record the built-in model studio-emoji" >&2; exit 1; }
work=$(grep -o '"id": *"[^"]*"' "$SMOKE/logs/generate.log" | head -n 1 | sed 's/.*"\([^"]*\)"$/\1/')
[ -n "$work" ] || { echo "smoke-test: FAILED: generate --json printed no work id" >&2; exit 1; }
step list 120 "$STUDIO" list
grep -q -- "$work" "$SMOKE/logs/list.log" \
  || { echo "smoke-test: FAILED: list does not show the generated work $work" >&2; exit 1; }
step window 300 env STUDIO_SMOKE_QUIT_AFTER_SHOWN=1 "$STUDIO" --library "$STUDIO_LIBRARY"
grep -q "window shown, library open" "$SMOKE/logs/window.log" \
  || { echo "smoke-test: FAILED: the window did not say it was shown with its library open" >&2; exit 1; }
echo "smoke-test: all steps passed"
STEPS

env -i HOME="$TMP/home" PATH=/usr/bin:/bin LANG=C.UTF-8 SMOKE="$TMP" \
  HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 QT_QPA_PLATFORM=offscreen \
  STUDIO_LIBRARY="$TMP/library" STUDIO_LOG_DIR="$TMP/logs/crash" \
  dbus-run-session -- bash "$TMP/steps.sh"
