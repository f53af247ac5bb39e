"""Publishing works on Story: the chain client (the only module that imports web3 and the Story SDK), the
wallet, metadata and IPFS storage, the publishing journal, revenue and imports; devnet/ runs the local chain."""
