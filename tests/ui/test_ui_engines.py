"""The window's engines: Settings ▸ Engines against stand-in ComfyUI servers (add with a token in the keyring,
test off the GUI thread, models and their links, remove), the create panel's engine chooser, and the pool view
showing which server runs what while a job runs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from studio.app.engines_model import EnginesModel, PoolWatcher, describe_connection
from studio.generate import DiffusersGenerator, builtin_model_ref
from studio.secrets import SecretStore
from studio.ui.main_window import MainWindow
from studio.ui.theme import REFUSED
from tests.helpers.standin_nodes import TINY_HEADER, write_checkpoint
from tests.helpers.standin_server import StandInComfyUI, server_factory

CHECKPOINT = "studio-tiny.safetensors"
OTHER = "harbour-style.safetensors"
TOKEN = "ui-token-5150"
WAIT_MS = 120_000


@pytest.fixture
def make_server(tmp_path: Path, generator: DiffusersGenerator) -> Iterator[Callable[..., StandInComfyUI]]:
    """Stand-in ComfyUI servers that run the session's diffusers engine on the built-in model."""
    tiny = builtin_model_ref(generator.data_dir)
    with server_factory(tmp_path, generator, {CHECKPOINT: tiny, OTHER: tiny},
                        {CHECKPOINT: TINY_HEADER}) as make:
        yield make


def _click(qtbot, button) -> None:
    assert button.isEnabled(), f"{button.text()} is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _cell(table, row: int, column: int) -> str:
    return table.item(row, column).text()


def test_engines_settings_add_test_link_and_remove_a_server(qtbot, keyring_env, window: MainWindow, make_server,
                                                           tmp_path):
    server = make_server(token=TOKEN)
    dialog = window.open_engines()
    qtbot.addWidget(dialog)
    assert dialog.servers.rowCount() == 0

    dialog.name.setText("render-box")
    dialog.url.setText(server.url + "/")
    dialog.token.setText(TOKEN)
    _click(qtbot, dialog.add_button)
    assert dialog.error.text() == ""
    assert dialog.servers.rowCount() == 1
    assert [_cell(dialog.servers, 0, c) for c in range(4)] == ["render-box", server.url, "in keyring", "not tested"]
    assert dialog.token.text() == ""  # the token is in the keyring, not left in the widget
    assert SecretStore().get("comfyui-token:render-box") == TOKEN
    settings = window.session.studio.library.db.query("SELECT value FROM settings")
    assert not any(TOKEN in str(row["value"]) for row in settings)

    # The test runs as a job; the GUI thread only gets its answer.
    _click(qtbot, dialog.test_button)
    assert _cell(dialog.servers, 0, 3) == "testing…"
    qtbot.waitUntil(lambda: _cell(dialog.servers, 0, 3) != "testing…", timeout=WAIT_MS)
    assert _cell(dialog.servers, 0, 3) == dialog.result.text() == "ok: ComfyUI 0.3.60, cpu"
    assert ("GET", "/system_stats") in server.requests_seen and ("GET", "/object_info") in server.requests_seen

    # A server that is gone: one line saying so, in the row's result.
    gone = make_server()
    dialog.name.setText("old-box")
    dialog.url.setText(gone.url)
    _click(qtbot, dialog.add_button)
    gone.stop()
    dialog.select_server("old-box")
    _click(qtbot, dialog.test_button)
    qtbot.waitUntil(lambda: _cell(dialog.servers, 1, 3) != "testing…", timeout=WAIT_MS)
    assert "cannot be reached" in dialog.result.text() and "\n" not in dialog.result.text()
    assert _cell(dialog.servers, 1, 3) == dialog.result.text()
    assert dialog.servers.item(1, 3).foreground().color() == REFUSED
    _click(qtbot, dialog.remove_button)
    assert [_cell(dialog.servers, n, 0) for n in range(dialog.servers.rowCount())] == ["render-box"]

    # Its models: link one to the same file registered here (the server's header proves it), another by name
    # with a license.
    local = write_checkpoint(tmp_path / CHECKPOINT, TINY_HEADER)
    builtin = window.session.studio.models.add(local, name="tiny-file", license_id="cc0-1.0")[0].name
    window.session.models_changed.emit()
    dialog.select_server("render-box")
    _click(qtbot, dialog.list_button)
    qtbot.waitUntil(lambda: dialog.files.rowCount() == 2, timeout=WAIT_MS)
    assert {_cell(dialog.files, n, 1): _cell(dialog.files, n, 2) for n in range(2)} == {
        CHECKPOINT: "(not linked)", OTHER: "(not linked)"}
    dialog.select_file(CHECKPOINT)
    dialog.link_model.setCurrentIndex(dialog.link_model.findData(builtin))
    _click(qtbot, dialog.link_button)
    qtbot.waitUntil(lambda: "known by its hash" in dialog.warning.text(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: any(m.filename == CHECKPOINT and m.known_by == "hash" for m in dialog.models),
                    timeout=WAIT_MS)

    dialog.select_file(OTHER)
    dialog.license.setCurrentIndex(dialog.license.findData("cc-by-4.0"))
    dialog.as_name.setText("Harbour Style")
    _click(qtbot, dialog.link_name_button)
    qtbot.waitUntil(lambda: "known by name only" in dialog.warning.text(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: any(m.filename == OTHER and m.known_by == "name" for m in dialog.models),
                    timeout=WAIT_MS)
    other = next(m for m in dialog.models if m.filename == OTHER)
    assert (other.model, other.license_id) == ("Harbour Style", "cc-by-4.0")
    assert window.session.studio.models.get("Harbour Style").work.license_id == "cc-by-4.0"

    # Removing the server takes its token out of the keyring too.
    dialog.select_server("render-box")
    _click(qtbot, dialog.remove_button)
    assert dialog.servers.rowCount() == 0
    assert SecretStore().get("comfyui-token:render-box") is None
    assert window.session.jobs.wait_for_done(WAIT_MS)


def test_a_bad_address_is_one_line_and_adds_nothing(qtbot, keyring_env, window: MainWindow):
    dialog = window.open_engines()
    qtbot.addWidget(dialog)
    dialog.name.setText("box")
    dialog.url.setText("ftp://example")
    dialog.token.setText("secret-token-1")
    _click(qtbot, dialog.add_button)
    assert dialog.error.text().startswith("'ftp://example' is not a ComfyUI server address")
    assert "secret-token-1" not in dialog.error.text() and dialog.token.text() == ""
    assert dialog.servers.rowCount() == 0 and window.session.studio.engines.servers() == []


def test_the_engine_chooser_runs_generations_on_the_pool_and_the_window_shows_who_runs_what(
        qtbot, keyring_env, window: MainWindow, make_server, tmp_path):
    one, two = make_server(step_delay=0.4), make_server(step_delay=0.4)
    session = window.session
    engines = EnginesModel.of(session)
    engines.add("one", one.url)
    engines.add("two", two.url)
    local = write_checkpoint(tmp_path / CHECKPOINT, TINY_HEADER)  # the servers' file, registered here too
    session.studio.models.add(local, name="tiny-file", license_id="cc0-1.0")
    session.studio.engines.link("one", CHECKPOINT, model="tiny-file")
    session.models_changed.emit()
    panel = window.create_panel
    chooser = panel.engine
    assert [chooser.itemText(n) for n in range(chooser.count())] == [
        "Local — best device", "ComfyUI pool (2 servers)", "ComfyUI: one", "ComfyUI: two"]
    assert not panel.pool_status.isVisible()

    seen: list[tuple] = []
    session.findChild(PoolWatcher).states_changed.connect(seen.append)
    chooser.choose("comfyui")
    assert session.engine_spec == "comfyui"
    panel.prompt.setPlainText("a lighthouse in fog")
    panel.lock_seed.setChecked(True)
    panel.seed.setText("3")
    panel.steps.setValue(4)
    panel.width_.setValue(64)
    panel.height_.setValue(64)
    [job] = panel.start("txt2img")

    # While the job runs, the panel's pool view says which server runs it.
    qtbot.waitUntil(lambda: any("busy — txt2img: a lighthouse in fog" in label.text()
                                for label in panel.pool_status.lines.values()), timeout=WAIT_MS)
    assert panel.pool_status.isVisible()
    qtbot.waitUntil(lambda: session.jobs.job(job).state.done, timeout=WAIT_MS)
    work = session.jobs.job(job).result
    assert work is not None, session.jobs.job(job).error
    server = work.recipe.extra["server"]
    assert work.recipe.extra["engine"] == "comfyui" and server in ("one", "two")
    assert len(one.executed) + len(two.executed) == 1
    qtbot.waitUntil(lambda: all(s.status == "idle" for s in seen[-1]), timeout=WAIT_MS)
    assert any(s.name == server and s.status == "busy" for states in seen for s in states)
    assert sorted(label.text() for label in panel.pool_status.lines.values()) == ["● one  idle", "● two  idle"]

    # One named server; then back to this machine, which shows no pool.
    chooser.choose("comfyui:two")
    panel.seed.setText("4")
    [job] = panel.start("txt2img")
    qtbot.waitUntil(lambda: session.jobs.job(job).state.done, timeout=WAIT_MS)
    assert session.jobs.job(job).result.recipe.extra["server"] == "two"
    assert sorted(panel.pool_status.lines) == ["two"]

    # Removing the chosen server puts the chooser back on this machine.
    engines.remove("two")
    assert chooser.currentData() == "local" and session.engine_spec == "local"
    assert [chooser.itemText(n) for n in range(chooser.count())] == [
        "Local — best device", "ComfyUI pool (1 server)", "ComfyUI: one"]


def test_the_connection_line_names_each_device_and_its_memory():
    stats = {"devices": [{"name": "cuda:0 NVIDIA H200", "type": "cuda", "vram_total": 150 * (1 << 30),
                          "vram_free": 140 * (1 << 30)}, {"name": "cpu", "type": "cpu", "vram_total": 0}]}
    assert describe_connection("0.3.60", stats) == (
        "ok: ComfyUI 0.3.60, cuda:0 NVIDIA H200 (150.0 GiB VRAM, 140.0 GiB free); cpu")
    assert describe_connection(None, {}) == "ok: ComfyUI (version unknown), no device listed"
