"""The committed artifacts are the compile of the committed sources, and their ABI is the one the official
Python SDK encodes against (every function and event it uses on a contract the devnet provides)."""

from __future__ import annotations

import json
import shutil
import subprocess
from importlib import resources
from pathlib import Path

import pytest
from eth_utils import keccak

from studio.story.devnet.artifacts import REPO_ROOT, load_artifacts, sources_sha256

# SDK contract name -> devnet contract, for the contracts the devnet provides.
SDK_TO_DEVNET = {
    "AccessController": "AccessController",
    "IPAccountImpl": "IPAccountImpl",
    "IPAssetRegistry": "IPAssetRegistry",
    "IpRoyaltyVaultImpl": "IpRoyaltyVault",
    "PILicenseTemplate": "PILicenseTemplate",
    "LicensingModule": "LicensingModule",
    "ModuleRegistry": "ModuleRegistry",
    "RoyaltyModule": "RoyaltyModule",
    "RoyaltyPolicyLAP": "RoyaltyPolicyLAP",
    "RoyaltyPolicyLRP": "RoyaltyPolicyLRP",
    "LicenseToken": "LicenseToken",
    "RegistrationWorkflows": "RegistrationWorkflows",
    "LicenseAttachmentWorkflows": "LicenseAttachmentWorkflows",
    "DerivativeWorkflows": "DerivativeWorkflows",
    "RoyaltyWorkflows": "RoyaltyWorkflows",
    "RoyaltyTokenDistributionWorkflows": "RoyaltyTokenDistributionWorkflows",
    "CoreMetadataModule": "CoreMetadataModule",
    "LicenseRegistry": "LicenseRegistry",
    "WIP": "WIP",
    "WrappedIP": "WIP",
    "SPGNFTImpl": "SPGNFT",
    "Multicall3": "Multicall3",
}


def _type(param: dict) -> str:
    if param["type"].startswith("tuple"):
        return "(" + ",".join(_type(c) for c in param["components"]) + ")" + param["type"][5:]
    return param["type"]


def _signatures(abi: list[dict], kind: str, name: str) -> set[tuple]:
    found = set()
    for item in abi:
        if item.get("type") != kind or item.get("name") != name:
            continue
        inputs = tuple((_type(p), bool(p.get("indexed"))) for p in item["inputs"])
        outputs = tuple(_type(p) for p in item.get("outputs", []))
        found.add((inputs, outputs))
    return found


def _sdk_contracts() -> list[tuple[str, list[str], list[dict]]]:
    sdk = resources.files("story_protocol_python_sdk")
    config = json.loads((sdk / "scripts" / "config.json").read_text())
    out = []
    for entry in config["contracts"]:
        if entry["contract_name"] in SDK_TO_DEVNET:
            abi = json.loads((sdk / "abi" / "jsons" / f"{entry['contract_name']}.json").read_text())
            out.append((entry["contract_name"], entry["functions"], abi))
    return out


def test_sources_hash_matches_the_artifact() -> None:
    assert load_artifacts().sources_sha256 == sources_sha256(), (
        "contracts/ changed since the artifact was built: run `node scripts/compile-contracts.mjs`"
    )


@pytest.mark.parametrize(
    ("sdk_name", "used", "sdk_abi"), _sdk_contracts(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_sdk_abi_is_served(sdk_name: str, used: list[str], sdk_abi: list[dict]) -> None:
    ours = load_artifacts().contract(SDK_TO_DEVNET[sdk_name]).abi
    for name in used:
        for kind in ("function", "event"):
            wanted = _signatures(sdk_abi, kind, name)
            missing = wanted - _signatures(ours, kind, name)
            assert not missing, f"{sdk_name}.{name}: the devnet lacks {kind} {missing}"


def test_every_custom_error_is_collected() -> None:
    artifacts = load_artifacts()
    for contract in artifacts.contracts.values():
        for item in contract.abi:
            if item["type"] == "error":
                signature = f"{item['name']}({','.join(_type(p) for p in item['inputs'])})"
                assert artifacts.errors["0x" + keccak(text=signature)[:4].hex()] == signature
    assert artifacts.error_signature("0x0dead000") is None


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_recompiling_gives_the_committed_bytecode(tmp_path: Path) -> None:
    out = tmp_path / "artifacts.json"
    subprocess.run(
        ["node", str(REPO_ROOT / "scripts" / "compile-contracts.mjs"), "--out", str(out)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    fresh = json.loads(out.read_text())
    committed = json.loads((REPO_ROOT / "studio" / "story" / "devnet" / "artifacts.json").read_text())
    assert fresh["solcVersion"] == committed["solcVersion"]
    assert fresh["sources_sha256"] == committed["sources_sha256"]
    assert fresh["errors"] == committed["errors"]
    assert set(fresh["contracts"]) == set(committed["contracts"])
    for name, contract in fresh["contracts"].items():
        assert contract["deployedBytecode"] == committed["contracts"][name]["deployedBytecode"], name
        assert contract["bytecode"] == committed["contracts"][name]["bytecode"], name


def test_devnet_errors_carry_storys_argument_lists() -> None:
    """Where Story's contracts (the SDK's ABIs) declare an error, the devnet declares it with the same
    arguments, so a revert decodes alike on both."""
    sdk = resources.files("story_protocol_python_sdk") / "abi" / "jsons"
    story: dict[str, set[str]] = {}
    for entry in sdk.iterdir():
        if entry.name.endswith(".json"):
            for item in json.loads(entry.read_text()):
                if item.get("type") == "error":
                    story.setdefault(item["name"], set()).add(
                        f"{item['name']}({','.join(_type(p) for p in item['inputs'])})")
    ours = set(load_artifacts().errors.values())
    different = sorted(sig for sig in ours if sig.split("(")[0] in story and sig not in story[sig.split("(")[0]])
    assert different == []
