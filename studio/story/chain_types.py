"""What the chain client hands out: calls ready to sign, signed transactions, receipts, metadata references and
registrations (plain values; web3's own objects stay inside studio.story.chain), and the few client functions the
Story contract readers beside it build on (`ContractAccess`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Call:
    """A contract function ready to be signed (opaque outside this module)."""

    fn: Any
    label: str
    value: int = 0

    @property
    def to(self) -> str:
        return str(self.fn.address)


@dataclass(frozen=True)
class SignedTx:
    hash: str
    nonce: int
    raw: str
    sender: str
    gas: int
    max_fee: int
    value: int
    label: str


@dataclass(frozen=True)
class Receipt:
    tx_hash: str
    status: int
    block: int
    gas_used: int
    gas_price: int
    raw: Any  # the web3 receipt, for event parsing in the client

    @property
    def ok(self) -> bool:
        return self.status == 1

    @classmethod
    def from_web3(cls, raw: Any) -> Receipt:
        return cls(
            tx_hash=raw["transactionHash"].to_0x_hex(),
            status=int(raw["status"]),
            block=int(raw["blockNumber"]),
            gas_used=int(raw["gasUsed"]),
            gas_price=int(raw.get("effectiveGasPrice", 0) or 0),
            raw=raw,
        )


@dataclass(frozen=True)
class MetadataRefs:
    ip_uri: str
    ip_hash: str
    nft_uri: str
    nft_hash: str

    def struct(self) -> dict[str, Any]:
        return {
            "ipMetadataURI": self.ip_uri,
            "ipMetadataHash": bytes.fromhex(self.ip_hash.removeprefix("0x")),
            "nftMetadataURI": self.nft_uri,
            "nftMetadataHash": bytes.fromhex(self.nft_hash.removeprefix("0x")),
        }


@dataclass(frozen=True)
class Registered:
    ip_id: str
    token_id: int
    nft_contract: str
    license_terms_ids: tuple[int, ...]


class ContractAccess(Protocol):
    """What `StoryContracts` and `StoryGroups` need of the chain client: ABI-bound contracts, views whose errors are
    named, EIP-55 addresses and a receipt's events. `ChainClient` is the one implementation."""

    def contract(self, name: str, address: str | None = None) -> Any: ...

    def view(self, fn: Any, what: str) -> Any: ...

    def address(self, value: str) -> str: ...

    def events(self, receipt: Receipt, contract: str, event: str) -> list[dict[str, Any]]: ...


UINT256_MAX = 2**256 - 1
RECEIPT_TIMEOUT_S = 120.0
# The contracts a publish, a payment or a claim relies on; each must have code before anything is written.
STORY_CONTRACTS = (
    "IPAssetRegistry", "LicensingModule", "PILicenseTemplate", "LicenseRegistry", "RoyaltyModule",
    "RoyaltyPolicyLAP", "RoyaltyPolicyLRP", "RegistrationWorkflows", "LicenseAttachmentWorkflows",
    "DerivativeWorkflows", "RoyaltyWorkflows", "CoreMetadataModule", "AccessController", "WIP",
)
