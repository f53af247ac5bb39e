"""Places the project's Story-compatible contracts at Story's canonical addresses on the devnet.

Idempotent: code that is already there is kept (and must be this build's), and each initialize() runs only
while its contract reports `initialized() == false`. Transactions come from anvil's unlocked account 0.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from studio.story.devnet.addresses import CANONICAL, INITIALIZED_IN_ORDER
from studio.story.devnet.artifacts import load_artifacts
from studio.story.devnet.errors import DevnetError

Rpc = Callable[[str, list[Any]], Any]

RESET_HINT = "stop the devnet and delete its state folder, then start it again"


def install_contracts(rpc: Rpc) -> None:
    artifacts = load_artifacts()
    for name, address in CANONICAL.items():
        runtime = artifacts.contract(name).deployed_bytecode.lower()
        code = str(rpc("eth_getCode", [address, "latest"])).lower()
        if code in ("0x", "0x0", ""):
            rpc("anvil_setCode", [address, runtime])
        elif code != runtime:
            raise DevnetError(f"The devnet holds another version of {name} at {address}", hint=RESET_HINT)
    sender = rpc("eth_accounts", [])[0]
    for name in INITIALIZED_IN_ORDER:
        contract = artifacts.contract(name)
        address = CANONICAL[name]
        call = {"to": address, "data": contract.selector("initialized()")}
        if int(rpc("eth_call", [call, "latest"]), 16):
            continue
        tx = {"from": sender, "to": address, "data": contract.selector("initialize()")}
        tx_hash = rpc("eth_sendTransaction", [tx])
        receipt = _receipt(rpc, tx_hash)
        if receipt is None or int(receipt["status"], 16) != 1:
            raise DevnetError(f"Initialising {name} on the devnet failed", hint=RESET_HINT)


def _receipt(rpc: Rpc, tx_hash: str, timeout_s: float = 10.0) -> dict[str, Any] | None:
    # Automine normally has the receipt at once; a busy machine can lag a little behind.
    deadline = time.monotonic() + timeout_s
    while True:
        receipt = rpc("eth_getTransactionReceipt", [tx_hash])
        if receipt is not None or time.monotonic() > deadline:
            return receipt
        time.sleep(0.01)


def fund(rpc: Rpc, address: str, wei: int) -> None:
    """Sets the native balance of `address` (devnet only)."""
    if wei < 0:
        raise DevnetError(f"Cannot fund {address} with a negative amount ({wei} wei)", hint="give a positive amount")
    rpc("anvil_setBalance", [address, hex(wei)])
