"""What the work menu does with a work's file and recipe: where the file is, the recipe as the generation
parameters text other tools paste, and a copy signed with Content Credentials written as a job."""

from __future__ import annotations

from pathlib import Path

from studio.app.session import StudioSession
from studio.core.types import Recipe, Work
from studio.metadata.a1111 import format_parameters


class WorkFiles:
    def __init__(self, session: StudioSession) -> None:
        self.session = session

    def work(self, work_id: str) -> Work:
        return self.session.studio.work(work_id)

    def file_of(self, work: Work) -> Path | None:
        return self.session.studio.file_of(work)

    @staticmethod
    def recipe_text(work: Work) -> str:
        return format_parameters(work.recipe or Recipe())

    def export(self, work: Work, target: Path, signer: str | None) -> int:
        """Write the signed copy to `target` (replacing a file there: the save dialog asked); returns the job id."""
        work_id = work.id
        return self.session.submit(
            "export", f"Export “{work.title}”",
            lambda _ctx, studio: studio.credential_service.export(work_id, target, signer=signer,
                                                                  overwrite=target.exists()),
        )
