"""`studio train lora|status|cancel|resume`: a personal LoRA trained from library works whose licenses allow it,
run as a job that can be cancelled (here with Ctrl-C or from another terminal) and resumed from its checkpoint."""

from __future__ import annotations

import threading
from typing import Any

import click

from studio.cli.output import emit_json, progress, table
from studio.cli.params import TEXT, Number, WholeNumber
from studio.errors import InvalidInput


def _caption_pairs(values: tuple[str, ...]) -> dict[str, str]:
    captions = {}
    for value in values:
        work_id, sep, text = value.partition("=")
        if not sep or not work_id.strip() or not text.strip():
            raise InvalidInput(f"--caption {value!r} is not ID=TEXT", hint='e.g. --caption 3f2a1c=\"a red fox\"')
        captions[work_id.strip()] = text.strip()
    return captions


def _run(studio: Any, job_id: str, as_json: bool, resume: bool = False) -> None:
    service = studio.training
    stop = threading.Event()
    with progress("resuming the training" if resume else "training the LoRA", quiet=as_json) as bar:
        def on_progress(job: Any) -> None:
            bar.step(job.step, job.total, f"loss {job.loss:.4f}" if job.loss is not None else "")

        try:
            job = service.run(job_id, on_progress=on_progress, cancel=stop)
        except KeyboardInterrupt:
            job = service.jobs.update(job_id, state="cancelled")
    _report(studio, job, as_json)


def _report(studio: Any, job: Any, as_json: bool) -> None:
    if as_json:
        emit_json(job.to_dict())
        return
    if job.state == "done":
        click.echo(f"{job.lora_id}  {job.title}  (LoRA, {job.step} steps, loss {job.loss:.4f})")
        click.echo(f"use it with: studio generate --lora {job.lora_id}:1.0 \"your prompt\"", err=True)
    elif job.state in ("cancelled", "interrupted"):
        click.echo(f"training job {job.id} {job.state} at step {job.step} of {job.total}", err=True)
        click.echo(f"continue it with: studio train resume {job.id}", err=True)
    else:
        click.echo(f"training job {job.id}: {job.state}", err=True)


@click.command("lora")
@click.argument("more_works", nargs=-1, metavar="[ID]...")
@click.option("--works", "work_ids", multiple=True, help="The works to train on: --works ID ID … (or comma-separated).")
@click.option("--collection", help="Train on the members of this collection.")
@click.option("--base", required=True, help="The base model (name or id) the LoRA adapts.")
@click.option("--steps", type=WholeNumber(1, 1_000_000), help="Optimizer steps (default 300).")
@click.option("--rank", type=WholeNumber(1, 1024), help="LoRA rank (default 8).")
@click.option("--lr", type=Number(0, 1, low_open=True), help="Learning rate (default 0.001).")
@click.option("--batch", type=WholeNumber(1, 1024), help="Images per step (default 4).")
@click.option("--seed", type=WholeNumber(0, 2**31 - 1), help="Seed: the same seed and data give the same LoRA.")
@click.option("--resolution", type=WholeNumber(0, 4096), help="Training size in pixels (default: the base's own).")
@click.option("--layout", type=click.Choice(["diffusers", "kohya"]), help="File layout (default diffusers).")
@click.option("--text-encoder", is_flag=True, default=None, help="Train the text encoder too.")
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), help="Where to train (default auto).")
@click.option("--checkpoint-every", type=WholeNumber(1, 1_000_000),
              help="Steps between checkpoints, where a cancelled or killed run resumes (default 50).")
@click.option("--samples", type=WholeNumber(0, 1000),
              help="Sample images drawn while training, one per epoch at most (default 8; 0: none).")
@click.option("--caption", "captions", multiple=True, type=TEXT, help="ID=TEXT: the caption of one work.")
@click.option("--title", type=TEXT, help="The LoRA's title (default: '<base> LoRA').")
@click.option("--license", "license_id", help="The LoRA's license (default: the base model's).")
@click.option("--creator", type=TEXT, help="Your name as the LoRA's author.")
@click.option("--skip-refused", is_flag=True, help="Leave out works whose training permission is refused.")
@click.option("--queue-only", is_flag=True, help="Check and create the job, but do not run it yet.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def lora_cmd(obj, more_works: tuple[str, ...], work_ids: tuple[str, ...], collection: str | None, base: str,
             captions: tuple[str, ...], title: str | None, license_id: str | None, creator: str | None,
             skip_refused: bool, queue_only: bool, as_json: bool, **options: Any) -> None:
    """Train a LoRA on a base model from library works (every work's training permission is checked first)."""
    studio = obj.studio
    if more_works and not work_ids:
        raise InvalidInput(f"what is {more_works[0]!r}?", hint="name the works with --works ID ID …")
    refs = [ref for value in (*work_ids, *more_works) for ref in value.replace(",", " ").split()]
    selection = studio.training.select(refs, collection)
    for refusal in selection.refused:
        if skip_refused and not as_json:
            click.echo(f"left out {refusal.line()}", err=True)
    job = studio.training.start(selection, base, skip_refused=skip_refused, captions=_caption_pairs(captions),
                                title=title, license_id=license_id, creator=creator,
                                text_encoder=options.pop("text_encoder"), **options)
    if queue_only:
        _report_status(job, as_json)
        return
    _run(studio, job.id, as_json)


@click.command("status")
@click.argument("job_id", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def status_cmd(obj, job_id: str | None, as_json: bool) -> None:
    """A training job's state, progress and samples; without an id, every job."""
    service = obj.studio.training
    if job_id:
        _report_status(service.settle_job(service.jobs.get(job_id)), as_json)
        return
    jobs = service.all_jobs()
    if as_json:
        emit_json([job.to_dict() for job in jobs])
        return
    if not jobs:
        click.echo("no training jobs yet", err=True)
        return
    click.echo(table([(j.id, j.state, f"{j.step}/{j.total}", j.title, j.lora_id or "") for j in jobs],
                     ["job", "state", "step", "title", "lora"]))


def _report_status(job: Any, as_json: bool) -> None:
    if as_json:
        emit_json(job.to_dict())
        return
    click.echo(f"{job.id}  {job.title}  {job.state}  step {job.step}/{job.total}"
               + (f"  loss {job.loss:.4f}" if job.loss is not None else ""))
    click.echo(f"  base {job.base_id}, {len(job.work_ids)} works, training set {job.collection_id}")
    for refused in job.refused:
        click.echo(f"  left out {refused['id']} {refused['title']}: "
                   + "; ".join(r["message"] for r in refused["reasons"]))
    for sample in job.samples:
        click.echo(f"  sample {sample}")
    if job.lora_id:
        click.echo(f"  LoRA {job.lora_id}")
    if job.error:
        click.echo(f"  error: {job.error}")
    if job.state in ("cancelled", "failed", "interrupted"):
        click.echo(f"  continue it with: studio train resume {job.id}")


@click.command("cancel")
@click.argument("job_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def cancel_cmd(obj, job_id: str, as_json: bool) -> None:
    """Stop a training job (or cancel one whose process was killed); it keeps its checkpoint and can be resumed."""
    job = obj.studio.training.cancel(job_id)
    _report_status(job, as_json)


@click.command("resume")
@click.argument("job_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def resume_cmd(obj, job_id: str, as_json: bool) -> None:
    """Continue a cancelled, failed or interrupted training job from its last checkpoint (or run a queued one)."""
    _run(obj.studio, obj.studio.training.jobs.get(job_id).id, as_json, resume=True)


LORA_COMMANDS = [lora_cmd, status_cmd, cancel_cmd, resume_cmd]
