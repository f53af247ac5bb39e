"""The demo: the main job on the built-in defaults, as a list of steps that later features extend. It builds a
demo library from the sample works, generates a three-generation remix chain with the built-in model, shows its
lineage, licenses and royalties, publishes it on the local devnet and writes its report.

The steps tell what they do through a `Narrator` (see `demo_events`): `studio demo` prints the story, the window
runs the same steps as a job and shows their progress."""

from __future__ import annotations

import shutil
import threading
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from studio.core.amounts import percent_text as percent
from studio.core.modes import Mode
from studio.core.reasons import distinct
from studio.core.types import Relation, Work, percent_to_units, units_to_percent
from studio.errors import InvalidInput
from studio.secrets import SecretsUnavailable
from studio.services.demo_data import GROUP_POLICY, GROUP_REV_SHARE, publish_model, tip_and_show_data_earnings
from studio.services.demo_events import Narrator, OnEvent
from studio.services.demo_folder import MARKER, demo_folder, demo_ready  # noqa: F401 (the demo's folder)
from studio.services.generation import CreateRequest
from studio.services.importing import ImportRequest
from studio.services.publishing import PublishOptions
from studio.services.studio import Studio
from studio.store.files import write_atomic
from studio.store.output_paths import is_library_folder
from studio.story.errors import NoWallet
from studio.story.journal import Publication

ASSETS = Path(__file__).resolve().parents[2] / "assets"


@dataclass
class DemoState:
    studio: Studio
    tell: Narrator
    samples: dict[str, Work] = field(default_factory=dict)
    chain: list[Work] = field(default_factory=list)


Step = Callable[[DemoState], None]


def import_samples(state: DemoState) -> None:
    tell = state.tell
    tell.heading("Building the demo library from assets/samples")
    manifest = tomllib.loads((ASSETS / "samples.toml").read_text())
    for key, entry in manifest.items():
        parents = tuple(state.samples[p].id for p in entry.get("parent", []))
        outcome = state.studio.importing.import_image(
            ImportRequest(
                path=ASSETS / entry["file"],
                title=entry["title"],
                creator=entry.get("creator"),
                license_id=entry.get("license"),
                rev_share=percent_to_units(entry["rev_share"]) if "rev_share" in entry else None,
                parents=parents,
                relation=Relation(entry.get("relation", "remix_of")),
                description=entry.get("description"),
            )
        )
        work = outcome.work
        state.samples[key] = work
        tell.line(f"  {work.id}  {work.title:<20} by {work.creator:<12} {work.license_id}")
    state.chain = [state.samples[k] for k in ("tidepool-dawn", "tidepool-noon", "tidepool-night")]


def generate_chain(state: DemoState) -> None:
    """Generate a first work with the built-in model, then remix it twice: a three-generation chain."""
    studio, tell = state.studio, state.tell
    model = studio.models.builtin()
    tell.heading(f"Generating a three-generation remix chain with the built-in model ({model.name})")
    tell.line(f"  model: {model.name} ({model.work.license_id}): {model.work.description}")
    for credit in studio.collections.training_credits(model.work.id):
        tell.line(f"  data: {credit.text()}")
    remix = partial(CreateRequest, Mode.img2img, strength=0.6)  # each remixes the work before it
    steps = [
        # Prompts in the built-in emoji model's domain (OpenMoji annotations), so each step is recognisable.
        # Under the terms the model's training set offers on Story, so that on the devnet it links to the model.
        CreateRequest(Mode.txt2img, "grinning cat", seed=7, title="Grinning Cat", creator="Ada Demo",
                      license_id="pil-commercial-remix", rev_share=GROUP_REV_SHARE, royalty_policy=GROUP_POLICY),
        remix("cat face", seed=8, title="Cat Face", creator="Ben Demo", rev_share=percent_to_units(15)),
        remix("smiling cat with heart-eyes", seed=9, title="Cat in Love", creator="Cy Demo"),
    ]
    chain: list[Work] = []
    for request in steps:
        if chain:
            request = replace(request, parents=(chain[-1].id,))
        with tell.working(f"generating “{request.title}”"):
            work = studio.generation.create(request, on_progress=lambda p: tell.stepped(p.step, p.total, "steps"),
                                   cancel=tell.cancel)
        chain.append(work)
        recipe = work.recipe
        assert recipe is not None
        tell.line(
            f"  {work.id}  {work.title:<22} {recipe.mode:<8} seed {recipe.seed}, {recipe.steps} steps, "
            f"{work.width}x{work.height} -> {work.license_id}"
        )
    state.chain = chain


def show_lineage(state: DemoState) -> None:
    last = state.chain[-1]
    state.tell.heading(f"Lineage of “{last.title}” (three generations)")
    lineage = state.studio.lineage(last.id)
    state.tell.lineage(last.id, lineage.edges, lineage.works)
    recipe = last.recipe
    if recipe is not None:
        state.tell.line(
            f"  recipe of {last.id}: model {recipe.model} ({(recipe.model_sha256 or '')[:12]}), "
            f"prompt “{recipe.prompt}”, seed {recipe.seed}, steps {recipe.steps}, "
            f"guidance {recipe.guidance}, strength {recipe.strength}, {recipe.software}"
        )


def show_verdicts(state: DemoState) -> None:
    tell = state.tell
    tell.heading("License verdicts")
    for work in state.chain:
        tell.verdict(state.studio.license_check(work.id), state.studio.work(work.id))
        tell.line()
    tell.heading("What the license engine refuses, and why")
    s = state.samples
    attempts = [
        ("Remix “Quiet Grid” (CC BY-ND)", [s["quiet-grid"].id], False),
        ("Sell a remix of “Street Poster” (CC BY-NC)", [s["street-poster"].id], True),
        (
            "Blend “Lantern Study” (CC BY-SA) with “Tidepool at Night” (PIL)",
            [s["lantern-study"].id, s["tidepool-night"].id],
            False,
        ),
        ("Remix “Brass Portrait” (all rights reserved)", [s["brass-portrait"].id], False),
        ("Remix “Moss Pattern” (CC0) commercially", [s["moss-pattern"].id], True),
    ]
    for label, parents, commercial in attempts:
        plan = state.studio.plan_derivative(parents, commercial=commercial)
        verdict = "allowed" if plan.allowed else "refused"
        tell.line(f"  {label}: {verdict}")
        for r in distinct(r for r in plan.reasons if r.blocks and r.scope in ("make", "commercial")):
            tell.line(f"      - {r.message}  ({r.code})")


def show_royalties(state: DemoState) -> None:
    last = state.chain[-1]
    titles = {w.id: w.title for w in state.chain}
    for policy in ("lap", "lrp"):
        # Before publishing: the model is credited, not yet a Story parent; on the devnet it links (see below).
        state.tell.heading(f"Royalty split of “{last.title}” under {policy.upper()}, before its model is on Story")
        state.tell.split(state.studio.royalty(last.id, policy), titles)


def publish_on_devnet(state: DemoState) -> None:
    """Start the local devnet, publish the three-generation chain, and compare the royalty split the chain
    reports with the engine's prediction; the devnet is stopped again (its state stays in the library)."""
    setup, tell = state.studio.publish_setup, state.tell
    tell.heading("Publishing the chain on the local devnet (anvil with Story's contracts)")
    with tell.working("starting the devnet"):
        status = setup.devnet_start()
    try:
        tell.line(f"  devnet: {status.rpc_url} (chain id {status.chain_id})")
        try:
            wallet = setup.wallet()
        except NoWallet:
            wallet = setup.create_wallet()
            tell.line(f"  created wallet {wallet.address} (key in the OS keyring)")
        except SecretsUnavailable as exc:
            wallet = setup.use_devnet_dev_account()
            tell.line(f"  no OS keyring ({exc.message}); using anvil's public development account {wallet.address}, "
                      "which is for the devnet only")
        else:
            tell.line(f"  wallet {wallet.address} (key in the OS keyring)")
        model = publish_model(state.studio, tell)
        tell.raise_if_cancelled()
        last = state.chain[-1]
        tell.heading("Publishing the chain on the devnet: its first image links to the model")
        with tell.working("publishing the chain on the devnet"):
            results = state.studio.publish(last.id, PublishOptions(network="devnet"))
        for result in results:
            pub = result.publication
            title = state.studio.work(pub.work_id).title
            tell.line(f"  {pub.work_id}  {title:<22} IP {pub.ip_id}  ({len(result.transactions)} tx, "
                      f"{result.gas_used} gas)")
        show_chain_split(state, results[-1].publication)
        if model is not None:
            tip_and_show_data_earnings(state.studio, tell, model, results[-1].publication)
    finally:
        setup.devnet_stop()
    tell.line("  devnet stopped; `studio devnet start` brings it back with everything published")


def show_chain_split(state: DemoState, pub: Publication) -> None:
    last = state.chain[-1]
    state.tell.heading(f"Royalty split of “{last.title}”: read back from the chain, next to the engine's prediction")
    prediction, readback = pub.prediction, pub.readback
    chain_royalty = {a["ip_id"]: a["royalty"] for a in readback["ancestors"]}
    rows = []
    for ancestor in prediction["ancestors"]:
        title = state.studio.work(ancestor["work_id"]).title
        rows.append((title, ancestor["ip_id"], percent(units_to_percent(ancestor["royalty"])),
                     percent(units_to_percent(chain_royalty.get(ancestor["ip_id"], 0)))))
    rows.append((f"{last.title} (creator keeps)", pub.ip_id,
                 percent(100 - units_to_percent(prediction["royalty_stack"])),
                 percent(100 - units_to_percent(readback["royalty_stack"]))))
    state.tell.table(rows, ["work", "IP id", "engine", "chain"])
    policy = (prediction["policy"] or "none").upper()
    verdict = "the chain agrees with the engine" if readback["agrees"] else "the chain DIFFERS from the engine"
    state.tell.line(f"  {policy} royalty stack: engine {percent(units_to_percent(prediction['royalty_stack']))}, "
                    f"chain {percent(units_to_percent(readback['royalty_stack']))}: {verdict}")


def write_report(state: DemoState) -> None:
    """The demo's last step: the report of the last work of its chain, beside the demo library."""
    last = state.chain[-1]
    state.tell.heading(f"Lineage & compliance report of “{last.title}”")
    # The demo library's own report, written by the store's writer: user-chosen paths never go in a library.
    path = state.studio.library.root / f"report-{last.id}.html"
    with state.tell.working("writing the report"):
        rendered = state.studio.review.render_report(last.id, "html")
    write_atomic(path, rendered.text.encode("utf-8"))
    problems = len(rendered.report.problems)
    state.tell.line(f"  {len(rendered.report.nodes) - 1} ancestors, {problems} problem{'s' if problems != 1 else ''} "
                    "found")
    state.tell.line(f"  {path}")


STEPS: list[Step] = [
    import_samples, generate_chain, show_lineage, show_verdicts, show_royalties, publish_on_devnet, write_report,
]


def prepare_library(path: Path | None) -> Path:
    if path is None:
        path = demo_folder()
        if path.exists() and (path / MARKER).exists():
            shutil.rmtree(path)
    elif is_library_folder(path) and not (path / MARKER).exists():
        # The demo adds its sample works and publishes them: never into someone's own library.
        raise InvalidInput(
            f"{path} holds a library that is not a demo library; the demo would add its sample works to it",
            hint="give a new or empty folder for the demo",
        )
    path.mkdir(parents=True, exist_ok=True)
    (path / MARKER).touch()
    return path


def run_demo(
    folder: Path | None,
    on_event: OnEvent,
    *,
    cancel: threading.Event | None = None,
    steps: Sequence[Step] | None = None,
) -> Path:
    """Build the demo library in `folder` (None: a fresh one in the data folder) and walk through every step,
    telling `on_event` what happens; returns the folder. `cancel` stops it between steps and generation steps."""
    root = prepare_library(folder)
    tell = Narrator(on_event, cancel)
    chosen = list(STEPS if steps is None else steps)
    studio = Studio.open(root)
    try:
        state = DemoState(studio, tell)
        for number, step in enumerate(chosen, 1):
            tell.raise_if_cancelled()
            tell.step(number, len(chosen))
            step(state)
    finally:
        studio.close()
    return root
