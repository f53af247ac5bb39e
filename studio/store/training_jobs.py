"""Training jobs kept in the library's settings: one JSON value per job (`training.job.<id>`) and the list of
job ids (`training.jobs`), written through `SettingRecords`, so a job's state survives the process that ran it and
another process (`studio train cancel`) can ask it to stop."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from studio.errors import NotFound
from studio.store.settings import SettingRecords
from studio.store.works import new_id, now_iso

INDEX_KEY = "training.jobs"
KEY = "training.job.{}"
STATES = ("queued", "running", "cancelling", "cancelled", "failed", "interrupted", "done")
# What a job may be in to be run or resumed. `interrupted`: its process ended without saying so (killed, crashed).
UNFINISHED = ("queued", "cancelled", "failed", "interrupted")
# What a job's record says while a process runs it; true only while that process holds the job's run lease.
ACTIVE = ("running", "cancelling")


@dataclass(frozen=True)
class TrainingJob:
    id: str
    state: str
    base_id: str
    work_ids: tuple[str, ...]
    captions: tuple[str, ...]
    options: dict[str, Any]
    title: str
    license_id: str
    creator: str | None = None
    collection_id: str | None = None
    lora_id: str | None = None
    step: int = 0
    total: int = 0
    loss: float | None = None
    samples: tuple[str, ...] = ()
    error: str | None = None
    checkpoint_step: int = 0  # the step its last checkpoint holds: where a resume starts
    created_at: str = ""
    updated_at: str = ""
    refused: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("work_ids", "captions", "samples", "refused"):
            data[key] = list(data[key])
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainingJob:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        for key in ("work_ids", "captions", "samples", "refused"):
            known[key] = tuple(known.get(key) or ())
        return cls(**known)


class TrainingJobRecords:
    def __init__(self, settings: SettingRecords) -> None:
        self.settings = settings

    def create(self, **fields: Any) -> TrainingJob:
        stamp = now_iso()
        job = TrainingJob(id=new_id(), state="queued", created_at=stamp, updated_at=stamp, **fields)
        ids = [*self.ids(), job.id]
        self.settings.set_many({KEY.format(job.id): _dump(job), INDEX_KEY: _dump_ids(ids)})
        return job

    def get(self, job_id: str) -> TrainingJob:
        data = self.settings.get_json(KEY.format(job_id))
        if data is None:
            matches = [i for i in self.ids() if i.startswith(job_id)] if len(job_id) >= 4 else []
            if len(matches) != 1:
                raise NotFound(f"no training job {job_id!r}", hint="run `studio train status` to list the jobs")
            data = self.settings.get_json(KEY.format(matches[0]))
        return TrainingJob.from_dict(data)

    def ids(self) -> list[str]:
        return list(self.settings.get_json(INDEX_KEY, []))

    def all(self) -> list[TrainingJob]:
        return [self.get(job_id) for job_id in self.ids()]

    def update(self, job_id: str, *, only_from: tuple[str, ...] = STATES, **fields: Any) -> TrainingJob:
        """Change a job, read and written in one transaction; unchanged (and returned as it is) when its state is
        not one of `only_from`, so two processes never overwrite each other's state change."""
        with self.settings.db.atomic():
            current = self.get(job_id)
            if current.state not in only_from:
                return current
            job = replace(current, updated_at=now_iso(), **fields)
            self.settings.set(KEY.format(job.id), _dump(job))
        return job


def _dump(job: TrainingJob) -> str:
    return json.dumps(job.to_dict(), sort_keys=True)


def _dump_ids(ids: list[str]) -> str:
    return json.dumps(ids)
