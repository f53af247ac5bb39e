"""The demo on the devnet, the data's part: OpenMoji contributors put some of their emoji on Story, the built-in
model's training set goes on the devnet as a group of them and the model as its derivative; after the chain is
published and a tip is paid to its last image, the demo shows what each contributor can claim, read from the
chain, next to what the royalty engine predicted."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from studio.core.amounts import ip_text
from studio.core.amounts import percent_text as percent
from studio.core.types import Work, WorkKind, units_to_percent
from studio.licensing.training_sets import DEFAULT_GROUP_REV_SHARE
from studio.royalty.groups import creator_payouts, group_due
from studio.services.demo_events import Narrator
from studio.services.publishing import PublishOptions
from studio.services.studio import Studio
from studio.story.devnet.contributors import member_terms, pick_contributions, publish_contributions
from studio.story.group_revenue import collect_for_members
from studio.story.journal import Publication

OPENMOJI_PACKAGE = Path(__file__).resolve().parents[2] / "node_modules" / "openmoji"
CONTRIBUTORS = 3
EMOJI_EACH = 2
TIP_WEI = 10**18  # 1 IP
# The group's terms: the terms the demo's first image is made under, so that it links to the model.
GROUP_REV_SHARE = DEFAULT_GROUP_REV_SHARE
GROUP_POLICY = "lrp"


@dataclass(frozen=True)
class ModelOnChain:
    model: Work
    group: Publication
    members: dict[str, str]  # member IP -> its creator


def publish_model(studio: Studio, tell: Narrator) -> ModelOnChain | None:
    """Contributors publish a few emoji; the library links them to its OpenMoji works; the model's training set
    goes on the devnet as their group, the model as its derivative. None for a built-in model without a
    training set (the untrained `studio-tiny`)."""
    net = studio.publish_setup.network("devnet")
    model = studio.models.builtin().work
    collection = next((p for p in studio.lineage(model.id).works.values() if p.kind is WorkKind.collection), None)
    if collection is None:
        tell.line(f"  the built-in model {model.title} learned from no data, so no training set goes on Story")
        return None
    tell.heading(f"The data's creators on Story: {CONTRIBUTORS} OpenMoji contributors publish {EMOJI_EACH} emoji "
                 "each")
    picked = pick_contributions(studio.library, collection.id, creators=CONTRIBUTORS, each=EMOJI_EACH,
                                package_dir=OPENMOJI_PACKAGE)
    with tell.working("contributors publishing their emoji"):
        chain = studio.publish_setup.client(net)
        published = publish_contributions(chain, studio.publish_setup.storage(net), picked,
                                          member_terms(studio.catalog, GROUP_REV_SHARE))
    for item in published:
        work = studio.ip_importer.import_ip(item.ip_id, "devnet")
        tell.line(f"  {item.contribution.creator:<22} “{item.contribution.title[:28]}” IP {item.ip_id} "
                  f"-> the library's {work.id}")
    tell.raise_if_cancelled()
    tell.heading(f"Publishing the built-in model's training set and the model on the devnet ({model.title})")
    with tell.working("publishing the training set and the model"):
        results = studio.publish(model.id, PublishOptions(network="devnet", rev_share=GROUP_REV_SHARE))
    for result in results:
        pub = result.publication
        kind = "group" if (pub.prediction or {}).get("kind") == "group" else "model"
        tell.line(f"  {pub.work_id}  {studio.work(pub.work_id).title[:30]:<30} {kind:<5} IP {pub.ip_id} "
                  f"({len(result.transactions)} tx)")
    group = studio.journal.confirmed(collection.id, "devnet")
    assert group is not None and group.ip_id
    rows = studio.library.group_members.members_of(collection.id, "devnet")
    creators = {item.ip_id.lower(): item.contribution.creator for item in published}
    members = {r.member_ip: creators.get(r.member_ip.lower(), studio.work(r.member_work_id).creator or "")
               for r in rows}
    total = studio.library.members.count(collection.id)
    tell.line(f"  the group pays {len(members)} members on the devnet; all {total:,} works are credited in its "
              "metadata")
    return ModelOnChain(model, group, members)


def tip_and_show_data_earnings(studio: Studio, tell: Narrator, on_chain: ModelOnChain, image: Publication) -> None:
    """Pay a tip to the image, collect the group's share into its members' vaults, and compare each contributor's
    claimable WIP with the engine's prediction."""
    net = studio.publish_setup.network("devnet")
    title = studio.work(image.work_id).title
    tell.heading(f"A tip of 1 IP to “{title}”: what the OpenMoji contributors can claim")
    group_ip = on_chain.group.ip_id or ""
    share = next((a["royalty"] for a in (image.prediction or {}).get("ancestors", [])
                  if (a.get("ip_id") or "").lower() == group_ip.lower()), None)
    if share is None:
        tell.line("  the image is not linked to the model on the devnet, so nothing reaches the data's creators")
        return
    with tell.working("paying the tip and collecting the group's share"):
        studio.revenue.pay(image.work_id, TIP_WEI, "devnet")
        chain = studio.publish_setup.client(net)
        members = list(on_chain.members)
        collect_for_members(chain, studio.publish_setup.key(net), group_ip, members)
        received = {ip: chain.contracts.claimable(ip, ip) for ip in members}
    due = group_due(TIP_WEI, share)
    predicted = {p.creator: p for p in creator_payouts(due, [(ip, c) for ip, c in on_chain.members.items()])}
    rows = []
    for creator in sorted(predicted):
        got = sum(amount for ip, amount in received.items() if on_chain.members[ip] == creator)
        rows.append((creator, str(predicted[creator].members), f"{predicted[creator].amount:,}", f"{got:,}"))
    tell.line(f"  the training set's group is owed {percent(units_to_percent(share))} of what “{title}” earns "
              f"(LRP, through the model): {ip_text(due)} ({due:,} wei) of the tip, shared evenly by its "
              f"{len(members)} members")
    tell.table(rows, ["contributor", "emoji", "engine (wei)", "chain (wei)"])
    agrees = all(row[2] == row[3] for row in rows)
    tell.line("  the chain agrees with the engine" if agrees else "  the chain DIFFERS from the engine")
