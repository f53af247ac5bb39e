"""The compiled devnet contracts (artifacts.json, made by scripts/compile-contracts.mjs) and their freshness."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from studio.errors import StudioError

ARTIFACTS_PATH = Path(__file__).with_name("artifacts.json")
REPO_ROOT = Path(__file__).resolve().parents[3]
CONTRACTS_DIR = REPO_ROOT / "contracts"


@dataclass(frozen=True)
class ContractArtifact:
    name: str
    abi: list[dict[str, Any]]
    bytecode: str
    deployed_bytecode: str
    method_identifiers: dict[str, str]

    def selector(self, signature: str) -> str:
        """'0x' + the 4-byte selector of a function, e.g. selector("initialize()")."""
        return "0x" + self.method_identifiers[signature]


@dataclass(frozen=True)
class Artifacts:
    solc_version: str
    sources_sha256: str
    contracts: dict[str, ContractArtifact]
    errors: dict[str, str]
    events: dict[str, str]

    def contract(self, name: str) -> ContractArtifact:
        try:
            return self.contracts[name]
        except KeyError:
            raise StudioError(
                f"The devnet artifacts have no contract named {name}",
                hint="run `node scripts/compile-contracts.mjs` to rebuild them",
            ) from None

    def error_signature(self, revert_data: str) -> str | None:
        """The custom error ('Name(types)') a revert's data starts with, if it is one of the contracts'."""
        return self.errors.get(revert_data[:10].lower()) if revert_data else None


@cache
def load_artifacts(path: Path = ARTIFACTS_PATH) -> Artifacts:
    try:
        raw = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise StudioError(
            f"The devnet contract artifacts cannot be read ({path}: {exc})",
            hint="run `node scripts/compile-contracts.mjs` to rebuild them",
        ) from exc
    contracts = {
        name: ContractArtifact(
            name=name,
            abi=c["abi"],
            bytecode=c["bytecode"],
            deployed_bytecode=c["deployedBytecode"],
            method_identifiers=c["methodIdentifiers"],
        )
        for name, c in raw["contracts"].items()
    }
    return Artifacts(
        solc_version=raw["solcVersion"],
        sources_sha256=raw["sources_sha256"],
        contracts=contracts,
        errors={k.lower(): v for k, v in raw["errors"].items()},
        events=raw["events"],
    )


def sources_sha256(contracts_dir: Path = CONTRACTS_DIR) -> str:
    """The compile script's recipe: per .sol file, sorted by repo-relative path, "<path>\\n<sha256>\\n"."""
    digest = hashlib.sha256()
    files = sorted(contracts_dir.rglob("*.sol"), key=lambda p: p.relative_to(REPO_ROOT).as_posix())
    for f in files:
        rel = f.relative_to(REPO_ROOT).as_posix()
        digest.update(f"{rel}\n{hashlib.sha256(f.read_bytes()).hexdigest()}\n".encode())
    return digest.hexdigest()
