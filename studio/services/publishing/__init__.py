"""Publishing works of the library on Story, in use cases the composition root builds on first use: setup
(network, client, wallet, storage), planning (a typed plan the license and royalty engines compute, with the
network's fee estimate), running (journal → chain → read-back), import from Story, revenue and the training
data's earnings. `Studio` exposes each as an attribute (`publish_setup`, `publish_planner`, `publish_runner`,
`ip_importer`, `revenue`, `training_earnings`)."""

from __future__ import annotations

from studio.services.publishing.planning import PublishOptions, PublishPlan
from studio.services.publishing.setup import SETTINGS, WalletStatus

__all__ = ["SETTINGS", "PublishOptions", "PublishPlan", "WalletStatus"]
