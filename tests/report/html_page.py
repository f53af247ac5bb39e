"""A parsed HTML page for tests: every element with its attributes and the text inside it."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

_VOID = {"meta", "img", "br", "link", "input", "hr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""
    children: list[Element] = field(default_factory=list)

    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


class Page(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", {})
        self.elements: list[Element] = []
        self._stack = [self.root]
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.elements.append(element)
        self._stack[-1].children.append(element)
        if tag not in _VOID:
            self._stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self._stack) - 1, 0, -1):
            if self._stack[depth].tag == tag:
                del self._stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        # Text belongs to every open element, so an element's text includes its descendants'.
        for element in self._stack:
            element.text += data

    def find(self, tag: str | None = None, *, cls: str | None = None, **attrs: str) -> list[Element]:
        found = []
        for element in self.elements:
            if tag is not None and element.tag != tag:
                continue
            if cls is not None and cls not in element.classes():
                continue
            if all(element.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items()):
                found.append(element)
        return found

    def one(self, tag: str | None = None, **kwargs: str) -> Element:
        found = self.find(tag, **kwargs)
        assert len(found) == 1, f"expected one {tag} {kwargs}, found {len(found)}"
        return found[0]
