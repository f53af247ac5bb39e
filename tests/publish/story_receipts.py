"""Receipts of the transactions the studio sends, on Story's own contracts: protocol-core-v1 and
protocol-periphery-v1 v1.3.2 (solc 0.8.26, cancun, 20,000 optimizer runs, OpenZeppelin 5.2.0, erc6551 0.3.1,
solady 0.0.285) deployed at Story's canonical addresses on anvil (chain id 1315), with story-geth's IP-graph
rules at 0x0101, everything sent through the studio's own publish path (measured 2026-12-07, twice: the second
run added 16-parent remixes, ladders of diamonds and plans paying several minting fees; BENCHMARKS.md, "Gas
against Story's contracts", says how). The suite cannot reach those contracts, so the gas the studio counts
for a transaction it cannot have the node estimate is checked against these.

`gas_used` is the receipt's; `story_gas` is the same with the IP-graph contract's own gas replaced by what
story-geth's precompile charges (a transaction without IP-graph calls has both equal)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Receipt:
    kind: str  # the transaction, as the fee estimate counts it
    what: str
    gas_used: int
    story_gas: int
    terms_known: bool = True  # a root: its terms were registered before it
    parents: int = 0  # a remix: its parents, those whose vault it deploys, those whose minting fee it pays
    without_vault: int = 0
    paid: int = 0
    members: int = 0  # an add: the members it adds, and whether it is the group's first add
    first: bool = True


RECEIPTS = (
    Receipt("collection", "a wallet's collection", 586_071, 586_071),
    Receipt("root", "a root whose registration registers PIL Commercial Remix 5% (LAP)", 1_519_347, 1_514_253,
            terms_known=False),
    Receipt("root", "a root registering PIL Commercial Remix 10% (LRP)", 1_485_202, 1_480_108, terms_known=False),
    Receipt("root", "a root registering PIL Commercial Remix 5% with a 1 WIP minting fee", 1_522_426, 1_517_332,
            terms_known=False),
    Receipt("root", "a root under known terms, its collection's first mint", 1_235_438, 1_230_344),
    Receipt("root", "a root under known terms", 1_218_314, 1_213_220),
    Receipt("root", "a root under known terms (LRP)", 1_218_405, 1_213_311),
    Receipt("remix", "a child of a root that had no remix", 2_621_179, 2_507_901, parents=1, without_vault=1),
    Receipt("remix", "a LoRA of a training set's group", 2_611_404, 2_522_298, parents=1, without_vault=1),
    Receipt("remix", "a model of a group published in the same plan", 2_611_471, 2_522_365, parents=1,
            without_vault=1),
    Receipt("remix", "a grandchild", 2_283_761, 2_164_280, parents=1),
    Receipt("remix", "a second child of a root", 2_258_159, 2_144_881, parents=1),
    Receipt("remix", "a remix raising its share, of a remix", 2_301_574, 2_164_359, parents=1),
    Receipt("remix", "an image of a root and a LoRA", 3_090_557, 2_943_755, parents=2, without_vault=1),
    Receipt("remix", "an image of a root and a LoRA, the root in the same plan", 3_073_481, 2_926_679,
            parents=2, without_vault=1),
    Receipt("remix", "the tip of a diamond (LAP)", 2_775_946, 2_592_574, parents=2),
    Receipt("remix", "the tip of a double diamond (LAP)", 2_796_465, 2_592_653, parents=2),
    Receipt("remix", "the tip of a diamond (LRP)", 2_757_589, 2_600_158, parents=2),
    Receipt("remix", "a remix of two roots", 3_445_972, 3_279_883, parents=2, without_vault=2),
    Receipt("remix", "a remix of three remixes (LRP)", 3_234_593, 3_027_897, parents=3),
    Receipt("remix", "a remix of three works (LAP)", 3_209_838, 2_983_890, parents=3),
    Receipt("remix", "a child paying a 1 WIP minting fee to a root", 2_796_213, 2_682_935, parents=1,
            without_vault=1, paid=1),
    Receipt("remix", "a second child paying the root's fee", 2_319_920, 2_206_642, parents=1, paid=1),
    Receipt("remix", "a grandchild paying its parent's fee", 2_513_891, 2_394_410, parents=1, paid=1),
    Receipt("remix", "the tip of a ladder of three diamonds (LAP, 8 paths to the root)", 2_829_398, 2_592_629,
            parents=2),
    Receipt("remix", "a remix of 16 parents holding vaults (LAP)", 9_695_674, 8_582_337, parents=16),
    Receipt("remix", "a remix of 16 parents holding vaults (LRP)", 9_652_154, 8_589_524, parents=16),
    Receipt("remix", "a remix of 16 roots that had no remix (LAP)", 15_033_041, 14_080_242, parents=16,
            without_vault=16),
    Receipt("remix", "a remix of 16 roots that had no remix (LRP)", 14_989_557, 14_087_465, parents=16,
            without_vault=16),
    Receipt("remix", "the tip of a diamond paying both parents' minting fees", 3_185_996, 3_009_729, parents=2,
            paid=2),
    Receipt("raise", "raising a remix's rev share", 314_103, 314_103),
    Receipt("raise", "raising a remix's rev share, its parent in the same plan", 314_115, 314_115),
    Receipt("deposit", "wrapping 1 IP into WIP for a wallet holding none", 68_804, 68_804),
    Receipt("deposit_more", "wrapping 1 IP into WIP for a wallet holding some", 51_704, 51_704),
    Receipt("deposit_more", "a later wrap of IP into WIP in a plan paying three minting fees", 51_704, 51_704),
    Receipt("approve", "approving WIP for DerivativeWorkflows", 46_383, 46_383),
    Receipt("terms", "registering a group's terms (PIL Commercial Remix 7%, LRP)", 341_176, 341_176),
    Receipt("group", "the network's first group", 1_054_977, 1_049_883),
    Receipt("group", "a group of three imported works", 1_037_877, 1_032_783),
    Receipt("group", "a group", 1_020_777, 1_015_683),
    Receipt("metadata", "describing a group", 309_217, 309_217),
    Receipt("metadata", "describing a group of imported works", 309_205, 309_205),
    Receipt("attach", "attaching a group's terms to a member", 294_192, 289_098),
    Receipt("attach", "attaching a group's terms to a member", 294_180, 289_086),
    Receipt("config", "offering a member to the group's pool", 307_994, 307_994),
    Receipt("config", "offering a member to the group's pool", 307_982, 307_982),
    Receipt("add", "a group's first add, 1 member", 496_580, 496_580, members=1),
    Receipt("add", "a group's first add, 3 own members", 780_704, 780_704, members=3),
    Receipt("add", "a group's first add, 3 imported members", 780_716, 780_716, members=3),
    Receipt("add", "a group's first add, 5 members", 1_064_850, 1_064_850, members=5),
    Receipt("add", "a later add, 1 member", 462_368, 462_368, members=1, first=False),
    Receipt("add", "a later add, 2 members, the group has a derivative", 631_543, 631_543, members=2, first=False),
    Receipt("add", "a later add, 3 members, the group has a derivative", 773_615, 773_615, members=3, first=False),
)
