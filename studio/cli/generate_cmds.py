"""Generation commands: generate, remix, inpaint, blend, and the model registry (`models list|add|show`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from studio.cli.library_cmds import parse_percent, work_json
from studio.cli.output import emit_json, progress, table
from studio.cli.params import (
    FRACTION,
    PERCENT,
    REGULAR_FILE,
    ROYALTY_POLICY,
    TEXT,
    LoraSpec,
    Number,
    Prompt,
    Size,
    WholeNumber,
)
from studio.cli.stopping import stop_on_signals
from studio.core.modes import Mode
from studio.errors import InvalidInput
from studio.generate.emoji_builtin import EMOJI_ID
from studio.generate.request import (
    MAX_GUIDANCE,
    MAX_LORA_WEIGHT,
    MAX_PROMPT_CHARS,
    MAX_SEED,
    MAX_SIDE,
    MAX_STEPS,
    MIN_SIDE,
)
from studio.licensing.model_terms import model_terms_notes
from studio.services.generation import CreateRequest
from studio.services.new_work_defaults import NewWorkDefaults, license_source_text

PROMPT = Prompt(MAX_PROMPT_CHARS)


def generation_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--model", type=TEXT,
                     help=f"Model name or id (default: your newest model, else the built-in {EMOJI_ID})."),
        click.option("--lora", "loras", type=LoraSpec(MAX_LORA_WEIGHT), multiple=True,
                     help="LoRA as NAME:WEIGHT (repeatable)."),
        click.option("--negative", "negative_prompt", default="", help="Negative prompt."),
        click.option("--seed", type=WholeNumber(0, MAX_SEED), help="Seed (default: random; recorded in the recipe)."),
        click.option("--steps", type=WholeNumber(1, MAX_STEPS), help="Denoising steps."),
        click.option("--guidance", type=Number(0, MAX_GUIDANCE), help="Guidance (CFG) scale."),
        click.option("--size", type=Size(MIN_SIDE, MAX_SIDE),
                     help="WIDTHxHEIGHT (default: the parent's size, or the model's native size)."),
        click.option("--scheduler", type=TEXT, help="Sampler, e.g. euler, euler_a, dpmpp_2m."),
        click.option("--device", type=TEXT,
                     help="auto, cpu, cuda, cuda:N or mps (default: the library's setting, else auto)."),
        click.option("--title", type=TEXT, help="Title of the new work."),
        click.option("--creator", type=TEXT, help="Your name as the creator."),
        click.option("--license", "license_id", type=TEXT,
                     help="License for a new root work (derivatives may inherit theirs)."),
        click.option("--rev-share", type=PERCENT, help="Rev share in percent (raise-only for inherited terms)."),
        click.option("--royalty-policy", type=ROYALTY_POLICY, metavar="lap|lrp",
                     help="Story royalty policy of a new root work: lap or lrp (default: the model's terms when it "
                          "is on Story, else lap)."),
        click.option("--engine", metavar="local|comfyui[:NAME]",
                     help="Where to run: this machine (default), every ComfyUI server as a pool, or one server."),
        click.option("--commercial", is_flag=True, help="The work will be used commercially: check that too."),
        click.option("--json", "as_json", is_flag=True, help="Print the new work's id and recipe as JSON."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _run(obj, mode: Mode, prompt: str, parents: tuple[str, ...], opts: dict[str, Any], **extra: Any) -> None:
    as_json = opts.pop("as_json")
    engine = opts.pop("engine")
    device = opts.pop("device")
    width, height = opts.pop("size") or (None, None)
    request = CreateRequest(
        mode=mode,
        prompt=prompt,
        parents=parents,
        loras=tuple(opts.pop("loras")),
        width=width,
        height=height,
        rev_share=parse_percent(opts.pop("rev_share"), "--rev-share"),
        **opts,
        **extra,
    )
    studio = obj.studio
    studio.use_engine(engine)
    if device:
        studio.generation.use_device(device)
    # What the new image will owe, said before any compute: credits for the parents, the model and the data it was
    # trained on, the duties that travel with them, and what its terms mean for a model that is on Story.
    prepared = studio.generation.prepare(request)
    if not as_json:
        for credit in prepared.plan.attribution:
            click.echo(f"  credit: {credit.text}", err=True)
        for duty in prepared.plan.obligations:
            click.echo(f"  duty: {duty.text}", err=True)
        for note in model_terms_notes(prepared.plan.reasons):
            click.echo(f"  license: {note}", err=True)
        if prepared.model_link is not None:
            click.echo(f"  terms: {prepared.model_link.text}", err=True)
    with progress("loading the model", quiet=as_json) as shown, stop_on_signals() as stop:

        def on_progress(p) -> None:
            if shown.label != "denoising":
                shown.stage("denoising")
            shown.step(p.step, p.total, "steps")

        # Ctrl-C sets `stop`, the same cancel the window uses: the engine stops its job (on a ComfyUI server it
        # is deleted from the queue and interrupted) and raises Cancelled, which exits with 130.
        work = studio.generation.create(request, on_progress=on_progress, cancel=stop)
    if as_json:
        link = prepared.model_link
        emit_json(
            {
                **work_json(work),
                "model_terms": link.to_dict() if link is not None else None,
                "license_source": prepared.license_source,
                "parents": [
                    {"id": e.parent_id, "relation": e.relation.value, "weight": e.weight}
                    for e in studio.parents(work.id)
                ],
            }
        )
        return
    recipe = work.recipe
    click.echo(
        f"{work.id}  {work.title}  ({work.width}x{work.height}, seed {recipe.seed if recipe else '?'}, "
        f"license {work.license_id})"
    )
    click.echo(f"  file: {studio.file_of(work)}")
    # Where the new work's licence came from, once it exists (a refusal before that stays one line).
    click.echo(f"  license: {prepared.terms.license.name}, {license_source_text(prepared.license_source)}", err=True)


@click.command("generate")
@click.argument("prompt", type=PROMPT)
@generation_options
@click.pass_obj
def generate_cmd(obj, prompt: str, **opts: Any) -> None:
    """Make a new image from a prompt (text to image)."""
    _run(obj, Mode.txt2img, prompt, (), opts)


@click.command("remix")
@click.argument("parent_id")
@click.argument("prompt", type=PROMPT)
@click.option("--strength", type=FRACTION, help="How far to move from the parent (0-1, default 0.6).")
@generation_options
@click.pass_obj
def remix_cmd(obj, parent_id: str, prompt: str, strength: float | None, **opts: Any) -> None:
    """Remix one parent image (image to image)."""
    _run(obj, Mode.img2img, prompt, (parent_id,), opts, strength=strength)


@click.command("inpaint")
@click.argument("parent_id")
@click.argument("prompt", type=PROMPT)
@click.option(
    "--mask",
    type=REGULAR_FILE,
    required=True,
    help="Mask image of the parent's size: white = repaint, black = keep.",
)
@click.option("--strength", type=FRACTION, help="How strongly to repaint the masked region (default 1.0).")
@generation_options
@click.pass_obj
def inpaint_cmd(obj, parent_id: str, prompt: str, mask: Path, strength: float | None, **opts: Any) -> None:
    """Repaint the masked region of a parent image."""
    _run(obj, Mode.inpaint, prompt, (parent_id,), opts, mask=mask, strength=strength)


@click.command("blend")
@click.argument("args", nargs=-1, required=True)
@click.option("--strength", type=FRACTION, help="How far to move from the blended parents (default 0.6).")
@click.option("--weights", help="Comma-separated weight per parent, e.g. 2,1.")
@generation_options
@click.pass_obj
def blend_cmd(obj, args: tuple[str, ...], strength: float | None, weights: str | None, **opts: Any) -> None:
    """Combine two or more parents into one new work: `studio blend ID ID [...] PROMPT`."""
    if len(args) < 3:
        raise InvalidInput("blend needs at least two parent ids and a prompt", hint='studio blend ID ID "PROMPT"')
    *parents, prompt = args
    try:
        prompt = PROMPT.convert(prompt, None, None)
    except click.BadParameter as exc:
        hint = 'studio blend ID ID "PROMPT"'
        raise InvalidInput(f"the prompt (blend's last argument) {exc.message}", hint=hint) from None
    blend_weights = None
    if weights:
        try:
            blend_weights = tuple(float(w) for w in weights.split(","))
        except ValueError:
            raise InvalidInput(f"--weights {weights!r} must be numbers separated by commas") from None
    _run(obj, Mode.blend, prompt, tuple(parents), opts, strength=strength, blend_weights=blend_weights)


@click.group("models")
def models_group() -> None:
    """Base models and LoRAs (they are works too, with their own licenses)."""


def _model_json(m) -> dict[str, Any]:
    return {
        "id": m.work.id,
        "name": m.name,
        "kind": m.kind.value,
        "arch": m.arch,
        "format": m.format,
        "path": m.where,
        "sha256": m.work.sha256,
        "size_bytes": m.work.size_bytes,
        "license": m.work.license_id,
        "description": m.work.description,
    }


@models_group.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def models_list(obj, as_json: bool) -> None:
    """List registered models and LoRAs (the built-in model is registered on first use)."""
    registry = obj.studio.models
    registry.builtin()
    models = registry.list()
    if as_json:
        emit_json([_model_json(m) for m in models])
        return
    rows = [(m.work.id, m.name, m.kind.value, m.arch or "", m.work.license_id, m.where) for m in models]
    click.echo(table(rows, ["id", "name", "kind", "arch", "license", "path"]))


@models_group.command("add")
@click.argument("source")
@click.option("--name", type=TEXT, help="Name to refer to it by (default: the file or folder name).")
@click.option("--license", "license_id", type=TEXT, help="Its license (suggested for known models, e.g. SD 1.x).")
@click.option("--creator", type=TEXT, help="Who made or trained it.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def models_add(obj, source: str, name: str | None, license_id: str | None, creator: str | None, as_json: bool) -> None:
    """Register a diffusers folder, a .safetensors checkpoint or LoRA, or a repo id in the Hugging Face cache."""
    model, created = obj.studio.models.add(source, name=name, license_id=license_id, creator=creator)
    if as_json:
        emit_json({**_model_json(model), "created": created})
        return
    state = "added" if created else "already registered"
    click.echo(f"{model.work.id}  {model.name}  ({model.kind.value}, {model.arch}, {model.work.license_id}; {state})")


@models_group.command("show")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def models_show(obj, name: str, as_json: bool) -> None:
    """Show one model or LoRA."""
    model = obj.studio.models.get(name)
    data = _model_json(model)
    if as_json:
        emit_json(data)
        return
    for key, value in data.items():
        if value is not None:
            click.echo(f"  {key:<12} {value}")


@models_group.command("device")
@click.argument("value", required=False)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def models_device(obj, value: str | None, as_json: bool) -> None:
    """Show or set where this library generates: auto (CUDA, then Apple MPS, then the CPU), cpu, cuda, cuda:N, mps."""
    service = obj.studio.generation
    setting = service.set_device_setting(value) if value is not None else service.device()
    if as_json:
        emit_json({"device": setting})
        return
    click.echo(f"device: {setting}" + ("" if value is None else " (saved)"))


@click.command("defaults")
@click.option("--creator", type=TEXT, help="Your name, recorded as the creator of the works you make.")
@click.option("--license", "license_id", type=TEXT, help="Your new works' licence (`studio license list`).")
@click.option("--clear", is_flag=True, help="Forget both: the studio default licence applies again, with no creator.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def defaults_cmd(obj, creator: str | None, license_id: str | None, clear: bool, as_json: bool) -> None:
    """Show or set what new works get when a command leaves it unset: the creator and the licence. The window's
    Settings (and its first-run questions) edit the same values, kept in the library."""
    store = obj.studio.generation.defaults
    current = store.load()
    changed = clear or creator is not None or license_id is not None
    if clear:
        current = store.save(NewWorkDefaults())
    if creator is not None or license_id is not None:
        current = store.save(NewWorkDefaults(
            creator if creator is not None else current.creator,
            license_id if license_id is not None else current.license_id,
        ))
    if as_json:
        emit_json({"creator": current.creator, "license": current.license_id})
        return
    saved = " (saved)" if changed else ""
    click.echo(f"creator: {current.creator or '(none)'}{saved}")
    click.echo(f"license: {current.license_id or '(the studio default: non-commercial unless you ask otherwise)'}")


COMMANDS = [generate_cmd, remix_cmd, inpaint_cmd, blend_cmd, models_group, defaults_cmd]
