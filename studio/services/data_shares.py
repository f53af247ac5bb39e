"""What the data behind a published work receives: for each training set among the Story ancestors its
publication was predicted with, the group's share of the work's revenue and, per creator, what a payment of 1 IP
pays them (the royalty engine's figures, from the journal; no network is asked)."""

from __future__ import annotations

from studio.core.types import WorkKind, units_to_percent
from studio.errors import NotFound
from studio.report.model import DataCreatorShare, DataShare
from studio.royalty.groups import data_payout
from studio.store.group_members import GroupMemberRecords
from studio.store.publications import PublicationRecords
from studio.store.works import WorkRepository

PAYMENT = 10**18


def data_shares(work_id: str, publications: PublicationRecords, members: GroupMemberRecords,
                works: WorkRepository) -> tuple[DataShare, ...]:
    found: list[DataShare] = []
    for pub in publications.list(work_id=work_id, states=("confirmed",)):
        for ancestor in (pub.prediction or {}).get("ancestors") or ():
            try:
                group = works.get(str(ancestor.get("work_id")))
            except NotFound:
                continue
            if group.kind is not WorkKind.collection:
                continue
            rows = members.members_of(group.id, pub.network)
            creators = works.get_many([r.member_work_id for r in rows])
            payout = data_payout(group.id, group.title, PAYMENT, int(ancestor.get("royalty") or 0),
                                 [(r.member_ip, creators[r.member_work_id].creator) for r in rows])
            found.append(DataShare(
                network=pub.network, group_id=group.id, group_title=group.title, group_ip=ancestor.get("ip_id"),
                percent=units_to_percent(int(ancestor.get("royalty") or 0)), members=payout.members,
                due_wei=payout.group_due,
                creators=tuple(DataCreatorShare(c.creator or "unknown creator", c.members, c.amount)
                               for c in payout.creators),
            ))
    return tuple(found)
