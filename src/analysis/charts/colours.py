"""Colours that mean the same on every page: bars of the period's figures are one colour
(they are labelled), other places' figures grey; a series (a standard over time) keeps its
concept's colour in every chart, and a comparator of the same concept (the catalogue's
`same_as`) takes the colour of the indicator it stands beside; a construction stage keeps
its colour in every panel, however its label is worded."""

from __future__ import annotations

from collections.abc import Iterable

from analysis.charts.style import PALETTE
from analysis.dataset.loader import Dataset


def concept_colours(dataset: Dataset) -> dict[str, str]:
    """Indicator id -> colour, in catalogue order round the palette (neighbours in the
    catalogue, which a chart usually shows together, differ)."""
    ind = dataset.catalogue.indicators
    colours = {i: PALETTE[n % len(PALETTE)] for n, i in enumerate(ind["id"])}
    for own, others in zip(ind["id"], ind["same_as"].fillna(""), strict=True):
        for other in str(others).split():
            colours[other] = colours[own]
    return colours


def stage_colours(stages: Iterable[str]) -> dict[str, str]:
    """Stages (built, under_construction, ...: what the indicator ids say, not the words
    of the labels, which may differ for one stage: 已开工, 在建) in the order given ->
    colour, the same in every panel."""
    return {stage: PALETTE[n % len(PALETTE)] for n, stage in enumerate(dict.fromkeys(stages))}
