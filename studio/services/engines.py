"""Generation engines besides this machine: ComfyUI servers, their access tokens, and which of their model
files are which registered models.

The servers (name and address) and the links are library settings (`settings` table, keys `engines.comfyui.*`);
tokens live only in the OS keyring (`comfyui-token:<name>`), and the settings keep just whether one exists.
A server's model file is linked to a registered model only when that is proven: the server reads out the file's
safetensors header (GET /view_metadata) and it equals the registered file's, a header that names the file
beyond its format. ComfyUI offers no file hash or size, so the header is all that can be compared; when the
server gives none, or the registered model is not one .safetensors file, the link cannot be proven. Such a file
is registered by name, unverified, only with a license the user states for it: a work of its own, so it never
borrows the license, hash or credit of the model it is claimed to be. A header that differs is refused outright:
it is another file.

A model registered from split files (a parts manifest: FLUX.1, SD3.5, Qwen-Image) is linked part by part: each
of the server's diffusion model, text encoder and VAE files is proven, by its header, to be one of the registered
part files, and is linked under that part (with the part's own hash). A lone part file cannot be registered by
name: what it is part of is only known from the registered model.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from studio.core.types import Origin, Terms, WorkKind
from studio.errors import InvalidInput, NotFound, StudioError
from studio.generate.comfyui import (
    DEFAULT_LIMITS,
    FILE_KINDS,
    KIND_LABELS,
    MODEL_FOLDERS,
    PART_KINDS,
    ComfyUIClient,
    ComfyUIGenerator,
    Limits,
    ServerFile,
    ServerInfo,
    ServerPool,
    inspect_server,
    normalise_url,
    part_link_key,
)
from studio.generate.models import read_parts, read_safetensors_header
from studio.licensing import WorkTerms
from studio.services.models import ModelRegistry, RegisteredModel
from studio.store.db import Database
from studio.store.files import sha256_file
from studio.store.models import ModelRecords
from studio.store.settings import SettingRecords
from studio.store.works import NewWork, WorkRepository

SERVERS_KEY = "engines.comfyui.servers"
LINKS_KEY = "engines.comfyui.links"
REMOTE_FORMAT = "comfyui"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
FileKind = Literal["checkpoint", "lora", "unet", "clip", "vae"]
PART_FILE_KINDS = ("unet", "clip", "vae")  # the kinds of file a split model's parts are
# ComfyUI's folder names in /view_metadata
SERVER_FOLDERS = {"checkpoint": "checkpoints", "lora": "loras", "unet": "diffusion_models", "clip": "text_encoders",
                  "vae": "vae"}
PARTS_FORMAT = "parts"
MAX_LIMIT_S = 7 * 24 * 3600  # a week: longer than any job, short enough to notice a dead server
LIMITS_KEY = "engines.comfyui.limits"
MAX_MATCHED_FILES = 200  # `engines models` compares at most this many unlinked files' headers


def token_name(server: str) -> str:
    return f"comfyui-token:{server}"


@dataclass(frozen=True)
class EngineServer:
    name: str
    url: str
    has_token: bool


@dataclass(frozen=True)
class RemoteFile:
    """A model file a server offers, and the registered model it is linked to (if any)."""

    kind: FileKind
    filename: str
    model: RegisteredModel | None
    known_by: Literal["hash", "name"] | None
    # linked; matches: not linked, but its header is a registered model's; gone: linked, but no longer on the
    # server; None: neither linked nor recognised
    state: Literal["linked", "matches", "gone"] | None = None
    part: str | None = None  # the part of a split model the file is (linked or matching)

    @property
    def how(self) -> str:
        """How the link is known, for people."""
        of = f" (its {self.part})" if self.part else ""
        if self.state == "gone":
            return f"linked{of}, file gone from the server"
        if self.state == "matches":
            return f"same header as {self.model.name if self.model else 'a registered model'}{of}, not linked"
        how = {"hash": "proven the same file", "name": "by name, unverified"}.get(self.known_by or "", "")
        return how + of if how else ""


class EngineRegistry:
    def __init__(self, *, works: WorkRepository, model_records: ModelRecords, settings: SettingRecords, db: Database,
                 models: ModelRegistry, secrets: Callable[[], Any] | None = None) -> None:
        self.works = works
        self.model_records = model_records
        self.settings = settings
        self.db = db  # a server's model: its work and its row in one transaction
        self.models = models
        self._secrets_factory = secrets
        self._secrets: Any = None

    @property
    def secrets(self) -> Any:
        if self._secrets is None:
            from studio.secrets import SecretStore  # the keyring loads only when a token is used

            self._secrets = (self._secrets_factory or SecretStore)()
        return self._secrets

    # -- servers -------------------------------------------------------------------------------------------
    def servers(self) -> list[EngineServer]:
        return [EngineServer(s["name"], s["url"], bool(s.get("has_token"))) for s in self._read(SERVERS_KEY, [])]

    def server(self, name: str) -> EngineServer:
        for server in self.servers():
            if server.name == name:
                return server
        raise NotFound(f"no ComfyUI server named {name!r}", hint="see `studio engines list`, add one with "
                       "`studio engines add NAME URL`")

    def add(self, name: str, url: str, token: str | None = None) -> tuple[EngineServer, bool]:
        """Add a server, or change an existing one's address (and token, when one is given). Returns (it, new)."""
        if not _NAME.match(name or ""):
            raise InvalidInput(f"{name!r} is not a usable server name",
                               hint="use letters, digits, '.', '_' or '-' (at most 64), e.g. render-box")
        url = normalise_url(url)
        existing = {s.name: s for s in self.servers()}
        old = existing.get(name)
        if token is not None:
            token = token.strip()
            if not token:
                raise InvalidInput("the access token is empty", hint="paste the token, or leave the option out")
            self.secrets.set(token_name(name), token)
        has_token = token is not None or bool(old and old.has_token)
        existing[name] = EngineServer(name, url, has_token)
        self._write(SERVERS_KEY, [{"name": s.name, "url": s.url, "has_token": s.has_token} for s in existing.values()])
        return existing[name], old is None

    def remove(self, name: str) -> None:
        server = self.server(name)
        if server.has_token:
            self.secrets.delete(token_name(name))
        self._write(SERVERS_KEY, [
            {"name": s.name, "url": s.url, "has_token": s.has_token} for s in self.servers() if s.name != name
        ])

    def client(self, name: str, *, timeout: float = 10.0) -> ComfyUIClient:
        server = self.server(name)
        token = self.secrets.get_secret(token_name(name)) if server.has_token else None
        if server.has_token and token is None:
            raise InvalidInput(f"the access token of ComfyUI server {name} is not in the keyring",
                               hint=f"store it again: `studio engines add {name} {server.url} --token-stdin`")
        return ComfyUIClient(server.url, name=name, token=token, timeout=timeout, limits=self.limits())

    # -- limits on what a server sends ---------------------------------------------------------------------
    def limits(self) -> Limits:
        stored = self._read(LIMITS_KEY, {})
        known = {k: v for k, v in (stored if isinstance(stored, dict) else {}).items() if k in LIMIT_FIELDS}
        try:
            return replace(DEFAULT_LIMITS, **known)
        except (TypeError, ValueError):
            return DEFAULT_LIMITS

    def set_limits(self, **values: float | None) -> Limits:
        """Change the inactivity timeout, the deadline of an answer or of a job (seconds); None leaves one as it
        is. Every value must be positive; the defaults suit a real server."""
        stored = {k: v for k, v in self._read(LIMITS_KEY, {}).items() if k in LIMIT_FIELDS}
        for key, value in values.items():
            if key not in LIMIT_FIELDS:
                raise InvalidInput(f"unknown limit {key!r}", hint=f"use one of {', '.join(sorted(LIMIT_FIELDS))}")
            if value is None:
                continue
            if not 0 < float(value) <= MAX_LIMIT_S:
                raise InvalidInput(f"{key} must be a positive number of seconds, at most a week")
            stored[key] = float(value)
        self._write(LIMITS_KEY, stored)
        return self.limits()

    def test(self, name: str) -> ServerInfo:
        """Connect: /system_stats, the websocket, /object_info. Raises the error a job would meet."""
        client = self.client(name)
        info = inspect_server(client)
        client.events("remix-studio-test").close()
        return info

    # -- models on the servers -----------------------------------------------------------------------------
    def links(self) -> dict[str, ServerFile]:
        return {key: ServerFile(v["file"], v["by"], v.get("kind", "checkpoint"), v.get("sha256"))
                for key, v in self._read(LINKS_KEY, {}).items()}

    def remote_models(self, name: str) -> list[RemoteFile]:
        """The server's model files: linked ones with their model, unlinked ones whose header is a registered
        model's (state "matches"), and links to files the server no longer has (state "gone")."""
        client = self.client(name)
        info = inspect_server(client)
        client.events("remix-studio-test").close()
        links = self._read(LINKS_KEY, {})
        by_file = {(v["kind"], v["file"]): (v.get("work", key), v["by"], v.get("part")) for key, v in links.items()}
        candidates = self._local_headers()
        compared = 0
        files: list[RemoteFile] = []
        for kind in FILE_KINDS:
            for filename in info.files(kind):
                linked = by_file.get((kind, filename))
                model = self._model_of(linked[0]) if linked else None
                if linked and model is not None:
                    files.append(RemoteFile(kind, filename, model, linked[1], "linked", linked[2]))  # type: ignore[arg-type]
                    continue
                match = None
                if candidates.get(kind) and compared < MAX_MATCHED_FILES and filename.endswith(".safetensors"):
                    compared += 1
                    header = client.model_metadata(SERVER_FOLDERS[kind], filename)
                    match = next(((m, part) for m, part, h in candidates[kind]
                                  if header and _identifying(h) and h == header), None)
                files.append(RemoteFile(kind, filename, match[0] if match else None, None,
                                        "matches" if match else None, match[1] if match else None))
        for (kind, filename), (work_id, by, part) in sorted(by_file.items()):
            if filename not in info.files(kind):
                files.append(RemoteFile(kind, filename, self._model_of(work_id), by, "gone", part))  # type: ignore[arg-type]
        return files

    def link(self, server: str, filename: str, *, model: str | None = None, license_id: str | None = None,
             name: str | None = None) -> tuple[RegisteredModel, Literal["hash", "name"]]:
        """Link a server's file to a registered model (`model`) when the server proves it is that file, or register
        it by name, unverified, with `license_id`. Returns the model the file now is, and how it is known."""
        client = self.client(server)
        info = inspect_server(client)
        kind: FileKind | None = next((k for k in FILE_KINDS if filename in info.files(k)), None)  # type: ignore[misc]
        if kind is None:
            raise NotFound(f"ComfyUI server {server} has no model file {filename!r}",
                           hint=f"see `studio engines models {server}`; files go in "
                           f"{', '.join(MODEL_FOLDERS.values())} of its ComfyUI folder")
        if kind in PART_FILE_KINDS or (model is not None and self.models.get(model).format == PARTS_FORMAT):
            if model is None:
                raise InvalidInput(f"{filename} is a {KIND_LABELS[kind]} on the server: it is one part of a model",
                                   hint="register the model from its part files (a parts manifest) and link the "
                                   "file to it with --model NAME")
            return self._link_part(client, kind, filename, self.models.get(model)), "hash"
        if model is None and license_id is None:
            raise InvalidInput("link the file either to a registered model or by name with its license",
                               hint="pass --model NAME, or --license ID (see `studio license list`)")
        expected = WorkKind.model if kind == "checkpoint" else WorkKind.lora
        known_by: Literal["hash", "name"]
        if model is not None:
            claimed = self.models.get(model)
            if claimed.kind is not expected:
                raise InvalidInput(f"{filename} is a {kind} on the server but {claimed.name} is a "
                                   f"{claimed.kind.value}", hint="link checkpoints to models and LoRAs to LoRAs")
            if self._proven(client, kind, filename, claimed):
                registered, known_by = claimed, "hash"
            elif license_id is None:
                raise InvalidInput(
                    f"ComfyUI server {server} cannot prove that {filename} is {claimed.name}: it gives no "
                    "safetensors header that names the file", hint=f"to use it anyway, record it by name, "
                    f"unverified, under its own license: add --license ID (it will not carry {claimed.name}'s "
                    f"license or hash)")
            else:
                registered = self._register_by_name(server, kind, filename, license_id, name, claimed=claimed.name)
                known_by = "name"
        else:
            assert license_id is not None
            registered, known_by = self._register_by_name(server, kind, filename, license_id, name), "name"
        links = {k: v for k, v in self._read(LINKS_KEY, {}).items() if (v["kind"], v["file"]) != (kind, filename)}
        links[registered.work.id] = {"file": filename, "kind": kind, "by": known_by}
        self._write(LINKS_KEY, links)
        return registered, known_by

    def _link_part(self, client: ComfyUIClient, kind: FileKind, filename: str,
                   claimed: RegisteredModel) -> RegisteredModel:
        """Link the server's `filename` as the part of the split model `claimed` whose header it has."""
        label = KIND_LABELS[kind]
        if claimed.format != PARTS_FORMAT:
            raise InvalidInput(f"{filename} is a {label} on {client.name} but {claimed.name} is not registered "
                               "from part files", hint="register the model with a parts manifest (see "
                               "docs/models.md), then link each part file to it")
        parts = [(part, path) for part, path in read_parts(claimed.path).files if PART_KINDS.get(part) == kind]
        if not parts:
            raise InvalidInput(f"{filename} is a {label} on {client.name} but {claimed.name} has no such part",
                               hint=f"its parts are {', '.join(p for p, _ in read_parts(claimed.path).files)}")
        remote = client.model_metadata(SERVER_FOLDERS[kind], filename)
        headers = [(part, path, _file_header(path)) for part, path in parts]
        provable = [(part, path, h) for part, path, h in headers if h is not None and _identifying(h)]
        if not provable:
            raise InvalidInput(
                f"{claimed.name}'s {label} part file(s) carry no header that names them, so {client.name} cannot "
                f"prove {filename} is one of them", hint="a part is linked only when proven; use part files whose "
                "safetensors metadata names them (e.g. modelspec.title), on both sides")
        if remote is None:
            raise InvalidInput(f"ComfyUI server {client.name} cannot prove that {filename} is part of "
                               f"{claimed.name}: it gives no safetensors header for it",
                               hint="put a copy of the registered part file on the server and link that one")
        found = next(((part, path) for part, path, h in provable if h == remote), None)
        if found is None:
            raise InvalidInput(
                f"{filename} on {client.name} is no part of {claimed.name}: its safetensors header differs from "
                f"every {label} part's", hint="link it to the model it is part of")
        part, path = found
        links = {k: v for k, v in self._read(LINKS_KEY, {}).items() if (v["kind"], v["file"]) != (kind, filename)}
        links[part_link_key(claimed.work.id, part)] = {"file": filename, "kind": kind, "by": "hash",
                                                       "work": claimed.work.id, "part": part,
                                                       "sha256": sha256_file(path)}
        self._write(LINKS_KEY, links)
        return claimed

    def _proven(self, client: ComfyUIClient, kind: FileKind, filename: str, claimed: RegisteredModel) -> bool:
        """True when the server's header of `filename` is the registered file's; False when it cannot be told;
        InvalidInput when the headers differ (it is another file)."""
        local = _local_header(claimed)
        if local is None or not _identifying(local):
            return False
        remote = client.model_metadata(SERVER_FOLDERS[kind], filename)
        if remote is None:
            return False
        if remote != local:
            raise InvalidInput(
                f"{filename} on {client.name} is not {claimed.name}: its safetensors header differs from the "
                "registered file's",
                hint="link it to the model it is, or register it by name with its license (--license ID)",
            )
        return True

    def _local_headers(self) -> dict[str, list[tuple[RegisteredModel, str | None, dict[str, str]]]]:
        """Per kind of server file: (registered model, its part or None, the header) of every local file that a
        server file could be proven to be."""
        found: dict[str, list[tuple[RegisteredModel, str | None, dict[str, str]]]] = {k: [] for k in FILE_KINDS}
        for model in self.models.list():
            if model.format == PARTS_FORMAT:
                try:
                    parts = read_parts(model.path).files
                except StudioError:
                    continue
                for part, path in parts:
                    header = _file_header(path)
                    if header and _identifying(header) and part in PART_KINDS:
                        found[PART_KINDS[part]].append((model, part, header))
                continue
            header = _local_header(model)
            if header and _identifying(header):
                found["checkpoint" if model.kind is WorkKind.model else "lora"].append((model, None, header))
        return found

    def generator(self, name: str | None = None) -> ComfyUIGenerator:
        """The engine on one server, or on every server as one pool when `name` is None."""
        names = [name] if name else [s.name for s in self.servers()]
        if not names:
            raise NotFound("no ComfyUI server is set up", hint="add one with `studio engines add NAME URL`")
        return ComfyUIGenerator(ServerPool([self.client(n) for n in names]), self.links())

    # -- helpers -------------------------------------------------------------------------------------------
    def _register_by_name(self, server: str, kind: FileKind, filename: str, license_id: str,
                          name: str | None, claimed: str | None = None) -> RegisteredModel:
        WorkTerms(self.models.catalog.get(license_id))
        url = self.server(server).url
        location = f"{url}/{MODEL_FOLDERS[kind]}/{filename}"
        # The file's bytes are out of reach, so its identity is its place: a hash of that, not of the file.
        identity = hashlib.sha256(f"comfyui:{location}".encode()).hexdigest()
        existing = self.works.by_sha256(identity)
        if existing is not None:
            row = self.model_records.by_work(existing.id)
            if row is not None:
                return self.models.get(row.name)
        title = name or filename.rsplit(".", 1)[0]
        if name is None and self.model_records.name_taken(title):
            title = f"{title} on {server}"  # e.g. the model it was said to be already has the plain name
        if self.model_records.name_taken(title):
            raise InvalidInput(f"a model named {title!r} is already registered", hint="choose another --name")
        work_kind = WorkKind.model if kind == "checkpoint" else WorkKind.lora
        with self.db.atomic():
            work = existing or self.works.insert(NewWork(
                kind=work_kind, sha256=identity, title=title, origin=Origin.imported, terms=Terms(license_id),
                location=location, format=REMOTE_FORMAT,
                description=f"{filename} on ComfyUI server {server}; known by name only, unverified (its file hash "
                "is unknown)" + (f"; said to be {claimed}, which the server could not prove" if claimed else ""),
            ))
            self.model_records.insert(work.id, title, location, REMOTE_FORMAT, None, f"comfyui:{server}")
        return self.models.get(title)

    def _model_of(self, work_id: str) -> RegisteredModel | None:
        row = self.model_records.by_work(work_id)
        return self.models.get(row.name) if row else None

    def _read(self, key: str, default: Any) -> Any:
        return self.settings.get_json(key, default)

    def _write(self, key: str, value: Any) -> None:
        self.settings.set_json(key, value)


LIMIT_FIELDS = frozenset({"idle_s", "deadline_s", "job_deadline_s"})


def _local_header(model: RegisteredModel) -> dict[str, str] | None:
    """The `__metadata__` of a registered single .safetensors file; None for folders, remote or unreadable ones."""
    if model.format == REMOTE_FORMAT:
        return None
    return _file_header(model.path)


def _file_header(path: Path) -> dict[str, str] | None:
    """The `__metadata__` of a local .safetensors file; None when it is not one or cannot be read."""
    if path.suffix != ".safetensors" or not path.is_file():
        return None
    try:
        metadata = read_safetensors_header(path).get("__metadata__")
    except StudioError:
        return None
    return {str(k): str(v) for k, v in metadata.items()} if isinstance(metadata, dict) else None


def _identifying(header: dict[str, str]) -> bool:
    """A header says which file it is only with more than its format (`{"format": "pt"}` is in most files)."""
    return any(key != "format" for key in header)
