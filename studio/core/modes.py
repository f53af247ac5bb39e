"""The four ways the studio makes an image, with what each one is called, how its parents are linked and how
many parents it takes. The values are what recipes record and engines receive."""

from __future__ import annotations

from enum import StrEnum

from studio.core.types import MAX_PARENTS, Relation


class Mode(StrEnum):
    txt2img = "txt2img"
    img2img = "img2img"
    inpaint = "inpaint"
    blend = "blend"

    @property
    def label(self) -> str:
        """The action's name on buttons, menus and jobs: Generate, Remix, Inpaint, Blend."""
        return _LABELS[self]

    @property
    def noun(self) -> str:
        """What the result of the action is called: a generation, a remix, an inpaint, a blend."""
        return _NOUNS[self]

    @property
    def relation(self) -> Relation | None:
        """How the new work is linked to its parent images (None: text-to-image has none)."""
        return _RELATIONS[self]

    @property
    def min_parents(self) -> int:
        return _PARENTS[self][0]

    @property
    def max_parents(self) -> int:
        return _PARENTS[self][1]

    @property
    def takes_parents(self) -> bool:
        return self.max_parents > 0

    def fits(self, count: int) -> bool:
        """Whether `count` parent images are what this mode takes."""
        return self.min_parents <= count <= self.max_parents

    @classmethod
    def for_parents(cls, count: int, *, has_mask: bool = False) -> Mode:
        """The mode the selected parents call for: none generates, one remixes (or inpaints under a mask), more
        blend."""
        if count == 0:
            return cls.txt2img
        if count == 1:
            return cls.inpaint if has_mask else cls.img2img
        return cls.blend


_LABELS = {Mode.txt2img: "Generate", Mode.img2img: "Remix", Mode.inpaint: "Inpaint", Mode.blend: "Blend"}
_NOUNS = {Mode.txt2img: "Generation", Mode.img2img: "Remix", Mode.inpaint: "Inpaint", Mode.blend: "Blend"}
_RELATIONS: dict[Mode, Relation | None] = {
    Mode.txt2img: None,
    Mode.img2img: Relation.remix_of,
    Mode.inpaint: Relation.inpaint_of,
    Mode.blend: Relation.composite_of,
}
_PARENTS = {Mode.txt2img: (0, 0), Mode.img2img: (1, 1), Mode.inpaint: (1, 1), Mode.blend: (2, MAX_PARENTS)}
