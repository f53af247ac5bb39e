"""One job on one ComfyUI server: upload the images, queue the workflow, follow it over the websocket, fetch it.

The websocket is opened before the job is queued so that no message about it can be missed. The job is finished
when `executing` arrives with no node (or `execution_success`) for its prompt id. When the socket stays silent
for the inactivity timeout, the server's queue and history say whether the job is still there or already done;
the job's overall deadline ends the wait in any case.

`cancel_job` is the one way a job is stopped, whoever asks (the window's Cancel, Ctrl-C or SIGTERM on the
command line, a deadline): the prompt is deleted from the server's queue, and interrupted if it is running.

The result is checked before it is decoded: its fields, its byte size (the bounded reader), and its pixel size
from the image header. An image of another size than the request asked is refused, so a recipe never states a
size the image does not have.
"""

from __future__ import annotations

import contextlib
import io
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps

from studio.core.modes import Mode
from studio.generate.comfyui.client import ComfyUIClient, Preview
from studio.generate.comfyui.errors import ComfyUIError, JobFailed, ServerUnavailable
from studio.generate.comfyui.workflow import SAVE_NODE, steps_run
from studio.generate.request import Cancelled, GenerationRequest, Progress, ProgressCallback

POLL_S = 0.05
# (uploaded image name, uploaded mask name) -> (the API-format graph, the studio scheduler id it samples with)
GraphBuilder = Callable[[str | None, str | None], tuple[dict[str, Any], str | None]]


@dataclass(frozen=True)
class JobOutcome:
    image: Image.Image
    scheduler_id: str | None
    steps_run: int
    prompt_id: str


def run_job(
    client: ComfyUIClient,
    request: GenerationRequest,
    *,
    build: GraphBuilder,
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
        graph, scheduler_id = build(image_name, mask_name)
        if cancel.is_set():
            raise Cancelled()
        try:
            client.queue_prompt(graph, client_id=client_id, prompt_id=prompt_id)
        except ServerUnavailable:
            cancel_job(client, prompt_id)  # the answer may have been lost after the server queued it
            raise
        try:
            _follow(client, events, prompt_id, on_progress, cancel)
        except Cancelled:
            cancel_job(client, prompt_id)
            raise Cancelled(f"Generation cancelled; its job was removed from ComfyUI server {client.name}; "
                            "no image was made") from None
        except BaseException:
            # Cancelled, a deadline, a failure of this side (or Ctrl-C arriving as KeyboardInterrupt): the server
            # must not go on with a job nobody will collect.
            cancel_job(client, prompt_id)
            raise
    image = _fetch_result(client, prompt_id, (request.width, request.height))
    if request.mode is Mode.inpaint and parent is not None and request.mask is not None:
        # As with the local engine: every pixel outside the mask is the parent's own, not the VAE's copy of it.
        image = Image.composite(image, parent.resize(image.size), _open_mask(request.mask).resize(image.size))
    return JobOutcome(image, scheduler_id, steps_run(request), prompt_id)


def _follow(client: ComfyUIClient, events, prompt_id: str, on_progress: ProgressCallback | None,
            cancel: threading.Event) -> None:
    limits = client.limits
    deadline = time.monotonic() + limits.job_deadline_s
    last_heard = time.monotonic()
    step, total = 0, 0
    while True:
        if cancel.is_set():
            raise Cancelled()
        now = time.monotonic()
        if now > deadline:
            raise JobFailed(f"the job on ComfyUI server {client.name} did not finish within "
                            f"{limits.job_deadline_s:g} s; it was cancelled there",
                            hint="raise the job time limit (`studio engines limits --job-deadline S`) or check "
                            "the server")
        if now - last_heard > limits.idle_s:
            if _finished_quietly(client, prompt_id):
                return
            last_heard = now
        message = events.next(POLL_S)
        if message is None:
            continue
        last_heard = time.monotonic()
        if isinstance(message, Preview):
            if on_progress is not None and total:
                on_progress(Progress(step, total, preview=_decode(message, limits.max_image_pixels)))
            continue
        kind, data = message.get("type"), message.get("data")
        if not isinstance(data, dict):
            continue
        if data.get("prompt_id") not in (None, prompt_id):
            continue  # another client's job on a shared server
        if kind == "progress":
            value, most = data.get("value"), data.get("max")
            if isinstance(value, int) and isinstance(most, int) and 0 <= value <= most:
                step, total = value, most
                if on_progress is not None:
                    on_progress(Progress(step, total))
        elif (kind == "executing" and data.get("node") is None and data.get("prompt_id") == prompt_id) or (
            kind == "execution_success" and data.get("prompt_id") == prompt_id
        ):
            return
        elif kind == "execution_error" and data.get("prompt_id") == prompt_id:
            raise JobFailed(
                f"ComfyUI server {client.name} failed the job in {_text(data.get('node_type')) or 'a node'}: "
                f"{_text(data.get('exception_message')) or 'no details'}",
                hint="see the server's log; the request was not recorded",
            )
        elif kind == "execution_interrupted" and data.get("prompt_id") == prompt_id:
            if cancel.is_set():
                raise Cancelled()
            raise JobFailed(f"the job was interrupted on ComfyUI server {client.name}",
                            hint="someone stopped it there; run it again")


def _finished_quietly(client: ComfyUIClient, prompt_id: str) -> bool:
    """After a silence: True when the history holds the job (its end was never reported on the socket); raises
    when the server has neither queued nor finished it; False while it is queued or running."""
    if client.history(prompt_id):
        return True
    running, pending = client.queue_state()
    if prompt_id in running or prompt_id in pending:
        return False
    if client.history(prompt_id):  # it may have ended between the two questions
        return True
    raise JobFailed(f"ComfyUI server {client.name} lost the job: it is neither queued nor in its history",
                    hint="the server may have restarted; run it again")


def cancel_job(client: ComfyUIClient, prompt_id: str) -> None:
    """Stop `prompt_id` on the server, wherever it is: deleted from the queue, interrupted if it runs.

    The delete comes first, so a job that starts between the two steps is still caught by the interrupt. The
    interrupt names the prompt (servers since 0.3.4x then stop only that one); it is sent only when the queue
    shows the job running, or when the queue cannot be read, so an older server that ignores the prompt id does
    not stop another client's job. The server may be gone: a cancel must still end at once."""
    with contextlib.suppress(ComfyUIError):
        client.delete_queued(prompt_id)
    try:
        running, _pending = client.queue_state()
    except ComfyUIError:
        running = {prompt_id}
    if prompt_id in running:
        with contextlib.suppress(ComfyUIError):
            client.interrupt(prompt_id)


def _fetch_result(client: ComfyUIClient, prompt_id: str, size: tuple[int, int]) -> Image.Image:
    entry = None
    for _ in range(20):  # the history entry is written as the job ends; give it a moment
        entry = client.history(prompt_id)
        if entry:
            break
        time.sleep(0.05)
    filename, subfolder, folder_type = _saved_image(client.name, entry)
    data = client.view(filename, subfolder, folder_type)
    return _checked_image(client.name, data, size, client.limits.max_image_pixels)


def _saved_image(server: str, entry: object) -> tuple[str, str, str]:
    """(filename, subfolder, type) of the save node's first image; every field checked before use."""
    def bad(what: str) -> ComfyUIError:
        return ComfyUIError(f"ComfyUI server {server} finished the job but {what}",
                            hint="see the server's log; the request was not recorded")

    outputs = entry.get("outputs") if isinstance(entry, dict) else None
    node = outputs.get(SAVE_NODE) if isinstance(outputs, dict) else None
    images = node.get("images") if isinstance(node, dict) else None
    if not isinstance(images, list) or not images:
        raise bad("kept no image")
    first = images[0]
    if not isinstance(first, dict):
        raise bad("described its image with something that is not a record")
    filename, subfolder, folder_type = first.get("filename"), first.get("subfolder", ""), first.get("type", "output")
    if not isinstance(filename, str) or not filename.strip() or len(filename) > 255:
        raise bad("named no usable image file")
    if not isinstance(subfolder, str) or len(subfolder) > 255:
        raise bad("named an unusable subfolder")
    if folder_type not in ("output", "temp"):
        raise bad(f"put its image in an unexpected place ({str(folder_type)[:20]!r})")
    return filename, subfolder, folder_type


def _checked_image(server: str, data: bytes, size: tuple[int, int], max_pixels: int) -> Image.Image:
    """The image, decoded only after its header shows a sane pixel count and exactly the requested size."""
    too_many = ComfyUIError(f"ComfyUI server {server} sent an image with more pixels than any request "
                            f"({max_pixels:,}); it was not decoded",
                            hint="see the server's log; the request was not recorded")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # the check below is the studio's own
            opened = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        raise too_many from None
    except (OSError, ValueError, SyntaxError):
        opened = None
    if opened is None:
        raise ComfyUIError(f"ComfyUI server {server} sent an unreadable image",
                           hint="see the server's log; the request was not recorded")
    try:
        with opened as result:
            width, height = result.size
            if width * height > max_pixels:
                raise too_many
            if (width, height) != size:
                raise ComfyUIError(
                    f"ComfyUI server {server} sent a {width}x{height} image for a {size[0]}x{size[1]} request; "
                    "it was refused", hint="check the server's custom nodes or workflow settings; the request was "
                    "not recorded")
            return result.convert("RGB")
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise ComfyUIError(f"ComfyUI server {server} sent an unreadable image",
                           hint="see the server's log; the request was not recorded") from None


def _text(value: object) -> str:
    return " ".join(str(value).split())[:300] if value is not None else ""


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


def _decode(preview: Preview, max_pixels: int) -> Image.Image | None:
    """A preview frame, or None when it is unreadable or larger than any image the job could make."""
    try:
        with Image.open(io.BytesIO(preview.data)) as image:
            if image.size[0] * image.size[1] > max_pixels:
                return None
            return image.convert("RGB")
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None
