"""docs/screenshots/engines-settings.png: Settings ▸ Engines with ComfyUI servers, one of them running a job.

Usage: SCREENSHOTS_SCRIPT=tools/screenshot_engines.py tools/screenshots.sh   (Xvfb and a private keyring)
       or, on a desktop: .venv/bin/python tools/screenshot_engines.py OUT_DIR

The servers are the stand-in ComfyUI servers of the test suite (ComfyUI's HTTP and websocket protocol, running
the built-in model), on this machine's ports, in a temporary library; one more server is set up and is not
running, to show how a failed connection reads.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from screenshots import save, settle, wait_until  # noqa: E402

from studio.app.session import StudioSession  # noqa: E402
from studio.generate import DiffusersGenerator, builtin_model_ref  # noqa: E402
from studio.services import Studio  # noqa: E402
from studio.services.generation import CreateRequest  # noqa: E402
from studio.store.library import data_dir  # noqa: E402
from studio.ui.engines_settings import EnginesDialog  # noqa: E402
from studio.ui.launch import application  # noqa: E402
from studio.ui.theme import apply_theme  # noqa: E402
from tests.helpers.standin_nodes import Files  # noqa: E402
from tests.helpers.standin_server import StandInComfyUI  # noqa: E402


def shoot(out: Path, folder: Path) -> None:
    tiny = builtin_model_ref(data_dir())
    engine = DiffusersGenerator(data_dir())
    servers = []
    for n, token in enumerate(("render-box-token", None)):
        root = folder / f"comfy{n}"
        files = Files(checkpoints={"studio-tiny.safetensors": tiny, "harbour-style-v2.safetensors": tiny},
                      loras={}, input_dir=root / "input")
        server = StandInComfyUI(root, engine, files, token=token, step_delay=1.0)
        server.start()
        servers.append(server)
    session = StudioSession(Studio.open(folder / "library"))
    try:
        engines = session.studio.engines
        engines.add("render-box", servers[0].url, "render-box-token")
        engines.add("studio-gpu", servers[1].url)
        engines.add("old-laptop", "http://127.0.0.1:9")  # nothing listens there
        engines.link("render-box", "studio-tiny.safetensors", model=session.studio.models.builtin().name)
        engines.link("render-box", "harbour-style-v2.safetensors", license_id="cc-by-4.0", name="Harbour Style v2")
        dialog = EnginesDialog(session)
        dialog.resize(1100, 860)
        dialog.show()
        for name in ("old-laptop", "studio-gpu", "render-box"):
            dialog.select_server(name)
            dialog.test_button.click()
        dialog.list_button.click()
        wait_until(lambda: dialog.files.rowCount() == 2 and all(
            r.connection in ("ok", "error") for r in dialog.engines.servers()))
        session.use_engine("comfyui")
        session.generate(CreateRequest(mode="txt2img", prompt="a lighthouse in fog at dawn", seed=7, steps=20,
                                       width=64, height=64))
        wait_until(lambda: any(s.status == "busy" for s in dialog.pool.watcher.states), timeout=120)
        settle(1.0)
        save(dialog, out, "engines-settings")
        session.jobs.cancel_all()
        dialog.close()
    finally:
        session.close()
        for server in servers:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", nargs="?", default=str(REPO / "docs" / "screenshots"))
    args = parser.parse_args()
    apply_theme(application(), "light")
    with tempfile.TemporaryDirectory(prefix="engines-shot-") as folder:
        started = time.monotonic()
        shoot(Path(args.out), Path(folder))
        print(f"engines settings shot in {time.monotonic() - started:.0f} s")
    QApplication.instance().processEvents()


if __name__ == "__main__":
    main()
