"""`make demo-team`: three members on one team library, each a process of their own connecting as their own
PostgreSQL role. An artist imports an original and makes a remix of it; the artist's approval of their own remix
is refused by the database; a reviewer approves; a publisher publishes the remix on the local devnet with their own
wallet; then the members list and who made each change.

The team library lives on a throwaway PostgreSQL server started here (the same one the tests start), or on the
server STUDIO_TEAM_DEMO_ADDRESS names (an empty database, as a role that may create roles). That throwaway server
trusts connections on its private socket, so no passwords are typed; a real server asks for them
(`studio library login`). Everything the demo makes goes into a temporary folder, removed at the end.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.helpers.postgres import throwaway_postgres  # noqa: E402 - the repository's root goes on the path first

SAMPLES = REPO / "assets" / "samples"
MEMBERS = {"ada": "artist", "rex": "reviewer", "pia": "publisher"}


def say(text: str) -> None:
    print(text, flush=True)


class Member:
    def __init__(self, name: str, address: str, env: dict[str, str]) -> None:
        self.name = name
        self.address = address
        self.env = env

    def studio(self, *args: str, stdin: str | None = None, ok: bool = True,
               quiet: bool = False) -> subprocess.CompletedProcess[str]:
        """`studio` in a process of its own, connecting as this member (`quiet`: its output shown only on failure)."""
        command = [sys.executable, "-m", "studio", "--library", self.address, *args]
        done = subprocess.run(command, input=stdin, capture_output=True, text=True, env=self.env, timeout=600)
        shown = " ".join(a if " " not in a else repr(a) for a in args)
        say(f"\n[{self.name}] $ studio {shown}")
        for line in ([] if quiet and done.returncode == 0 else (done.stdout + done.stderr).strip().splitlines()[-12:]):
            say(f"    {line}")
        if ok and done.returncode != 0:
            raise SystemExit(f"team demo: `studio {shown}` failed as {self.name}")
        return done


@contextmanager
def team_server() -> Iterator[str]:
    """The owner's address of an empty database for the demo."""
    given = os.environ.get("STUDIO_TEAM_DEMO_ADDRESS")
    if given:
        yield given
        return
    with throwaway_postgres() as server:
        server.admin("CREATE DATABASE studio_team")
        yield server.url("studio_team")


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="studio-team-demo-"))
    env = {**os.environ, "STUDIO_CACHE_DIR": str(folder / "cache"), "STUDIO_DATA_DIR": str(folder / "data"),
           # The devnet's wallet keys go to a keyring file of the demo's own folder, removed at the end.
           "STUDIO_KEYRING": f"plainfile:{folder / 'keyring.json'}", "HF_HUB_OFFLINE": "1"}
    try:
        with team_server() as owner_url:
            owner = Member("owner", owner_url, env)
            member_url = {name: owner_url.replace("postgresql://postgres@", f"postgresql://{name}@", 1)
                          for name in MEMBERS}
            say("== The studio's admin sets up the team library and its members")
            owner.studio("library", "create", "--team", owner_url)
            for name, role in MEMBERS.items():
                owner.studio("library", "members", "add", name, "--role", role, stdin=f"{name}-pw\n{name}-pw\n")
            owner.studio("review", "require", "on")
            ada, rex, pia = (Member(name, member_url[name], {**env, "STUDIO_WALLET": f"{name}-wallet"})
                             for name in MEMBERS)

            say("\n== Ada (artist) adds an original and remixes it")
            original = json.loads(ada.studio(
                "import", str(SAMPLES / "tidepool-dawn.png"), "--title", "Tidepool at Dawn", "--creator", "Ada",
                "--license", "pil-commercial-remix", "--rev-share", "5", "--json", quiet=True).stdout)["id"]
            remix = json.loads(ada.studio(
                "import", str(SAMPLES / "tidepool-noon.png"), "--title", "Tidepool at Noon", "--creator", "Ada",
                "--parent", original, "--json", quiet=True).stdout)["id"]
            say(f"    the original is {original}, its remix {remix}")
            say("\n== Ada tries to approve her own remix: the database refuses")
            refused = ada.studio("review", "approve", remix, "--reviewer", "Ada", ok=False)
            assert refused.returncode != 0, "a self-approval went through"

            say("\n== Rex (reviewer, another process and role) reads the reports and approves")
            rex.studio("review", "approve", original, "--reviewer", "Rex")
            rex.studio("review", "approve", remix, "--reviewer", "Rex", "--comment", "credits and split check out")

            say("\n== Pia (publisher) publishes the remix on the local devnet with her own wallet")
            pia.studio("devnet", "start")
            try:
                pia.studio("wallet", "create")
                pia.studio("publish", "work", original, "--network", "devnet", "--yes")
                pia.studio("publish", "work", remix, "--network", "devnet", "--yes")
                pia.studio("publish", "status", remix)
            finally:
                pia.studio("devnet", "stop", ok=False)

            say("\n== Who is who, and who made each change")
            owner.studio("library", "members", "list")
            with psycopg.connect(owner_url) as conn:
                for table, key, order in (("works", "title", "created_at"), ("reviews", "decision", "decided_at"),
                                          ("publications", "state", "created_at")):
                    for row in conn.execute(f"SELECT {key}, created_by FROM {table} ORDER BY {order}"):
                        say(f"    {table:<13} {row[0]!s:<20} by {row[1]}")
            say("\nteam demo done")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
