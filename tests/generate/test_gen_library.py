"""Generation through the library (`Studio.generate`): license checks before compute, lineage rows, recipes,
embedded metadata, user models and LoRAs as parents, cancel, determinism, and foreign recipes on import."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from gen_helpers import SIZE
from PIL import Image

from studio.core.types import Relation, WorkKind
from studio.errors import LicenseRefused
from studio.generate import Cancelled, DiffusersGenerator
from studio.metadata import read_png_recipe
from studio.services import Studio
from studio.services.generation import CreateRequest
from studio.services.importing import ImportRequest
from studio.store.library import Library
from tests.metadata.meta_fixtures import A1111_TXT2IMG_HIRES, png_with_chunks


class CountingGenerator:
    """The real engine, counting its runs (to prove a refused request never reaches it)."""

    def __init__(self, engine: DiffusersGenerator) -> None:
        self.engine = engine
        self.runs = 0

    def run(self, request, **kwargs):
        self.runs += 1
        return self.engine.run(request, **kwargs)


@pytest.fixture
def counting(generator: DiffusersGenerator) -> CountingGenerator:
    return CountingGenerator(generator)


@pytest.fixture
def studio(tmp_path: Path, gen_data_dir: Path, counting: CountingGenerator):
    s = Studio(Library.open(tmp_path / "lib"), data_folder=gen_data_dir, generator_factory=lambda: counting)
    yield s
    s.library.close()


def _txt2img(**changes) -> CreateRequest:
    base = dict(mode="txt2img", prompt="a quiet lake at dawn", seed=11, steps=2, width=SIZE, height=SIZE)
    return CreateRequest(**{**base, **changes})


def _parents(studio: Studio, work_id: str) -> dict[str, Relation]:
    return {e.parent_id: e.relation for e in studio.parents(work_id)}


def test_generation_records_the_work_its_recipe_and_the_model_edge(studio: Studio) -> None:
    work = studio.generation.create(_txt2img(license_id="pil-commercial-remix", rev_share=5_000_000, creator="Ana"))
    builtin = studio.models.builtin()
    assert work.origin.value == "generated" and work.kind is WorkKind.image
    assert (work.width, work.height, work.license_id) == (SIZE, SIZE, "pil-commercial-remix")
    assert work.terms.rev_share == 5_000_000
    assert _parents(studio, work.id) == {builtin.work.id: Relation.generated_with}
    recipe = work.recipe
    assert recipe is not None
    assert (recipe.prompt, recipe.seed, recipe.steps, recipe.mode) == ("a quiet lake at dawn", 11, 2, "txt2img")
    assert recipe.model_sha256 == builtin.work.sha256 and "diffusers" in (recipe.software or "")
    embedded = read_png_recipe(studio.file_of(work))
    assert embedded is not None and embedded.source == "remix-studio"
    assert embedded.studio_meta["work_id"] == work.id
    assert embedded.studio_meta["license"] == "pil-commercial-remix"
    with Image.open(studio.file_of(work)) as image:
        assert "Seed: 11" in image.text["parameters"]


def test_remix_inpaint_and_blend_record_their_relations(studio: Studio, tmp_path: Path) -> None:
    first = studio.generation.create(_txt2img(license_id="pil-commercial-remix"))
    second = studio.generation.create(_txt2img(seed=12, license_id="pil-commercial-remix"))
    remix = studio.generation.create(
        CreateRequest(mode="img2img", prompt="at noon", parents=(first.id,), seed=1, steps=4))
    assert _parents(studio, remix.id)[first.id] is Relation.remix_of
    assert remix.recipe.strength == 0.6 and remix.license_id == "pil-commercial-remix"

    mask = tmp_path / "mask.png"
    m = Image.new("L", (SIZE, SIZE), 0)
    m.paste(255, (16, 16, 48, 48))
    m.save(mask)
    inpainted = studio.generation.create(
        CreateRequest(mode="inpaint", prompt="a boat", parents=(first.id,), mask=mask, seed=2, steps=2)
    )
    assert _parents(studio, inpainted.id)[first.id] is Relation.inpaint_of
    with Image.open(studio.file_of(first)) as a, Image.open(studio.file_of(inpainted)) as b:
        assert a.convert("RGB").getpixel((2, 2)) == b.convert("RGB").getpixel((2, 2))  # outside the mask

    blend = studio.generation.create(
        CreateRequest(mode="blend", prompt="both", parents=(first.id, second.id), seed=3, steps=4))
    relations = _parents(studio, blend.id)
    assert relations[first.id] is Relation.composite_of and relations[second.id] is Relation.composite_of
    assert studio.royalty(blend.id).stack == 0  # no rev share set on the roots


def test_a_forbidden_remix_is_refused_before_any_compute(studio: Studio, counting, make_image) -> None:
    nd = studio.importing.import_image(
        ImportRequest(path=make_image(size=(SIZE, SIZE)), license_id="cc-by-nd-4.0")).work
    before = studio.library.works.count(kind=WorkKind.image)
    with pytest.raises(LicenseRefused) as refused:
        studio.generation.create(CreateRequest(mode="img2img", prompt="x", parents=(nd.id,), seed=1, steps=2))
    assert "cc_no_derivatives" in {r.code for r in refused.value.reasons}
    assert counting.runs == 0
    assert studio.library.works.count(kind=WorkKind.image) == before

    nc = studio.importing.import_image(
        ImportRequest(path=make_image(size=(SIZE, SIZE)), license_id="cc-by-nc-4.0")).work
    with pytest.raises(LicenseRefused, match="commercial"):
        studio.generation.create(
            CreateRequest(mode="img2img", prompt="x", parents=(nc.id,), seed=1, steps=2, commercial=True))
    assert counting.runs == 0


def test_same_request_and_seed_give_identical_pixels(studio: Studio) -> None:
    a = studio.generation.create(_txt2img(seed=99))
    b = studio.generation.create(_txt2img(seed=99))
    c = studio.generation.create(_txt2img(seed=100))
    with Image.open(studio.file_of(a)) as ia, Image.open(studio.file_of(b)) as ib, Image.open(studio.file_of(c)) as ic:
        assert ia.tobytes() == ib.tobytes()
        assert ia.tobytes() != ic.tobytes()
    assert a.id != b.id  # each generation is its own work, with its own id embedded


def test_cancel_leaves_no_work_and_no_file(studio: Studio) -> None:
    cancel = threading.Event()
    seen = []

    def progress(p) -> None:
        seen.append(p.step)
        cancel.set()

    files_before = sorted((studio.library.root / "files").rglob("*.png"))
    with pytest.raises(Cancelled):
        studio.generation.create(_txt2img(steps=4), on_progress=progress, cancel=cancel)
    assert seen == [1]
    assert studio.library.works.count(kind=WorkKind.image) == 0
    assert sorted((studio.library.root / "files").rglob("*.png")) == files_before


def test_user_single_file_model_and_lora_are_parents_with_their_licenses(
    studio: Studio, single_file_checkpoint: Path, lora_files: dict[str, Path]
) -> None:
    model, created = studio.models.add(single_file_checkpoint, name="my-sd", license_id="creativeml-openrail-m")
    assert created and model.kind is WorkKind.model and model.format == "single_file"
    again, created_again = studio.models.add(single_file_checkpoint)
    assert not created_again and again.work.id == model.work.id
    lora, _ = studio.models.add(lora_files["kohya"], name="ink", license_id="cc-by-4.0", creator="Lin")
    assert lora.kind is WorkKind.lora

    work = studio.generation.create(_txt2img(model="my-sd", loras=(("ink", 0.8),), license_id="pil-commercial-remix"))
    edges = {e.parent_id: e for e in studio.parents(work.id)}
    assert edges[model.work.id].relation is Relation.generated_with
    assert edges[lora.work.id].relation is Relation.styled_with and edges[lora.work.id].weight == 0.8
    assert work.recipe.model_sha256 == model.work.sha256
    assert [(u.name, u.weight) for u in work.recipe.loras] == [("ink", 0.8)]

    verdict = studio.license_check(work.id)
    assert any(o.code == "use_restrictions" for o in verdict.obligations)  # OpenRAIL-M travels with the image
    assert any(a.work_id == lora.work.id for a in verdict.attribution)  # CC BY LoRA must be credited


def test_foreign_recipes_are_read_on_import(studio: Studio, tmp_path: Path) -> None:
    path = tmp_path / "a1111.png"
    path.write_bytes(png_with_chunks({"parameters": A1111_TXT2IMG_HIRES}))
    outcome = studio.importing.import_image(ImportRequest(path=path, license_id="cc-by-4.0"))
    assert outcome.recipe_source == "a1111"
    recipe = outcome.work.recipe
    assert recipe.seed == 3141592653 and recipe.steps == 28 and recipe.model == "v1-5-pruned-emaonly"
    shown = json.loads(json.dumps(recipe.to_dict()))
    assert shown["prompt"].startswith("masterpiece, a lighthouse")
