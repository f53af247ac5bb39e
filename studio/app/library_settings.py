"""The library's own settings as the first-run and Settings dialogs edit them: what new works get when nobody
chooses (the creator and the license) and where and how the library publishes (the network, its RPC, IPFS and
the pinning token, which goes to the keyring)."""

from __future__ import annotations

from collections.abc import Mapping

from studio.app.session import StudioSession
from studio.services.new_work_defaults import STUDIO_DEFAULT_LICENSE, NewWorkDefaults

__all__ = ["LibrarySettings", "NewWorkDefaults"]


class LibrarySettings:
    def __init__(self, session: StudioSession) -> None:
        self._studio = session.studio

    def licenses(self) -> list[tuple[str, str]]:
        """(name, id) of every license in the catalogue."""
        return [(lic.name, lic.id) for lic in self._studio.catalog.all()]

    def studio_default_license_name(self) -> str:
        """The license a new root work gets when nobody chose one."""
        return self._studio.catalog.get(STUDIO_DEFAULT_LICENSE).name

    def new_work_defaults(self) -> NewWorkDefaults:
        return self._studio.generation.defaults.load()

    def save_new_work_defaults(self, creator: str, license_id: str | None) -> None:
        self._studio.generation.defaults.save(NewWorkDefaults(creator, license_id))

    def default_network(self) -> str:
        return self._studio.publish_setup.default_network()

    def setting(self, key: str) -> str | None:
        return self._studio.publish_setup.setting(key)

    def set_settings(self, values: Mapping[str, str | None]) -> None:
        """Write the publishing settings in one step (all or nothing)."""
        self._studio.publish_setup.set_settings(dict(values))

    def set_pinning_token(self, token: str) -> None:
        self._studio.publish_setup.set_pinning_token(token)
