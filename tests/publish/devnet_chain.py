"""Test helpers over the devnet: PIL terms builders and a Chain that sends, decodes reverts and runs the flows."""

from __future__ import annotations

from typing import Any

from web3 import Web3
from web3.contract import Contract
from web3.contract.contract import ContractFunction
from web3.exceptions import ContractCustomError, ContractLogicError
from web3.logs import DISCARD
from web3.types import TxReceipt

from studio.story.devnet import Devnet
from studio.story.devnet.addresses import CANONICAL, ROYALTY_POLICY_LAP, WIP
from studio.story.devnet.artifacts import load_artifacts

ZERO = "0x0000000000000000000000000000000000000000"
ZERO_HASH = b"\x00" * 32
PCT = 1_000_000  # 1% on Story's scale (100% = 100_000_000)
EMPTY_METADATA = {"ipMetadataURI": "", "ipMetadataHash": ZERO_HASH, "nftMetadataURI": "", "nftMetadataHash": ZERO_HASH}
NO_CONFIG = {
    "isSet": False,
    "mintingFee": 0,
    "licensingHook": ZERO,
    "hookData": b"",
    "commercialRevShare": 0,
    "disabled": False,
    "expectMinimumGroupRewardShare": 0,
    "expectGroupRewardPool": ZERO,
}


def pil_terms(**overrides: Any) -> dict[str, Any]:
    """PIL terms as the ABI struct; the defaults are Non-Commercial Social Remixing."""
    terms = {
        "transferable": True,
        "royaltyPolicy": ZERO,
        "defaultMintingFee": 0,
        "expiration": 0,
        "commercialUse": False,
        "commercialAttribution": False,
        "commercializerChecker": ZERO,
        "commercializerCheckerData": b"",
        "commercialRevShare": 0,
        "commercialRevCeiling": 0,
        "derivativesAllowed": True,
        "derivativesAttribution": True,
        "derivativesApproval": False,
        "derivativesReciprocal": True,
        "derivativeRevCeiling": 0,
        "currency": ZERO,
        "uri": "",
    }
    unknown = set(overrides) - set(terms)
    assert not unknown, unknown
    terms.update(overrides)
    return terms


def commercial_remix(rev_share_pct: float, fee: int = 0, policy: str = ROYALTY_POLICY_LAP, **overrides: Any) -> dict:
    return pil_terms(
        royaltyPolicy=policy,
        defaultMintingFee=fee,
        commercialUse=True,
        commercialAttribution=True,
        commercialRevShare=int(rev_share_pct * PCT),
        currency=WIP,
        uri="https://example.test/commercial-remix.json",
        **overrides,
    )



def collection_params(owner: str, **overrides: Any) -> dict[str, Any]:
    """createCollection's settings: an open, publicly mintable collection `owner` runs (with `overrides`)."""
    return {
        "name": "Remixes",
        "symbol": "RMX",
        "baseURI": "",
        "contractURI": "",
        "maxSupply": 2**32 - 1,
        "mintFee": 0,
        "mintFeeToken": ZERO,
        "mintFeeRecipient": owner,
        "owner": owner,
        "mintOpen": True,
        "isPublicMinting": True,
        **overrides,
    }

class Chain:
    """A thin web3 layer over the devnet for tests: contracts by name, sends that must succeed, reverts
    decoded to the contracts' custom error names, and the app's publish flows in one call each."""

    def __init__(self, w3: Web3, devnet: Devnet) -> None:
        self.w3 = w3
        self.devnet = devnet
        self.artifacts = load_artifacts()
        self.accounts: list[str] = list(w3.eth.accounts)
        self.alice, self.bob, self.carol = self.accounts[0], self.accounts[1], self.accounts[2]
        self._collection: str | None = None

    # --- contracts ---

    def c(self, name: str, address: str | None = None) -> Contract:
        return self.w3.eth.contract(address=address or CANONICAL[name], abi=self.artifacts.contract(name).abi)

    def vault_of(self, ip: str) -> Contract:
        vault = self.c("RoyaltyModule").functions.ipRoyaltyVaults(ip).call()
        assert vault != ZERO, f"{ip} has no royalty vault"
        return self.c("IpRoyaltyVault", vault)

    # --- transactions ---

    def send(self, fn: ContractFunction, sender: str | None = None, value: int = 0) -> TxReceipt:
        tx_hash = fn.transact({"from": sender or self.alice, "value": value})
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash)
        assert receipt["status"] == 1
        return receipt

    def revert_name(self, fn: ContractFunction, sender: str | None = None, value: int = 0) -> str:
        """The custom error `fn` reverts with; fails the test if it succeeds."""
        try:
            fn.call({"from": sender or self.alice, "value": value})
        except ContractCustomError as exc:
            data = exc.data if isinstance(exc.data, str) else str(exc.message)
            signature = self.artifacts.error_signature(data)
            assert signature is not None, f"unknown revert data {data}"
            return signature.split("(", 1)[0]
        except ContractLogicError as exc:
            raise AssertionError(f"reverted without a custom error: {exc}") from exc
        raise AssertionError("the call did not revert")

    def events(self, receipt: TxReceipt, contract: str, event: str) -> list[dict[str, Any]]:
        found = getattr(self.c(contract).events, event)().process_receipt(receipt, errors=DISCARD)
        return [dict(e["args"]) for e in found]

    # --- flows ---

    def collection(self, owner: str | None = None, **overrides: Any) -> str:
        params = collection_params(owner or self.alice, **overrides)
        receipt = self.send(self.c("RegistrationWorkflows").functions.createCollection(params), owner)
        return self.events(receipt, "RegistrationWorkflows", "CollectionCreated")[0]["spgNftContract"]

    @property
    def spg(self) -> str:
        if self._collection is None:
            self._collection = self.collection()
        return self._collection

    def register_root(self, *terms: dict[str, Any], owner: str | None = None, configs: list[dict] | None = None):
        """A new IP with these terms attached; returns (ipId, [licenseTermsId...])."""
        data = [{"terms": t, "licensingConfig": (configs or [NO_CONFIG] * len(terms))[i]} for i, t in enumerate(terms)]
        fn = self.c("LicenseAttachmentWorkflows").functions.mintAndRegisterIpAndAttachPILTerms(
            self.spg, owner or self.alice, EMPTY_METADATA, data, True
        )
        receipt = self.send(fn, owner)
        ip = self.events(receipt, "IPAssetRegistry", "IPRegistered")[0]["ipId"]
        ids = [e["licenseTermsId"] for e in self.events(receipt, "LicensingModule", "LicenseTermsAttached")]
        return ip, ids

    def register_bare(self, owner: str | None = None) -> str:
        fn = self.c("RegistrationWorkflows").functions.mintAndRegisterIp(
            self.spg, owner or self.alice, EMPTY_METADATA, True
        )
        receipt = self.send(fn, owner)
        return self.events(receipt, "IPAssetRegistry", "IPRegistered")[0]["ipId"]

    def derivative_fn(
        self,
        parents: list[str],
        terms_ids: list[int],
        max_fee: int = 0,
        max_rev_share: int = 0,
        owner: str | None = None,
    ) -> ContractFunction:
        deriv = {
            "parentIpIds": parents,
            "licenseTemplate": CANONICAL["PILicenseTemplate"],
            "licenseTermsIds": terms_ids,
            "royaltyContext": b"",
            "maxMintingFee": max_fee,
            "maxRts": 100_000_000,
            "maxRevenueShare": max_rev_share,
        }
        return self.c("DerivativeWorkflows").functions.mintAndRegisterIpAndMakeDerivative(
            self.spg, deriv, EMPTY_METADATA, owner or self.alice, True
        )

    def register_derivative(self, parents: list[str], terms_ids: list[int], owner: str | None = None, **kw: Any) -> str:
        receipt = self.send(self.derivative_fn(parents, terms_ids, owner=owner, **kw), owner)
        return self.events(receipt, "IPAssetRegistry", "IPRegistered")[0]["ipId"]

    def wrap_and_approve(self, who: str, amount: int, spender: str) -> None:
        wip = self.c("WIP")
        self.send(wip.functions.deposit(), who, value=amount)
        self.send(wip.functions.approve(spender, amount), who)

    def pay(self, receiver: str, amount: int, payer_ip: str, sender: str | None = None) -> TxReceipt:
        sender = sender or self.bob
        self.wrap_and_approve(sender, amount, CANONICAL["RoyaltyModule"])
        return self.send(self.c("RoyaltyModule").functions.payRoyaltyOnBehalf(receiver, payer_ip, WIP, amount), sender)

    def wip_balance(self, who: str) -> int:
        return self.c("WIP").functions.balanceOf(who).call()

    def increase_time(self, seconds: int) -> None:
        self.devnet.rpc("evm_increaseTime", [seconds])
        self.devnet.rpc("evm_mine", [])
