"""The license and royalty engines agree with the chain: over a seeded set of generated lineages, every
publication the engines allow is accepted on chain (and read back as predicted), and every one they refuse
reverts when sent to the chain directly."""

from __future__ import annotations

import random
from dataclasses import dataclass

import pytest
from publish_helpers import (
    DEAD_END_LICENSE,
    WIP_UNIT,
    catalogue_with_dead_end,
    forget_wallet,
    open_desk,
    send_remix_directly,
)

from studio.core.types import Work
from studio.services.publishing import PublishOptions
from studio.story.errors import ChainReverted

SEED = 1315
CASES = 34
# The error Story's contracts revert with for each refusal of the engines (the same on the devnet).
STORY_ERRORS = {
    "flagged": {"LicensingModule__LicenseNotCompatibleForDerivative"},
    "pil_reciprocal_mismatch": {"LicensingModule__LicenseNotCompatibleForDerivative"},
    "pil_no_derivatives": {"LicensingModule__LicenseNotCompatibleForDerivative"},
    "lap_parent_stack_above_100": {"RoyaltyPolicyLAP__AboveMaxPercent"},
    "lap_stack_above_100": {"RoyaltyModule__AboveMaxPercent"},
    "lrp_parent_stack_above_100": {"RoyaltyPolicyLRP__AboveMaxPercent"},
    "lrp_stack_above_100": {"RoyaltyModule__AboveMaxPercent"},
}


@dataclass(frozen=True)
class Outcome:
    case: str
    engine_allows: bool
    chain_accepts: bool
    detail: str
    expected_errors: frozenset[str] = frozenset()
    error: str = ""

    @property
    def agrees(self) -> bool:
        if self.engine_allows != self.chain_accepts:
            return False
        return self.engine_allows or self.error in self.expected_errors


class Lineages:
    """Random PIL works on one desk: roots under random terms, remixes of one or two of them, remixes of
    remixes (with a raised share or a non-reciprocal middle)."""

    def __init__(self, desk, rng: random.Random) -> None:
        self.desk = desk
        self.rng = rng
        self.outcomes: list[Outcome] = []

    def root(self, name: str) -> Work:
        kind = self.rng.choice(["ncsr", "remix", "remix", "remix", "use", "once", "cc-by"])
        if kind == "ncsr":
            return self.desk.work(name, license_id="pil-non-commercial-social-remixing", owned=False)
        if kind == "use":
            return self.desk.work(name, license_id="pil-commercial-use", owned=False)
        if kind == "cc-by":
            return self.desk.work(name, license_id="pil-cc-by", owned=False)
        share = self.rng.choice([0, 5, 10, 30, 60])
        fee = self.rng.choice([0, 0, WIP_UNIT])
        policy = self.rng.choice(["lap", "lap", "lrp"])
        license_id = DEAD_END_LICENSE if kind == "once" else "pil-commercial-remix"
        return self.desk.work(name, license_id=license_id, rev_share=share, minting_fee=fee or None,
                              royalty_policy=policy, owned=False)

    def remix(self, name: str, parents: list[Work], *, override: float | None = None) -> Work:
        dead_end = any(p.license_id == DEAD_END_LICENSE for p in parents)
        return self.desk.work(name, parents=parents, owned=False, override=override,
                              license_id=DEAD_END_LICENSE if dead_end and len(parents) == 1 else None)

    def try_publish(self, work: Work, parents: list[Work], case: str) -> bool:
        """Publish as the studio would; when the engines refuse, send it anyway. True when it is on chain."""
        studio = self.desk.studio
        plan = studio.publish_planner.plan(work.id, PublishOptions(with_ancestors=False))
        if plan.allowed:
            (result,) = studio.publish_runner.execute(plan)
            pub = result.publication
            agrees = pub.state == "confirmed" and pub.readback["agrees"]
            detail = "" if agrees else f"{pub.state}: {pub.error or pub.readback.get('differences')}"
            self.outcomes.append(Outcome(case, True, agrees, detail))
            return agrees
        codes = sorted({r.code for r in plan.refusals})
        assert "parent_not_on_chain" not in codes, (case, plan.refusals)
        sent = send_remix_directly(self.desk, parents) if parents else "a root"
        accepted = not isinstance(sent, ChainReverted)
        reverted = "" if accepted else str(sent.error_name)
        expected = frozenset().union(*(STORY_ERRORS.get(c, set()) for c in codes))
        self.outcomes.append(Outcome(case, False, accepted, f"engine {codes} / chain {reverted}", expected, reverted))
        return False

    def case(self, n: int) -> None:
        shape = self.rng.choice(["one", "one", "two", "chain", "chain"])
        a = self.root(f"c{n} root A")
        if not self.try_publish(a, [], f"{n}: root {a.license_id}"):
            return
        if shape == "one":
            child = self.remix(f"c{n} remix", [a])
            self.try_publish(child, [a], f"{n}: remix of {_terms(a)}")
        elif shape == "two":
            b = self.root(f"c{n} root B") if self.rng.random() < 0.6 else self._twin(a, f"c{n} root B")
            if not self.try_publish(b, [], f"{n}: root {b.license_id}"):
                return
            child = self.remix(f"c{n} blend", [a, b])
            self.try_publish(child, [a, b], f"{n}: remix of {_terms(a)} + {_terms(b)}")
        else:
            override = self.rng.choice([None, None, 20, 50, 70]) if a.terms.rev_share is not None else None
            if override is not None and override * 1_000_000 < (a.terms.rev_share or 0):
                override = None
            mid = self.remix(f"c{n} mid", [a], override=override)
            if not self.try_publish(mid, [a], f"{n}: remix of {_terms(a)} raising to {override}"):
                return
            child = self.remix(f"c{n} end", [mid])
            self.try_publish(child, [mid], f"{n}: remix of a remix of {_terms(a)} (raised to {override})")

    def _twin(self, a: Work, name: str) -> Work:
        """Another root under exactly A's terms, so that a blend of both is allowed."""
        return self.desk.work(name, license_id=a.license_id, owned=False,
                              rev_share=None if a.terms.rev_share is None else a.terms.rev_share / 1_000_000,
                              minting_fee=a.terms.minting_fee, royalty_policy=a.terms.royalty_policy)


def _terms(work: Work) -> str:
    share = f" {work.terms.rev_share / 1_000_000:g}%" if work.terms.rev_share else ""
    policy = f" {work.terms.royalty_policy}" if work.terms.royalty_policy else ""
    return f"{work.license_id}{share}{policy}"


def _line(o: Outcome) -> str:
    mark = "ok " if o.agrees else "BAD"
    engine = "allows" if o.engine_allows else "refuses"
    chain = "accepts" if o.chain_accepts else "reverts"
    return f"{mark} {o.case}: engine {engine}, chain {chain} {o.detail}"


@pytest.fixture
def desk(chain, devnet, tmp_path, monkeypatch):
    monkeypatch.setenv("STUDIO_LICENSES_DIR", str(catalogue_with_dead_end(tmp_path)))
    d = open_desk(tmp_path / "lib", devnet, tmp_path, monkeypatch)
    d.studio.publish_setup.create_wallet()
    yield d
    forget_wallet(d)
    d.studio.close()


def test_engines_and_chain_agree_on_generated_lineages(desk) -> None:
    lineages = Lineages(desk, random.Random(SEED))
    for n in range(CASES):
        lineages.case(n)
    outcomes = lineages.outcomes
    report = "\n".join(_line(o) for o in outcomes)
    print("\n" + report)
    assert all(o.agrees for o in outcomes), report
    remixes = [o for o in outcomes if "root" not in o.case.split(":", 1)[1]]
    assert len(remixes) >= 30, report
    assert sum(o.engine_allows for o in remixes) >= 8 and sum(not o.engine_allows for o in remixes) >= 8, report
