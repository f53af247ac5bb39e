"""`studio demo`: the main job on the built-in defaults, as a list of steps that later features extend."""

from __future__ import annotations

import shutil
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

import click
from click.core import ParameterSource

from studio.cli.demo_training import GROUP_POLICY, GROUP_REV_SHARE, publish_model, tip_and_show_data_earnings
from studio.cli.library_cmds import render_tree
from studio.cli.license_cmds import distinct, print_split, print_verdict
from studio.cli.output import percent, progress, table
from studio.cli.review_cmds import write_demo_report as write_report
from studio.core.modes import Mode
from studio.core.types import Relation, Work, percent_to_units, units_to_percent
from studio.errors import InvalidInput, StudioError
from studio.secrets import SecretsUnavailable
from studio.services import Studio
from studio.services.generation import CreateRequest
from studio.services.importing import ImportRequest
from studio.services.publishing import PublishOptions
from studio.store.library import data_dir
from studio.store.output_paths import is_library_folder
from studio.story.errors import NoWallet
from studio.story.journal import Publication

COMMANDLINE = ParameterSource.COMMANDLINE
ASSETS = Path(__file__).resolve().parents[2] / "assets"
MARKER = ".studio-demo"


@dataclass
class DemoState:
    studio: Studio
    samples: dict[str, Work] = field(default_factory=dict)
    chain: list[Work] = field(default_factory=list)


Step = Callable[[DemoState], None]


def heading(text: str) -> None:
    click.echo()
    click.secho(f"== {text}", bold=True)


def import_samples(state: DemoState) -> None:
    heading("Building the demo library from assets/samples")
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
        click.echo(f"  {work.id}  {work.title:<20} by {work.creator:<12} {work.license_id}")
    state.chain = [state.samples[k] for k in ("tidepool-dawn", "tidepool-noon", "tidepool-night")]


def generate_chain(state: DemoState) -> None:
    """Generate a first work with the built-in model, then remix it twice: a three-generation chain."""
    studio = state.studio
    model = studio.models.builtin()
    heading(f"Generating a three-generation remix chain with the built-in model ({model.name})")
    click.echo(f"  model: {model.name} ({model.work.license_id}): {model.work.description}")
    for credit in studio.collections.training_credits(model.work.id):
        click.echo(f"  data: {credit.text()}")
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
        with progress(f"generating “{request.title}”") as shown:
            work = studio.generation.create(
                request, on_progress=lambda p, shown=shown: shown.step(p.step, p.total, "steps"))
        chain.append(work)
        recipe = work.recipe
        assert recipe is not None
        click.echo(
            f"  {work.id}  {work.title:<22} {recipe.mode:<8} seed {recipe.seed}, {recipe.steps} steps, "
            f"{work.width}x{work.height} -> {work.license_id}"
        )
    state.chain = chain


def show_lineage(state: DemoState) -> None:
    last = state.chain[-1]
    heading(f"Lineage of “{last.title}” (three generations)")
    lineage = state.studio.lineage(last.id)
    click.echo(render_tree(last.id, lineage.edges, lineage.works))
    recipe = last.recipe
    if recipe is not None:
        click.echo(
            f"  recipe of {last.id}: model {recipe.model} ({(recipe.model_sha256 or '')[:12]}), "
            f"prompt “{recipe.prompt}”, seed {recipe.seed}, steps {recipe.steps}, "
            f"guidance {recipe.guidance}, strength {recipe.strength}, {recipe.software}"
        )


def show_verdicts(state: DemoState) -> None:
    heading("License verdicts")
    for work in state.chain:
        print_verdict(state.studio.license_check(work.id), state.studio.work(work.id))
        click.echo()
    heading("What the license engine refuses, and why")
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
        click.echo(f"  {label}: {verdict}")
        for r in distinct(r for r in plan.reasons if r.blocks and r.scope in ("make", "commercial")):
            click.echo(f"      - {r.message}  ({r.code})")


def show_royalties(state: DemoState) -> None:
    last = state.chain[-1]
    titles = {w.id: w.title for w in state.chain}
    for policy in ("lap", "lrp"):
        # Before publishing: the model is credited, not yet a Story parent; on the devnet it links (see below).
        heading(f"Royalty split of “{last.title}” under {policy.upper()}, before its model is on Story")
        print_split(state.studio.royalty(last.id, policy), titles)


def publish_on_devnet(state: DemoState) -> None:
    """Start the local devnet, publish the three-generation chain, and compare the royalty split the chain
    reports with the engine's prediction; the devnet is stopped again (its state stays in the library)."""
    setup = state.studio.publish_setup
    heading("Publishing the chain on the local devnet (anvil with Story's contracts)")
    with progress("starting the devnet"):
        status = setup.devnet_start()
    try:
        click.echo(f"  devnet: {status.rpc_url} (chain id {status.chain_id})")
        try:
            wallet = setup.wallet()
        except NoWallet:
            wallet = setup.create_wallet()
            click.echo(f"  created wallet {wallet.address} (key in the OS keyring)")
        except SecretsUnavailable as exc:
            wallet = setup.use_devnet_dev_account()
            click.echo(f"  no OS keyring ({exc.message}); using anvil's public development account {wallet.address}, "
                       "which is for the devnet only")
        else:
            click.echo(f"  wallet {wallet.address} (key in the OS keyring)")
        model = publish_model(state.studio)
        last = state.chain[-1]
        heading("Publishing the chain on the devnet: its first image links to the model")
        with progress("publishing the chain on the devnet"):
            results = state.studio.publish(last.id, PublishOptions(network="devnet"))
        for result in results:
            pub = result.publication
            title = state.studio.work(pub.work_id).title
            click.echo(f"  {pub.work_id}  {title:<22} IP {pub.ip_id}  ({len(result.transactions)} tx, "
                       f"{result.gas_used} gas)")
        show_chain_split(state, results[-1].publication)
        if model is not None:
            tip_and_show_data_earnings(state.studio, model, results[-1].publication)
    finally:
        setup.devnet_stop()
    click.echo("  devnet stopped; `studio devnet start` brings it back with everything published")


def show_chain_split(state: DemoState, pub: Publication) -> None:
    last = state.chain[-1]
    heading(f"Royalty split of “{last.title}”: read back from the chain, next to the engine's prediction")
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
    click.echo(table(rows, ["work", "IP id", "engine", "chain"]))
    policy = (prediction["policy"] or "none").upper()
    verdict = "the chain agrees with the engine" if readback["agrees"] else "the chain DIFFERS from the engine"
    click.echo(f"  {policy} royalty stack: engine {percent(units_to_percent(prediction['royalty_stack']))}, "
               f"chain {percent(units_to_percent(readback['royalty_stack']))}: {verdict}")


STEPS: list[Step] = [
    import_samples, generate_chain, show_lineage, show_verdicts, show_royalties, publish_on_devnet, write_report,
]


def prepare_library(path: Path | None) -> Path:
    if path is None:
        path = data_dir() / "demo-library"
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


@click.command("demo")
@click.option(
    "--library",
    "library_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Build the demo in this folder (default: `studio --library`'s folder when given there, else a fresh demo "
    "library in the data folder).",
)
@click.pass_context
def demo_cmd(ctx: click.Context, library_dir: Path | None) -> None:
    """Build a demo library from the sample works and walk through lineage, licenses and royalties."""
    parent = ctx.parent
    # `studio --library X demo` builds it in X; STUDIO_LIBRARY (the everyday library) is not a demo's place.
    if library_dir is None and parent is not None and parent.get_parameter_source("library_dir") is COMMANDLINE:
        library_dir = parent.params["library_dir"]
    root = prepare_library(library_dir)
    studio = Studio.open(root)
    try:
        state = DemoState(studio)
        for step in STEPS:
            step(state)
    except StudioError:
        raise
    finally:
        studio.close()
    click.echo()
    click.echo(f"Demo library: {root}")
    click.echo(f"Explore it:   studio --library {root} list   (or `show`, `lineage`, `license check`, `royalty`)")


COMMANDS = [demo_cmd]
