"""A real library with a mixed lineage: imported images, a model and a LoRA, a generated remix, a published parent."""

from __future__ import annotations

import pytest

from studio.core.types import Relation, WorkKind
from tests.helpers.report_lineage import RECIPE, Builder, MixedLineage, builder, studio  # noqa: F401


@pytest.fixture
def mixed(builder: Builder) -> MixedLineage:
    sketch = builder.image("Harbour Sketch", "cc-by-4.0", creator="Ann Artist")
    tidepool = builder.image("Tidepool", "pil-commercial-remix", creator="Bo Painter", rev_share=5)
    builder.publish(tidepool)
    model = builder.tool(WorkKind.model, "tiny-model", "creativeml-openrail-m")
    lora = builder.tool(WorkKind.lora, "ink-lora", "cc-by-4.0", creator="Lora Crafter")
    generated = builder.generated(
        "Harbour at Dusk",
        [
            (tidepool, Relation.remix_of, None),
            (model, Relation.generated_with, None),
            (lora, Relation.styled_with, 0.8),
        ],
        RECIPE,
        creator="Cy Maker",
    )
    final = builder.image("Harbour Poster", creator="Di Designer", parents=[generated, sketch])
    return MixedLineage(sketch, tidepool, model, lora, generated, final)
