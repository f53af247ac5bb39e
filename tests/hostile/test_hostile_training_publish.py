"""Hostile requests to publish training sets and models on Story: the built-in emoji model or its OpenMoji
training set on a network other than the devnet, a model whose training set has no member on Story, a training set
(or a LoRA trained on one) holding a non-commercial work. Each is refused by the engines before anything reaches a
network (the RPC given refuses connections): a non-zero exit, one line on stderr naming the reason, no traceback,
and the library exactly as it was.

The cases are data: (command line with placeholders filled from the world, what the line must say).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from studio.cli.main import cli
from studio.core.types import Origin, Relation, Terms, WorkKind, percent_to_units
from studio.generate.emoji_builtin import EMOJI_ID
from studio.lineage.graph import LineageGraph, ParentLink
from studio.secrets import ENV_BACKEND
from studio.services import Studio
from studio.store.works import NewWork
from tests.helpers.hostile_library import DEAD_RPC, png_with_chunks, snapshot

RPC = ["--rpc", DEAD_RPC, "--yes"]
BUILTIN = "ships with the studio: its makers publish it. On aeneid"
EMPTY = "is on devnet and able to join its group"
NON_COMMERCIAL = "CC BY-NC 4.0 does not allow commercial use (1 work in"

CASES: list[tuple[tuple[str, ...], str]] = [
    (("publish", "{emoji_set}", "--network", "aeneid", *RPC), BUILTIN),
    (("publish", "{emoji_model}", "--network", "aeneid", *RPC), BUILTIN),
    (("publish", "{emoji_model}", "--network", "aeneid", *RPC, "--json"), BUILTIN),
    (("publish", "{emoji_model}", "--network", "devnet", *RPC), EMPTY),  # none of the emoji is on the devnet
    (("publish", "{lora_of_unpublished}", "--network", "devnet", *RPC), EMPTY),
    (("publish", "{empty_set}", "--network", "devnet", *RPC), EMPTY),  # a set with no works: no empty group
    (("publish", "{empty_set}", "--network", "devnet", *RPC, "--json"), EMPTY),
    (("publish", "{nc_set}", "--network", "devnet", *RPC), NON_COMMERCIAL),
    (("publish", "{lora_of_nc_set}", "--network", "devnet", *RPC), NON_COMMERCIAL),
    (("publish", "{nc_set}", "--network", "devnet", "--rev-share", "5", *RPC, "--json"), NON_COMMERCIAL),
]


def _lora(studio: Studio, title: str, collection_id: str) -> str:
    library = studio.library
    with library.db.atomic():
        lora = library.works.insert(NewWork(
            kind=WorkKind.lora, sha256=uuid.uuid4().hex * 2, title=title, creator="Me", origin=Origin.generated,
            format="safetensors",
            terms=Terms("pil-commercial-remix", rev_share=percent_to_units(10), royalty_policy="lrp"),
        ))
        LineageGraph(library.edges).add_parents(lora.id, [ParentLink(collection_id, Relation.trained_on)])
    return lora.id


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    base = tmp_path_factory.mktemp("training")
    lib = base / "lib"
    env = {ENV_BACKEND: f"plainfile:{base / 'keys.json'}", "STUDIO_WALLET": "hostile",
           "STUDIO_DATA_DIR": str(base / "data"), "STUDIO_CONFIG_DIR": str(base / "config"),
           "STUDIO_CACHE_DIR": str(base / "cache"), "STUDIO_LOG_DIR": str(base / "logs")}
    runner = CliRunner()

    def ok(*args: str) -> str:
        result = runner.invoke(cli, ["--library", str(lib), *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output + result.stderr
        return result.stdout

    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        ok("wallet", "create")
        ids = []
        for n, license_id in enumerate(("cc-by-4.0", "pil-commercial-remix", "cc-by-nc-4.0")):
            path = base / f"work{n}.png"
            path.write_bytes(png_with_chunks({}, seed=70 + n))
            ids.append(ok("import", str(path), "--license", license_id).split()[0])
        unpublished = ok("collection", "create", "Never on Story", ids[0], ids[1]).split()[0]
        nc_set = ok("collection", "create", "With a non-commercial work", *ids).split()[0]
        empty_set = ok("collection", "create", "No works yet").split()[0]
        studio = Studio.open(lib)
        try:
            model = studio.models.builtin(EMOJI_ID)
            emoji_set = next(e.parent_id for e in studio.parents(model.work.id) if e.relation is Relation.trained_on)
            world = {"emoji_model": model.work.id, "emoji_set": emoji_set, "nc_set": nc_set, "empty_set": empty_set,
                     "lora_of_unpublished": _lora(studio, "Style of nothing on Story", unpublished),
                     "lora_of_nc_set": _lora(studio, "Non-commercial style", nc_set)}
        finally:
            studio.close()
    yield {"lib": str(lib), **env, **world}


@pytest.mark.parametrize(("case", "says"), CASES, ids=[" ".join(c)[:70] for c, _ in CASES])
def test_publishing_training_sets_and_models_refused(world, case: tuple[str, ...], says: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    for key in (ENV_BACKEND, "STUDIO_WALLET"):
        monkeypatch.setenv(key, world[key])
    lib = Path(world["lib"])
    before = snapshot(lib)
    args = [a.format(**world) if a.startswith("{") else a for a in case]
    result = CliRunner().invoke(cli, ["--library", str(lib), *args], prog_name="studio")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{case} raised {result.exception!r}") from result.exception
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.stdout + result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: ") and says in line, line
    assert result.stdout == ""
    after = snapshot(lib)
    assert after.integrity == "ok" and after == before


def test_a_refusal_counts_its_other_reasons_in_words(world, monkeypatch: pytest.MonkeyPatch) -> None:
    """The LoRA of a non-commercial training set: its set's refusal first, then one more (it has no group to link
    to), said as one reason, not one reasons."""
    for key in (ENV_BACKEND, "STUDIO_WALLET"):
        monkeypatch.setenv(key, world[key])
    result = CliRunner().invoke(cli, ["--library", world["lib"], "publish", world["lora_of_nc_set"], "--network",
                                      "devnet", *RPC], prog_name="studio")
    assert result.exit_code != 0 and "(and 1 more reason)" in result.stderr, result.stderr
