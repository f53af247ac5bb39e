"""One job on one ComfyUI server: upload the images, queue the workflow, follow it over the websocket, fetch it.

The websocket is opened before the job is queued so that no message about it can be missed. The job is finished
when `executing` arrives with no node (or `execution_success`) for its prompt id. Cancel deletes it from the
queue and interrupts it on the server.
"""

from __future__ import annotations

import contextlib
import io
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

from studio.core.modes import Mode
from studio.generate.comfyui.client import ComfyUIClient, Preview
from studio.generate.comfyui.errors import ComfyUIError, JobFailed
from studio.generate.comfyui.workflow import SAVE_NODE, build_workflow, steps_run
from studio.generate.request import Cancelled, GenerationRequest, Progress, ProgressCallback

POLL_S = 0.05


@dataclass(frozen=True)
class JobOutcome:
    image: Image.Image
    scheduler_id: str
    steps_run: int
    prompt_id: str


def run_job(
    client: ComfyUIClient,
    request: GenerationRequest,
    *,
    checkpoint: str,
    loras: Sequence[tuple[str, float]] = (),
    on_progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> JobOutcome:
    cancel = cancel or threading.Event()
    client_id = uuid.uuid4().hex
    prompt_id = str(uuid.uuid4())
    with client.events(client_id) as events:
        image_name = mask_name = None
        parent = _input_image(request)
        if parent is not None:
            image_name = client.upload_image(_png(parent), f"{prompt_id}-image.png")
        if request.mode is Mode.inpaint:
            assert request.mask is not None
            mask_name = client.upload_image(_png(_open_mask(request.mask)), f"{prompt_id}-mask.png")
        graph, scheduler_id = build_workflow(request, checkpoint=checkpoint, loras=loras, image=image_name,
                                             mask=mask_name)
        if cancel.is_set():
            raise Cancelled()
        client.queue_prompt(graph, client_id=client_id, prompt_id=prompt_id)
        _follow(client, events, prompt_id, on_progress, cancel)
    image = _fetch_result(client, prompt_id)
    if request.mode is Mode.inpaint and parent is not None and request.mask is not None:
        # As with the local engine: every pixel outside the mask is the parent's own, not the VAE's copy of it.
        image = Image.composite(image, parent.resize(image.size), _open_mask(request.mask).resize(image.size))
    return JobOutcome(image, scheduler_id, steps_run(request), prompt_id)


def _follow(client: ComfyUIClient, events, prompt_id: str, on_progress: ProgressCallback | None,
            cancel: threading.Event) -> None:
    step, total = 0, 0
    while True:
        if cancel.is_set():
            _cancel(client, prompt_id)
            raise Cancelled()
        message = events.next(POLL_S)
        if message is None:
            continue
        if isinstance(message, Preview):
            if on_progress is not None and total:
                on_progress(Progress(step, total, preview=_decode(message)))
            continue
        kind, data = message.get("type"), message.get("data") or {}
        if data.get("prompt_id") not in (None, prompt_id):
            continue  # another client's job on a shared server
        if kind == "progress":
            step, total = int(data.get("value", 0)), int(data.get("max", 0))
            if on_progress is not None:
                on_progress(Progress(step, total))
        elif (kind == "executing" and data.get("node") is None and data.get("prompt_id") == prompt_id) or (
            kind == "execution_success"
        ):
            return
        elif kind == "execution_error":
            raise JobFailed(
                f"ComfyUI server {client.name} failed the job in {data.get('node_type') or 'a node'}: "
                f"{str(data.get('exception_message') or 'no details').strip()}",
                hint="see the server's log; the request was not recorded",
            )
        elif kind == "execution_interrupted":
            if cancel.is_set():
                raise Cancelled()
            raise JobFailed(f"the job was interrupted on ComfyUI server {client.name}",
                            hint="someone stopped it there; run it again")


def _cancel(client: ComfyUIClient, prompt_id: str) -> None:
    # Still queued: deleting it is enough. Already running: the interrupt stops it. The server may be gone; a
    # cancel must still end at once.
    for action in (lambda: client.delete_queued(prompt_id), lambda: client.interrupt(prompt_id)):
        with contextlib.suppress(ComfyUIError):
            action()


def _fetch_result(client: ComfyUIClient, prompt_id: str) -> Image.Image:
    entry = None
    for _ in range(20):  # the history entry is written as the job ends; give it a moment
        entry = client.history(prompt_id)
        if entry:
            break
        time.sleep(0.05)
    images = (((entry or {}).get("outputs") or {}).get(SAVE_NODE) or {}).get("images") or []
    if not images:
        raise ComfyUIError(f"ComfyUI server {client.name} finished the job but kept no image",
                           hint="see the server's log; the request was not recorded")
    first = images[0]
    data = client.view(first["filename"], first.get("subfolder", ""), first.get("type", "output"))
    try:
        with Image.open(io.BytesIO(data)) as result:
            return result.convert("RGB")
    except OSError:
        raise ComfyUIError(f"ComfyUI server {client.name} sent an unreadable image") from None


def _input_image(request: GenerationRequest) -> Image.Image | None:
    size = (request.width, request.height)
    if request.mode in (Mode.img2img, Mode.inpaint):
        return _fit(request.init_images[0], size)
    if request.mode is Mode.blend:
        return _blend(request.init_images, request.effective_blend_weights, size)
    return None


def _fit(path: Path, size: tuple[int, int]) -> Image.Image:
    with Image.open(path) as opened:
        image = opened.convert("RGB")
    return image if image.size == size else ImageOps.fit(image, size, method=Image.Resampling.LANCZOS)


def _blend(paths: Sequence[Path], weights: Sequence[float], size: tuple[int, int]) -> Image.Image:
    """The parents fitted to the size and averaged pixel by pixel with the normalised weights (as the local engine)."""
    import numpy as np

    total = np.zeros((size[1], size[0], 3), dtype=np.float64)
    for path, weight in zip(paths, weights, strict=True):
        total += weight * np.asarray(_fit(path, size), dtype=np.float64)
    return Image.fromarray(np.clip(np.rint(total), 0, 255).astype(np.uint8), "RGB")


def _open_mask(path: Path) -> Image.Image:
    with Image.open(path) as image:
        return image.convert("L").point(lambda v: 255 if v > 127 else 0)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _decode(preview: Preview) -> Image.Image | None:
    try:
        with Image.open(io.BytesIO(preview.data)) as image:
            return image.convert("RGB")
    except OSError:
        return None
