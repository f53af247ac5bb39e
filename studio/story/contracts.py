"""Story's core contracts as the studio uses them: the transactions it builds (as `Call`s for the chain client to
sign and send), the views it reads and the events it decodes, for IP registration, licensing, royalties and WIP.
Plain ABI calls through the client's `ContractAccess`, so that web3 itself stays in studio.story.chain; a client
hands out its own as `client.contracts`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from studio.story.chain_types import Call, ContractAccess, MetadataRefs, Receipt, Registered
from studio.story.devnet.addresses import CORE_METADATA_MODULE, PIL_TEMPLATE, WIP
from studio.story.errors import PublishError
from studio.story.terms import POLICY_ADDRESSES, ZERO_ADDRESS

MAX_RTS = 100_000_000
_KEY_BYTES32 = {name: name.encode().ljust(32, b"\x00") for name in ("METADATA_URI", "METADATA_HASH", "NFT_TOKEN_URI")}


class StoryContracts:
    """Calls to build, views to read and events to decode on Story's core contracts, through one chain client."""

    def __init__(self, chain: ContractAccess) -> None:
        self._contract = chain.contract
        self._view = chain.view
        self._address = chain.address
        self._events = chain.events

    # --- transactions -----------------------------------------------------------------------------

    def create_collection(self, owner: str, name: str, symbol: str) -> Call:
        params = {
            "name": name, "symbol": symbol, "baseURI": "", "contractURI": "", "maxSupply": 2**32 - 1,
            "mintFee": 0, "mintFeeToken": ZERO_ADDRESS, "mintFeeRecipient": owner, "owner": owner,
            "mintOpen": True, "isPublicMinting": False,
        }
        fn = self._contract("RegistrationWorkflows").functions.createCollection(params)
        return Call(fn, "creating the wallet's collection")

    def register_root(self, spg: str, recipient: str, metadata: MetadataRefs,
                      terms: list[tuple[dict[str, Any], dict[str, Any]]]) -> Call:
        data = [{"terms": t, "licensingConfig": c} for t, c in terms]
        fn = self._contract("LicenseAttachmentWorkflows").functions.mintAndRegisterIpAndAttachPILTerms(
            self._address(spg), self._address(recipient), metadata.struct(), data, True
        )
        return Call(fn, "registering the work with its license terms")

    def register_derivative(self, spg: str, recipient: str, metadata: MetadataRefs, parents: list[str],
                            terms_ids: list[int], max_minting_fee: int, max_revenue_share: int) -> Call:
        deriv = {
            "parentIpIds": [self._address(p) for p in parents],
            "licenseTemplate": PIL_TEMPLATE,
            "licenseTermsIds": terms_ids,
            "royaltyContext": b"",
            "maxMintingFee": max_minting_fee,
            "maxRts": MAX_RTS,
            "maxRevenueShare": max_revenue_share,
        }
        fn = self._contract("DerivativeWorkflows").functions.mintAndRegisterIpAndMakeDerivative(
            self._address(spg), deriv, metadata.struct(), self._address(recipient), True
        )
        return Call(fn, "registering the remix and linking it to its parents")

    def set_licensing_config(self, ip_id: str, terms_id: int, config: dict[str, Any]) -> Call:
        fn = self._contract("LicensingModule").functions.setLicensingConfig(
            self._address(ip_id), PIL_TEMPLATE, terms_id, config
        )
        return Call(fn, "raising the rev share this work's remixes pay")

    def wip_deposit(self, amount: int) -> Call:
        return Call(self._contract("WIP").functions.deposit(), "wrapping IP into WIP", value=amount)

    def wip_approve(self, spender: str, amount: int) -> Call:
        fn = self._contract("WIP").functions.approve(self._address(spender), amount)
        return Call(fn, "approving WIP for Story")

    def pay_royalty(self, receiver: str, payer: str, amount: int) -> Call:
        fn = self._contract("RoyaltyModule").functions.payRoyaltyOnBehalf(
            self._address(receiver), self._address(payer), WIP, amount
        )
        return Call(fn, "paying the work")

    def transfer_to_vault(self, policy: str, ip_id: str, ancestor: str) -> Call:
        """What `ip_id` owes `ancestor` under `policy` (lap or lrp), moved from the policy into the ancestor's
        vault: for a group, where `StoryGroups.collect_royalties` finds it."""
        fn = self._contract(_policy_contract(policy), POLICY_ADDRESSES[policy]).functions.transferToVault(
            self._address(ip_id), self._address(ancestor), WIP)
        return Call(fn, "moving a remix's royalties into its ancestor's vault")

    def register_terms(self, struct: dict[str, Any]) -> Call:
        """Registers PIL terms (Story returns the existing id for terms already registered)."""
        return Call(self._contract("PILicenseTemplate").functions.registerLicenseTerms(struct),
                    "registering the training set's license terms")

    def attach_terms(self, ip_id: str, terms_id: int) -> Call:
        fn = self._contract("LicensingModule").functions.attachLicenseTerms(self._address(ip_id), PIL_TEMPLATE,
                                                                           terms_id)
        return Call(fn, "offering a member's work under the training set's terms")

    def set_ip_metadata(self, ip_id: str, uri: str, digest: str) -> Call:
        """The IP's metadata URI and hash (a group's NFT is the grouping module's, so only these two are set)."""
        fn = self._contract("CoreMetadataModule").functions.setMetadataURI(
            self._address(ip_id), uri, bytes.fromhex(digest.removeprefix("0x")))
        return Call(fn, "describing the training set's group")

    # --- reads -----------------------------------------------------------------------------

    def wip_balance(self, address: str) -> int:
        return int(self._view(self._contract("WIP").functions.balanceOf(self._address(address)),
                             "reading the WIP balance"))

    def wip_allowance(self, owner: str, spender: str) -> int:
        fn = self._contract("WIP").functions.allowance(self._address(owner),
                                                       self._address(spender))
        return int(self._view(fn, "reading the WIP allowance"))

    def is_registered(self, ip_id: str) -> bool:
        fn = self._contract("IPAssetRegistry").functions.isRegistered(self._address(ip_id))
        return bool(self._view(fn, "checking an IP asset"))

    def predict_fee(self, ip_id: str, terms_id: int, receiver: str) -> tuple[str, int]:
        fn = self._contract("LicensingModule").functions.predictMintingLicenseFee(
            self._address(ip_id), PIL_TEMPLATE, terms_id, 1, self._address(receiver), b""
        )
        currency, amount = self._view(fn, "predicting a parent's minting fee")
        return str(currency), int(amount)

    def terms_id(self, struct: dict[str, Any]) -> int:
        """The id Story gave these exact terms, or 0 when they are not registered."""
        return int(self._view(self._contract("PILicenseTemplate").functions.getLicenseTermsId(struct),
                             "looking up license terms"))

    def license_terms(self, terms_id: int) -> dict[str, Any]:
        return self._struct(self._contract("PILicenseTemplate").functions.getLicenseTerms(terms_id),
                            "reading license terms")

    def attached_terms(self, ip_id: str) -> list[int]:
        registry, ip = self._contract("LicenseRegistry").functions, self._address(ip_id)
        found = self._each(registry.getAttachedLicenseTermsCount(ip), lambda i: registry.getAttachedLicenseTerms(ip, i),
                           "reading attached terms")
        return [int(item[1]) for item in found]

    def parents(self, ip_id: str) -> list[str]:
        registry, ip = self._contract("LicenseRegistry").functions, self._address(ip_id)
        found = self._each(registry.getParentIpCount(ip), lambda i: registry.getParentIp(ip, i), "reading parents")
        return [str(item) for item in found]

    def derivatives(self, ip_id: str) -> list[str]:
        registry, ip = self._contract("LicenseRegistry").functions, self._address(ip_id)
        found = self._each(registry.getDerivativeIpCount(ip), lambda i: registry.getDerivativeIp(ip, i),
                           "reading remixes")
        return [str(item) for item in found]

    def parent_terms(self, child: str, parent: str) -> int:
        fn = self._contract("LicenseRegistry").functions.getParentLicenseTerms(
            self._address(child), self._address(parent))
        return int(self._view(fn, "reading the terms of a link")[1])

    def royalty_percent(self, ip_id: str, terms_id: int) -> int:
        fn = self._contract("LicenseRegistry").functions.getRoyaltyPercent(
            self._address(ip_id), PIL_TEMPLATE, terms_id)
        return int(self._view(fn, "reading a royalty percent"))

    def licensing_config(self, ip_id: str, terms_id: int) -> dict[str, Any]:
        fn = self._contract("LicenseRegistry").functions.getLicensingConfig(
            self._address(ip_id), PIL_TEMPLATE, terms_id)
        return self._struct(fn, "reading a licensing config")

    def policy_stack(self, policy: str, ip_id: str) -> int:
        fn = self._contract(_policy_contract(policy), POLICY_ADDRESSES[policy]).functions.getPolicyRoyaltyStack(
            self._address(ip_id))
        return int(self._view(fn, "reading a royalty stack"))

    def policy_royalty(self, policy: str, ip_id: str, ancestor: str) -> int:
        fn = self._contract(_policy_contract(policy), POLICY_ADDRESSES[policy]).functions.getPolicyRoyalty(
            self._address(ip_id), self._address(ancestor))
        return int(self._view(fn, "reading an ancestor's royalty"))

    def revenue_accounted(self, ip_id: str, policy: str) -> int:
        """All WIP revenue of `ip_id` the royalty module has routed through `policy` so far."""
        fn = self._contract("RoyaltyModule").functions.totalRevenueTokensAccounted(
            self._address(ip_id), WIP, POLICY_ADDRESSES[policy])
        return int(self._view(fn, "reading accounted revenue"))

    def transferred(self, policy: str, ip_id: str, ancestor: str) -> int:
        fn = self._contract(_policy_contract(policy), POLICY_ADDRESSES[policy]).functions.getTransferredTokens(
            self._address(ip_id), self._address(ancestor), WIP)
        return int(self._view(fn, "reading transferred revenue"))

    def vault_of(self, ip_id: str) -> str | None:
        fn = self._contract("RoyaltyModule").functions.ipRoyaltyVaults(self._address(ip_id))
        vault = str(self._view(fn, "reading a royalty vault"))
        return None if int(vault, 16) == 0 else vault

    def claimable(self, ip_id: str, claimer: str) -> int:
        vault = self.vault_of(ip_id)
        if vault is None:
            return 0
        fn = self._contract("IpRoyaltyVault", vault).functions.claimableRevenue(
            self._address(claimer), WIP)
        return int(self._view(fn, "reading claimable revenue"))

    def ip_owner(self, ip_id: str) -> str:
        return str(self._view(self._contract("IPAccountImpl", ip_id).functions.owner(), "reading an IP's owner"))

    def ip_metadata(self, ip_id: str) -> tuple[str, str]:
        """The IP's metadata URI and hash as CoreMetadataModule stored them in its IP account.

        Story's IP account keeps strings as bytes; the namespace is the writing module's address as bytes32.
        """
        account = self._contract("IPAccountImpl", ip_id).functions
        namespace = _namespace(CORE_METADATA_MODULE)
        raw_uri = self._view(account.getBytes(namespace, _KEY_BYTES32["METADATA_URI"]), "reading metadata")
        digest = self._view(account.getBytes32(namespace, _KEY_BYTES32["METADATA_HASH"]), "reading metadata")
        return bytes(raw_uri).decode("utf-8", errors="replace"), "0x" + bytes(digest).hex()

    def ip_token(self, ip_id: str) -> tuple[int, str, int]:
        chain_id, nft, token_id = self._view(self._contract("IPAccountImpl", ip_id).functions.token(),
                                            "reading an IP's NFT")
        return int(chain_id), str(nft), int(token_id)

    def royalty_fee_percent(self) -> int:
        """The treasury's cut of every royalty payment (RoyaltyModule.royaltyFeePercent), in Story units."""
        return int(self._view(self._contract("RoyaltyModule").functions.royaltyFeePercent(),
                              "reading the royalty fee"))

    # --- events -----------------------------------------------------------------------------------

    def registered(self, receipt: Receipt) -> Registered:
        """The IP asset the transaction registered, with the license terms it attached."""
        events = self._events(receipt, "IPAssetRegistry", "IPRegistered")
        if not events:
            raise PublishError(f"transaction {receipt.tx_hash} registered no IP asset",
                               hint="the network's contracts do not behave like Story's")
        ip = events[0]
        terms = self._events(receipt, "LicensingModule", "LicenseTermsAttached")
        ids = tuple(int(t["licenseTermsId"]) for t in terms if str(t["ipId"]).lower() == str(ip["ipId"]).lower())
        return Registered(str(ip["ipId"]), int(ip["tokenId"]), str(ip["tokenContract"]), ids)

    def collection_created(self, receipt: Receipt) -> str:
        """The SPG NFT collection the transaction created."""
        events = self._events(receipt, "RegistrationWorkflows", "CollectionCreated")
        if not events:
            raise PublishError("creating the collection emitted no CollectionCreated event")
        return str(events[0]["spgNftContract"])

    def _struct(self, fn: Any, what: str) -> dict[str, Any]:
        """A view returning one struct, as a dict by the ABI's field names."""
        values = self._view(fn, what)
        return dict(zip([c["name"] for c in fn.abi["outputs"][0]["components"]], values, strict=True))

    def _each(self, count: Any, item: Callable[[int], Any], what: str) -> list[Any]:
        """A list Story keeps as a count and one read per index."""
        return [self._view(item(i), what) for i in range(int(self._view(count, what)))]


def _namespace(module: str) -> bytes:
    """An IP account storage namespace: the module's address left-padded to 32 bytes."""
    return bytes.fromhex(module[2:].lower()).rjust(32, b"\x00")


def _policy_contract(policy: str) -> str:
    return {"lap": "RoyaltyPolicyLAP", "lrp": "RoyaltyPolicyLRP"}[policy]
