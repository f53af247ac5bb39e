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

from studio.secrets import Secret
from studio.story.chain_types import (
    RECEIPT_TIMEOUT_S,
    STORY_CONTRACTS,
    UINT256_MAX,
    Call,
    MetadataRefs,
    Receipt,
    Registered,
    SignedTx,
)
from studio.story.contracts import StoryContracts
from studio.story.devnet.addresses import CANONICAL, WIP
from studio.story.devnet.artifacts import load_artifacts
from studio.story.error_table import ErrorTable, errors_in_artifacts, story_errors
from studio.story.errors import (
    ChainReverted,
    InsufficientFunds,
    MissingContract,
    NonceConflict,
    PublishError,
    RpcUnreachable,
    WrongChain,
)
from studio.story.groups import StoryGroups
from studio.story.networks import Network

log = logging.getLogger(__name__)

_SELECTOR = re.compile(r"0x[0-9a-fA-F]{8,}")


GAS_HEADROOM = 1.25


class ChainClient:
    """One network through one RPC endpoint: connection, signing, sending and receipts. The Story functions it
    builds, reads and decodes are beside it, bound to it: `client.contracts` (IP registration, licensing,
    royalties, WIP) and `client.groups` (training sets as groups on the reward pool)."""

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
        self.errors: ErrorTable = story_errors(errors_in_artifacts(self.artifacts))
        self._code_checked = False
        self.contracts = StoryContracts(self)
        self.groups = StoryGroups(self)

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

    @staticmethod
    def address(value: str) -> str:
        """The EIP-55 form the contracts' ABI encoder takes."""
        return Web3.to_checksum_address(value)

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
            selector = data[:10] if _SELECTOR.fullmatch(data[:10]) else "data that is not an error"
            return ChainReverted(f"{what} reverted with an error no Story contract declares ({selector})")
        return ChainReverted(f"{what} reverted: {decoded.explanation()} [{decoded.shown()}]", error_name=decoded.name,
                             hint=decoded.advice())

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
        return Receipt.from_web3(raw)

    def receipt(self, tx_hash: str) -> Receipt | None:
        with self._rpc("reading a receipt"):
            try:
                return Receipt.from_web3(self.w3.eth.get_transaction_receipt(tx_hash))
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

    # --- events -----------------------------------------------------------------------------------

    def events(self, receipt: Receipt, contract: str, event: str) -> list[dict[str, Any]]:
        """The arguments of each `event` of `contract` in the receipt (logs that do not decode are skipped)."""
        found = getattr(self.contract(contract).events, event)().process_receipt(receipt.raw, errors=DISCARD)
        return [dict(e["args"]) for e in found]

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


def _hex(value: Any) -> str:
    text = value.to_0x_hex() if hasattr(value, "to_0x_hex") else str(value)
    return text if text.startswith("0x") else "0x" + text


__all__ = [
    "UINT256_MAX",
    "Call",
    "ChainClient",
    "MetadataRefs",
    "Receipt",
    "Registered",
    "SignedTx",
]
