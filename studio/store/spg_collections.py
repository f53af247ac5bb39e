"""SQL for the `spg_collections` table: the SPG NFT collection each wallet mints into, per network."""

from __future__ import annotations

from studio.store.db import Database
from studio.store.works import now_iso


class SpgCollectionRecords:
    def __init__(self, db: Database) -> None:
        self.db = db

    def address(self, network: str, wallet: str) -> str | None:
        row = self.db.one("SELECT address FROM spg_collections WHERE network = ? AND lower(wallet) = lower(?)",
                          (network, wallet))
        return str(row["address"]) if row is not None else None

    def put(self, network: str, wallet: str, address: str, tx_hash: str) -> None:
        """The wallet's collection on the network (a newer one replaces one the chain lost)."""
        self.db.execute(
            "INSERT INTO spg_collections (network, wallet, address, tx_hash, created_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (network, wallet) DO UPDATE SET address = excluded.address, tx_hash = excluded.tx_hash, "
            "created_at = excluded.created_at",
            (network, wallet, address, tx_hash, now_iso()),
        )
