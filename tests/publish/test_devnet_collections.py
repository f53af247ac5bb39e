"""Collections and plain registration on the devnet: roles, mint fees, duplicates, registering an NFT one
already owns, multicall."""

from __future__ import annotations

import json
from importlib import resources

from devnet_chain import EMPTY_METADATA, collection_params

from studio.story.devnet.addresses import IP_ASSET_REGISTRY, WIP

WIP_UNIT = 10**18


def test_collection_settings_and_roles(chain) -> None:
    address = chain.collection(owner=chain.alice, isPublicMinting=False, contractURI="ipfs://collection")
    spg = chain.c("SPGNFT", address)
    assert spg.functions.name().call() == "Remixes" and spg.functions.symbol().call() == "RMX"
    assert spg.functions.contractURI().call() == "ipfs://collection"
    assert spg.functions.hasRole(b"\x00" * 32, chain.alice).call()
    assert spg.functions.hasRole((1).to_bytes(32, "big"), chain.alice).call()
    assert not spg.functions.publicMinting().call()
    again = spg.functions.initialize(collection_params(chain.bob, name="X", symbol="X", maxSupply=1))
    assert chain.revert_name(again) == "SPGNFT__AlreadyInitialized"
    by_stranger = chain.c("RegistrationWorkflows").functions.mintAndRegisterIp(address, chain.bob, EMPTY_METADATA, True)
    assert chain.revert_name(by_stranger, chain.bob) == "Workflow__CallerNotAuthorizedToMint"
    direct = spg.functions.mintByPeriphery(chain.bob, chain.bob, "", b"\x00" * 32, True)
    assert chain.revert_name(direct, chain.bob) == "SPGNFT__CallerNotPeripheryContract"
    chain.send(spg.functions.setMintOpen(False))
    closed = chain.c("RegistrationWorkflows").functions.mintAndRegisterIp(address, chain.alice, EMPTY_METADATA, True)
    assert chain.revert_name(closed) == "SPGNFT__MintingClosed"


def test_mint_fee_is_paid_by_the_caller_and_withdrawn_to_the_recipient(chain) -> None:
    address = chain.collection(owner=chain.alice, mintFee=WIP_UNIT, mintFeeToken=WIP, mintFeeRecipient=chain.carol)
    workflows = chain.c("RegistrationWorkflows")
    mint = workflows.functions.mintAndRegisterIp(address, chain.bob, EMPTY_METADATA, True)
    assert chain.revert_name(mint, chain.bob) == "ERC20InsufficientAllowance"
    chain.wrap_and_approve(chain.bob, WIP_UNIT, address)
    chain.send(mint, chain.bob)
    assert chain.wip_balance(address) == WIP_UNIT
    chain.send(chain.c("SPGNFT", address).functions.withdrawToken(WIP), chain.bob)
    assert chain.wip_balance(chain.carol) == WIP_UNIT


def test_duplicate_metadata_hash_and_max_supply(chain) -> None:
    address = chain.collection(maxSupply=2)
    workflows = chain.c("RegistrationWorkflows")
    metadata = dict(EMPTY_METADATA, nftMetadataURI="ipfs://a", nftMetadataHash=b"\x01" * 32)
    chain.send(workflows.functions.mintAndRegisterIp(address, chain.alice, metadata, False))
    again = workflows.functions.mintAndRegisterIp(address, chain.alice, metadata, False)
    assert chain.revert_name(again) == "SPGNFT__DuplicatedNFTMetadataHash"
    chain.send(workflows.functions.mintAndRegisterIp(address, chain.alice, metadata, True))
    assert chain.revert_name(again) == "SPGNFT__MaxSupplyReached"
    spg = chain.c("SPGNFT", address)
    assert spg.functions.tokenURI(1).call() == "ipfs://a"


def _sdk_abi(name: str) -> list:
    return json.loads((resources.files("story_protocol_python_sdk") / "abi" / "jsons" / f"{name}.json").read_text())


def _ns(address: str) -> bytes:
    return bytes.fromhex(address[2:]).rjust(32, b"\x00")


def _key(name: str) -> bytes:
    return name.encode().ljust(32, b"\x00")


def test_metadata_is_written_into_the_ip_account(chain) -> None:
    workflows = chain.c("RegistrationWorkflows")
    metadata = {
        "ipMetadataURI": "ipfs://ip",
        "ipMetadataHash": b"\x02" * 32,
        "nftMetadataURI": "ipfs://nft",
        "nftMetadataHash": b"\x03" * 32,
    }
    receipt = chain.send(workflows.functions.mintAndRegisterIp(chain.spg, chain.alice, metadata, True))
    (registered,) = chain.events(receipt, "IPAssetRegistry", "IPRegistered")
    assert registered["uri"] == "ipfs://nft" and registered["name"] == "1315: Remixes #1"
    (metadata_set,) = chain.events(receipt, "CoreMetadataModule", "MetadataURISet")
    assert metadata_set["metadataURI"] == "ipfs://ip" and metadata_set["metadataHash"] == b"\x02" * 32
    account = chain.c("IPAccountImpl", registered["ipId"])
    # Read as Story's IP accounts are read (the SDK's ABI): strings as bytes, the namespace being the writing
    # module's address as bytes32.
    story = chain.w3.eth.contract(address=registered["ipId"], abi=_sdk_abi("IPAccountImpl")).functions
    core = _ns(chain.c("CoreMetadataModule").address)
    assert story.getBytes(core, _key("METADATA_URI")).call() == b"ipfs://ip"
    assert story.getBytes32(core, _key("METADATA_HASH")).call() == b"\x02" * 32
    assert story.getBytes(core, _key("NFT_TOKEN_URI")).call() == b"ipfs://nft"
    assert story.getBytes32(core, _key("NFT_METADATA_HASH")).call() == b"\x03" * 32
    assert story.bytesData(core, _key("METADATA_URI")).call() == b"ipfs://ip"
    assert story.getBytes(_ns(IP_ASSET_REGISTRY), _key("URI")).call() == b"ipfs://nft"
    assert int.from_bytes(story.getBytes32(_ns(IP_ASSET_REGISTRY), _key("REGISTRATION_DATE")).call(), "big") > 0
    assert [f["name"] for f in account.abi if f.get("name", "").startswith(("getString", "setString"))] == []
    freeze = chain.c("CoreMetadataModule").functions.freezeMetadata(registered["ipId"])
    chain.send(freeze)
    again = chain.c("CoreMetadataModule").functions.setMetadataURI(registered["ipId"], "x", b"\x00" * 32)
    assert chain.revert_name(again) == "CoreMetadataModule__MetadataAlreadyFrozen"
    # Only modules write into IP accounts.
    assert chain.revert_name(account.functions.setBytes(b"\x00" * 32, b"x")) == "IPAccountStorage__NotRegisteredModule"


def test_register_an_owned_nft_and_refuse_it_twice(chain) -> None:
    spg = chain.c("SPGNFT", chain.spg)
    chain.send(spg.functions.mint(chain.bob, "ipfs://owned", b"\x00" * 32, True), chain.bob)
    registry = chain.c("IPAssetRegistry")
    predicted = registry.functions.ipId(1315, chain.spg, 1).call()
    receipt = chain.send(registry.functions.register(1315, chain.spg, 1), chain.carol)
    assert chain.events(receipt, "IPAssetRegistry", "IPRegistered")[0]["ipId"] == predicted
    assert chain.c("IPAccountImpl", predicted).functions.owner().call() == chain.bob
    assert chain.revert_name(registry.functions.register(1315, chain.spg, 1)) == "IPAssetRegistry__AlreadyRegistered"
    assert chain.revert_name(registry.functions.register(1, chain.spg, 1)) == "IPAssetRegistry__UnsupportedChainId"
    assert chain.revert_name(registry.functions.register(1315, WIP, 1)) == "IPAssetRegistry__UnsupportedIERC721"
    assert chain.revert_name(registry.functions.register(1315, chain.spg, 9)) == "IPAssetRegistry__InvalidToken"


def test_workflow_multicall(chain) -> None:
    workflows = chain.c("RegistrationWorkflows")
    one = workflows.encode_abi("mintAndRegisterIp", [chain.spg, chain.alice, EMPTY_METADATA, True])
    receipt = chain.send(workflows.functions.multicall([one, one]))
    assert len(chain.events(receipt, "IPAssetRegistry", "IPRegistered")) == 2
