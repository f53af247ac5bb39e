"""Where and with what a library publishes: its settings, the network and its chain client (the app's own
devnet, started on demand), the storage for metadata, and the wallet.

The settings (per library, keys `publish.*`) choose the default network, RPC URLs and the IPFS service; the
wallet's key and the pinning service's token live only in the OS keyring.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from studio.errors import InvalidInput
from studio.secrets import Secret, SecretStore
from studio.story.devnet import Devnet, DevnetStatus, install_contracts
from studio.story.errors import NoWallet, PublishError
from studio.story.networks import DEFAULT_NETWORK, Network, check_http_url, check_rpc_url, network
from studio.story.storage import Gateway, KuboStore, LocalStore, PinningStore, Storage
from studio.story.wallet import DEFAULT_WALLET, Wallet, WalletStore, devnet_dev_account

if TYPE_CHECKING:  # the client loads web3: it is handed over, never imported to run
    from studio.story.chain import ChainClient

PINNING_TOKEN = "ipfs/pinning-token"
DEFAULT_GATEWAY = "https://ipfs.io"
IP = 10**18
# A devnet wallet is topped up to this whenever it holds less than a tenth of it.
DEVNET_FUNDING = 10_000 * IP
SETTINGS = {
    "network": "the network `publish` uses by default (devnet, aeneid, mainnet)",
    "rpc.devnet": "the RPC URL of an already running devnet (instead of the one the app starts)",
    "rpc.aeneid": "the RPC URL of Aeneid",
    "rpc.mainnet": "the RPC URL of mainnet",
    "ipfs.api": "a Kubo RPC API URL (e.g. http://127.0.0.1:5001) to upload and read metadata",
    "ipfs.pinning_url": "a pinning service upload URL (the token is asked for and kept in the keyring)",
    "ipfs.gateway": "an HTTP gateway to read metadata from (default https://ipfs.io)",
}


class SettingsRecord(Protocol):
    """The library's settings table, as its record class offers it."""

    def get(self, key: str) -> str | None: ...

    def set_many(self, values: Mapping[str, str | None]) -> None: ...


@dataclass(frozen=True)
class WalletStatus:
    wallet: Wallet
    network: Network
    balance: int | None
    wip: int | None
    funded: bool
    note: str | None


class PublishSetup:
    """The network, chain clients, storage and wallet of one library's publishing."""

    def __init__(self, library_root: Path, settings: SettingsRecord, *, secrets: SecretStore | None = None,
                 wallet_name: str | None = None) -> None:
        self.library_root = library_root
        self._settings = settings
        self._secrets = secrets
        self.wallet_name = wallet_name or DEFAULT_WALLET
        self._clients: dict[tuple[str, str], ChainClient] = {}
        self._devnet: Devnet | None = None
        self._dev_account: tuple[Wallet, Secret] | None = None

    # --- settings ---------------------------------------------------------------------------------

    def setting(self, key: str) -> str | None:
        _check_setting(key)
        return self._settings.get(f"publish.{key}")

    def set_setting(self, key: str, value: str | None) -> None:
        self.set_settings({key: value})

    def set_settings(self, values: Mapping[str, str | None]) -> None:
        """Check every value, then store them all in one step (None removes a setting)."""
        self._settings.set_many({f"publish.{key}": _checked(key, value) for key, value in values.items()})

    def set_pinning_token(self, token: str) -> None:
        self.secrets.set(PINNING_TOKEN, token)

    @property
    def secrets(self) -> SecretStore:
        if self._secrets is None:
            self._secrets = SecretStore()
        return self._secrets

    @property
    def wallets(self) -> WalletStore:
        return WalletStore(self.secrets)

    def network(self, name: str | None = None, rpc_url: str | None = None) -> Network:
        chosen = network(name or self.setting("network") or DEFAULT_NETWORK)
        return chosen.with_rpc(rpc_url or self.setting(f"rpc.{chosen.name}"))

    def default_network(self) -> str:
        return self.setting("network") or DEFAULT_NETWORK

    # --- the devnet and chain clients ---------------------------------------------------------------

    def devnet(self) -> Devnet:
        # One runner per library: the runner that started the node is the one that can reap it when stopping.
        if self._devnet is None:
            self._devnet = Devnet(self.library_root / "devnet")
        return self._devnet

    def devnet_start(self) -> DevnetStatus:
        node = self.devnet()
        node.start()
        install_contracts(node.rpc)
        return node.status()

    def devnet_stop(self) -> None:
        self.close()
        self.devnet().stop()

    def devnet_status(self) -> DevnetStatus:
        return self.devnet().status()

    def close(self) -> None:
        """End the connections of every chain client (a node being stopped waits for them)."""
        for client in self._clients.values():
            client.close()
        self._clients.clear()

    def client(self, net: Network, *, timeout_s: float | None = None) -> ChainClient:
        """A client for the network; the app's own devnet is started (and its contracts installed) on demand.
        A client with its own `timeout_s` is not kept."""
        # web3 and the Story SDK load with the first client, not with the publishing services (the window's views
        # import those on the way to their first page).
        from studio.story.chain import ChainClient

        rpc_url = net.rpc_url
        if rpc_url is None:
            status = self.devnet_start()
            rpc_url = status.rpc_url
            assert rpc_url is not None
        if timeout_s is not None:
            return ChainClient.connect(net, rpc_url, timeout_s=timeout_s)
        key = (net.name, rpc_url)
        if key not in self._clients:
            self._clients[key] = ChainClient.connect(net, rpc_url)
        return self._clients[key]

    def storage(self, net: Network) -> Storage:
        """The devnet stores in the library folder; Story networks upload to the configured Kubo node or pinning
        service. Either reads what it lacks through the configured Kubo node or gateway."""
        local = LocalStore(self.library_root / "ipfs")
        api = self.setting("ipfs.api")
        gateway = self.setting("ipfs.gateway")
        reader = KuboStore(api) if api else Gateway(gateway or DEFAULT_GATEWAY)
        if net.is_devnet:
            return Storage(local, local, reader if (api or gateway) else None)
        if api:
            return Storage(KuboStore(api), local)
        pinning = self.setting("ipfs.pinning_url")
        if pinning:
            token = self.secrets.get_secret(PINNING_TOKEN)
            if token is None:
                raise PublishError("the pinning service has no token in the keyring",
                                   hint="run `studio publish config ipfs.pinning_url URL` again to enter it")
            return Storage(PinningStore(pinning, token, gateway or DEFAULT_GATEWAY), local)
        return Storage(reader, local)

    # --- the wallet -------------------------------------------------------------------------------

    def wallet(self) -> Wallet:
        if self._dev_account is not None:
            return self._dev_account[0]
        return self.wallets.require(self.wallet_name)

    def use_devnet_dev_account(self) -> Wallet:
        """Publish on the devnet with anvil's public development account instead of a keyring wallet (for the
        demo on a machine without an OS keyring); any other network refuses it."""
        self._dev_account = devnet_dev_account()
        return self._dev_account[0]

    def key(self, net: Network) -> Secret:
        if self._dev_account is None:
            return self.wallets.key(self.wallet_name)
        self.refuse_dev_account_off_devnet(net)
        return self._dev_account[1]

    def refuse_dev_account_off_devnet(self, net: Network) -> None:
        if self._dev_account is not None and not net.is_devnet:
            raise NoWallet(f"anvil's public development account is for the devnet only, not {net.name}",
                           hint="create or import a wallet in the OS keyring")

    def create_wallet(self) -> Wallet:
        return self.wallets.create(self.wallet_name)

    def import_wallet(self, key_text: str) -> Wallet:
        return self.wallets.import_key(key_text, self.wallet_name)

    def wallet_status(self, network_name: str | None = None, rpc_url: str | None = None,
                      *, offline: bool = False) -> WalletStatus:
        wallet = self.wallet()
        net = self.network(network_name, rpc_url)
        if offline:
            return WalletStatus(wallet, net, None, None, False, None)
        chain = self.client(net)
        funded = self.fund_devnet(chain, wallet.address)
        balance = chain.balance(wallet.address)
        note = None
        if balance == 0 and net.faucet:
            note = f"the wallet holds no IP: get test IP for {wallet.address} from {net.faucet}"
        elif balance == 0:
            note = "the wallet holds no IP: send some to it before publishing"
        chain.require_code(("WIP",))
        return WalletStatus(wallet, net, balance, chain.contracts.wip_balance(wallet.address), funded, note)

    def fund_devnet(self, chain: ChainClient, address: str) -> bool:
        if not chain.network.is_devnet or chain.balance(address) >= DEVNET_FUNDING // 10:
            return False
        chain.fund(address, DEVNET_FUNDING)
        return True


def _checked(key: str, value: str | None) -> str | None:
    _check_setting(key)
    if value is None:
        return None
    if key == "network":
        return network(value).name
    if key.startswith("rpc."):
        return check_rpc_url(value)
    return check_http_url(value, "IPFS service URL", "http://127.0.0.1:5001")


def _check_setting(key: str) -> None:
    if key not in SETTINGS:
        raise InvalidInput(f"unknown publishing setting {key!r}", hint=f"use one of {', '.join(SETTINGS)}")
