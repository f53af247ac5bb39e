"""Training a LoRA from the window: which works of a selection may be trained on (and why the others may not),
the base models offered, and the training itself, a job on the generation lane whose preview is the latest
per-epoch sample."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PIL import Image

from studio.app.session import StudioSession
from studio.app.workers import TaskContext
from studio.core.types import WorkKind
from studio.generate import BUILTIN_ID
from studio.generate.emoji_builtin import EMOJI_ID
from studio.generate.request import Cancelled
from studio.services import Studio


class LoraTraining:
    def __init__(self, session: StudioSession, work_ids: Sequence[str]) -> None:
        self.session = session
        self.selection = session.studio.training.select(list(work_ids))

    def base_models(self) -> list[str]:
        """The built-in models first, then the library's own (ComfyUI's models train elsewhere)."""
        names = [EMOJI_ID, BUILTIN_ID]
        names += [m.name for m in self.session.studio.models.list()
                  if m.kind is WorkKind.model and m.format != "comfyui" and m.name not in names]
        return names

    def submit(self, base: str, steps: int, captions: dict[str, str], title: str | None) -> int:
        """Queue the training; the job checks the permissions again, so the verdict is the one at run time."""
        # All the works asked for: the job lists the refused ones (with their reasons) beside what it trained on.
        ids = [w.id for w in self.selection.allowed] + [r.work.id for r in self.selection.refused]

        def task(ctx: TaskContext, studio: Studio) -> Any:
            service = studio.training
            job = service.start(service.select(ids), base, skip_refused=True, captions=captions, title=title,
                                steps=steps)
            shown: list[str] = []

            def progress(state: Any) -> None:
                preview = None
                if state.samples and state.samples[-1] not in shown:
                    shown.append(state.samples[-1])
                    with Image.open(state.samples[-1]) as sample:
                        preview = sample.convert("RGB")
                ctx.report(state.step, state.total, preview)

            done = service.run(job.id, on_progress=progress, cancel=ctx.cancel)
            if done.state == "cancelled":
                raise Cancelled(f"Training cancelled at step {done.step}; resume it with `studio train resume "
                                f"{done.id}`")
            return done

        session = self.session
        job_id = session.submit("train-lora", f"Train LoRA “{title or base + ' LoRA'}”", task, lane="generate")

        def finished(finished_id: int, _result: Any) -> None:
            if finished_id == job_id:
                session.library_changed.emit()
                session.models_changed.emit()

        session.jobs.job_finished.connect(finished)
        return job_id
