"""Training sets on the devnet: planning and publishing a group of N members against publishing one image in the
same run; planning the built-in model's OpenMoji set against planning one image; the gas of each group
transaction, from its receipt.

Run: `.venv/bin/python -m bench.group_bench [--sizes 1,10,50,120] [--runs 5]`

Starts its own devnet in a temporary folder (as bench.publish_bench does). Members are the wallet's own images,
published first under PIL Commercial Remix 5% (LAP), so the group (10%, LRP) has its terms attached to each and
each offered to the pool before the adds: the most transactions a member of the user's own can cost. A 1-member
group is published first so that the group's terms are registered once, outside the measured sizes. Gas per
transaction kind comes from the receipts of every group sent in the run; an add of k members is fitted as
fixed + k × per member (least squares over the batches sent). The wallet key is kept as publish_bench keeps it.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from bench.common import machine, markdown_table
from studio.core.types import Origin, WorkKind, percent_to_units
from studio.licensing import WorkTerms
from studio.secrets import ENV_BACKEND, SecretStore
from studio.services import Studio
from studio.services.builtin_works import ensure_openmoji_collection
from studio.services.publishing import PublishOptions
from studio.store.works import NewWork
from studio.story.devnet import Devnet, install_contracts
from studio.story.group_metadata import group_metadata
from studio.story.group_publisher import ADD_BATCH, GroupStep
from studio.story.publisher import SentTx
from studio.story.wallet import secret_name

OUT = Path(__file__).resolve().parent / "out"
WALLET = "group-bench"
DEVNET = PublishOptions(network="devnet", with_ancestors=False)

# The label of each group transaction (as the chain client names it) and the kind it is counted as.
KINDS = {
    "registering the training set's license terms": "terms",
    "registering the training set as a group": "group",
    "describing the training set's group": "metadata",
    "offering a member's work under the training set's terms": "attach",
    "offering a member's work to the group's reward pool": "config",
    "adding works to the training set's group": "add",
}


@dataclass(frozen=True)
class Publish:
    """One plan and its run: seconds planning, seconds sending, the plan's estimated gas and what was sent."""

    plan_s: float
    send_s: float
    estimate: int
    sent: tuple[SentTx, ...]

    @property
    def seconds(self) -> float:
        return self.plan_s + self.send_s

    @property
    def gas(self) -> int:
        return sum(t.gas_used for t in self.sent)


def _image(seed: int) -> bytes:
    image = Image.new("RGB", (32, 32), ((seed * 37) % 256, (seed * 91) % 256, (seed * 13) % 256))
    image.putpixel((seed % 32, (seed // 32) % 32), (255, 255, 255))
    image.putpixel((seed // 1024 % 32, 31), (0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


class Bench:
    def __init__(self, studio: Studio) -> None:
        self.studio = studio
        self.seed = 0
        self.groups: list[Publish] = []

    def image(self, title: str) -> str:
        self.seed += 1
        terms = WorkTerms(self.studio.catalog.get("pil-commercial-remix"), rev_share=percent_to_units(5))
        new = NewWork(kind=WorkKind.image, sha256="", title=title, creator="Bench", origin=Origin.generated,
                      terms=terms.stored)
        return self.studio.images.store(_image(self.seed), name=f"{title}.png", new_work=new).work.id

    def publish(self, work_id: str) -> Publish:
        start = time.perf_counter()
        plan = self.studio.publish_planner.plan(work_id, DEVNET)
        planned = time.perf_counter()
        results = self.studio.publish_runner.execute(plan)
        done = time.perf_counter()
        assert plan.fees is not None
        sent = tuple(t for r in results for t in r.transactions)
        return Publish(planned - start, done - planned, plan.fees.gas, sent)

    def training_set(self, size: int) -> tuple[Publish, float]:
        """A training set of `size` of the wallet's own published images, published; and the seconds its members
        took to publish (not part of the set's own figures)."""
        start = time.perf_counter()
        members = [self.image(f"member {self.seed + 1}") for _ in range(size)]
        for work_id in members:
            self.publish(work_id)
        members_s = time.perf_counter() - start
        collection = self.studio.collections.create(f"set of {size}", work_refs=members)
        result = self.publish(collection.id)
        self.groups.append(result)
        return result, members_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,10,50,120", help="training-set sizes, comma-separated")
    parser.add_argument("--runs", type=int, default=5, help="runs of the one-image baselines")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="group-bench-") as tmp:
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
            text = run(studio, sizes, args.runs)
        finally:
            studio.publish_setup.secrets.delete(secret_name(WALLET))
            studio.close()
            node.stop()
    OUT.mkdir(exist_ok=True)
    (OUT / "group_bench.md").write_text(text + "\n")
    print(text)


def run(studio: Studio, sizes: list[int], runs: int) -> str:
    bench = Bench(studio)
    bench.publish(bench.image("first"))  # the wallet's NFT collection, created once
    image = [bench.publish(bench.image(f"image {n}")) for n in range(runs)]
    first, _ = bench.training_set(1)  # registers the group's terms, once per network
    sets = [(size, *bench.training_set(size)) for size in sizes]
    sections = [sets_table(image, sets), estimates_table([(1, first), *((s, p) for s, p, _ in sets)]),
                gas_table(bench.groups), openmoji_table(studio, bench, runs)]
    notes = [f"Devnet in a temporary folder; {machine()}."]
    return "## Training sets on the devnet\n\n" + "\n\n".join(sections) + "\n\n" + "\n".join(f"- {n}" for n in notes)


def sets_table(image: list[Publish], sets: list[tuple[int, Publish, float]]) -> str:
    base_s = statistics.median(p.seconds for p in image)
    base_gas = int(statistics.median(p.gas for p in image))
    base_tx = statistics.median(len(p.sent) for p in image)
    rows = [["one image (baseline, median)", f"{statistics.median(p.plan_s for p in image) * 1000:.0f} ms",
             f"{base_s:.2f} s", "1.0×", "-", f"{base_tx:.0f}", f"{base_gas:,}", "-"]]
    for size, pub, _members_s in sets:
        rows.append([f"training set of {size}", f"{pub.plan_s * 1000:.0f} ms", f"{pub.seconds:.2f} s",
                     f"{pub.seconds / base_s:.1f}×", f"{pub.seconds / size / base_s:.2f}×", str(len(pub.sent)),
                     f"{pub.gas:,}", f"{pub.gas // size:,}"])
    table = markdown_table(rows, ["publish", "plan", "plan + send", "vs one image", "per member vs one image",
                                  "transactions", "gas", "gas per member"])
    members = ", ".join(f"{size}: {members_s:.1f} s" for size, _, members_s in sets)
    return (table + f"\n\nPublishing the members themselves first (not counted above): {members}. "
            f"Adds go in batches of {ADD_BATCH}.")


def estimates_table(groups: list[tuple[int, Publish]]) -> str:
    rows = [[f"training set of {size}" + (" (registers its terms)" if n == 0 else ""), f"{pub.estimate:,}",
             f"{pub.gas:,}", f"{pub.estimate / pub.gas:.3f}"]
            for n, (size, pub) in enumerate(groups)]
    return "The plan's gas estimate (before signing, no margin) against the receipts:\n\n" + markdown_table(
        rows, ["publish", "estimated gas", "gas used", "estimate / used"])


def gas_table(groups: list[Publish]) -> str:
    by_kind: dict[str, list[int]] = defaultdict(list)
    first: list[tuple[int, int]] = []  # (members, gas) of each group's first add
    later: list[tuple[int, int]] = []
    for pub in groups:
        sizes = _added(pub)
        adds = [tx.gas_used for tx in pub.sent if KINDS.get(tx.label) == "add"]
        assert len(adds) == len(sizes), (sizes, adds)
        first.append((sizes[0], adds[0]))
        later += zip(sizes[1:], adds[1:], strict=True)
        for tx in pub.sent:
            kind = KINDS.get(tx.label)
            if kind is not None and kind != "add":
                by_kind[kind].append(tx.gas_used)
    rows = [[kind, len(gas), f"{min(gas):,}", f"{int(statistics.median(gas)):,}", f"{max(gas):,}", ""]
            for kind, gas in by_kind.items()]
    for name, points in (("a group's first add", first), ("a later add", later)):
        if not points:
            continue
        fixed, per = _fit(points)
        worst = max(abs(gas - (fixed + k * per)) for k, gas in points)
        batches = ", ".join(f"{k}: {gas:,}" for k, gas in points)
        rows.append([f"{name} of k members", len(points), f"fixed {fixed:,.0f}", f"+ {per:,.0f} per member",
                     f"largest miss of the fit {worst:,.0f}", batches])
    return "Gas of each group transaction, from its receipt:\n\n" + markdown_table(
        rows, ["transaction", "sent", "min", "median", "max", "k: gas"])


def _added(pub: Publish) -> list[int]:
    """The batch sizes of a group's adds, in order: every member here is the wallet's own and offered to the
    pool once, then all of them join, ADD_BATCH at a time."""
    members = sum(1 for tx in pub.sent if KINDS.get(tx.label) == "config")
    return [min(ADD_BATCH, members - start) for start in range(0, members, ADD_BATCH)]


def _fit(points: list[tuple[int, int]]) -> tuple[float, float]:
    """Least squares gas = fixed + k × per."""
    n = len(points)
    mean_k = sum(k for k, _ in points) / n
    mean_g = sum(g for _, g in points) / n
    spread = sum((k - mean_k) ** 2 for k, _ in points)
    per = sum((k - mean_k) * (g - mean_g) for k, g in points) / spread if spread else 0.0
    return mean_g - per * mean_k, per


def openmoji_table(studio: Studio, bench: Bench, runs: int) -> str:
    """Planning the built-in model's training set (every member credited, none on the devnet) against planning
    one image; and the size of the group metadata the plan will write."""
    start = time.perf_counter()
    collection = ensure_openmoji_collection(studio.library.works, studio.library.members, studio.library.db)
    import_s = time.perf_counter() - start
    work_id = bench.image("planned image")
    options = PublishOptions(network="devnet", with_ancestors=False)
    image_s = _timed(lambda: studio.publish_planner.plan(work_id, options), runs)
    plans = []
    set_s = _timed(lambda: plans.append(studio.publish_planner.plan(collection.id, options)), runs)
    plan = plans[-1]
    assert plan.allowed, plan.refusal_text()
    (step,) = plan.steps
    assert isinstance(step, GroupStep)
    start = time.perf_counter()
    meta = group_metadata(step.work, terms=step.terms, wallet=plan.wallet, members=step.members)
    meta_s = time.perf_counter() - start
    rows = [["one image", f"{image_s * 1000:.0f} ms", "1.0×", "-"],
            [f"OpenMoji set ({len(step.members):,} members, {len(step.joining)} on the devnet)",
             f"{set_s * 1000:.0f} ms", f"{set_s / image_s:.1f}×", f"{len(meta.data):,} bytes"]]
    return (f"Planning the built-in model's training set, median of {runs} plans (fees included):\n\n"
            + markdown_table(rows, ["plan", "wall", "vs one image", "group metadata JSON"])
            + f"\n\nBuilding and hashing its metadata: {meta_s * 1000:.0f} ms; importing the set into a new "
              f"library: {import_s:.2f} s.")


def _timed(fn, runs: int) -> float:
    fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


if __name__ == "__main__":
    main()
