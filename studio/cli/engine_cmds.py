"""`studio engines`: ComfyUI servers as generation engines (list, add, remove, test) and their model files
(models, link). Tokens go to the OS keyring and are never echoed."""

from __future__ import annotations

import sys

import click

from studio.cli.output import emit_json, table
from studio.cli.params import Number
from studio.core.secret_text import without_credentials
from studio.errors import InvalidInput
from studio.services.engines import MAX_LIMIT_S

SECONDS = Number(0, MAX_LIMIT_S, low_open=True)


@click.group("engines")
def engines_group() -> None:
    """ComfyUI servers that generate for the studio (`studio generate ... --engine comfyui[:NAME]`)."""


@engines_group.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def engines_list(obj, as_json: bool) -> None:
    """The ComfyUI servers set up for this library."""
    servers = obj.studio.engines.servers()
    shown = {s.name: without_credentials(s.url) for s in servers}  # an address stored by an older studio may hold some
    if as_json:
        emit_json([{"name": s.name, "url": shown[s.name], "token": s.has_token} for s in servers])
        return
    if not servers:
        click.echo("no ComfyUI server yet; add one with `studio engines add NAME URL`")
        return
    click.echo(table([(s.name, shown[s.name], "in keyring" if s.has_token else "none") for s in servers],
                     ["name", "url", "token"]))


@engines_group.command("add")
@click.argument("name")
@click.argument("url")
@click.option("--token-stdin", is_flag=True, help="Read the server's access token from standard input.")
@click.option("--ask-token", is_flag=True, help="Ask for the access token (typing is not shown).")
@click.pass_obj
def engines_add(obj, name: str, url: str, token_stdin: bool, ask_token: bool) -> None:
    """Add a ComfyUI server (or change its address or token); the token goes to the OS keyring."""
    if token_stdin and ask_token:
        raise InvalidInput("give the token one way", hint="use --token-stdin or --ask-token, not both")
    token = None
    if token_stdin:
        token = sys.stdin.readline().strip()
    elif ask_token:
        token = click.prompt("Access token", hide_input=True, err=True)
    server, created = obj.studio.engines.add(name, url, token)
    state = "added" if created else "updated"
    click.echo(f"{server.name}  {server.url}  ({state}{'; token in the OS keyring' if server.has_token else ''})")


@engines_group.command("remove")
@click.argument("name")
@click.pass_obj
def engines_remove(obj, name: str) -> None:
    """Remove a server and its token."""
    obj.studio.engines.remove(name)
    click.echo(f"removed {name}")


@engines_group.command("test")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def engines_test(obj, name: str, as_json: bool) -> None:
    """Connect to a server: its version and devices, its websocket, the nodes and model files it has."""
    info = obj.studio.engines.test(name)
    data = {"name": info.name, "url": info.url, "comfyui": info.version, "devices": list(info.devices),
            "checkpoints": len(info.checkpoints), "loras": len(info.loras),
            "parts": {k: len(v) for k, v in info.parts.items()}}
    if as_json:
        emit_json(data)
        return
    click.echo(f"{info.name}: ComfyUI {info.version or '(version unknown)'} at {info.url}, "
               f"{', '.join(info.devices) or 'no device listed'}; {len(info.checkpoints)} checkpoint(s), "
               f"{len(info.loras)} LoRA(s), {sum(map(len, info.parts.values()))} split model file(s)")


@engines_group.command("models")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def engines_models(obj, name: str, as_json: bool) -> None:
    """The model files on a server, the registered models they are linked to (or match), and links to files the
    server no longer has."""
    files = obj.studio.engines.remote_models(name)
    rows = [{"kind": f.kind, "file": f.filename, "model": f.model.name if f.model and f.state != "matches" else None,
             "matches": f.model.name if f.model and f.state == "matches" else None,
             "known_by": f.known_by, "state": f.state, "how": f.how,
             "license": f.model.work.license_id if f.model and f.state != "matches" else None} for f in files]
    if as_json:
        emit_json(rows)
        return
    click.echo(table([(r["kind"], r["file"], r["model"] or "(not linked)", r["how"], r["license"] or "")
                      for r in rows], ["kind", "file", "model", "known by", "license"]))
    for f in files:
        if f.state == "matches" and f.model is not None:
            click.echo(f"{f.filename} is {f.model.name}: link it with `studio engines link {name} {f.filename} "
                       f"--model {f.model.name}`", err=True)


@engines_group.command("link")
@click.argument("name")
@click.argument("filename")
@click.option("--model", help="The registered model or LoRA this file is; linked when the server proves it.")
@click.option("--license", "license_id",
              help="Register the file by name with this license (hash unknown); with --model, the license of the "
              "file should the server not prove it is that model.")
@click.option("--as", "as_name", help="Name for a file registered by name (default: the file name).")
@click.pass_obj
def engines_link(obj, name: str, filename: str, model: str | None, license_id: str | None,
                 as_name: str | None) -> None:
    """Link a server's model file to a registered model, or register it by name with its license."""
    registered, known_by = obj.studio.engines.link(name, filename, model=model, license_id=license_id, name=as_name)
    how = "proven the same file" if known_by == "hash" else "by name, unverified"
    click.echo(f"{filename} on {name} -> {registered.name} ({registered.work.license_id}, {how})")
    if known_by == "name" and model is not None:
        click.echo(f"warning: {name} could not prove that {filename} is {model}, so it is registered by name, "
                   f"unverified, under {registered.work.license_id}, not as {model}; its recipes record no hash.",
                   err=True)
    elif known_by == "name":
        click.echo(f"warning: {filename} is known by name only; its recipes record no file hash. Register a local "
                   "copy with `studio models add` and link it with --model to record the hash.", err=True)


@engines_group.command("limits")
@click.option("--idle", "idle_s", type=SECONDS, help="Seconds a server may stay silent in an answer or a job.")
@click.option("--deadline", "deadline_s", type=SECONDS, help="Seconds one answer of a server may take in all.")
@click.option("--job-deadline", "job_deadline_s", type=SECONDS, help="Seconds one job may take in all.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def engines_limits(obj, idle_s: float | None, deadline_s: float | None, job_deadline_s: float | None,
                   as_json: bool) -> None:
    """Show or change how long the studio waits for ComfyUI servers (no option: show them)."""
    engines = obj.studio.engines
    limits = engines.set_limits(idle_s=idle_s, deadline_s=deadline_s, job_deadline_s=job_deadline_s) if any(
        v is not None for v in (idle_s, deadline_s, job_deadline_s)) else engines.limits()
    data = {"idle_s": limits.idle_s, "deadline_s": limits.deadline_s, "job_deadline_s": limits.job_deadline_s,
            "max_json_bytes": limits.max_json_bytes, "max_image_bytes": limits.max_image_bytes,
            "max_image_pixels": limits.max_image_pixels}
    if as_json:
        emit_json(data)
        return
    click.echo(f"silence {limits.idle_s:g} s, answer {limits.deadline_s:g} s, job {limits.job_deadline_s:g} s; "
               f"answers up to {limits.max_json_bytes // 2**20} MB, images up to {limits.max_image_bytes // 2**20} "
               f"MB and {limits.max_image_pixels:,} pixels")


COMMANDS = [engines_group]
