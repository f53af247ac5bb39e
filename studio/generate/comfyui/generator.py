"""`ComfyUIGenerator`: the `Generator` protocol on a pool of ComfyUI servers.

The same `GenerationRequest` in, the same `GenerationResult` out: license checks, lineage and recording stay with
the caller. The request's model and LoRAs are registered works; `links` says which file on the servers each one
is. The recipe adds the engine, the server that ran the job, the server's file names and whether each model is
known by its hash (the same file is registered locally) or by its name only (then no hash is recorded).

A FLUX.1, SD3.5 or Qwen-Image model runs either as one all-in-one checkpoint file on the servers or, when it is
registered from split files (a parts manifest), as each part's own file there: every part is linked on its own
(see `part_link_key`) and the recipe lists each part's server file and hash.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

import studio
from studio.core.types import Recipe
from studio.generate.comfyui.client import ComfyUIClient
from studio.generate.comfyui.errors import JobRejected, MissingModel, MissingNodes, ModelNotLinked
from studio.generate.comfyui.family_workflow import (
    FAMILY_PARTS,
    SAMPLER_NAME,
    SCHEDULER,
    ServerModel,
    build_family_workflow,
    required_family_nodes,
    required_options,
)
from studio.generate.comfyui.job import GraphBuilder, JobOutcome, run_job
from studio.generate.comfyui.pool import ServerPool
from studio.generate.comfyui.server_info import KIND_LABELS, inspect_server, require
from studio.generate.comfyui.workflow import build_workflow, required_nodes
from studio.generate.families import Family, family
from studio.generate.request import GenerationRequest, GenerationResult, ProgressCallback

SOFTWARE = f"remix-studio {studio.__version__} (ComfyUI)"


@dataclass(frozen=True)
class ServerFile:
    """The file on the ComfyUI servers that a registered model or LoRA is, and how that is known."""

    filename: str
    by: Literal["hash", "name"]
    kind: str = "checkpoint"  # see server_info.MODEL_FOLDERS
    sha256: str | None = None  # a linked part's own hash (the model's hash covers all its parts)


def part_link_key(work_id: str, part: str) -> str:
    """The key under which one part of a split model is linked (a whole file is linked under the work id)."""
    return f"{work_id}#{part}"


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
        fam = family(request.model.arch)
        loras = [(self._file(lora.id, lora.name), lora.weight) for lora in request.loras]
        lora_files = [(f.filename, w) for f, w in loras]
        options: tuple[tuple[str, str, str], ...] = ()
        server_parts: list[tuple[str, ServerFile]] = []
        if fam is None:
            checkpoint = self._file(request.model.id, request.model.name)
            files = [("checkpoint", checkpoint.filename)]
            nodes = required_nodes(request)

            def build(image: str | None, mask: str | None) -> tuple[dict, str | None]:
                return build_workflow(request, checkpoint=checkpoint.filename, loras=lora_files, image=image,
                                      mask=mask)
        else:
            checkpoint, server_parts = self._family_files(request, fam)
            model = (ServerModel(checkpoint=checkpoint.filename) if checkpoint is not None
                     else ServerModel(parts={part: f.filename for part, f in server_parts}))
            files = ([("checkpoint", checkpoint.filename)] if checkpoint is not None
                     else [(f.kind, f.filename) for _, f in server_parts])
            nodes = required_family_nodes(request, fam, model)
            options = required_options(fam, model)

            def build(image: str | None, mask: str | None) -> tuple[dict, str | None]:
                # The family's own flow-matching sampling, not a studio scheduler id (as the local engine).
                return build_family_workflow(request, fam, model, loras=lora_files, image=image, mask=mask), None
        files += [("lora", f.filename) for f, _ in loras]
        outcome, client = self._run(request, build, nodes, files, options, on_progress, cancel)

        recipe = _recipe(request, outcome.scheduler_id, client.name, fam, checkpoint, server_parts, loras)
        return GenerationResult(outcome.image, recipe, time.perf_counter() - started, outcome.steps_run)

    def _run(self, request: GenerationRequest, build: GraphBuilder, nodes: tuple[str, ...],
             files: list[tuple[str, str]], options: tuple[tuple[str, str, str], ...],
             on_progress: ProgressCallback | None, cancel: threading.Event | None) -> tuple[JobOutcome, ComfyUIClient]:
        def job(client: ComfyUIClient) -> JobOutcome:
            self._check(client, nodes, files, options)
            try:
                return run_job(client, request, build=build, on_progress=on_progress, cancel=cancel)
            except JobRejected:
                # The connection's /object_info may be out of date (a file or node removed since): ask again, so
                # the user hears which one is missing rather than the server's validation text.
                require(inspect_server(client, refresh=True), nodes, files, options)
                raise

        label = f"{request.mode}: {' '.join(request.prompt.split())[:60]}"
        return self.pool.run(label, job, cancel)

    def _family_files(self, request: GenerationRequest,
                      fam: Family) -> tuple[ServerFile | None, list[tuple[str, ServerFile]]]:
        """(the all-in-one checkpoint, or None and each part's file) that a family model is on the servers."""
        whole = self.links.get(request.model.id)
        if whole is not None and whole.kind == "checkpoint":
            return whole, []
        if whole is not None:
            raise ModelNotLinked(
                f"{request.model.name} is linked to the {KIND_LABELS.get(whole.kind, whole.kind)} "
                f"{whole.filename} alone; a {fam.label} job also needs its text encoders and VAE",
                hint="register the model from its part files (a parts manifest, see docs/models.md) and link each "
                "part: `studio engines link SERVER FILE --model NAME`")
        found, missing = [], []
        for spec in FAMILY_PARTS[fam.arch]:
            link = self.links.get(part_link_key(request.model.id, spec.part))
            if link is None:
                missing.append(f"{spec.part} ({spec.label})")
            else:
                found.append((spec.part, link))
        if missing:
            raise ModelNotLinked(
                f"{request.model.name} ({fam.label}) has no file linked on the ComfyUI servers for its "
                f"{', '.join(missing)}",
                hint="register the model from its part files (a parts manifest) and link each part: "
                "`studio engines models SERVER` lists the server's files, `studio engines link SERVER FILE --model "
                "NAME` links one; or link an all-in-one checkpoint of the model")
        return None, found

    def _file(self, work_id: str, name: str) -> ServerFile:
        link = self.links.get(work_id)
        if link is None:
            raise ModelNotLinked(
                f"{name} is not linked to a file on the ComfyUI servers",
                hint="link it: `studio engines models SERVER` lists the server's files, "
                "`studio engines link SERVER FILE --model NAME` links one",
            )
        return link

    def _check(self, client: ComfyUIClient, nodes: tuple[str, ...], files: list[tuple[str, str]],
               options: tuple[tuple[str, str, str], ...]) -> None:
        # The connection keeps its /object_info; it is fetched again only when a node or file seems missing (the
        # server may have been updated, or the file put there, since).
        try:
            require(inspect_server(client, refresh=False), nodes, files, options)
        except (MissingModel, MissingNodes):
            require(inspect_server(client, refresh=True), nodes, files, options)


def _recipe(request: GenerationRequest, scheduler_id: str | None, server: str, fam: Family | None,
            checkpoint: ServerFile | None, server_parts: list[tuple[str, ServerFile]],
            loras: list[tuple[ServerFile, float]]) -> Recipe:
    """The request's recipe with where it ran: the server, its file (or each part's file) and how each is known;
    a hash is kept only for what the server proved to be the registered file."""
    recipe = request.to_recipe(software=SOFTWARE, scheduler=scheduler_id)
    extra = {**recipe.extra, "engine": "comfyui", "server": server}
    if checkpoint is not None:
        extra.update(server_model=checkpoint.filename, model_known_by=checkpoint.by)
    if fam is not None:
        extra.update(family=fam.arch, guidance_kind=fam.guidance_kind,
                     sampler={"sampler_name": SAMPLER_NAME, "scheduler": SCHEDULER})
        if fam.guidance_kind == "true_cfg":  # as the local engine records it: the negative actually encoded
            extra["negative_prompt_used"] = request.negative_prompt or fam.default_negative_prompt
    if server_parts:
        extra["server_parts"] = [{"part": part, "file": f.filename, "kind": f.kind, "known_by": f.by,
                                  "sha256": f.sha256} for part, f in server_parts]
    if loras:
        extra["server_loras"] = [{"file": f.filename, "known_by": f.by, "weight": w} for f, w in loras]
    proven = checkpoint.by == "hash" if checkpoint is not None else all(f.by == "hash" for _, f in server_parts)
    return replace(
        recipe,
        model_sha256=recipe.model_sha256 if proven else None,
        loras=tuple(use if f.by == "hash" else replace(use, sha256=None)
                    for use, (f, _) in zip(recipe.loras, loras, strict=True)),
        extra=extra,
    )
