"""Fetching a recommended model: offline it fails fast and clearly; a model already there is reused."""

from __future__ import annotations

import shutil
import socket
import time

import pytest

from studio.errors import InvalidInput
from studio.generate import HubUnavailable, fetch_recommended


def test_offline_mode_fails_fast_with_a_way_forward(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    started = time.monotonic()
    with pytest.raises(HubUnavailable) as excinfo:
        fetch_recommended("sd-turbo", tmp_path)
    assert time.monotonic() - started < 1
    message = str(excinfo.value)
    assert "offline" in message and "add a local model" in message
    assert not (tmp_path / "models").exists()


def test_no_network_fails_fast(tmp_path, monkeypatch):
    with socket.socket() as probe:  # a local port nothing listens on: connection refused at once
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    started = time.monotonic()
    with pytest.raises(HubUnavailable, match="looks offline") as excinfo:
        fetch_recommended("sd-turbo", tmp_path)
    assert time.monotonic() - started < 5
    assert "add a local model" in str(excinfo.value)


def test_unknown_model_is_refused(tmp_path):
    with pytest.raises(InvalidInput, match="Unknown recommended model 'sd-9'"):
        fetch_recommended("sd-9", tmp_path)


def test_an_already_downloaded_model_is_reused_offline(tiny, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    shutil.copytree(tiny.path, tmp_path / "models" / "sd-turbo")
    info = fetch_recommended("sd-turbo", tmp_path)
    assert info.path == tmp_path / "models" / "sd-turbo" and info.sha256 == tiny.sha256
