"""The system libraries Qt's X11 (xcb) platform plugin loads, checked before Qt tries: Qt itself names only
xcb-cursor0 when any of them is missing, so the studio names the ones that are actually missing instead."""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Mapping

from studio.app.values import StudioError

# Each library the xcb plugin (libqxcb.so and libQt6XcbQpa.so.6, `ldd`) needs, with its Debian/Ubuntu package.
XCB_LIBRARIES: dict[str, str] = {
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
}


class MissingSystemLibraries(StudioError):
    """The window cannot start: system libraries it needs are not installed."""


def uses_xcb(environ: Mapping[str, str] = os.environ, platform: str = sys.platform) -> bool:
    """Whether Qt will start on X11: on Linux, QT_QPA_PLATFORM names xcb first, or is unset outside Wayland."""
    if not platform.startswith("linux"):
        return False
    chosen = environ.get("QT_QPA_PLATFORM", "").strip()
    if chosen:
        return chosen.split(";")[0].split(":")[0] == "xcb"
    return not environ.get("WAYLAND_DISPLAY")


def missing_libraries(libraries: Mapping[str, str] = XCB_LIBRARIES,
                      load: Callable[[str], object] = ctypes.CDLL) -> list[str]:
    """The sonames among `libraries` that the dynamic loader cannot load."""
    missing = []
    for soname in libraries:
        try:
            load(soname)
        except OSError:
            missing.append(soname)
    return missing


def check_window_libraries(libraries: Mapping[str, str] = XCB_LIBRARIES,
                           environ: Mapping[str, str] = os.environ) -> None:
    """Raise MissingSystemLibraries naming each missing library and its package, when Qt will use xcb."""
    if not uses_xcb(environ):
        return
    missing = missing_libraries(libraries)
    if missing:
        packages = " ".join(dict.fromkeys(libraries[soname] for soname in missing))
        raise MissingSystemLibraries(
            f"The window needs system libraries that are not installed: {', '.join(missing)}",
            hint=f"install them, e.g. `sudo apt-get install {packages}`, or run `make system-deps`",
        )
