"""Publishing works of the library on Story, in parts: setup (network, client, wallet, storage), planning (a
typed plan the license and royalty engines compute, with the network's fee estimate), running (journal →
chain → read-back), import from Story and revenue; `PublishingService` is the entry both front ends use."""

from __future__ import annotations

from studio.services.publishing.planning import PublishOptions, PublishPlan
from studio.services.publishing.service import PublishingService
from studio.services.publishing.setup import SETTINGS, WalletStatus

__all__ = ["SETTINGS", "PublishOptions", "PublishPlan", "PublishingService", "WalletStatus"]
