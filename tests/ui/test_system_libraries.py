"""The window's check of the X11 libraries Qt's xcb plugin loads: it names the ones actually missing."""

from __future__ import annotations

import ctypes.util

import pytest

from studio.ui.system_libraries import (
    XCB_LIBRARIES,
    MissingSystemLibraries,
    check_window_libraries,
    missing_libraries,
    uses_xcb,
)

ABSENT = {"libstudio-absent-icccm.so.4": "libstudio-absent-icccm4", "libstudio-absent-keysyms.so.1": "absent-keysyms1"}


def test_only_the_libraries_the_loader_cannot_load_are_missing():
    present = ctypes.util.find_library("c")
    assert present, "the C library is always there"
    assert missing_libraries({present: "libc6", **ABSENT}) == list(ABSENT)


def test_the_error_names_each_missing_library_and_its_package_not_another_one():
    with pytest.raises(MissingSystemLibraries) as raised:
        check_window_libraries({ctypes.util.find_library("c"): "libc6", **ABSENT}, environ={"QT_QPA_PLATFORM": "xcb"})
    line = str(raised.value)
    assert "libstudio-absent-icccm.so.4, libstudio-absent-keysyms.so.1" in line
    assert "apt-get install libstudio-absent-icccm4 absent-keysyms1`" in line
    assert "libc" not in line and "cursor" not in line and "\n" not in line


def test_no_check_when_qt_does_not_use_xcb():
    check_window_libraries(ABSENT, environ={"QT_QPA_PLATFORM": "offscreen"})  # nothing raised
    assert not uses_xcb({"QT_QPA_PLATFORM": "wayland;xcb"}, "linux")
    assert not uses_xcb({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert not uses_xcb({}, "darwin")
    assert uses_xcb({}, "linux") and uses_xcb({"QT_QPA_PLATFORM": "xcb:nograb"}, "linux")


def test_every_library_of_the_table_names_a_package():
    assert all(soname.startswith("lib") and ".so." in soname and package for soname, package in XCB_LIBRARIES.items())
    assert {"libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxcb-cursor.so.0"} <= set(XCB_LIBRARIES)
