"""`studio import` of Flux.1 / SD 3.5 / Qwen-Image PNGs from other tools: the family, the model (verified only
when its hash matches a registered model) and the LoRAs are shown and stored with the work."""

from __future__ import annotations

import json
from pathlib import Path

from studio.core.types import Origin, Terms, WorkKind
from studio.store.library import Library
from studio.store.works import NewWork
from tests.cli.conftest import Run
from tests.metadata.family_fixtures import FORGE_FLUX, INVOKEAI_FLUX, QWEN_IMAGE_PROMPT
from tests.metadata.meta_fixtures import png_with_chunks


def _write(tmp_path: Path, name: str, chunks: dict[str, str]) -> Path:
    path = tmp_path / name
    path.write_bytes(png_with_chunks(chunks))
    return path


def test_forge_flux_import_shows_family_model_by_name_and_loras(run: Run, tmp_path: Path) -> None:
    path = _write(tmp_path, "robot.png", {"parameters": FORGE_FLUX})
    out = run("import", str(path)).stdout
    assert "from A1111/Forge, model family flux1-dev" in out
    assert "model: flux1-dev-bnb-nf4-v2 (by name, unverified)" in out
    assert "LoRAs: flux_clay 0.8" in out
    work = run.json("show", run.json("list")[0]["id"])
    assert work["recipe"]["extra"]["model_verified"] is False and "model_sha256" not in work["recipe"]


def test_a_model_hash_matching_a_registered_model_verifies_it(run: Run, tmp_path: Path) -> None:
    sha = "bea01d51bd" + "7" * 54  # the Forge text's `Model hash` is this file's first 10 hex digits
    library = Library.open(run.library)
    with library.db.atomic():
        model = library.works.insert(NewWork(kind=WorkKind.model, sha256=sha, title="Flux dev", origin=Origin.imported,
                                             terms=Terms("all-rights-reserved"), format="safetensors"))
    library.close()
    out = run("import", str(_write(tmp_path, "robot.png", {"parameters": FORGE_FLUX}))).stdout
    assert f"model: flux1-dev-bnb-nf4-v2 (hash matches registered model {model.id})" in out
    shown = run.json("list")
    image = next(w for w in shown if w["kind"] == "image")
    recipe = run.json("show", image["id"])["recipe"]
    assert recipe["model_sha256"] == sha and recipe["extra"]["model_work"] == model.id


def test_comfyui_qwen_image_import_names_the_family_without_hashes(run: Run, tmp_path: Path) -> None:
    path = _write(tmp_path, "sign.png", {"prompt": json.dumps(QWEN_IMAGE_PROMPT)})
    out = run("import", str(path)).stdout
    assert "from ComfyUI, model family qwen-image" in out
    assert "model: qwen_image_fp8_e4m3fn.safetensors (by name, unverified)" in out
    assert "LoRAs" not in out


def _register(run: Run, sha: str, title: str) -> str:
    library = Library.open(run.library)
    with library.db.atomic():
        model = library.works.insert(NewWork(kind=WorkKind.model, sha256=sha, title=title, origin=Origin.imported,
                                             terms=Terms("all-rights-reserved"), format="safetensors"))
    library.close()
    return model.id


def test_invokeai_sha256_hash_verifies_and_a_matching_name_alone_does_not(run: Run, tmp_path: Path) -> None:
    sha = "3c" * 32
    named_alike = _register(run, "9d" * 32, "FLUX Dev (Quantized)")  # same name as the file's model, other bytes
    registered = _register(run, sha, "Flux dev local")
    meta = {**INVOKEAI_FLUX, "model": {**INVOKEAI_FLUX["model"], "hash": f"sha256:{sha}"}}
    out = run("import", str(_write(tmp_path, "boat.png", {"invokeai_metadata": json.dumps(meta)}))).stdout
    assert f"hash matches registered model {registered}" in out and named_alike not in out
    assert "from InvokeAI, model family flux1-dev" in out and "LoRAs: Flux Film 0.65" in out
    out = run("import", str(_write(tmp_path, "boat2.png", {"invokeai_metadata": json.dumps(INVOKEAI_FLUX)}))).stdout
    assert "model: FLUX Dev (Quantized) (by name, unverified)" in out  # a BLAKE3 hash cannot be matched
