"""OpenMoji contributors publish their own emoji on the devnet: the stand-in, on a local chain, for the data's
creators putting their work on Story themselves, so that a training-set group can add it as a member.

Each creator is one of anvil's public development accounts (keys 1 to 8: printed in anvil's own documentation,
worthless, and meaningful on a local chain only; account 9 is the demo's own wallet). Each emoji becomes a root
IP in its creator's own NFT collection, with IP metadata naming its title, creator and the SVG's sha256 as
mediaHash (and its URL when the SVG's bytes are given), and with the given PIL terms attached under a licensing
config that offers them to the even-split group pool, set in the same transaction as the registration so no
emoji is ever on chain without it. Any network but the devnet is refused.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from studio.core.types import Work
from studio.errors import InvalidInput
from studio.licensing import LicenseCatalog, PilTerms, WorkTerms, effective_pil
from studio.secrets import Secret
from studio.store.library import Library
from studio.story.chain_types import MetadataRefs
from studio.story.errors import PublishError
from studio.story.group_publisher import pool_config
from studio.story.metadata import EncodedJson
from studio.story.storage import Storage
from studio.story.terms import terms_struct
from studio.story.wallet import address_of, devnet_dev_key

if TYPE_CHECKING:  # the client loads web3: it is handed over, never imported to run
    from studio.story.chain import ChainClient

# anvil's development accounts 1..8 (test test ... junk): public keys for a local chain, never for value.
DEV_ACCOUNTS = range(1, 9)


@functools.cache
def dev_keys() -> tuple[str, ...]:
    """The contributors' keys, derived from anvil's published mnemonic when first needed."""
    return tuple(devnet_dev_key(index).reveal() for index in DEV_ACCOUNTS)
IP = 10**18
FUNDING = 1_000 * IP  # a contributor is topped up to this when it holds less than a tenth of it
SVG_TYPE = "image/svg+xml"
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Contribution:
    """One emoji a creator publishes: the library work's title, creator and sha256, and its file (an SVG) when at
    hand."""

    title: str
    creator: str
    sha256: str
    svg: bytes | None = None
    media_type: str = SVG_TYPE


@dataclass(frozen=True)
class ContributedIp:
    contribution: Contribution
    ip_id: str
    owner: str
    license_terms_id: int
    metadata_uri: str


def member_terms(catalog: LicenseCatalog, rev_share: int) -> PilTerms:
    """PIL Commercial Remix under the LRP policy with `rev_share` (Story units), no minting fee, paid in WIP: the
    terms a training-set group offers, which its members must carry."""
    return effective_pil(WorkTerms(catalog.get("pil-commercial-remix"), rev_share=rev_share, minting_fee=0,
                                   royalty_policy="lrp"))


def pool_offer() -> dict[str, Any]:
    """The licensing config that offers a member's terms to the even-split group pool."""
    return pool_config()


def publish_contributions(chain: ChainClient, storage: Storage, contributions: Sequence[Contribution],
                          terms: PilTerms) -> list[ContributedIp]:
    """Each contribution registered as a root IP by its creator's development account, in the order given."""
    if not chain.network.is_devnet:
        raise PublishError(f"contributors publish with anvil's public development accounts, which exist on the "
                           f"devnet only, not on {chain.network.name}", hint="use --network devnet")
    _check(contributions, terms)
    creators = list(dict.fromkeys(c.creator for c in contributions))
    if len(creators) > len(DEV_ACCOUNTS):
        raise InvalidInput(f"{len(creators)} creators, but the devnet has {len(DEV_ACCOUNTS)} development accounts "
                           "to publish for them", hint=f"pick at most {len(DEV_ACCOUNTS)} creators")
    chain.require_code()
    accounts = {creator: Secret(dev_keys()[i]) for i, creator in enumerate(creators)}
    collections = {creator: _collection(chain, key, creator) for creator, key in accounts.items()}
    struct, config = terms_struct(terms), pool_offer()
    published: list[ContributedIp] = []
    for item in contributions:
        key = accounts[item.creator]
        owner = address_of(key)
        refs = _metadata(storage, item, owner)
        call = chain.contracts.register_root(collections[item.creator], owner, refs, [(struct, config)])
        receipt = chain.transact(key, call)
        registered = chain.contracts.registered(receipt)
        published.append(ContributedIp(item, registered.ip_id, owner, registered.license_terms_ids[0], refs.ip_uri))
    return published


def pick_contributions(library: Library, collection_id: str, *, creators: int, each: int,
                       package_dir: Path | None = None) -> list[Contribution]:
    """`each` emoji from each of the first `creators` creators of the collection (in member order) to have that
    many; the SVG is read from the openmoji package folder when given and its bytes match the work's sha256."""
    if creators < 1 or each < 1:
        raise InvalidInput("pick at least one creator and one work each")
    found: dict[str, list[Work]] = {}
    for work_id in library.members.members(collection_id):
        work = library.works.get(work_id)
        if not work.creator:
            continue
        picked = found.setdefault(work.creator, [])
        if len(picked) < each:
            picked.append(work)
        full = [works for works in found.values() if len(works) == each]
        if len(full) == creators:
            return [Contribution(w.title, w.creator or "", w.sha256, _svg(package_dir, w.location, w.sha256))
                    for works in full for w in works]
    raise InvalidInput(f"the collection has fewer than {creators} creators with {each} works each",
                       hint="ask for fewer creators or fewer works each")


def _check(contributions: Sequence[Contribution], terms: PilTerms) -> None:
    if terms.royalty_policy != "lrp" or terms.default_minting_fee or terms.currency != "WIP":
        raise InvalidInput("a group member's terms must be under the LRP policy, with no minting fee, in WIP",
                           hint="build them with member_terms()")
    for item in contributions:
        if not _SHA256.fullmatch(item.sha256):
            raise InvalidInput(f"“{item.title}” has no sha256 of its file ({item.sha256!r})")
        if item.svg is not None and hashlib.sha256(item.svg).hexdigest() != item.sha256:
            raise InvalidInput(f"the SVG given for “{item.title}” is not the file of sha256 {item.sha256[:12]}…")


def _collection(chain: ChainClient, key: Secret, creator: str) -> str:
    owner = address_of(key)
    if chain.balance(owner) < FUNDING // 10:
        chain.fund(owner, FUNDING)
    receipt = chain.transact(key, chain.contracts.create_collection(owner, f"OpenMoji by {creator}"[:100], "OPENMOJI"))
    return chain.contracts.collection_created(receipt)


def _metadata(storage: Storage, item: Contribution, owner: str) -> MetadataRefs:
    media_hash = "0x" + item.sha256
    description = f"{item.title}, an OpenMoji emoji by {item.creator} (CC BY-SA 4.0), published by its creator."
    media: dict[str, Any] = {}
    if item.svg is not None:
        uri = storage.put(item.svg, item.sha256, item.media_type)
        media = {"image": uri, "imageHash": media_hash, "mediaUrl": uri}
    ip = EncodedJson.of({
        "title": item.title, "description": description,
        "creators": [{"name": item.creator, "address": owner, "contributionPercent": 100}],
        **media, "mediaHash": media_hash, "mediaType": item.media_type, "ipType": "image",
    })
    nft = EncodedJson.of({
        "name": item.title, "description": description, **({"image": media["image"]} if media else {}),
        "attributes": [{"trait_type": "Creator", "value": item.creator},
                       {"trait_type": "License", "value": "CC BY-SA 4.0"}],
    })
    ip_uri = storage.put(ip.data, "ip-metadata.json", "application/json")
    nft_uri = storage.put(nft.data, "nft-metadata.json", "application/json")
    return MetadataRefs(ip_uri, ip.hash, nft_uri, nft.hash)


def _svg(package_dir: Path | None, location: str | None, sha256: str) -> bytes | None:
    """The SVG of an OpenMoji work (location `npm:openmoji@VERSION/color/svg/HEX.svg`) from the package folder."""
    if package_dir is None or not location or "/" not in location:
        return None
    path = Path(package_dir) / location.split("/", 1)[1]
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return data if hashlib.sha256(data).hexdigest() == sha256 else None
