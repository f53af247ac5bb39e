"""The works the built-in emoji model was trained on, as shipped beside its weights.

`openmoji-works.json.gz` lists every emoji in the training set (the held-out ones left out): hexcode, the sha256
of its SVG file, annotation, group and author. The studio imports these as works into each library from this
list, not from the npm package, so a packaged app without `node_modules` still credits every creator, and the
import never parses 4,395 SVGs. About 200 KB.
No torch here.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path

from studio.errors import InvalidInput, NotFound
from studio.generate.emoji_builtin import WEIGHTS_DIR, emoji_recipe

WORKS_FILE = "openmoji-works.json.gz"
OPENMOJI_SOURCE = "npm:openmoji@17.0.0"
OPENMOJI_LICENSE_ID = "cc-by-sa-4.0"  # the catalogue's id for the package's CC-BY-SA-4.0


@dataclass(frozen=True)
class TrainedEmoji:
    hexcode: str
    svg_sha256: str
    annotation: str
    group: str
    author: str

    @property
    def location(self) -> str:
        """Where the trained-on file lives: the SVG inside the pinned npm package."""
        return f"{OPENMOJI_SOURCE}/color/svg/{self.hexcode}.svg"


def trained_emoji(weights_dir: Path = WEIGHTS_DIR) -> list[TrainedEmoji]:
    """The emoji the built-in model was trained on, in hexcode order, checked against the recipe's count."""
    path = weights_dir / WORKS_FILE
    if not path.is_file():
        raise NotFound("the built-in model's list of training works is missing",
                       hint="reinstall the studio, or run `studio train builtin` again")
    body = json.loads(gzip.decompress(path.read_bytes()))
    works = [TrainedEmoji(*row) for row in body["works"]]
    expected = emoji_recipe(weights_dir)["data"]["trained_on"]
    if len(works) != expected:
        raise InvalidInput(f"{path} lists {len(works)} works, the model's recipe {expected}",
                           hint="reinstall the studio")
    return works

