"""`ComfyUIGenerator`: the `Generator` protocol on a pool of ComfyUI servers.

The same `GenerationRequest` in, the same `GenerationResult` out: license checks, lineage and recording stay with
the caller. The request's model and LoRAs are registered works; `links` says which file on the servers each one
is. The recipe adds the engine, the server that ran the job, the server's file names and whether each model is
known by its hash (the same file is registered locally) or by its name only (then no hash is recorded).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

import studio
from studio.generate.comfyui.client import ComfyUIClient
from studio.generate.comfyui.errors import JobRejected, MissingModel, MissingNodes, ModelNotLinked
from studio.generate.comfyui.job import JobOutcome, run_job
from studio.generate.comfyui.pool import ServerPool
from studio.generate.comfyui.server_info import inspect_server, require
from studio.generate.comfyui.workflow import required_nodes
from studio.generate.request import GenerationRequest, GenerationResult, ProgressCallback

SOFTWARE = f"remix-studio {studio.__version__} (ComfyUI)"


@dataclass(frozen=True)
class ServerFile:
    """The file on the ComfyUI servers that a registered model or LoRA is, and how that is known."""

    filename: str
    by: Literal["hash", "name"]


class ComfyUIGenerator:
    remote = True  # models live on the servers: the caller need not find their files on this machine

    def __init__(self, pool: ServerPool, links: Mapping[str, ServerFile]) -> None:
        self.pool = pool
        self.links = dict(links)

    def run(
        self,
        request: GenerationRequest,
        *,
        on_progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> GenerationResult:
        started = time.perf_counter()
        checkpoint = self._file(request.model.id, request.model.name)
        loras = [(self._file(lora.id, lora.name), lora.weight) for lora in request.loras]
        files = [("checkpoint", checkpoint.filename)] + [("lora", f.filename) for f, _ in loras]
        nodes = required_nodes(request)

        def job(client: ComfyUIClient) -> JobOutcome:
            self._check(client, nodes, files)
            try:
                return run_job(client, request, checkpoint=checkpoint.filename,
                               loras=[(f.filename, w) for f, w in loras], on_progress=on_progress, cancel=cancel)
            except JobRejected:
                # The connection's /object_info may be out of date (a file or node removed since): ask again, so
                # the user hears which one is missing rather than the server's validation text.
                require(inspect_server(client, refresh=True), nodes, files)
                raise

        label = f"{request.mode}: {' '.join(request.prompt.split())[:60]}"
        outcome, client = self.pool.run(label, job, cancel)
        recipe = request.to_recipe(software=SOFTWARE, scheduler=outcome.scheduler_id)
        extra = {
            **recipe.extra,
            "engine": "comfyui",
            "server": client.name,
            "server_model": checkpoint.filename,
            "model_known_by": checkpoint.by,
        }
        if loras:
            extra["server_loras"] = [{"file": f.filename, "known_by": f.by, "weight": w} for f, w in loras]
        recipe = replace(
            recipe,
            model_sha256=recipe.model_sha256 if checkpoint.by == "hash" else None,
            loras=tuple(
                use if f.by == "hash" else replace(use, sha256=None)
                for use, (f, _) in zip(recipe.loras, loras, strict=True)
            ),
            extra=extra,
        )
        return GenerationResult(outcome.image, recipe, time.perf_counter() - started, outcome.steps_run)

    def _file(self, work_id: str, name: str) -> ServerFile:
        link = self.links.get(work_id)
        if link is None:
            raise ModelNotLinked(
                f"{name} is not linked to a file on the ComfyUI servers",
                hint="link it: `studio engines models SERVER` lists the server's files, "
                "`studio engines link SERVER FILE --model NAME` links one",
            )
        return link

    def _check(self, client: ComfyUIClient, nodes: tuple[str, ...], files: list[tuple[str, str]]) -> None:
        # The connection keeps its /object_info; it is fetched again only when a node or file seems missing (the
        # server may have been updated, or the file put there, since).
        try:
            require(inspect_server(client, refresh=False), nodes, files)
        except (MissingModel, MissingNodes):
            require(inspect_server(client, refresh=True), nodes, files)
