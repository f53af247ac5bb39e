"""Builds real libraries for the report tests: imported images, models and LoRAs, generated works, publications."""

from __future__ import annotations

import io
import random
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from studio.core.types import LoraUse, Origin, Recipe, Relation, Terms, Work, WorkKind, percent_to_units
from studio.lineage.graph import ParentLink
from studio.services import Studio
from studio.services.importing import ImportRequest
from studio.store.works import NewWork, now_iso

IP_ID = "0x" + "ab12" * 10
TX_HASH = "0x" + "cd34" * 16


def drawing(seed: int, size: tuple[int, int] = (96, 72)) -> bytes:
    """A small picture with shapes, so thumbnails and screenshots have something to show."""
    rng = random.Random(seed)
    image = Image.new("RGB", size, tuple(rng.randrange(60, 200) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        draw.ellipse((x - 14, y - 14, x + 14, y + 14), fill=tuple(rng.randrange(256) for _ in range(3)))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


class Builder:
    """Adds works to a real library the way the studio records them."""

    def __init__(self, studio: Studio, folder: Path) -> None:
        self.studio = studio
        self.folder = folder
        self.seed = 0

    def _file(self) -> Path:
        self.seed += 1
        path = self.folder / f"work-{self.seed}.png"
        path.write_bytes(drawing(self.seed))
        return path

    def image(
        self,
        title: str,
        license_id: str | None = None,
        *,
        creator: str | None = "Ann Artist",
        parents: Sequence[Work] = (),
        relation: Relation = Relation.remix_of,
        rev_share: float | None = None,
    ) -> Work:
        request = ImportRequest(
            path=self._file(),
            title=title,
            creator=creator,
            license_id=license_id,
            rev_share=percent_to_units(rev_share) if rev_share is not None else None,
            parents=tuple(p.id for p in parents),
            relation=relation,
        )
        return self.studio.importing.import_image(request).work

    def tool(self, kind: WorkKind, title: str, license_id: str, creator: str = "Model Maker") -> Work:
        return self.studio.library.works.insert(
            NewWork(
                kind=kind,
                sha256=secrets.token_hex(32),
                title=title,
                origin=Origin.imported,
                terms=Terms(license_id),
                creator=creator,
                location=f"/models/{title}.safetensors",
            )
        )

    def generated(
        self, title: str, parents: Sequence[tuple[Work, Relation, float | None]], recipe: Recipe, creator: str
    ) -> Work:
        links = [ParentLink(w.id, relation, weight) for w, relation, weight in parents]
        plan = self.studio.licenses.plan([(link.parent_id, link.relation) for link in links])
        assert plan.license is not None
        terms = plan.license
        new = NewWork(
            kind=WorkKind.image,
            sha256="",
            title=title,
            origin=Origin.generated,
            creator=creator,
            recipe=recipe,
            terms=terms.stored,
        )

        def audit(work_id: str) -> list[dict]:
            return [r.to_dict() for r in self.studio.licenses.audit(work_id)]

        path = self._file()
        outcome = self.studio.images.store(path.read_bytes(), name=path.name, new_work=new, parents=links,
                                           flags_for=audit)
        return outcome.work

    def publish(self, work: Work, ip_id: str = IP_ID, *, state: str = "confirmed", network: str = "aeneid") -> None:
        with self.studio.library.db.atomic():
            self.studio.library.db.execute(
                "INSERT INTO publications (work_id, network, chain_id, state, wallet, tx_hash, ip_id, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (work.id, network, 1315, state, "0x" + "11" * 20, TX_HASH, ip_id, now_iso(), now_iso()),
            )


@dataclass(frozen=True)
class MixedLineage:
    sketch: Work  # CC BY, needs credit
    tidepool: Work  # PIL commercial remix at 5%, published on Story
    model: Work  # CreativeML OpenRAIL-M: use restrictions
    lora: Work
    generated: Work  # remix of the tidepool made with the model and the LoRA
    final: Work  # imported remix of the generated work and the sketch: the reported work


RECIPE = Recipe(
    model="tiny-model",
    loras=(LoraUse(id="ink", weight=0.8, name="ink-lora"),),
    prompt="a harbour at dusk, ink and wash",
    negative_prompt="blurry",
    seed=4242,
    steps=6,
    guidance=5.5,
    strength=0.65,
    width=96,
    height=72,
    scheduler="euler",
    mode="img2img",
    software="remix-studio test",
)


# Fixtures for the report and review tests (their conftest files import them).
@pytest.fixture
def studio(tmp_path: Path) -> Iterator[Studio]:
    opened = Studio.open(tmp_path / "lib")
    yield opened
    opened.close()


@pytest.fixture
def builder(studio: Studio, tmp_path: Path) -> Builder:
    folder = tmp_path / "sources"
    folder.mkdir()
    return Builder(studio, folder)
