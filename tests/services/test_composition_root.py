"""One composition root: `services/root.py` is the only place that constructs services and the lineage graph,
license views and journal they share; no service takes the whole `Library`, only the records it uses; the
publishing use cases reuse the root's journal, graph and records, and `Studio` is the one facade."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from studio.core.types import Origin, Terms, WorkKind
from studio.services import Studio
from studio.store.publications import PublicationRecords
from studio.store.spg_collections import SpgCollectionRecords
from studio.store.works import NewWork
from tests.conftest import image_bytes

STUDIO = Path(__file__).resolve().parents[2] / "studio"
SERVICES = STUDIO / "services"
ROOT = SERVICES / "root.py"
FACADE = SERVICES / "studio.py"
# Shared collaborators the root builds once and hands to every service that needs them.
SHARED = frozenset({"LicenseView", "LineageGraph", "Journal"})
# Per-call helpers with a constructor, made inside one call and dropped after it (not services): the terms
# training works carry on one network while a plan is computed, one export's signer, one demo run's narrator.
PER_CALL = frozenset({"StoryTerms", "Exporter", "Narrator"})


def service_classes() -> set[str]:
    """Every class of studio/services with its own constructor: the services (and the root and facade)."""
    found = set()
    for path in SERVICES.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ClassDef) and any(
                isinstance(item, ast.FunctionDef) and item.name == "__init__" for item in node.body
            ):
                found.add(node.name)
    return found - PER_CALL - {"Studio"}


def _called_name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _names_library(annotation: ast.expr | None) -> bool:
    return annotation is not None and any(
        (isinstance(n, ast.Name) and n.id == "Library") or (isinstance(n, ast.Attribute) and n.attr == "Library")
        or (isinstance(n, ast.Constant) and isinstance(n.value, str) and "Library" in n.value.split("|"))
        for n in ast.walk(annotation)
    )


def violations(source: str, where: str, constructed: set[str], *, may_construct: frozenset[str] = frozenset(),
               may_take_library: bool = False) -> list[str]:
    """What in one module breaks the single root: a constructor of a service or shared collaborator called
    (unless `may_construct` names it), or a function or method taking a parameter annotated `Library`."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source, where)):
        if isinstance(node, ast.Call):
            name = _called_name(node)
            if name in constructed and name not in may_construct:
                found.append((node.lineno, f"constructs {name}"))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not may_take_library:
            args = node.args
            for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
                if _names_library(arg.annotation):
                    found.append((node.lineno, f"{node.name}() takes {arg.arg}: Library"))
    return [f"{where}:{line}: {what}" for line, what in sorted(found)]


def test_only_the_root_constructs_services_and_none_takes_the_library() -> None:
    constructed = service_classes() | SHARED
    assert {"LicenseView", "PublishPlanner", "IpImporter", "GenerationService", "ImageStore"} <= constructed
    found = []
    for path in sorted(STUDIO.rglob("*.py")):
        where = str(path.relative_to(STUDIO.parent))
        if path == ROOT:
            may_construct, may_take_library = frozenset(constructed), True
        elif path == FACADE:  # the facade makes the root, over the library it opened
            may_construct, may_take_library = frozenset({"Services"}), True
        else:
            may_construct, may_take_library = frozenset(), not path.is_relative_to(SERVICES)
        found += violations(path.read_text(), where, constructed, may_construct=may_construct,
                            may_take_library=may_take_library)
    assert found == []


def test_the_scan_sees_a_planted_violation() -> None:
    """The scan above would catch each kind of breach (an inline view, a second root, a service over the Library)."""
    planted = (
        "from studio.store.library import Library\n"
        "class Planner:\n"
        "    def __init__(self, library: Library | None, catalog) -> None:\n"
        "        self.view = LicenseView(works=library.works)\n"
        "        self.runner = services.PublishRunner(setup, journal)\n"
        "def helper(library: 'Library') -> None:\n"
        "    LineageGraph(library.edges)\n"
    )
    found = violations(planted, "planted.py", service_classes() | SHARED)
    assert found == [
        "planted.py:3: __init__() takes library: Library",
        "planted.py:4: constructs LicenseView",
        "planted.py:5: constructs PublishRunner",
        "planted.py:6: helper() takes library: Library",
        "planted.py:7: constructs LineageGraph",
    ]


def test_publishing_shares_the_roots_journal_graph_and_records(tmp_path) -> None:
    studio = Studio.open(tmp_path / "lib")
    try:
        services, library = studio.services, studio.library
        assert isinstance(library.publications, PublicationRecords)
        assert isinstance(library.spg_collections, SpgCollectionRecords)
        assert services.journal.records is library.publications is services.publications
        assert studio.journal is services.journal
        planner, runner = studio.publish_planner, studio.publish_runner
        assert planner.journal is runner.journal is studio.ip_importer.journal is studio.revenue.journal \
            is studio.training_earnings.journal is services.journal
        assert planner.setup is runner.setup is studio.ip_importer.setup is studio.publish_setup
        assert planner.graph is services.graph is studio.revenue.graph is studio.ip_importer.graph
        assert planner.spg_collections is runner.spg_collections is library.spg_collections
        assert studio.ip_importer.images is studio.images is studio.generation.images is studio.importing.images
        # Built once: asking again answers the same object.
        assert studio.publish_planner is planner and studio.publish_setup is planner.setup
    finally:
        studio.close()


def test_a_network_license_view_counts_its_networks_confirmed_works_and_the_planned_ones(tmp_path) -> None:
    studio = Studio.open(tmp_path / "lib")
    try:
        journal = studio.journal
        work = studio.images.store(_png(), name="dawn.png", new_work=_new_work("Dawn")).work
        pub = journal.record_imported(work.id, "aeneid", 1315, ip_id="0x" + "ab" * 20, token_id=1,
                                      nft_contract="0x" + "cd" * 20, license_terms_ids=(1,), metadata_uri="",
                                      metadata_hash="0x" + "00" * 32, readback={})
        assert pub is not None
        planned: set[str] = set()
        on_aeneid = studio.services.licenses_on("aeneid", planned=planned)
        on_devnet = studio.services.licenses_on("devnet", planned=planned)
        nowhere = studio.services.licenses_on()
        assert on_aeneid.graph is studio.graph and on_aeneid.catalog is studio.catalog
        assert on_aeneid.licensed(work).on_chain and not on_devnet.licensed(work).on_chain
        assert not nowhere.licensed(work).on_chain
        planned.add(work.id)  # a plan adds the works it will send first, and the same view sees them
        assert on_devnet.licensed(work).on_chain and not nowhere.licensed(work).on_chain
    finally:
        studio.close()


def test_opening_a_studio_loads_no_chain_client(tmp_path) -> None:
    """The publishing use cases are built on first use: until then web3 and the Story SDK stay unloaded."""
    studio = Studio.open(tmp_path / "lib")
    try:
        assert "publish_setup" not in studio.services.__dict__ and "publish_planner" not in studio.services.__dict__
        if "studio.story.chain" not in sys.modules:  # an earlier test in this process may have loaded it
            studio.license_check(studio.images.store(_png(), name="a.png", new_work=_new_work("A")).work.id)
            assert "studio.story.chain" not in sys.modules
    finally:
        studio.close()


def _png() -> bytes:
    return image_bytes(7, (16, 12))


def _new_work(title: str) -> NewWork:
    return NewWork(kind=WorkKind.image, sha256="", title=title, creator="Test Creator", origin=Origin.generated,
                   terms=Terms("cc-by-4.0"))
