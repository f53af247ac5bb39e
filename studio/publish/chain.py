"""The one module that talks to a chain: web3 with the project's ABIs, and the Story SDK where it serves.

Every network (the devnet, Aeneid, mainnet) goes through this client. Writes are split into sign, broadcast
and wait, so that the journal can persist a transaction's hash before it is broadcast and waited for.
The SDK's own write path waits for the receipt inside one call, so it carries only the multi-transaction
revenue claim and the claimable-revenue read; publishing, fees and payments are sent here with web3.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import requests
from eth_account import Account
from web3 import Web3
from web3.exceptions import (
    ContractCustomError,
    ContractLogicError,
    TimeExhausted,
    TransactionNotFound,
    Web3RPCError,
)
from web3.logs import DISCARD

from studio.publish.devnet.addresses import CANONICAL, CORE_METADATA_MODULE, PIL_TEMPLATE, WIP
from studio.publish.devnet.artifacts import load_artifacts
from studio.publish.error_table import ErrorTable, errors_in_abi, story_errors
from studio.publish.errors import (
    ChainReverted,
    InsufficientFunds,
    MissingContract,
    NonceConflict,
    PublishError,
    RpcUnreachable,
    WrongChain,
)
from studio.publish.networks import Network
from studio.publish.terms import POLICY_ADDRESSES, ZERO_ADDRESS
from studio.secrets import Secret

log = logging.getLogger(__name__)

UINT256_MAX = 2**256 - 1
MAX_RTS = 100_000_000
GAS_HEADROOM = 1.25
RECEIPT_TIMEOUT_S = 120.0
# The contracts a publish, a payment or a claim relies on; each must have code before anything is written.
STORY_CONTRACTS = (
    "IPAssetRegistry", "LicensingModule", "PILicenseTemplate", "LicenseRegistry", "RoyaltyModule",
    "RoyaltyPolicyLAP", "RoyaltyPolicyLRP", "RegistrationWorkflows", "LicenseAttachmentWorkflows",
    "DerivativeWorkflows", "RoyaltyWorkflows", "CoreMetadataModule", "AccessController", "WIP",
)
_KEY_BYTES32 = {name: name.encode().ljust(32, b"\x00") for name in ("METADATA_URI", "METADATA_HASH", "NFT_TOKEN_URI")}
_SELECTOR = re.compile(r"0x[0-9a-fA-F]{8,}")


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
    raw: Any  # the web3 receipt, for event parsing here

    @property
    def ok(self) -> bool:
        return self.status == 1


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


class ChainClient:
    """One network through one RPC endpoint."""

    def __init__(self, network: Network, rpc_url: str, *, timeout_s: float = 30.0) -> None:
        self.network = network
        self.rpc_url = rpc_url
        # Our own session, so that close() can end its keep-alive connections (a node being stopped waits
        # for them).
        self._session = requests.Session()
        provider = Web3.HTTPProvider(
            rpc_url,
            request_kwargs={"timeout": timeout_s},
            session=self._session,
            # A dead endpoint must fail at once with a clear message, not after retries with backoff.
            exception_retry_configuration=None,
        )
        provider.cache_allowed_requests = True
        self.w3 = Web3(provider)
        self.artifacts = load_artifacts()
        self.errors: ErrorTable = story_errors(_devnet_errors(self.artifacts))
        self._code_checked = False

    @classmethod
    def connect(cls, network: Network, rpc_url: str, *, timeout_s: float = 30.0) -> ChainClient:
        """A client whose endpoint answers and serves the network's chain id."""
        client = cls(network, rpc_url, timeout_s=timeout_s)
        chain_id = client.chain_id()
        if chain_id != network.chain_id:
            raise WrongChain(
                f"{client.endpoint} serves chain id {chain_id}, but {network.name} is chain id {network.chain_id}",
                hint="point the network at the right RPC URL (--rpc or `studio publish config`)",
            )
        return client

    def close(self) -> None:
        self._session.close()

    @property
    def endpoint(self) -> str:
        match = re.match(r"^(https?://[^/?#]+)", self.rpc_url)
        return match.group(1) if match else "the RPC endpoint"

    # --- plumbing ---------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _rpc(self, what: str) -> Iterator[None]:
        """Turns transport failures into RpcUnreachable, keeping the cause."""
        try:
            yield
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
            raise RpcUnreachable(
                f"{self.network.name} cannot be reached at {self.endpoint} while {what}",
                hint=self._unreachable_hint(),
            ) from exc
        except OSError as exc:
            raise RpcUnreachable(
                f"{self.network.name} cannot be reached at {self.endpoint} while {what} ({exc.strerror or exc})",
                hint=self._unreachable_hint(),
            ) from exc

    def _unreachable_hint(self) -> str:
        if self.network.is_devnet:
            return "start the devnet with `studio devnet start`"
        return "check your connection and the RPC URL (--rpc or `studio publish config`)"

    def contract(self, name: str, address: str | None = None) -> Any:
        return self.w3.eth.contract(
            address=Web3.to_checksum_address(address or CANONICAL[name]), abi=self.artifacts.contract(name).abi
        )

    def chain_id(self) -> int:
        with self._rpc("reading the chain id"):
            return int(self.w3.eth.chain_id)

    def require_code(self, names: tuple[str, ...] = STORY_CONTRACTS) -> None:
        """eth_getCode of every contract a write relies on: a call to an empty address "succeeds" silently."""
        if self._code_checked:
            return
        with self._rpc("checking Story's contracts"):
            missing = [n for n in names if not self.w3.eth.get_code(Web3.to_checksum_address(CANONICAL[n]))]
        if missing:
            hint = ("start the devnet with `studio devnet start`, which installs them" if self.network.is_devnet
                    else "this endpoint is not a Story network; check the RPC URL")
            raise MissingContract(
                f"{self.network.name} has no code at Story's canonical address of {', '.join(missing)}", hint=hint
            )
        self._code_checked = True

    def has_code(self, address: str) -> bool:
        with self._rpc("reading contract code"):
            return bool(self.w3.eth.get_code(Web3.to_checksum_address(address)))

    def view(self, fn: Any, what: str) -> Any:
        with self._rpc(what), self._reverts(what):
            return fn.call()

    @contextlib.contextmanager
    def _reverts(self, what: str) -> Iterator[None]:
        try:
            yield
        except ContractCustomError as exc:
            raise self._decoded(exc.data if isinstance(exc.data, str) else str(exc.message), what) from exc
        except ContractLogicError as exc:
            raise ChainReverted(f"{what} reverted: {exc.message or exc}") from exc
        except Web3RPCError as exc:
            raise self._rpc_error(exc, what) from exc

    def _decoded(self, data: str, what: str) -> ChainReverted:
        decoded = self.errors.decode(data)
        if decoded is None:
            return ChainReverted(f"{what} reverted with an error no Story contract declares ({data[:10]})")
        return ChainReverted(f"{what} reverted: {decoded.explanation()} [{decoded.shown()}]", error_name=decoded.name)

    def _rpc_error(self, exc: Web3RPCError, what: str) -> PublishError:
        message = str(exc.message or exc)
        lowered = message.lower()
        if "insufficient funds" in lowered:
            return self._no_funds(what)
        if "nonce too low" in lowered or "nonce too high" in lowered:
            return NonceConflict(f"{what}: the wallet's nonce is already used ({message})",
                                 hint="run `studio publish status` to reconcile, then try again")
        match = _SELECTOR.search(message)
        if match and self.errors.lookup(match.group(0)):
            return self._decoded(match.group(0), what)
        return PublishError(f"{what} failed: {message}")

    def _no_funds(self, what: str) -> InsufficientFunds:
        if self.network.is_devnet:
            hint = "devnet wallets are funded automatically; run `studio wallet show` to top it up"
        elif self.network.faucet:
            hint = f"get test IP from {self.network.faucet}"
        else:
            hint = "add IP to the wallet"
        return InsufficientFunds(f"the wallet cannot pay for {what}", hint=hint)

    # --- accounts ---------------------------------------------------------------------------------

    def balance(self, address: str) -> int:
        with self._rpc("reading a balance"):
            return int(self.w3.eth.get_balance(Web3.to_checksum_address(address)))

    def nonce(self, address: str, *, pending: bool = True) -> int:
        with self._rpc("reading the wallet's nonce"):
            return int(self.w3.eth.get_transaction_count(Web3.to_checksum_address(address),
                                                          "pending" if pending else "latest"))

    def fund(self, address: str, wei: int) -> None:
        """Sets a devnet balance (anvil_setBalance); refused on any other network."""
        if not self.network.is_devnet:
            raise PublishError(f"{self.network.name} wallets cannot be funded by the studio")
        with self._rpc("funding the wallet"):
            self.w3.provider.make_request("anvil_setBalance", [Web3.to_checksum_address(address), hex(wei)])

    # --- writes -----------------------------------------------------------------------------------

    def sign(self, key: Secret, call: Call, *, nonce: int | None = None, gas: int | None = None) -> SignedTx:
        """Estimate (a revert is raised here, decoded), price, check funds and sign; nothing is sent."""
        self.require_code()
        account = Account.from_key(key.reveal())
        sender = account.address
        params: dict[str, Any] = {"from": sender, "value": call.value, "chainId": self.network.chain_id}
        with self._rpc(call.label):
            if gas is None:
                with self._reverts(call.label):
                    estimated = call.fn.estimate_gas({"from": sender, "value": call.value})
                gas = int(estimated * GAS_HEADROOM) + 10_000
            latest = self.w3.eth.get_block("latest")
            priority = int(self.w3.eth.max_priority_fee)
            max_fee = 2 * int(latest.get("baseFeePerGas", 0) or 0) + priority
            params.update(gas=gas, maxFeePerGas=max_fee, maxPriorityFeePerGas=priority,
                          nonce=self.nonce(sender) if nonce is None else nonce)
            if self.balance(sender) < gas * max_fee + call.value:
                raise self._no_funds(call.label)
            tx = call.fn.build_transaction(params)
        signed = account.sign_transaction(tx)
        return SignedTx(
            hash=signed.hash.to_0x_hex(), nonce=int(params["nonce"]), raw=signed.raw_transaction.to_0x_hex(),
            sender=sender, gas=gas, max_fee=max_fee, value=call.value, label=call.label,
        )

    def estimate_gas(self, call: Call, sender: str) -> int:
        """The node's own estimate of the gas `call` uses when `sender` sends it now (eth_estimateGas); a revert
        is raised, decoded."""
        with self._rpc(call.label), self._reverts(call.label):
            return int(call.fn.estimate_gas({"from": sender, "value": call.value}))

    def fee_per_gas(self) -> tuple[int, int]:
        """(base fee of the next block, priority fee) in wei per gas, as the network quotes them now: the base fee
        from eth_feeHistory, or eth_gasPrice less the priority fee where the node keeps no fee history."""
        with self._rpc("reading the network's gas price"):
            priority = int(self.w3.eth.max_priority_fee)
            try:
                history = self.w3.eth.fee_history(1, "latest", [])
                return int(history["baseFeePerGas"][-1]), priority
            except (Web3RPCError, KeyError, IndexError):
                return max(int(self.w3.eth.gas_price) - priority, 0), priority

    def broadcast(self, raw: str, label: str = "the transaction") -> str:
        """Send a signed transaction; sending one the node already knows is not an error."""
        with self._rpc(label):
            try:
                return self.w3.eth.send_raw_transaction(raw).to_0x_hex()
            except Web3RPCError as exc:
                if "already known" in str(exc.message or exc).lower():
                    return Web3.keccak(hexstr=raw).to_0x_hex()
                raise self._rpc_error(exc, label) from exc

    def wait(self, tx_hash: str, timeout_s: float = RECEIPT_TIMEOUT_S) -> Receipt:
        with self._rpc("waiting for the receipt"):
            try:
                raw = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=timeout_s, poll_latency=0.05)
            except TimeExhausted:
                raise PublishError(
                    f"transaction {tx_hash} has no receipt after {timeout_s:.0f} s",
                    hint="it may still be mined: run `studio publish status` later",
                ) from None
        return _receipt(raw)

    def receipt(self, tx_hash: str) -> Receipt | None:
        with self._rpc("reading a receipt"):
            try:
                return _receipt(self.w3.eth.get_transaction_receipt(tx_hash))
            except TransactionNotFound:
                return None

    def is_known(self, tx_hash: str) -> bool:
        """Whether the node knows the transaction (pending in its pool, or mined)."""
        with self._rpc("looking up a transaction"):
            try:
                return self.w3.eth.get_transaction(tx_hash) is not None
            except TransactionNotFound:
                return False

    def failure(self, receipt: Receipt, label: str) -> ChainReverted:
        """Why a mined transaction reverted: replayed as a call on the state it ran against."""
        with self._rpc("reading why a transaction failed"):
            tx = self.w3.eth.get_transaction(receipt.tx_hash)
            call = {"from": tx["from"], "to": tx["to"], "data": tx["input"], "value": tx["value"], "gas": tx["gas"]}
            try:
                self.w3.eth.call(call, block_identifier=max(receipt.block - 1, 0))
            except ContractCustomError as exc:
                return self._decoded(exc.data if isinstance(exc.data, str) else str(exc.message), label)
            except ContractLogicError as exc:
                return ChainReverted(f"{label} reverted: {exc.message or exc}")
        return ChainReverted(f"{label} reverted (transaction {receipt.tx_hash})")

    def transact(self, key: Secret, call: Call, *, timeout_s: float = RECEIPT_TIMEOUT_S) -> Receipt:
        """Sign, send and wait, for transactions the journal does not track (fees, approvals, payments)."""
        signed = self.sign(key, call)
        self.broadcast(signed.raw, call.label)
        receipt = self.wait(signed.hash, timeout_s)
        if not receipt.ok:
            raise self.failure(receipt, call.label)
        log.info("%s: %s (gas %d)", call.label, signed.hash, receipt.gas_used)
        return receipt

    # --- Story: transactions ----------------------------------------------------------------------

    def create_collection(self, owner: str, name: str, symbol: str) -> Call:
        params = {
            "name": name, "symbol": symbol, "baseURI": "", "contractURI": "", "maxSupply": 2**32 - 1,
            "mintFee": 0, "mintFeeToken": ZERO_ADDRESS, "mintFeeRecipient": owner, "owner": owner,
            "mintOpen": True, "isPublicMinting": False,
        }
        fn = self.contract("RegistrationWorkflows").functions.createCollection(params)
        return Call(fn, "creating the wallet's collection")

    def register_root(self, spg: str, recipient: str, metadata: MetadataRefs,
                      terms: list[tuple[dict[str, Any], dict[str, Any]]]) -> Call:
        data = [{"terms": t, "licensingConfig": c} for t, c in terms]
        fn = self.contract("LicenseAttachmentWorkflows").functions.mintAndRegisterIpAndAttachPILTerms(
            Web3.to_checksum_address(spg), Web3.to_checksum_address(recipient), metadata.struct(), data, True
        )
        return Call(fn, "registering the work with its license terms")

    def register_derivative(self, spg: str, recipient: str, metadata: MetadataRefs, parents: list[str],
                            terms_ids: list[int], max_minting_fee: int, max_revenue_share: int) -> Call:
        deriv = {
            "parentIpIds": [Web3.to_checksum_address(p) for p in parents],
            "licenseTemplate": PIL_TEMPLATE,
            "licenseTermsIds": terms_ids,
            "royaltyContext": b"",
            "maxMintingFee": max_minting_fee,
            "maxRts": MAX_RTS,
            "maxRevenueShare": max_revenue_share,
        }
        fn = self.contract("DerivativeWorkflows").functions.mintAndRegisterIpAndMakeDerivative(
            Web3.to_checksum_address(spg), deriv, metadata.struct(), Web3.to_checksum_address(recipient), True
        )
        return Call(fn, "registering the remix and linking it to its parents")

    def set_licensing_config(self, ip_id: str, terms_id: int, config: dict[str, Any]) -> Call:
        fn = self.contract("LicensingModule").functions.setLicensingConfig(
            Web3.to_checksum_address(ip_id), PIL_TEMPLATE, terms_id, config
        )
        return Call(fn, "raising the rev share this work's remixes pay")

    def wip_deposit(self, amount: int) -> Call:
        return Call(self.contract("WIP").functions.deposit(), "wrapping IP into WIP", value=amount)

    def wip_approve(self, spender: str, amount: int) -> Call:
        fn = self.contract("WIP").functions.approve(Web3.to_checksum_address(spender), amount)
        return Call(fn, "approving WIP for Story")

    def pay_royalty(self, receiver: str, payer: str, amount: int) -> Call:
        fn = self.contract("RoyaltyModule").functions.payRoyaltyOnBehalf(
            Web3.to_checksum_address(receiver), Web3.to_checksum_address(payer), WIP, amount
        )
        return Call(fn, "paying the work")

    # --- Story: reads -----------------------------------------------------------------------------

    def wip_balance(self, address: str) -> int:
        return int(self.view(self.contract("WIP").functions.balanceOf(Web3.to_checksum_address(address)),
                             "reading the WIP balance"))

    def wip_allowance(self, owner: str, spender: str) -> int:
        fn = self.contract("WIP").functions.allowance(Web3.to_checksum_address(owner),
                                                       Web3.to_checksum_address(spender))
        return int(self.view(fn, "reading the WIP allowance"))

    def is_registered(self, ip_id: str) -> bool:
        fn = self.contract("IPAssetRegistry").functions.isRegistered(Web3.to_checksum_address(ip_id))
        return bool(self.view(fn, "checking an IP asset"))

    def predict_fee(self, ip_id: str, terms_id: int, receiver: str) -> tuple[str, int]:
        fn = self.contract("LicensingModule").functions.predictMintingLicenseFee(
            Web3.to_checksum_address(ip_id), PIL_TEMPLATE, terms_id, 1, Web3.to_checksum_address(receiver), b""
        )
        currency, amount = self.view(fn, "predicting a parent's minting fee")
        return str(currency), int(amount)

    def terms_id(self, struct: dict[str, Any]) -> int:
        """The id Story gave these exact terms, or 0 when they are not registered."""
        return int(self.view(self.contract("PILicenseTemplate").functions.getLicenseTermsId(struct),
                             "looking up license terms"))

    def license_terms(self, terms_id: int) -> dict[str, Any]:
        fn = self.contract("PILicenseTemplate").functions.getLicenseTerms(terms_id)
        values = self.view(fn, "reading license terms")
        names = [c["name"] for c in fn.abi["outputs"][0]["components"]]
        return dict(zip(names, values, strict=True))

    def attached_terms(self, ip_id: str) -> list[int]:
        registry = self.contract("LicenseRegistry").functions
        ip = Web3.to_checksum_address(ip_id)
        count = int(self.view(registry.getAttachedLicenseTermsCount(ip), "reading attached terms"))
        return [int(self.view(registry.getAttachedLicenseTerms(ip, i), "reading attached terms")[1])
                for i in range(count)]

    def parents(self, ip_id: str) -> list[str]:
        registry = self.contract("LicenseRegistry").functions
        ip = Web3.to_checksum_address(ip_id)
        count = int(self.view(registry.getParentIpCount(ip), "reading parents"))
        return [str(self.view(registry.getParentIp(ip, i), "reading parents")) for i in range(count)]

    def derivatives(self, ip_id: str) -> list[str]:
        registry = self.contract("LicenseRegistry").functions
        ip = Web3.to_checksum_address(ip_id)
        count = int(self.view(registry.getDerivativeIpCount(ip), "reading remixes"))
        return [str(self.view(registry.getDerivativeIp(ip, i), "reading remixes")) for i in range(count)]

    def parent_terms(self, child: str, parent: str) -> int:
        fn = self.contract("LicenseRegistry").functions.getParentLicenseTerms(
            Web3.to_checksum_address(child), Web3.to_checksum_address(parent))
        return int(self.view(fn, "reading the terms of a link")[1])

    def royalty_percent(self, ip_id: str, terms_id: int) -> int:
        fn = self.contract("LicenseRegistry").functions.getRoyaltyPercent(
            Web3.to_checksum_address(ip_id), PIL_TEMPLATE, terms_id)
        return int(self.view(fn, "reading a royalty percent"))

    def licensing_config(self, ip_id: str, terms_id: int) -> dict[str, Any]:
        fn = self.contract("LicenseRegistry").functions.getLicensingConfig(
            Web3.to_checksum_address(ip_id), PIL_TEMPLATE, terms_id)
        values = self.view(fn, "reading a licensing config")
        names = [c["name"] for c in fn.abi["outputs"][0]["components"]]
        return dict(zip(names, values, strict=True))

    def policy_stack(self, policy: str, ip_id: str) -> int:
        fn = self.contract(_policy_contract(policy), POLICY_ADDRESSES[policy]).functions.getPolicyRoyaltyStack(
            Web3.to_checksum_address(ip_id))
        return int(self.view(fn, "reading a royalty stack"))

    def policy_royalty(self, policy: str, ip_id: str, ancestor: str) -> int:
        fn = self.contract(_policy_contract(policy), POLICY_ADDRESSES[policy]).functions.getPolicyRoyalty(
            Web3.to_checksum_address(ip_id), Web3.to_checksum_address(ancestor))
        return int(self.view(fn, "reading an ancestor's royalty"))

    def revenue_accounted(self, ip_id: str, policy: str) -> int:
        """All WIP revenue of `ip_id` the royalty module has routed through `policy` so far."""
        fn = self.contract("RoyaltyModule").functions.totalRevenueTokensAccounted(
            Web3.to_checksum_address(ip_id), WIP, POLICY_ADDRESSES[policy])
        return int(self.view(fn, "reading accounted revenue"))

    def transferred(self, policy: str, ip_id: str, ancestor: str) -> int:
        fn = self.contract(_policy_contract(policy), POLICY_ADDRESSES[policy]).functions.getTransferredTokens(
            Web3.to_checksum_address(ip_id), Web3.to_checksum_address(ancestor), WIP)
        return int(self.view(fn, "reading transferred revenue"))

    def vault_of(self, ip_id: str) -> str | None:
        fn = self.contract("RoyaltyModule").functions.ipRoyaltyVaults(Web3.to_checksum_address(ip_id))
        vault = str(self.view(fn, "reading a royalty vault"))
        return None if int(vault, 16) == 0 else vault

    def claimable(self, ip_id: str, claimer: str) -> int:
        vault = self.vault_of(ip_id)
        if vault is None:
            return 0
        fn = self.contract("IpRoyaltyVault", vault).functions.claimableRevenue(
            Web3.to_checksum_address(claimer), WIP)
        return int(self.view(fn, "reading claimable revenue"))

    def ip_owner(self, ip_id: str) -> str:
        return str(self.view(self.contract("IPAccountImpl", ip_id).functions.owner(), "reading an IP's owner"))

    def ip_metadata(self, ip_id: str) -> tuple[str, str]:
        """The IP's metadata URI and hash as CoreMetadataModule stored them in its IP account.

        Story's IP account keeps strings as bytes; the namespace is the writing module's address as bytes32.
        """
        account = self.contract("IPAccountImpl", ip_id).functions
        namespace = _namespace(CORE_METADATA_MODULE)
        raw_uri = self.view(account.getBytes(namespace, _KEY_BYTES32["METADATA_URI"]), "reading metadata")
        digest = self.view(account.getBytes32(namespace, _KEY_BYTES32["METADATA_HASH"]), "reading metadata")
        return bytes(raw_uri).decode("utf-8", errors="replace"), "0x" + bytes(digest).hex()

    def ip_token(self, ip_id: str) -> tuple[int, str, int]:
        chain_id, nft, token_id = self.view(self.contract("IPAccountImpl", ip_id).functions.token(),
                                            "reading an IP's NFT")
        return int(chain_id), str(nft), int(token_id)

    # --- Story: events ----------------------------------------------------------------------------

    def _events(self, receipt: Receipt, contract: str, event: str) -> list[dict[str, Any]]:
        found = getattr(self.contract(contract).events, event)().process_receipt(receipt.raw, errors=DISCARD)
        return [dict(e["args"]) for e in found]

    def registered(self, receipt: Receipt) -> Registered:
        events = self._events(receipt, "IPAssetRegistry", "IPRegistered")
        if not events:
            raise PublishError(f"transaction {receipt.tx_hash} registered no IP asset",
                               hint="the network's contracts do not behave like Story's")
        ip = events[0]
        terms = self._events(receipt, "LicensingModule", "LicenseTermsAttached")
        ids = tuple(int(t["licenseTermsId"]) for t in terms if str(t["ipId"]).lower() == str(ip["ipId"]).lower())
        return Registered(str(ip["ipId"]), int(ip["tokenId"]), str(ip["tokenContract"]), ids)

    def collection_created(self, receipt: Receipt) -> str:
        events = self._events(receipt, "RegistrationWorkflows", "CollectionCreated")
        if not events:
            raise PublishError("creating the collection emitted no CollectionCreated event")
        return str(events[0]["spgNftContract"])

    # --- Story SDK ----------------------------------------------------------------------------------

    def _sdk(self, key: Secret) -> Any:
        from story_protocol_python_sdk import StoryClient

        return StoryClient(self.w3, Account.from_key(key.reveal()), self.network.chain_id)

    def claim_all_revenue(self, key: Secret, ancestor: str, children: list[str], policies: list[str]) -> dict:
        """transferToVault from every descendant for every policy, then claim, through the SDK: it also moves
        the claimed WIP from the IP account to the wallet and unwraps it."""
        self.require_code()
        client = self._sdk(key)
        try:
            with self._rpc("claiming revenue"):
                result = client.Royalty.claim_all_revenue(
                    ancestor_ip_id=Web3.to_checksum_address(ancestor),
                    claimer=Web3.to_checksum_address(ancestor),
                    child_ip_ids=[Web3.to_checksum_address(c) for c in children],
                    royalty_policies=[Web3.to_checksum_address(p) for p in policies],
                    currency_tokens=[WIP],
                )
        except ValueError as exc:
            raise self._sdk_error(exc, "claiming revenue") from exc
        claimed = [(str(t["token"]), int(t["amount"])) for t in result["claimed_tokens"]]
        return {"tx_hashes": [_hex(h) for h in result["tx_hashes"]], "claimed": claimed}

    def _sdk_error(self, exc: Exception, what: str) -> PublishError:
        text = str(exc)
        match = _SELECTOR.search(text)
        if match and self.errors.lookup(match.group(0)):
            return self._decoded(match.group(0), what)
        if "insufficient funds" in text.lower():
            return self._no_funds(what)
        return PublishError(f"{what} failed: {text}")


def _namespace(module: str) -> bytes:
    """An IP account storage namespace: the module's address left-padded to 32 bytes."""
    return bytes.fromhex(module[2:].lower()).rjust(32, b"\x00")


def _policy_contract(policy: str) -> str:
    return {"lap": "RoyaltyPolicyLAP", "lrp": "RoyaltyPolicyLRP"}[policy]


def _receipt(raw: Any) -> Receipt:
    return Receipt(
        tx_hash=raw["transactionHash"].to_0x_hex(),
        status=int(raw["status"]),
        block=int(raw["blockNumber"]),
        gas_used=int(raw["gasUsed"]),
        gas_price=int(raw.get("effectiveGasPrice", 0) or 0),
        raw=raw,
    )


def _hex(value: Any) -> str:
    text = value.to_0x_hex() if hasattr(value, "to_0x_hex") else str(value)
    return text if text.startswith("0x") else "0x" + text


def _devnet_errors(artifacts: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    found: dict[str, tuple[str, ...]] = {}
    for contract in artifacts.contracts.values():
        for error in errors_in_abi(contract.abi):
            found.setdefault(error.signature, error.arg_names)
    return tuple(sorted(found.items()))


__all__ = [
    "UINT256_MAX",
    "Call",
    "ChainClient",
    "MetadataRefs",
    "Receipt",
    "Registered",
    "SignedTx",
]
