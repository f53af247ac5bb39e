"""Generated works are titled by a few words of their own prompt; remixes of remixes never nest "Remix of"."""

from __future__ import annotations

import pytest

from studio.services import Studio
from studio.services.generation import CreateRequest
from studio.services.titles import short_title


@pytest.mark.parametrize(
    ("prompt", "title"),
    [
        ("a tidepool at dawn, warm light on still water", "A tidepool at dawn"),
        ("the tidepool at night under a pale moon over the quiet sea", "The tidepool at night"),
        ("(masterpiece:1.2), <lora:ink:0.8> red fox", "Masterpiece"),
        ("  ,,,  ", "Untitled remix"),
    ],
)
def test_short_title_takes_the_first_words_of_the_first_clause(prompt, title) -> None:
    assert short_title(prompt, "img2img") == title


def test_a_remix_chain_is_titled_by_its_prompts_not_nested(tmp_path) -> None:
    studio = Studio.open(tmp_path / "lib")
    try:
        first = studio.generation.create(CreateRequest(mode="txt2img", prompt="a tidepool at dawn, warm light", seed=1,
                                                       steps=2, width=64, height=64))
        second = studio.generation.create(
            CreateRequest(mode="img2img", prompt="the same tidepool at noon", seed=2, steps=2,
                          strength=0.6, parents=(first.id,)))
        third = studio.generation.create(CreateRequest(mode="img2img", prompt="the tidepool at night", seed=3, steps=2,
                                                       strength=0.6, parents=(second.id,)))
    finally:
        studio.close()
    assert [first.title, second.title, third.title] == [
        "A tidepool at dawn", "The same tidepool at noon", "The tidepool at night",
    ]
    assert all("Remix of" not in t for t in (second.title, third.title))
