"""Publishing on the devnet: wall time, gas and transactions per publish, against the bare SDK call.

Run: `.venv/bin/python -m bench.publish_bench [--runs 8]`

Starts its own devnet in a temporary folder and measures, per publish through the studio (engines, metadata,
local CIDs, journal, receipt, read-back): a root, a remix, and a remix whose parent charges a minting fee.
The baseline is the Story SDK registering the same thing with no metadata, journal or checks
(`register_ip_asset` / `register_derivative_ip_asset`). The wallet key is kept in the OS keyring when one is
available, else in the explicit plaintext test keyring inside the temporary folder, which is deleted.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import tempfile
import time
import warnings
from pathlib import Path

from PIL import Image

from bench.common import machine, markdown_table
from studio.core.types import Origin, Relation, WorkKind, percent_to_units
from studio.licensing import WorkTerms
from studio.lineage.graph import ParentLink
from studio.secrets import ENV_BACKEND, SecretStore
from studio.services import Studio
from studio.services.publishing import PublishOptions
from studio.store.works import NewWork
from studio.story.devnet import Devnet, install_contracts
from studio.story.devnet.addresses import ROYALTY_POLICY_LAP, WIP
from studio.story.wallet import secret_name

OUT = Path(__file__).resolve().parent / "out"
IP = 10**18
WALLET = "publish-bench"


def _image(seed: int) -> bytes:
    image = Image.new("RGB", (32, 32), ((seed * 37) % 256, (seed * 91) % 256, (seed * 13) % 256))
    image.putpixel((seed % 32, (seed // 32) % 32), (255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


class Bench:
    def __init__(self, studio: Studio) -> None:
        self.studio = studio
        self.seed = 0

    def work(self, title: str, *, rev_share: int = 5, fee: int | None = None, parent: str | None = None) -> str:
        self.seed += 1
        links = [ParentLink(parent, Relation.remix_of)] if parent else []
        if parent:
            terms = self.studio.licenses.plan([(parent, Relation.remix_of)]).license
            assert terms is not None
        else:
            terms = WorkTerms(self.studio.catalog.get("pil-commercial-remix"), rev_share=percent_to_units(rev_share),
                              minting_fee=fee)
        new = NewWork(kind=WorkKind.image, sha256="", title=title, creator="Bench", origin=Origin.generated,
                      terms=terms.stored)
        return self.studio.images.store(_image(self.seed), name=f"{title}.png", new_work=new,
                                        parents=links).work.id

    def publish(self, work_id: str) -> tuple[float, int, int, int]:
        """(seconds, gas of the registration, gas of all its transactions, number of transactions)."""
        start = time.perf_counter()
        (result,) = self.studio.publish(work_id, PublishOptions(with_ancestors=False))
        seconds = time.perf_counter() - start
        main = result.transactions[-1] if "raising" not in result.transactions[-1].label else result.transactions[-2]
        return seconds, main.gas_used, result.gas_used, len(result.transactions)


def sdk_baseline(rpc_url: str, key: str, runs: int) -> dict[str, tuple[float, int]]:
    """Median seconds and gas of the SDK registering a root and a remix (no metadata, no checks)."""
    import requests
    from eth_account import Account
    from story_protocol_python_sdk import DerivativeDataInput, LicenseTermsDataInput, MintNFT, PILFlavor, StoryClient
    from web3 import Web3

    session = requests.Session()
    w3 = Web3(Web3.HTTPProvider(rpc_url, session=session))
    w3.provider.cache_allowed_requests = True
    client = StoryClient(w3, Account.from_key(key), 1315)
    wallet = client.account.address
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        spg = client.NFTClient.create_nft_collection(name="Bench", symbol="B", is_public_minting=False, mint_open=True,
                                                     mint_fee_recipient=wallet, contract_uri="")["nft_contract"]
        terms = PILFlavor.commercial_remix(default_minting_fee=0, currency=WIP, commercial_rev_share=5,
                                           royalty_policy=ROYALTY_POLICY_LAP)
        config = {"is_set": False, "minting_fee": 0, "licensing_hook": "0x" + "0" * 40, "hook_data": "0x",
                  "commercial_rev_share": 0, "disabled": False, "expect_minimum_group_reward_share": 0,
                  "expect_group_reward_pool": "0x" + "0" * 40}
        roots, remixes = [], []
        for _ in range(runs):
            start = time.perf_counter()
            root = client.IPAsset.register_ip_asset(
                nft=MintNFT(type="mint", spg_nft_contract=spg),
                license_terms_data=[LicenseTermsDataInput(terms=terms, licensing_config=config)],
            )
            roots.append((time.perf_counter() - start, w3.eth.get_transaction_receipt(root["tx_hash"])["gasUsed"]))
            start = time.perf_counter()
            child = client.IPAsset.register_derivative_ip_asset(
                nft=MintNFT(type="mint", spg_nft_contract=spg),
                deriv_data=DerivativeDataInput(parent_ip_ids=[root["ip_id"]],
                                               license_terms_ids=root["license_terms_ids"]),
            )
            remixes.append((time.perf_counter() - start, w3.eth.get_transaction_receipt(child["tx_hash"])["gasUsed"]))
    session.close()
    return {
        "root": (statistics.median(t for t, _ in roots), int(statistics.median(g for _, g in roots))),
        "remix": (statistics.median(t for t, _ in remixes), int(statistics.median(g for _, g in remixes))),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="publish-bench-") as tmp:
        folder = Path(tmp)
        if not SecretStore().available:
            os.environ[ENV_BACKEND] = f"plainfile:{folder / 'keyring.json'}"
        os.environ["STUDIO_WALLET"] = WALLET
        studio = Studio.open(folder / "library")
        node = Devnet(folder / "devnet")
        try:
            url = node.start()
            install_contracts(node.rpc)
            studio.publish_setup.set_setting("rpc.devnet", url)
            studio.publish_setup.secrets.delete(secret_name(WALLET))
            studio.publish_setup.create_wallet()
            rows, summary = run(studio, args.runs)
            key = studio.publish_setup.wallets.key(WALLET).reveal()
            baseline = sdk_baseline(url, key, args.runs)
        finally:
            studio.publish_setup.secrets.delete(secret_name(WALLET))
            studio.close()
            node.stop()
    table = render(rows, summary, baseline, args.runs)
    OUT.mkdir(exist_ok=True)
    (OUT / "publish_bench.md").write_text(table + "\n")
    print(table)


def run(studio: Studio, runs: int) -> tuple[list[tuple[str, list[tuple[float, int, int, int]]]], dict[str, int]]:
    bench = Bench(studio)
    first = bench.publish(bench.work("first root"))  # creates the wallet's collection once
    paid_parent = bench.work("paid parent", fee=IP)
    bench.publish(paid_parent)
    cases: dict[str, list[tuple[float, int, int, int]]] = {"root": [], "remix": [], "remix with a minting fee": []}
    for n in range(runs):
        root = bench.work(f"root {n}")
        cases["root"].append(bench.publish(root))
        cases["remix"].append(bench.publish(bench.work(f"remix {n}", parent=root)))
        cases["remix with a minting fee"].append(bench.publish(bench.work(f"paid remix {n}", parent=paid_parent)))
    summary = {"first publish transactions": first[3]}
    return list(cases.items()), summary


def render(rows, summary: dict[str, int], baseline: dict[str, tuple[float, int]], runs: int) -> str:
    lines = []
    for name, samples in rows:
        seconds = statistics.median(s for s, *_ in samples)
        gas = int(statistics.median(g for _, g, _, _ in samples))
        total_gas = int(statistics.median(t for *_, t, _ in samples))
        txs = [n for *_, n in samples]
        sdk = baseline.get("root" if name == "root" else "remix")
        ratio = f"{seconds / sdk[0]:.1f}x" if sdk else "-"
        lines.append([name, f"{seconds * 1000:.0f}", ratio, gas, total_gas,
                      f"{min(txs)}–{max(txs)}" if min(txs) != max(txs) else str(txs[0])])
    table = markdown_table(lines, ["publish", "wall ms (median)", "vs bare SDK call", "gas (registration)",
                                   "gas (all its transactions)", "transactions"])
    notes = [
        f"Runs: {runs} per case on a devnet in a temporary folder; {machine()}.",
        f"Bare SDK call (no metadata, checks, journal or read-back): root {baseline['root'][0] * 1000:.0f} ms, "
        f"{baseline['root'][1]} gas; remix {baseline['remix'][0] * 1000:.0f} ms, {baseline['remix'][1]} gas.",
        f"The wallet's first publish sent {summary['first publish transactions']} transactions (its collection is "
        "created once). A remix is 1 transaction; with a minting fee, 1 more to wrap the fee into WIP, and the "
        "workflow's approval only the first time.",
        "The studio's registrations cost more gas than the bare SDK calls because they store the metadata URIs "
        "and hashes on chain (IP account and token URI). Each plain remix links to a new root, so its gas includes "
        "deploying that root's royalty vault; the paid parent's vault exists already.",
    ]
    return "## Publishing on the devnet\n\n" + table + "\n\n" + "\n".join(f"- {n}" for n in notes)


if __name__ == "__main__":
    main()
