#!/usr/bin/env bash
# Installs the Debian packages the tests use: Xvfb and two xcb libraries for real Qt windows,
# gnome-keyring for a real Secret Service, PostgreSQL for the team library. Skips what is already there; never fails the build
# when apt is unavailable (the tests that need a package then say so).
set -u
need=()
command -v Xvfb >/dev/null 2>&1 || need+=(xvfb)
command -v gnome-keyring-daemon >/dev/null 2>&1 || need+=(gnome-keyring)
command -v dbus-run-session >/dev/null 2>&1 || need+=(dbus)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# PostgreSQL's server binaries (initdb, pg_ctl): the team-library tests start a throwaway cluster.
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || need+=(postgresql)
for lib in libxcb-icccm4 libxcb-keysyms1; do
  dpkg -s "$lib" >/dev/null 2>&1 || need+=("$lib")
done
[ ${#need[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-system-deps: apt-get not found; please install: ${need[*]}" >&2
  exit 0
fi
sudo=""
[ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo="sudo"
echo "install-system-deps: installing ${need[*]}"
$sudo apt-get update -qq >/dev/null 2>&1 || true
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
  || echo "install-system-deps: could not install ${need[*]}" >&2
exit 0
