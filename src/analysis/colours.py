"""One colour per concept, the same on every page: an indicator keeps its colour in every
chart, and a comparator of the same concept (the catalogue's `same_as`) takes the colour of
the indicator it stands beside."""

from __future__ import annotations

from collections.abc import Iterable

from analysis.dataset import Dataset
from analysis.style import PALETTE


def concept_colours(dataset: Dataset) -> dict[str, str]:
    """Indicator id -> colour, in catalogue order round the palette (neighbours in the
    catalogue, which a chart usually shows together, differ)."""
    ind = dataset.catalogue.indicators
    colours = {i: PALETTE[n % len(PALETTE)] for n, i in enumerate(ind["id"])}
    for own, others in zip(ind["id"], ind["same_as"].fillna(""), strict=True):
        for other in str(others).split():
            colours[other] = colours[own]
    return colours


def colours_of(dataset: Dataset, indicators: Iterable[str]) -> list[str]:
    """The colours of `indicators` (a derived figure "a / b" takes the colour of a)."""
    colours = concept_colours(dataset)
    return [colours.get(str(i).split(" / ")[0], PALETTE[0]) for i in indicators]


def stage_colours(stages: Iterable[str]) -> dict[str, str]:
    """Stages (已建成, 在建, ...) in the order given -> colour, the same in every panel."""
    return {stage: PALETTE[n % len(PALETTE)] for n, stage in enumerate(dict.fromkeys(stages))}
